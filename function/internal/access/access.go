// Package access composes the provider's objects for an AerospikeDatabase:
// the ProviderConfig through which the provider reaches the cluster, the
// observe-only ClusterStatus the day-2 plan reads, and, on Enterprise Edition
// with access control, a Role and a User per declared role and user; and it
// checks spec.accessControl.
package access

import (
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/xp-aerospike/xp-aerospike/apis/provider/v1alpha1"
	"github.com/xp-aerospike/xp-aerospike/function/internal/connection"
	"github.com/xp-aerospike/xp-aerospike/function/internal/database"
	"github.com/xp-aerospike/xp-aerospike/function/internal/tls"
)

// ProviderConfig points the provider at the database through its client
// Service, logging in as the admin user when access control is on. Its
// connection details, which the provider adds to the application user's
// connection Secret, tell the TLS name and port and externalSeeds, the
// nodes' external addresses known so far.
func ProviderConfig(d *database.Database, externalSeeds []string) *v1alpha1.ProviderConfig {
	pc := &v1alpha1.ProviderConfig{
		ObjectMeta: metav1.ObjectMeta{Name: d.Names.ProviderConfig(), Namespace: d.Namespace, Labels: d.Names.Labels("provider-config")},
		Spec: v1alpha1.ProviderConfigSpec{
			Hosts:       []string{d.ServiceHost()},
			Port:        database.ServicePort,
			ClusterName: d.ClusterName,
			Credentials: v1alpha1.ProviderCredentials{Source: v1alpha1.CredentialsNone},
			// The application user's connection Secret tells the TLS name
			// and port as the function's own would.
			ConnectionDetails: tls.ConnectionDetails(d),
		},
	}
	if len(externalSeeds) > 0 {
		if pc.Spec.ConnectionDetails == nil {
			pc.Spec.ConnectionDetails = map[string]string{}
		}
		pc.Spec.ConnectionDetails[connection.KeyExternalSeeds] = strings.Join(externalSeeds, ",")
	}
	if d.Security() {
		ref := d.Spec.AccessControl.AdminSecretRef
		pc.Spec.Credentials = v1alpha1.ProviderCredentials{
			Source:    v1alpha1.CredentialsSecret,
			SecretRef: &v1alpha1.CredentialsSecretRef{Name: ref.Name, UsernameKey: ref.UsernameKey, PasswordKey: ref.PasswordKey},
		}
	}
	return pc
}

// ClusterStatus observes the database's cluster and changes nothing.
func ClusterStatus(d *database.Database) *v1alpha1.ClusterStatus {
	return &v1alpha1.ClusterStatus{
		ObjectMeta: metav1.ObjectMeta{Name: d.Names.ClusterStatus(), Namespace: d.Namespace, Labels: d.Names.Labels("status")},
		Spec: v1alpha1.ClusterStatusSpec{ManagedResourceSpec: xpv2.ManagedResourceSpec{
			ProviderConfigReference: providerConfigRef(d),
			ManagementPolicies:      xpv2.ManagementPolicies{xpv2.ManagementActionObserve},
		}},
	}
}

// Roles returns a Role per declared role, in spec order; none unless
// access control is on.
func Roles(d *database.Database) []*v1alpha1.Role {
	if !d.Security() {
		return nil
	}
	out := make([]*v1alpha1.Role, 0, len(d.Spec.AccessControl.Roles))
	for _, r := range d.Spec.AccessControl.Roles {
		role := &v1alpha1.Role{
			ObjectMeta: member(d, "role", r.Name),
			Spec: v1alpha1.RoleSpec{
				ManagedResourceSpec: xpv2.ManagedResourceSpec{ProviderConfigReference: providerConfigRef(d)},
				ForProvider: v1alpha1.RoleParameters{
					Whitelist:  r.Whitelist,
					ReadQuota:  r.ReadQuota,
					WriteQuota: r.WriteQuota,
				},
			},
		}
		for _, p := range r.Privileges {
			role.Spec.ForProvider.Privileges = append(role.Spec.ForProvider.Privileges, v1alpha1.Privilege{Code: v1alpha1.PrivilegeCode(p.Code), Namespace: p.Namespace, Set: p.Set})
		}
		out = append(out, role)
	}
	return out
}

