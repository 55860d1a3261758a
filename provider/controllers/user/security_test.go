package user

import (
	"context"
	"testing"
	"time"

	as "github.com/aerospike/aerospike-client-go/v8"
	"github.com/aerospike/aerospike-client-go/v8/types"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"

	"github.com/xp-aerospike/xp-aerospike/provider/aerospike"
	"github.com/xp-aerospike/xp-aerospike/test/securityserver"
)

func dialAdmin(t *testing.T, s *securityserver.Server, password string) (*aerospike.Client, error) {
	t.Helper()
	h := s.Host()
	cl, err := aerospike.Dial(aerospike.Config{
		Hosts: []aerospike.Host{{Name: h.Name, Port: h.Port}}, User: "admin", Password: password,
		ConnectTimeout: 5 * time.Second, CommandTimeout: 2 * time.Second,
	})
	if err == nil {
		t.Cleanup(cl.Close)
	}
	return cl, err
}

// login connects as a user, as an application would, and says whether the
// server let it in.
func login(t *testing.T, s *securityserver.Server, user, password string) error {
	t.Helper()
	p := as.NewClientPolicy()
	p.User, p.Password, p.Timeout = user, password, 5*time.Second
	c, err := as.NewClientWithPolicyAndHost(p, s.Host())
	if err == nil {
		c.Close()
	}
	return err
}

// TestEnterpriseUserLifecycle drives the User controller against the
// Enterprise security test server through the real client: the user it
// creates logs in with the Secret's password, a rotated password replaces
// the old one, and deleting drops the user.
func TestEnterpriseUserLifecycle(t *testing.T) {
	s := securityserver.Start(t)
	cl, err := dialAdmin(t, s, "admin")
	if err != nil {
		t.Fatal(err)
	}
	k := kube(t, "s3cret")
	e := &external{kube: k, s: &Session{Users: cl, Hosts: []string{s.Host().String()}, Secret: []byte("k")}}
	ctx := context.Background()
	u := user("", nil, "read-write")

	if o, err := e.Observe(ctx, u); err != nil || o.ResourceExists {
		t.Fatalf("before Create: exists %v, error %v", o.ResourceExists, err)
	}
	if _, err := e.Create(ctx, u); err != nil {
		t.Fatal(err)
	}
	if o, err := e.Observe(ctx, u); err != nil || !o.ResourceUpToDate {
		t.Fatalf("after Create: up to date %v, error %v", o.ResourceUpToDate, err)
	}
	if err := login(t, s, "app-user", "s3cret"); err != nil {
		t.Fatalf("the created user cannot log in with the Secret's password: %v", err)
	}
	if err := login(t, s, "app-user", "wrong"); !isCode(err, types.INVALID_CREDENTIAL) {
		t.Errorf("a wrong password: %v, want INVALID_CREDENTIAL", err)
	}

	// The Secret's password rotates.
	sec := &corev1.Secret{}
	if err := k.(client.Client).Get(ctx, client.ObjectKey{Namespace: "team", Name: "pw"}, sec); err != nil {
		t.Fatal(err)
	}
	sec.Data["password"] = []byte("n3w-s3cret")
	if err := k.(client.Client).Update(ctx, sec); err != nil {
		t.Fatal(err)
	}
	if o, err := e.Observe(ctx, u); err != nil || o.ResourceUpToDate {
		t.Fatalf("after rotation: up to date %v, error %v; want drift", o.ResourceUpToDate, err)
	}
	if _, err := e.Update(ctx, u); err != nil {
		t.Fatal(err)
	}
	if err := login(t, s, "app-user", "n3w-s3cret"); err != nil {
		t.Errorf("the new password does not log in: %v", err)
	}
	if err := login(t, s, "app-user", "s3cret"); err == nil {
		t.Error("the old password still logs in")
	}

	// A role granted behind the provider's back is revoked.
	if err := cl.GrantRoles("app-user", []string{"sys-admin"}); err != nil {
		t.Fatal(err)
	}
	if o, err := e.Observe(ctx, u); err != nil || o.ResourceUpToDate {
		t.Fatalf("an extra role: up to date %v, error %v; want drift", o.ResourceUpToDate, err)
	}
	if _, err := e.Update(ctx, u); err != nil {
		t.Fatal(err)
	}
	if got, err := cl.QueryUser("app-user"); err != nil || len(got.Roles) != 1 || got.Roles[0] != "read-write" {
		t.Errorf("roles after Update: %+v, %v", got, err)
	}

	if _, err := e.Delete(ctx, u); err != nil {
		t.Fatal(err)
	}
	if o, err := e.Observe(ctx, u); err != nil || o.ResourceExists {
		t.Errorf("after Delete: exists %v, error %v", o.ResourceExists, err)
	}
}

func TestEnterpriseWrongAdminPassword(t *testing.T) {
	s := securityserver.Start(t)
	if _, err := dialAdmin(t, s, "not-admin"); err == nil {
		t.Fatal("the provider connected with a wrong admin password")
	}
}

// TestEnterpriseFaults: a reply that never comes is an error, the client
// that timed out is replaced by the pool, and the next reconcile works.
func TestEnterpriseFaults(t *testing.T) {
	s := securityserver.Start(t)
	h := s.Host()
	cfg := aerospike.Config{
		Hosts: []aerospike.Host{{Name: h.Name, Port: h.Port}}, User: "admin", Password: "admin",
		ConnectTimeout: 5 * time.Second, CommandTimeout: 500 * time.Millisecond,
	}
	pool := aerospike.NewPool(aerospike.Dial)
	t.Cleanup(pool.Close)
	k := kube(t, "s3cret")
	reconcile := func() error {
		cl, release, err := pool.Acquire("pc", cfg)
		if err != nil {
			return err
		}
		defer release()
		e := &external{kube: k, s: &Session{Users: cl, Secret: []byte("k")}}
		_, err = e.Observe(context.Background(), user("", nil, "read"))
		return err
	}
	if err := reconcile(); err != nil {
		t.Fatal(err)
	}
	s.DropReplies(1)
	if err := reconcile(); err == nil {
		t.Fatal("a dropped reply must be an error")
	}
	if err := reconcile(); err != nil {
		t.Errorf("the reconcile after a timeout: %v", err)
	}
	if got := pool.Opened(); got != 2 {
		t.Errorf("the pool opened %d clients, want 2: the one that timed out is replaced", got)
	}
}

func isCode(err error, code types.ResultCode) bool {
	var ae *as.AerospikeError
	return errors.As(err, &ae) && ae.Matches(code)
}
