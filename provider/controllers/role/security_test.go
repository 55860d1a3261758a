package role

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/xp-aerospike/xp-aerospike/apis/provider/v1alpha1"
	"github.com/xp-aerospike/xp-aerospike/provider/aerospike"
	"github.com/xp-aerospike/xp-aerospike/test/securityserver"
)

// TestEnterpriseRoleLifecycle drives the Role controller against the
// Enterprise security test server, which here reads only as many fields as
// a command declares, as the real server does: a role with exactly one
// privilege and one allow-list entry must still get both (the client
// under-counts them).
func TestEnterpriseRoleLifecycle(t *testing.T) {
	s := securityserver.Start(t, securityserver.WithTrustedFieldCount(), securityserver.WithQuotas(true))
	h := s.Host()
	cl, err := aerospike.Dial(aerospike.Config{
		Hosts: []aerospike.Host{{Name: h.Name, Port: h.Port}}, User: "admin", Password: "admin",
		ConnectTimeout: 5 * time.Second, CommandTimeout: 2 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	e := &external{roles: cl}
	ctx := context.Background()
	r := role("orders-rw", v1alpha1.RoleParameters{
		Privileges: []v1alpha1.Privilege{{Code: "read-write", Namespace: "test", Set: "orders"}},
		Whitelist:  []string{"10.0.0.0/8"},
		ReadQuota:  100,
	})

	if o, err := e.Observe(ctx, r); err != nil || o.ResourceExists {
		t.Fatalf("before Create: exists %v, error %v", o.ResourceExists, err)
	}
	if _, err := e.Create(ctx, r); err != nil {
		t.Fatal(err)
	}
	if o, err := e.Observe(ctx, r); err != nil || !o.ResourceUpToDate {
		t.Fatalf("after Create: up to date %v, error %v, role %+v", o.ResourceUpToDate, err, r.Status.AtProvider)
	}

	// The spec changes: a privilege more, another allow-list, no quota.
	r.Spec.ForProvider.Privileges = append(r.Spec.ForProvider.Privileges, v1alpha1.Privilege{Code: "read", Namespace: "test"})
	r.Spec.ForProvider.Whitelist = []string{"192.168.0.0/16", "10.0.0.0/8"}
	r.Spec.ForProvider.ReadQuota = 0
	if o, err := e.Observe(ctx, r); err != nil || o.ResourceUpToDate {
		t.Fatalf("after the spec changed: up to date %v, error %v", o.ResourceUpToDate, err)
	}
	if _, err := e.Update(ctx, r); err != nil {
		t.Fatal(err)
	}
	if o, err := e.Observe(ctx, r); err != nil || !o.ResourceUpToDate {
		t.Fatalf("after Update: up to date %v, error %v, role %+v", o.ResourceUpToDate, err, r.Status.AtProvider)
	}
	got, err := cl.QueryRole("orders-rw")
	if err != nil {
		t.Fatal(err)
	}
	want := []aerospike.Privilege{{Code: "read-write", Namespace: "test", Set: "orders"}, {Code: "read", Namespace: "test"}}
	if diff := cmp.Diff(want, got.Privileges); diff != "" {
		t.Errorf("privileges on the server: -want +got:\n%s", diff)
	}

	if _, err := e.Observe(ctx, role("sys-admin", v1alpha1.RoleParameters{})); err == nil {
		t.Error("a predefined role must be refused")
	}
	if _, err := e.Delete(ctx, r); err != nil {
		t.Fatal(err)
	}
	if o, err := e.Observe(ctx, r); err != nil || o.ResourceExists {
		t.Errorf("after Delete: exists %v, error %v", o.ResourceExists, err)
	}
}
