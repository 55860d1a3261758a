// Package user manages database users of Aerospike Enterprise Edition.
//
// A user's password lives in a Secret and nowhere else: Observe compares a
// keyed fingerprint of the Secret's password with the one recorded when the
// password was last set, so a rotation is detected without the password ever
// being stored, logged or read back from the server.
package user

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/controller"
	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/xp-aerospike/xp-aerospike/apis/provider/v1alpha1"
	"github.com/xp-aerospike/xp-aerospike/provider/aerospike"
	"github.com/xp-aerospike/xp-aerospike/provider/controllers/connect"
)

// Users is what the controller needs of a cluster.
type Users interface {
	QueryUser(name string) (*aerospike.User, error)
	CreateUser(name, password string, roles []string) error
	DropUser(name string) error
	SetPassword(name, password string) error
	RoleGranter
}

// RoleGranter grants and revokes a user's roles.
type RoleGranter interface {
	GrantRoles(name string, roles []string) error
	RevokeRoles(name string, roles []string) error
}

// Session is what a User's controller needs of its cluster's session: the
// users, and what goes into the user's connection details.
type Session struct {
	Users  Users
	Hosts  []string
	Secret []byte

	// ConnectionDetails are added to the user's connection details.
	ConnectionDetails map[string]string
}

// Setup adds a controller that reconciles Users.
func Setup(mgr ctrl.Manager, o controller.Options, c *connect.Connector) error {
	k := connect.Kind[*v1alpha1.User]{GVK: v1alpha1.UserGroupVersionKind, Object: &v1alpha1.User{}, List: &v1alpha1.UserList{}}
	return connect.Setup(mgr, o, k, c,
		func(s *connect.Session) *Session {
			return &Session{Users: s.Client, Hosts: s.Hosts, Secret: s.Secret, ConnectionDetails: s.ConnectionDetails}
		},
		func(s *Session) connect.External[*v1alpha1.User] { return &external{kube: mgr.GetClient(), s: s} })
}

type external struct {
	kube client.Reader
	s    *Session
}

// RequiresEnterprise is the message of a User on a cluster without security.
const RequiresEnterprise = "users require Aerospike Enterprise Edition with security enabled: the cluster reports no security support"

func (e *external) Observe(ctx context.Context, u *v1alpha1.User) (managed.ExternalObservation, error) {
	name := meta.GetExternalName(u)
	got, err := e.s.Users.QueryUser(name)
	switch {
	case aerospike.IsNotFound(err):
		return managed.ExternalObservation{ResourceExists: false}, nil
	case aerospike.IsSecurityUnsupported(err):
		// Not an error to retry: nothing will change until the cluster
		// does. The condition says why, and the poll interval paces us.
		u.SetConditions(xpv2.Unavailable().WithMessage(RequiresEnterprise))
		return managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true}, nil
	case err != nil:
		return managed.ExternalObservation{}, err
	}

	password, err := e.password(ctx, u)
	if err != nil {
		return managed.ExternalObservation{}, err
	}
	u.Status.AtProvider.Roles = got.Roles
	u.SetConditions(xpv2.Available())
	return managed.ExternalObservation{
		ResourceExists: true,
		ResourceUpToDate: sameSet(got.Roles, u.Spec.ForProvider.Roles) &&
			hmac.Equal([]byte(u.Status.AtProvider.PasswordFingerprint), []byte(e.fingerprint(password))),
		ConnectionDetails: e.details(name, password),
	}, nil
}

func (e *external) Create(ctx context.Context, u *v1alpha1.User) (managed.ExternalCreation, error) {
	password, err := e.password(ctx, u)
	if err != nil {
		return managed.ExternalCreation{}, err
	}
	name := meta.GetExternalName(u)
	if err := e.s.Users.CreateUser(name, password, u.Spec.ForProvider.Roles); err != nil {
		return managed.ExternalCreation{}, err
	}
	u.Status.AtProvider.PasswordFingerprint = e.fingerprint(password)
	return managed.ExternalCreation{ConnectionDetails: e.details(name, password)}, nil
}

