// Package role manages roles of Aerospike Enterprise Edition: privileges,
// allow-lists and quotas, changed with the fewest grants and revokes that
// turn what the cluster has into what the spec asks for.
package role

import (
	"context"
	"slices"
	"strings"

	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/crossplane/crossplane-runtime/v2/pkg/controller"
	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/xp-aerospike/xp-aerospike/apis/provider/v1alpha1"
	"github.com/xp-aerospike/xp-aerospike/provider/aerospike"
	"github.com/xp-aerospike/xp-aerospike/provider/controllers/connect"
)

// Predefined are Aerospike's built-in roles, which cannot be created,
// changed or dropped.
var Predefined = []string{
	"read", "read-write", "read-write-udf", "write", "truncate", "sindex-admin",
	"udf-admin", "data-admin", "user-admin", "sys-admin", "superuser",
}

// Roles is what the controller needs of a cluster to read and create roles.
type Roles interface {
	QueryRole(name string) (*aerospike.Role, error)
	CreateRole(r aerospike.Role) error
	DropRole(name string) error
	Privileges
	Limits
}

// Privileges grants and revokes a role's privileges.
type Privileges interface {
	GrantPrivileges(role string, ps []aerospike.Privilege) error
	RevokePrivileges(role string, ps []aerospike.Privilege) error
}

// Limits sets a role's allow-list and quotas.
type Limits interface {
	SetWhitelist(role string, whitelist []string) error
	SetQuotas(role string, read, write uint32) error
}

// Setup adds a controller that reconciles Roles.
func Setup(mgr ctrl.Manager, o controller.Options, c *connect.Connector) error {
	k := connect.Kind[*v1alpha1.Role]{GVK: v1alpha1.RoleGroupVersionKind, Object: &v1alpha1.Role{}, List: &v1alpha1.RoleList{}}
	return connect.Setup(mgr, o, k, c,
		func(s *connect.Session) Roles { return s.Client },
		func(r Roles) connect.External[*v1alpha1.Role] { return &external{roles: r} })
}

type external struct {
	roles Roles
}

// RequiresEnterprise is the message of a Role on a cluster without security.
const RequiresEnterprise = "roles require Aerospike Enterprise Edition with security enabled: the cluster reports no security support"

func (e *external) Observe(_ context.Context, r *v1alpha1.Role) (managed.ExternalObservation, error) {
	name := meta.GetExternalName(r)
	if slices.Contains(Predefined, name) {
		// Refused, not retried: the spec must change.
		return managed.ExternalObservation{}, errors.Errorf("%q is a predefined Aerospike role and cannot be managed; choose another name", name)
	}
	got, err := e.roles.QueryRole(name)
	switch {
	case aerospike.IsNotFound(err):
		return managed.ExternalObservation{ResourceExists: false}, nil
	case aerospike.IsSecurityUnsupported(err):
		r.SetConditions(xpv2.Unavailable().WithMessage(RequiresEnterprise))
		return managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true}, nil
	case err != nil:
		return managed.ExternalObservation{}, err
	}
	r.Status.AtProvider = observation(got)
	r.SetConditions(xpv2.Available())
	p := r.Spec.ForProvider
	grant, revoke := diff(got.Privileges, privileges(p.Privileges))
	upToDate := len(grant) == 0 && len(revoke) == 0 &&
		sameSet(got.Whitelist, p.Whitelist) &&
		got.ReadQuota == uint32(p.ReadQuota) && got.WriteQuota == uint32(p.WriteQuota) //nolint:gosec // Quotas are validated non-negative.
	return managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: upToDate}, nil
}

func (e *external) Create(_ context.Context, r *v1alpha1.Role) (managed.ExternalCreation, error) {
	p := r.Spec.ForProvider
	return managed.ExternalCreation{}, e.roles.CreateRole(aerospike.Role{
		Name:       meta.GetExternalName(r),
		Privileges: privileges(p.Privileges),
		Whitelist:  p.Whitelist,
		ReadQuota:  uint32(p.ReadQuota),  //nolint:gosec // Validated non-negative.
		WriteQuota: uint32(p.WriteQuota), //nolint:gosec // Validated non-negative.
	})
}

