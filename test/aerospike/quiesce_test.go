package aerospike

import (
	"testing"

	as "github.com/aerospike/aerospike-client-go/v8"
)

// TestQuiesceEnterpriseOnly records what Community Edition does with
// quiesce, which would let a node hand its master partitions over before
// it leaves or restarts: it refuses quiesce: and quiesce-undo: as
// Enterprise-only, and nothing moves, even after a recluster. The plan
// therefore cannot quiesce a Community Edition node.
func TestQuiesceEnterpriseOnly(t *testing.T) {
	for _, v := range []string{"8.0.0.15", "8.1.2.0"} {
		t.Run(v, func(t *testing.T) {
			t.Parallel()
			RequireBinary(t, v)
			c := Start(t, Options{Nodes: 2, Version: v})
			for i := range 200 {
				k, err := as.NewKey(DefaultNamespace, "s", i)
				if err != nil {
					t.Fatal(err)
				}
				if err := c.Client().Put(nil, k, as.BinMap{"v": i}); err != nil {
					t.Fatal(err)
				}
			}
			if err := c.WaitStable(); err != nil {
				t.Fatal(err)
			}
			n0 := c.Nodes()[0]
			masters := func() string {
				st, err := n0.NamespaceStats(DefaultNamespace)
				if err != nil {
					t.Fatal(err)
				}
				for k, want := range map[string]string{"effective_is_quiesced": "false", "pending_quiesce": "false"} {
					if st[k] != want {
						t.Errorf("%s %s = %q, want %q", n0.Name(), k, st[k], want)
					}
				}
				return st["master_objects"]
			}
			before := masters()
			for _, cmd := range []string{"quiesce:", "quiesce-undo:"} {
				res, err := n0.Info(cmd)
				if err != nil {
					t.Fatalf("info %q: %v", cmd, err)
				}
				if got := res[cmd]; got != "ERROR:25:enterprise only" {
					t.Errorf("info %q = %q, want ERROR:25:enterprise only", cmd, got)
				}
				for _, n := range c.Nodes() {
					// Only the principal answers ok.
					res, err := n.Info("recluster:")
					if err != nil {
						t.Fatal(err)
					}
					if got := res["recluster:"]; got != "ok" && got != "ignored-by-non-principal" {
						t.Errorf("recluster: = %q", got)
					}
				}
				if err := c.WaitStable(); err != nil {
					t.Fatal(err)
				}
				if after := masters(); after != before {
					t.Errorf("after %s and a recluster, %s holds %s master records, had %s: a quiesce took effect", cmd, n0.Name(), after, before)
				}
			}
		})
	}
}
