package sindex

import (
	"context"
	"fmt"
	"testing"
	"time"

	as "github.com/aerospike/aerospike-client-go/v8"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/xp-aerospike/xp-aerospike/apis/provider/v1alpha1"
	"github.com/xp-aerospike/xp-aerospike/provider/controllers/connect"
	harness "github.com/xp-aerospike/xp-aerospike/test/aerospike"
	"github.com/xp-aerospike/xp-aerospike/test/realtest"
)

// TestRealSecondaryIndex creates an index on a real cluster holding data,
// polls it to ready on every node, queries it, and drops it.
func TestRealSecondaryIndex(t *testing.T) {
	c := harness.Start(t, harness.Options{Nodes: 2})
	for i := range 500 {
		key, _ := as.NewKey(harness.DefaultNamespace, "people", i)
		if err := c.Client().Put(nil, key, as.BinMap{"age": i % 100}); err != nil {
			t.Fatal(err)
		}
	}
	e := connect.Releasing[*v1alpha1.SecondaryIndex](&external{indexes: realtest.Dial(t, c)}, func() {})
	ctx := context.Background()
	si := &v1alpha1.SecondaryIndex{ObjectMeta: metav1.ObjectMeta{Name: "by-age"}, Spec: v1alpha1.SecondaryIndexSpec{ForProvider: v1alpha1.SecondaryIndexParameters{
		Namespace: harness.DefaultNamespace, Set: "people", Bin: "age", Type: "numeric",
	}}}
	meta.SetExternalName(si, "idx_age")

	if o, err := e.Observe(ctx, si); err != nil || o.ResourceExists {
		t.Fatalf("before creating: exists %v, error %v", o.ResourceExists, err)
	}
	realtest.Converge(t, 30*time.Second, e, si)
	realtest.Eventually(t, 30*time.Second, "the index is built on every node", func() error {
		o, err := e.Observe(ctx, si)
		if err != nil {
			return err
		}
		if !o.ResourceExists || si.GetCondition(xpv2.TypeReady).Reason != xpv2.ReasonAvailable {
			return fmt.Errorf("state %q", si.Status.AtProvider.State)
		}
		return nil
	})

	stmt := as.NewStatement(harness.DefaultNamespace, "people")
	if err := stmt.SetFilter(as.NewEqualFilter("age", 42)); err != nil {
		t.Fatal(err)
	}
	rs, err := c.Client().Query(nil, stmt)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for r := range rs.Results() {
		if r.Err != nil {
			t.Fatal(r.Err)
		}
		n++
	}
	if n != 5 {
		t.Errorf("the index found %d records with age 42, want 5", n)
	}

	// An index of the same name over another bin is not ours.
	other := si.DeepCopy()
	other.Spec.ForProvider.Bin = "name"
	if _, err := e.Observe(ctx, other); err == nil {
		t.Error("an index with another definition under the name must be an error")
	}

	if _, err := e.Delete(ctx, si); err != nil {
		t.Fatal(err)
	}
	realtest.Eventually(t, 10*time.Second, "the index is gone", func() error {
		o, err := e.Observe(ctx, si)
		if err != nil || o.ResourceExists {
			return fmt.Errorf("exists %v, error %w", o.ResourceExists, err)
		}
		return nil
	})
}
