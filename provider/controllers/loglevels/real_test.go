package loglevels

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

// TestRealLogLevels sets the console sink's levels on every node of a real
// cluster of each server version, sees every node report them with no node
// restarted, resets a level the spec drops through any, and puts right a
// node that comes back with its configuration file's levels.
func TestRealLogLevels(t *testing.T) {
	for _, version := range []string{"8.0", "8.1"} {
		t.Run(version, func(t *testing.T) { testRealLogLevels(t, version) })
	}
}

func testRealLogLevels(t *testing.T, version string) {
	c := harness.Start(t, harness.Options{Nodes: 2, Version: version})
	e := NewExternal(realtest.Dial(t, c), func() {})
	l := ll("console", map[string]v1alpha1.LogLevel{"any": "info", "migrate": "debug", "namespace": "warning"})
	ctx := context.Background()
	pids := map[string]int{}
	for _, n := range c.Nodes() {
		pids[n.Name()] = n.PID()
	}

	realtest.Converge(t, 30*time.Second, e, l)
	levels := func(n *harness.Node) map[string]string {
		t.Helper()
		st, err := n.Info("log/0")
		if err != nil {
			t.Fatal(err)
		}
		return parseLevels(st["log/0"])
	}
	for _, n := range c.Nodes() {
		got := levels(n)
		for ctx, want := range map[string]string{"migrate": "DEBUG", "namespace": "WARNING", "hb": "INFO"} {
			if got[ctx] != want {
				t.Errorf("node %s logs context %s at %q, want %s", n.Name(), ctx, got[ctx], want)
			}
		}
		if n.PID() != pids[n.Name()] {
			t.Errorf("node %s restarted (pid %d, was %d): a level change must not restart a node", n.Name(), n.PID(), pids[n.Name()])
		}
	}

	// A level dropped from the spec goes back to any's.
	l.Spec.ForProvider.Levels = map[string]v1alpha1.LogLevel{"any": "info", "namespace": "warning"}
	realtest.Converge(t, 30*time.Second, e, l)
	for _, n := range c.Nodes() {
		if got := levels(n); got["migrate"] != "INFO" || got["namespace"] != "WARNING" {
			t.Errorf("node %s logs migrate at %s and namespace at %s, want INFO and WARNING", n.Name(), got["migrate"], got["namespace"])
		}
	}

	// A restart brings the file's levels back on that node only.
	if err := c.Nodes()[1].Restart(); err != nil {
		t.Fatal(err)
	}
	if err := c.WaitForClusterSize(2); err != nil {
		t.Fatal(err)
	}
	realtest.Eventually(t, 30*time.Second, "the restarted node is seen to drift", func() error {
		o, err := e.Observe(ctx, l)
		if err != nil {
			return err
		}
		if o.ResourceUpToDate {
			return fmt.Errorf("still reads as up to date")
		}
		return nil
	})
	realtest.Converge(t, 30*time.Second, e, l)

	// A context the server does not know is an error naming it.
	l.Spec.ForProvider.Levels = map[string]v1alpha1.LogLevel{"no-such-context": "debug"}
	if _, err := e.Observe(ctx, l); err == nil || !strings.Contains(err.Error(), "no-such-context") {
		t.Errorf("an unknown context: error %v, want one naming it", err)
	}
}
