package access

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"

	"github.com/xp-aerospike/xp-aerospike/apis/aerospike/v1alpha1"
	providerv1alpha1 "github.com/xp-aerospike/xp-aerospike/apis/provider/v1alpha1"
	"github.com/xp-aerospike/xp-aerospike/function/internal/dbtest"
)

func secured(s *v1alpha1.AerospikeDatabaseSpec) {
	s.Edition = v1alpha1.EditionEnterprise
	s.FeatureKeySecretRef = &v1alpha1.SecretKeyRef{Name: "k"}
	s.AccessControl = &v1alpha1.AccessControl{
		AdminSecretRef:  v1alpha1.AdminSecretRef{Name: "admin"},
		ApplicationUser: "app_user",
		Roles:           []v1alpha1.Role{{Name: "rw", Privileges: []v1alpha1.Privilege{{Code: "read-write", Namespace: "mem"}}, ReadQuota: 5}},
		Users: []v1alpha1.User{
			{Name: "app_user", Roles: []string{"rw"}, PasswordSecretRef: v1alpha1.SecretKeyRef{Name: "pw"}},
			{Name: "ops", Roles: []string{"sys-admin"}, PasswordSecretRef: v1alpha1.SecretKeyRef{Name: "ops-pw", Key: "secret"}},
		},
	}
}

func TestCommunity(t *testing.T) {
	d := dbtest.New(t, nil, nil)
	pc := ProviderConfig(d, nil)
	if pc.Spec.Credentials.Source != providerv1alpha1.CredentialsNone || pc.Spec.Hosts[0] != "db.team.svc.cluster.local" || pc.Spec.ClusterName != "db" {
		t.Errorf("ProviderConfig %+v: want no credentials, the client Service and the cluster name", pc.Spec)
	}
	cs := ClusterStatus(d)
	if diff := cmp.Diff(providerv1alpha1.ProviderConfigKind+"/db", cs.Spec.ProviderConfigReference.Kind+"/"+cs.Spec.ProviderConfigReference.Name); diff != "" {
		t.Errorf("ClusterStatus provider config: %s", diff)
	}
	if len(cs.Spec.ManagementPolicies) != 1 || cs.Spec.ManagementPolicies[0] != "Observe" {
		t.Errorf("a ClusterStatus only observes: %v", cs.Spec.ManagementPolicies)
	}
	if Roles(d) != nil || Users(d) != nil || OwnsConnectionSecret(d) {
		t.Error("Community Edition has no roles or users")
	}
}

func TestEnterprise(t *testing.T) {
	d := dbtest.New(t, nil, secured)
	pc := ProviderConfig(d, nil)
	want := &providerv1alpha1.CredentialsSecretRef{Name: "admin", UsernameKey: "username", PasswordKey: "password"}
	if diff := cmp.Diff(want, pc.Spec.Credentials.SecretRef); diff != "" || pc.Spec.Credentials.Source != providerv1alpha1.CredentialsSecret {
		t.Errorf("ProviderConfig credentials: -want +got:\n%s", diff)
	}
	roles := Roles(d)
	if len(roles) != 1 || meta.GetExternalName(roles[0]) != "rw" || roles[0].Spec.ForProvider.ReadQuota != 5 || roles[0].Spec.ForProvider.Privileges[0].Namespace != "mem" {
		t.Errorf("roles: %+v", roles)
	}
	users := Users(d)
	if len(users) != 2 {
		t.Fatalf("want a User per user, got %d", len(users))
	}
	app, ops := users[0], users[1]
	if meta.GetExternalName(app) != "app_user" || !strings.HasPrefix(app.Name, "db-user-app-user-") {
		t.Errorf("the application user: name %q, external name %q", app.Name, meta.GetExternalName(app))
	}
	if app.Spec.WriteConnectionSecretToReference == nil || app.Spec.WriteConnectionSecretToReference.Name != "db-connection" {
		t.Error("the application user must write the database's connection Secret")
	}
	if ops.Spec.WriteConnectionSecretToReference != nil {
		t.Error("only the application user writes the connection Secret")
	}
	if ops.Spec.ForProvider.PasswordSecretRef.Key != "secret" || ops.Spec.ForProvider.PasswordSecretRef.Name != "ops-pw" {
		t.Errorf("password ref %+v", ops.Spec.ForProvider.PasswordSecretRef)
	}
	if !OwnsConnectionSecret(d) {
		t.Error("with an application user, a User owns the connection Secret")
	}
}

// TestLogLevels: the console sink's levels, in the database's namespace,
// through its provider config.
func TestLogLevels(t *testing.T) {
	d := dbtest.New(t, nil, nil)
	ll := LogLevels(d, map[string]string{"any": "info", "migrate": "debug"})
	want := providerv1alpha1.LogLevelsParameters{Sink: "console", Levels: map[string]providerv1alpha1.LogLevel{"any": "info", "migrate": "debug"}}
	if diff := cmp.Diff(want, ll.Spec.ForProvider); diff != "" {
		t.Errorf("LogLevels forProvider -want +got:\n%s", diff)
	}
	if ll.Namespace != d.Namespace || ll.Spec.ProviderConfigReference.Name != d.Names.ProviderConfig() {
		t.Errorf("LogLevels %s/%s through %v: want the database's namespace and provider config", ll.Namespace, ll.Name, ll.Spec.ProviderConfigReference)
	}
}