func (e *external) Update(ctx context.Context, u *v1alpha1.User) (managed.ExternalUpdate, error) {
	name := meta.GetExternalName(u)
	grant, revoke := diff(u.Status.AtProvider.Roles, u.Spec.ForProvider.Roles)
	if len(grant) > 0 {
		if err := e.s.Users.GrantRoles(name, grant); err != nil {
			return managed.ExternalUpdate{}, err
		}
	}
	if len(revoke) > 0 {
		if err := e.s.Users.RevokeRoles(name, revoke); err != nil {
			return managed.ExternalUpdate{}, err
		}
	}
	password, err := e.password(ctx, u)
	if err != nil {
		return managed.ExternalUpdate{}, err
	}
	if fp := e.fingerprint(password); u.Status.AtProvider.PasswordFingerprint != fp {
		if err := e.s.Users.SetPassword(name, password); err != nil {
			return managed.ExternalUpdate{}, err
		}
		u.Status.AtProvider.PasswordFingerprint = fp
	}
	return managed.ExternalUpdate{ConnectionDetails: e.details(name, password)}, nil
}

func (e *external) Delete(_ context.Context, u *v1alpha1.User) (managed.ExternalDelete, error) {
	err := e.s.Users.DropUser(meta.GetExternalName(u))
	if aerospike.IsNotFound(err) || aerospike.IsSecurityUnsupported(err) {
		return managed.ExternalDelete{}, nil
	}
	return managed.ExternalDelete{}, err
}

// password reads the user's password from its Secret.
func (e *external) password(ctx context.Context, u *v1alpha1.User) (string, error) {
	ref := u.Spec.ForProvider.PasswordSecretRef
	s := &corev1.Secret{}
	if err := e.kube.Get(ctx, types.NamespacedName{Namespace: u.GetNamespace(), Name: ref.Name}, s); err != nil {
		return "", errors.Wrapf(err, "cannot get the password Secret %q", ref.Name)
	}
	pw, ok := s.Data[ref.Key]
	if !ok || len(pw) == 0 {
		return "", errors.Errorf("the password Secret %q has no key %q", ref.Name, ref.Key)
	}
	return string(pw), nil
}

// fingerprint identifies a password without revealing it: an HMAC keyed
// with a secret of the provider config, so it cannot be brute-forced by
// someone who reads the User's status but not the provider's credentials.
func (e *external) fingerprint(password string) string {
	m := hmac.New(sha256.New, e.s.Secret)
	m.Write([]byte(password))
	return "hmac-sha256:" + hex.EncodeToString(m.Sum(nil))
}

// details are what an application needs to connect as the user, under the
// keys an AerospikeDatabase's connection Secret uses.
func (e *external) details(name, password string) managed.ConnectionDetails {
	d := managed.ConnectionDetails{}
	// The provider config's extras first: they never replace what the
	// provider itself knows.
	for k, v := range e.s.ConnectionDetails {
		d[k] = []byte(v)
	}
	for k, v := range map[string][]byte{
		v1alpha1.ConnectionKeySeeds:    []byte(strings.Join(e.s.Hosts, ",")),
		v1alpha1.ConnectionKeyUser:     []byte(name),
		v1alpha1.ConnectionKeyPassword: []byte(password),
	} {
		d[k] = v
	}
	if len(e.s.Hosts) > 0 {
		host, port, _ := strings.Cut(e.s.Hosts[0], ":")
		d[v1alpha1.ConnectionKeyHost], d[v1alpha1.ConnectionKeyPort] = []byte(host), []byte(port)
	}
	return d
}

// diff returns the roles to grant and to revoke to get from have to want.
func diff(have, want []string) (grant, revoke []string) {
	for _, r := range want {
		if !slices.Contains(have, r) {
			grant = append(grant, r)
		}
	}
	for _, r := range have {
		if !slices.Contains(want, r) {
			revoke = append(revoke, r)
		}
	}
	slices.Sort(grant)
	slices.Sort(revoke)
	return slices.Compact(grant), slices.Compact(revoke)
}

func sameSet(a, b []string) bool {
	g, r := diff(a, b)
	return len(g) == 0 && len(r) == 0
}
