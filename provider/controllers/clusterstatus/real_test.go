package clusterstatus

import (
	"context"
	"fmt"
	"testing"
	"time"

	as "github.com/aerospike/aerospike-client-go/v8"

	"github.com/xp-aerospike/xp-aerospike/apis/provider/v1alpha1"
	harness "github.com/xp-aerospike/xp-aerospike/test/aerospike"
	"github.com/xp-aerospike/xp-aerospike/test/realtest"
)

// TestRealClusterStatus observes a real 3-node cluster holding data: stable
// when settled; migrating, then settled again, after a node stops; and
// counting every node once it returns.
func TestRealClusterStatus(t *testing.T) {
	c := harness.Start(t, harness.Options{Nodes: 3})
	w := as.NewWritePolicy(0, 0)
	for i := range 2000 {
		key, _ := as.NewKey(harness.DefaultNamespace, "data", i)
		if err := c.Client().Put(w, key, as.BinMap{"v": i}); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.WaitStable(); err != nil {
		t.Fatal(err)
	}
	e := &external{info: realtest.Dial(t, c)}
	cs := &v1alpha1.ClusterStatus{}
	observe := func() v1alpha1.ClusterStatusObservation {
		t.Helper()
		if _, err := e.Observe(context.Background(), cs); err != nil {
			t.Fatal(err)
		}
		return cs.Status.AtProvider
	}

	got := observe()
	if !got.Stable || got.ClusterSize != 3 || len(got.Nodes) != 3 || got.MigratePartitionsRemaining != 0 {
		t.Fatalf("a settled 3-node cluster: stable %v, size %d, %d nodes, %d migrations", got.Stable, got.ClusterSize, len(got.Nodes), got.MigratePartitionsRemaining)
	}
	ns := got.Namespaces[0]
	if ns.Name != harness.DefaultNamespace || ns.Objects != 2000 || ns.ReplicationFactor != 2 || ns.UnavailablePartitions != 0 {
		t.Fatalf("namespace %+v, want %s with 2000 objects, replication factor 2, all available", ns, harness.DefaultNamespace)
	}
	if got.Nodes[0].Build == "" || got.Nodes[0].Edition != "Aerospike Community Edition" {
		t.Errorf("node %+v: want its build and edition", got.Nodes[0])
	}

	// A node stops: the survivors re-replicate, and until they are done the
	// cluster must not read as stable.
	if err := c.Nodes()[2].Stop(); err != nil {
		t.Fatal(err)
	}
	sawUnstable := false
	realtest.Eventually(t, 60*time.Second, "the cluster settles on 2 nodes", func() error {
		o := observe()
		if !o.Stable {
			sawUnstable = true
			return fmt.Errorf("size %d, %d migrations remaining", o.ClusterSize, o.MigratePartitionsRemaining)
		}
		if o.ClusterSize != 2 {
			return fmt.Errorf("stable at size %d", o.ClusterSize)
		}
		return nil
	})
	if !sawUnstable {
		t.Error("the cluster read as stable right after losing a node with data")
	}
	if got := observe(); got.Namespaces[0].Objects != 2000 {
		t.Errorf("after re-replication the namespace holds %d master objects, want 2000", got.Namespaces[0].Objects)
	}

	if err := c.Nodes()[2].Start(); err != nil {
		t.Fatal(err)
	}
	realtest.Eventually(t, 60*time.Second, "the cluster settles on 3 nodes", func() error {
		if o := observe(); !o.Stable || o.ClusterSize != 3 {
			return fmt.Errorf("stable %v, size %d, %d migrations", o.Stable, o.ClusterSize, o.MigratePartitionsRemaining)
		}
		return nil
	})
}