// Update sends only what differs: the privileges to grant and to revoke,
// the allow-list when it changed, the quotas when they changed.
func (e *external) Update(_ context.Context, r *v1alpha1.Role) (managed.ExternalUpdate, error) {
	name, p, have := meta.GetExternalName(r), r.Spec.ForProvider, r.Status.AtProvider
	grant, revoke := diff(privileges(have.Privileges), privileges(p.Privileges))
	if len(grant) > 0 {
		if err := e.roles.GrantPrivileges(name, grant); err != nil {
			return managed.ExternalUpdate{}, err
		}
	}
	if len(revoke) > 0 {
		if err := e.roles.RevokePrivileges(name, revoke); err != nil {
			return managed.ExternalUpdate{}, err
		}
	}
	if !sameSet(have.Whitelist, p.Whitelist) {
		if err := e.roles.SetWhitelist(name, p.Whitelist); err != nil {
			return managed.ExternalUpdate{}, err
		}
	}
	if have.ReadQuota != p.ReadQuota || have.WriteQuota != p.WriteQuota {
		if err := e.roles.SetQuotas(name, uint32(p.ReadQuota), uint32(p.WriteQuota)); err != nil { //nolint:gosec // Validated non-negative.
			return managed.ExternalUpdate{}, err
		}
	}
	return managed.ExternalUpdate{}, nil
}

func (e *external) Delete(_ context.Context, r *v1alpha1.Role) (managed.ExternalDelete, error) {
	err := e.roles.DropRole(meta.GetExternalName(r))
	if aerospike.IsNotFound(err) || aerospike.IsSecurityUnsupported(err) {
		return managed.ExternalDelete{}, nil
	}
	return managed.ExternalDelete{}, err
}

func observation(r *aerospike.Role) v1alpha1.RoleObservation {
	o := v1alpha1.RoleObservation{Whitelist: r.Whitelist, ReadQuota: int32(r.ReadQuota), WriteQuota: int32(r.WriteQuota)} //nolint:gosec // Quotas fit.
	for _, p := range r.Privileges {
		o.Privileges = append(o.Privileges, v1alpha1.Privilege{Code: v1alpha1.PrivilegeCode(p.Code), Namespace: p.Namespace, Set: p.Set})
	}
	return o
}

func privileges(ps []v1alpha1.Privilege) []aerospike.Privilege {
	out := make([]aerospike.Privilege, 0, len(ps))
	for _, p := range ps {
		out = append(out, aerospike.Privilege{Code: string(p.Code), Namespace: p.Namespace, Set: p.Set})
	}
	return out
}

func key(p aerospike.Privilege) string { return p.Code + "\x00" + p.Namespace + "\x00" + p.Set }

// diff returns the privileges to grant and to revoke to get from have to
// want, each sorted.
func diff(have, want []aerospike.Privilege) (grant, revoke []aerospike.Privilege) {
	h, w := map[string]aerospike.Privilege{}, map[string]aerospike.Privilege{}
	for _, p := range have {
		h[key(p)] = p
	}
	for _, p := range want {
		w[key(p)] = p
	}
	for k, p := range w {
		if _, ok := h[k]; !ok {
			grant = append(grant, p)
		}
	}
	for k, p := range h {
		if _, ok := w[k]; !ok {
			revoke = append(revoke, p)
		}
	}
	byKey := func(a, b aerospike.Privilege) int { return strings.Compare(key(a), key(b)) }
	slices.SortFunc(grant, byKey)
	slices.SortFunc(revoke, byKey)
	return grant, revoke
}

func sameSet(a, b []string) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(slices.Compact(x), slices.Compact(y))
}
