package namespaceconfig

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/xp-aerospike/xp-aerospike/apis/provider/v1alpha1"
	harness "github.com/xp-aerospike/xp-aerospike/test/aerospike"
	"github.com/xp-aerospike/xp-aerospike/test/realtest"
)

// TestRealNamespaceConfig sets live settings on every node of a real
// cluster, verifies them on every node, and puts right a node that comes
// back with its configuration file's values.
func TestRealNamespaceConfig(t *testing.T) {
	c := harness.Start(t, harness.Options{Nodes: 2})
	e := NewExternal(realtest.Dial(t, c), SchemaDynamic, func() {})
	nc := &v1alpha1.NamespaceConfig{Spec: v1alpha1.NamespaceConfigSpec{ForProvider: v1alpha1.NamespaceConfigParameters{
		Namespace: harness.DefaultNamespace,
		Settings:  map[string]string{"migrate-sleep": "7", "evict-tenths-pct": "3"},
	}}}
	ctx := context.Background()
	realtest.Converge(t, 30*time.Second, e, nc)
	for _, n := range c.Nodes() {
		st, err := n.Info("get-config:context=namespace;id=" + harness.DefaultNamespace)
		if err != nil {
			t.Fatal(err)
		}
		got := st["get-config:context=namespace;id="+harness.DefaultNamespace]
		for _, want := range []string{"migrate-sleep=7", "evict-tenths-pct=3"} {
			if !strings.Contains(got, want) {
				t.Errorf("node %s does not report %s", n.Name(), want)
			}
		}
	}

	// A restart brings the file's values back on that node only.
	if err := c.Nodes()[1].Restart(); err != nil {
		t.Fatal(err)
	}
	if err := c.WaitForClusterSize(2); err != nil {
		t.Fatal(err)
	}
	realtest.Eventually(t, 30*time.Second, "the restarted node is seen to drift", func() error {
		o, err := e.Observe(ctx, nc)
		if err != nil {
			return err
		}
		if o.ResourceUpToDate {
			return fmt.Errorf("still reads as up to date")
		}
		return nil
	})
	realtest.Converge(t, 30*time.Second, e, nc)

	// A setting that needs a restart is refused, naming the fix.
	nc.Spec.ForProvider.Settings = map[string]string{"replication-factor": "1"}
	if _, err := e.Observe(ctx, nc); err == nil || !strings.Contains(err.Error(), "needs a restart") {
		t.Errorf("a static setting: error %v, want one saying it needs a restart", err)
	}
}
