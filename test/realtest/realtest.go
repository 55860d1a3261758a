// Package realtest connects the provider's client to real Aerospike
// clusters started by the test harness, for the integration tests of the
// provider's controllers and of the function's plan.
package realtest

import (
	"context"
	"testing"
	"time"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"

	"github.com/xp-aerospike/xp-aerospike/provider/aerospike"
	harness "github.com/xp-aerospike/xp-aerospike/test/aerospike"
)

// Dial opens the provider's client to a harness cluster, as a
// ProviderConfig naming its first node would, and closes it when the test
// ends.
func Dial(t testing.TB, c *harness.Cluster) *aerospike.Client {
	t.Helper()
	h := c.Nodes()[0].Host()
	cl, err := aerospike.Dial(aerospike.Config{
		Hosts:          []aerospike.Host{{Name: h.Name, Port: h.Port}},
		ClusterName:    c.Name(),
		ConnectTimeout: 10 * time.Second,
		CommandTimeout: 5 * time.Second,
	})
	if err != nil {
		t.Fatalf("cannot connect the provider's client to %s: %v", c.Name(), err)
	}
	t.Cleanup(cl.Close)
	return cl
}

// Eventually polls check every 200ms until it returns nil or timeout
// passes, then fails t with check's last error.
func Eventually(t testing.TB, timeout time.Duration, what string, check func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		err := check()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not true within %s: %v", what, timeout, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// Converge drives a managed resource's external client as the managed
// reconciler does, observing, then creating what does not exist and
// updating what is not up to date, until the resource reads as existing
// and up to date; it fails t if it does not within timeout. A step that
// fails is observed and tried again, as the reconciler would: a loaded
// server can answer a metadata change (udf-put, sindex-create) with a
// timeout while it still spreads the change to every node.
func Converge[T resource.Managed](t testing.TB, timeout time.Duration, e managed.TypedExternalClient[T], mg T) {
	t.Helper()
	ctx := context.Background()
	Eventually(t, timeout, "the external resource exists and is up to date", func() error {
		o, err := e.Observe(ctx, mg)
		switch {
		case err != nil:
			return err
		case !o.ResourceExists:
			_, err = e.Create(ctx, mg)
			return errors.Errorf("did not exist (create: %v)", err)
		case !o.ResourceUpToDate:
			_, err = e.Update(ctx, mg)
			return errors.Errorf("not up to date yet (update: %v)", err)
		}
		return nil
	})
}

// Remove drives a managed resource's external client as the managed
// reconciler does on deletion, observing and deleting until the resource
// no longer exists, and fails t if it still does after timeout.
func Remove[T resource.Managed](t testing.TB, timeout time.Duration, e managed.TypedExternalClient[T], mg T) {
	t.Helper()
	ctx := context.Background()
	Eventually(t, timeout, "the external resource is gone", func() error {
		o, err := e.Observe(ctx, mg)
		if err != nil || !o.ResourceExists {
			return err
		}
		_, err = e.Delete(ctx, mg)
		return errors.Errorf("still exists (delete: %v)", err)
	})
}