// Users returns a User per declared user, in spec order; none unless access
// control is on. The application user writes its connection details (hosts,
// port, user, password) to the database's connection Secret.
func Users(d *database.Database) []*v1alpha1.User {
	if !d.Security() {
		return nil
	}
	ac := d.Spec.AccessControl
	out := make([]*v1alpha1.User, 0, len(ac.Users))
	for _, u := range ac.Users {
		user := &v1alpha1.User{
			ObjectMeta: member(d, "user", u.Name),
			Spec: v1alpha1.UserSpec{
				ManagedResourceSpec: xpv2.ManagedResourceSpec{ProviderConfigReference: providerConfigRef(d)},
				ForProvider: v1alpha1.UserParameters{
					Roles: u.Roles,
					PasswordSecretRef: xpv2.LocalSecretKeySelector{
						LocalSecretReference: xpv2.LocalSecretReference{Name: u.PasswordSecretRef.Name},
						Key:                  u.PasswordSecretRef.Key,
					},
				},
			},
		}
		if u.Name == ac.ApplicationUser {
			user.Spec.WriteConnectionSecretToReference = &xpv2.LocalSecretReference{Name: d.Names.ConnectionSecret()}
		}
		out = append(out, user)
	}
	return out
}

// NamespaceConfigs returns a NamespaceConfig per namespace with settings the
// server changes live, sorted by namespace, so a change to them reaches the
// running nodes without a restart. live is config.Rack.Live.
func NamespaceConfigs(d *database.Database, live map[string]map[string]string) []*v1alpha1.NamespaceConfig {
	out := make([]*v1alpha1.NamespaceConfig, 0, len(live))
	for _, ns := range d.Spec.Namespaces {
		settings, ok := live[ns.Name]
		if !ok {
			continue
		}
		nc := &v1alpha1.NamespaceConfig{
			ObjectMeta: member(d, "namespace", ns.Name),
			Spec: v1alpha1.NamespaceConfigSpec{
				ManagedResourceSpec: xpv2.ManagedResourceSpec{ProviderConfigReference: providerConfigRef(d)},
				ForProvider:         v1alpha1.NamespaceConfigParameters{Namespace: ns.Name, Settings: settings},
			},
		}
		out = append(out, nc)
	}
	return out
}

// LogLevels returns the LogLevels that holds the console sink's levels on
// every node, so a level change reaches the running nodes without a
// restart. levels is config.Rack.LogLevels.
func LogLevels(d *database.Database, levels map[string]string) *v1alpha1.LogLevels {
	ll := make(map[string]v1alpha1.LogLevel, len(levels))
	for k, v := range levels {
		ll[k] = v1alpha1.LogLevel(v)
	}
	return &v1alpha1.LogLevels{
		ObjectMeta: metav1.ObjectMeta{Name: d.Names.Member("log-levels", "console"), Namespace: d.Namespace, Labels: d.Names.Labels("log-levels")},
		Spec: v1alpha1.LogLevelsSpec{
			ManagedResourceSpec: xpv2.ManagedResourceSpec{ProviderConfigReference: providerConfigRef(d)},
			ForProvider:         v1alpha1.LogLevelsParameters{Sink: "console", Levels: ll},
		},
	}
}

// OwnsConnectionSecret reports whether a User writes the database's
// connection Secret, which the function then must not compose: one writer
// per Secret.
func OwnsConnectionSecret(d *database.Database) bool {
	return d.Security() && d.Spec.AccessControl.ApplicationUser != ""
}

// member names a user's or role's object; its name in Aerospike is the
// external-name annotation, which may hold characters an object name may
// not.
func member(d *database.Database, kind, name string) metav1.ObjectMeta {
	om := metav1.ObjectMeta{Name: d.Names.Member(kind, name), Namespace: d.Namespace, Labels: d.Names.Labels(kind)}
	meta.SetExternalName(&om, name)
	return om
}

func providerConfigRef(d *database.Database) *xpv2.ProviderConfigReference {
	return &xpv2.ProviderConfigReference{Kind: v1alpha1.ProviderConfigKind, Name: d.Names.ProviderConfig()}
}
