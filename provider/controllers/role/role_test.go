package role

import (
	"context"
	"fmt"
	"testing"

	"github.com/aerospike/aerospike-client-go/v8/types"
	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/test"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/xp-aerospike/xp-aerospike/apis/provider/v1alpha1"
	"github.com/xp-aerospike/xp-aerospike/provider/aerospike"
)

var errBoom = errors.New("boom")

type fakeRoles struct {
	role  *aerospike.Role
	err   error
	calls []string
}

func (f *fakeRoles) QueryRole(name string) (*aerospike.Role, error) {
	f.calls = append(f.calls, "query "+name)
	return f.role, f.err
}
func (f *fakeRoles) CreateRole(r aerospike.Role) error {
	f.calls = append(f.calls, fmt.Sprintf("create %s %v %v %d %d", r.Name, r.Privileges, r.Whitelist, r.ReadQuota, r.WriteQuota))
	return f.err
}
func (f *fakeRoles) DropRole(name string) error {
	f.calls = append(f.calls, "drop "+name)
	return f.err
}
func (f *fakeRoles) GrantPrivileges(role string, ps []aerospike.Privilege) error {
	f.calls = append(f.calls, fmt.Sprintf("grant %s %v", role, ps))
	return f.err
}
func (f *fakeRoles) RevokePrivileges(role string, ps []aerospike.Privilege) error {
	f.calls = append(f.calls, fmt.Sprintf("revoke %s %v", role, ps))
	return f.err
}
func (f *fakeRoles) SetWhitelist(role string, w []string) error {
	f.calls = append(f.calls, fmt.Sprintf("whitelist %s %v", role, w))
	return f.err
}
func (f *fakeRoles) SetQuotas(role string, r, w uint32) error {
	f.calls = append(f.calls, fmt.Sprintf("quotas %s %d %d", role, r, w))
	return f.err
}

func role(name string, p v1alpha1.RoleParameters) *v1alpha1.Role {
	r := &v1alpha1.Role{ObjectMeta: metav1.ObjectMeta{Namespace: "team", Name: name}, Spec: v1alpha1.RoleSpec{ForProvider: p}}
	meta.SetExternalName(r, name)
	return r
}

var rw = v1alpha1.RoleParameters{
	Privileges: []v1alpha1.Privilege{{Code: "read-write", Namespace: "orders"}, {Code: "read", Namespace: "sessions", Set: "s"}},
	Whitelist:  []string{"10.0.0.0/8"},
	ReadQuota:  100,
}

func TestObserve(t *testing.T) {
	same := &aerospike.Role{Name: "app", Privileges: []aerospike.Privilege{{Code: "read", Namespace: "sessions", Set: "s"}, {Code: "read-write", Namespace: "orders"}}, Whitelist: []string{"10.0.0.0/8"}, ReadQuota: 100}
	cases := map[string]struct {
		reason               string
		roles                *fakeRoles
		name                 string
		wantExists, upToDate bool
		err                  error
		wantReason           xpv2.ConditionReason
	}{
		"Missing":     {reason: "an unknown role does not exist", roles: &fakeRoles{err: &aerospike.Error{Code: types.INVALID_ROLE}}, name: "app"},
		"UpToDate":    {reason: "the same privileges in another order are up to date", roles: &fakeRoles{role: same}, name: "app", wantExists: true, upToDate: true, wantReason: xpv2.ReasonAvailable},
		"Privilege":   {reason: "a privilege scoped to another set is drift", roles: &fakeRoles{role: &aerospike.Role{Name: "app", Privileges: []aerospike.Privilege{{Code: "read", Namespace: "sessions"}, {Code: "read-write", Namespace: "orders"}}, Whitelist: []string{"10.0.0.0/8"}, ReadQuota: 100}}, name: "app", wantExists: true, wantReason: xpv2.ReasonAvailable},
		"Whitelist":   {reason: "an allow-list change is drift", roles: &fakeRoles{role: &aerospike.Role{Name: "app", Privileges: same.Privileges, ReadQuota: 100}}, name: "app", wantExists: true, wantReason: xpv2.ReasonAvailable},
		"Quota":       {reason: "a quota change is drift", roles: &fakeRoles{role: &aerospike.Role{Name: "app", Privileges: same.Privileges, Whitelist: same.Whitelist, ReadQuota: 5}}, name: "app", wantExists: true, wantReason: xpv2.ReasonAvailable},
		"Predefined":  {reason: "a predefined role is refused before asking the cluster", roles: &fakeRoles{}, name: "sys-admin", err: errors.New(`"sys-admin" is a predefined Aerospike role and cannot be managed; choose another name`)},
		"Community":   {reason: "no security: a condition, no retry storm", roles: &fakeRoles{err: &aerospike.Error{Code: types.SECURITY_NOT_SUPPORTED}}, name: "app", wantExists: true, upToDate: true, wantReason: xpv2.ReasonUnavailable},
		"ServerError": {reason: "other errors are returned", roles: &fakeRoles{err: errBoom}, name: "app", err: errBoom},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			r := role(tc.name, rw)
			got, err := (&external{roles: tc.roles}).Observe(context.Background(), r)
			if diff := cmp.Diff(tc.err, err, test.EquateErrors()); diff != "" {
				t.Fatalf("%s: Observe() error -want +got:\n%s", tc.reason, diff)
			}
			if got.ResourceExists != tc.wantExists || got.ResourceUpToDate != tc.upToDate {
				t.Errorf("%s: exists %v up to date %v, want %v %v", tc.reason, got.ResourceExists, got.ResourceUpToDate, tc.wantExists, tc.upToDate)
			}
			if tc.wantReason != "" && r.GetCondition(xpv2.TypeReady).Reason != tc.wantReason {
				t.Errorf("%s: Ready reason %q, want %q", tc.reason, r.GetCondition(xpv2.TypeReady).Reason, tc.wantReason)
			}
			if tc.name == "sys-admin" && len(tc.roles.calls) != 0 {
				t.Errorf("%s: asked the cluster: %q", tc.reason, tc.roles.calls)
			}
		})
	}
}

// TestUpdateSendsTheMinimalDiff: one grant, one revoke, and nothing for what
// already matches.
func TestUpdateSendsTheMinimalDiff(t *testing.T) {
	f := &fakeRoles{}
	r := role("app", rw)
	r.Status.AtProvider = v1alpha1.RoleObservation{
		Privileges: []v1alpha1.Privilege{{Code: "read-write", Namespace: "orders"}, {Code: "sys-admin"}},
		Whitelist:  []string{"10.0.0.0/8"},
		ReadQuota:  100,
	}
	if _, err := (&external{roles: f}).Update(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	want := []string{"grant app [{read sessions s}]", "revoke app [{sys-admin  }]"}
	if diff := cmp.Diff(want, f.calls); diff != "" {
		t.Errorf("Update(): -want +got:\n%s", diff)
	}

	f.calls = nil
	r.Status.AtProvider.Privileges = rw.Privileges
	r.Status.AtProvider.Whitelist = nil
	r.Status.AtProvider.WriteQuota = 7
	if _, err := (&external{roles: f}).Update(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	want = []string{"whitelist app [10.0.0.0/8]", "quotas app 100 0"}
	if diff := cmp.Diff(want, f.calls); diff != "" {
		t.Errorf("Update(): -want +got:\n%s", diff)
	}
}

func TestCreateDelete(t *testing.T) {
	f := &fakeRoles{}
	e := &external{roles: f}
	if _, err := e.Create(context.Background(), role("app", rw)); err != nil {
		t.Fatal(err)
	}
	want := "create app [{read-write orders } {read sessions s}] [10.0.0.0/8] 100 0"
	if f.calls[0] != want {
		t.Errorf("Create() sent %q, want %q", f.calls[0], want)
	}
	f.err = &aerospike.Error{Code: types.INVALID_ROLE}
	if _, err := e.Delete(context.Background(), role("app", rw)); err != nil {
		t.Errorf("deleting a role that is already gone must succeed: %v", err)
	}
}
