package plan

import (
	"strings"
	"testing"
	"time"

	as "github.com/aerospike/aerospike-client-go/v8"
	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/xp-aerospike/xp-aerospike/provider/aerospike"
	"github.com/xp-aerospike/xp-aerospike/provider/controllers/clusterstatus"
	harness "github.com/xp-aerospike/xp-aerospike/test/aerospike"
	"github.com/xp-aerospike/xp-aerospike/test/realtest"
)

// sim stands in for a StatefulSet and its kubelet over real asd nodes: node
// i is the pod of ordinal i. It applies what the plan decides as the
// StatefulSet controller would (pods at or above the partition run the
// current template; pods at or above the replicas go away), and reports the
// StatefulSet's status from the real processes.
type sim struct {
	t         *testing.T
	c         *harness.Cluster
	replicas  int32
	partition int32
	image     string // the template's server version
	running   []string
}

func (s *sim) observed() *appsv1.StatefulSet {
	o := sts(s.replicas, "h", s.image, s.partition)
	var ready, updated int32
	for i := range s.replicas {
		if s.c.Nodes()[i].Running() {
			ready++
		}
		if s.running[i] == s.image {
			updated++
		}
	}
	o.Status = appsv1.StatefulSetStatus{
		ObservedGeneration: o.Generation, Replicas: s.replicas, ReadyReplicas: ready, UpdatedReplicas: updated,
		CurrentRevision: "old", UpdateRevision: "new",
	}
	if updated == s.replicas {
		o.Status.CurrentRevision = "new"
	}
	return o
}

// apply takes the plan's step for the rack to the processes, one pod at a
// time, as an OrderedReady StatefulSet does.
func (s *sim) apply(step RackStep, t Template) {
	s.t.Helper()
	s.replicas, s.partition, s.image = step.Replicas, step.Partition, t.Image
	for i, n := range s.c.Nodes() {
		switch {
		case int32(i) >= s.replicas && n.Running():
			if err := n.Stop(); err != nil {
				s.t.Fatal(err)
			}
		case int32(i) < s.replicas && int32(i) >= s.partition && s.running[i] != s.image:
			if err := n.Upgrade(s.image); err != nil {
				s.t.Fatal(err)
			}
			s.running[i] = s.image
		}
	}
}

// observe asks the real nodes what the provider's ClusterStatus would
// report.
func observe(t *testing.T, cl *aerospike.Client) *Cluster {
	t.Helper()
	answers, err := cl.InfoAll("build", "edition", "statistics", "namespaces", "namespace/"+harness.DefaultNamespace)
	if err != nil && !aerospike.IsUnreachable(err) {
		t.Fatal(err)
	}
	o := clusterstatus.Observe(cl.Nodes(), answers, []string{harness.DefaultNamespace})
	now := metav1.Now()
	o.ObservedTime = &now
	return &o
}

// write puts n records and returns a check that every one is readable.
// While a restarted node rejoins, the cluster briefly answers "partition
// unavailable"; a lost record never comes back, so the check retries for a
// bounded time before it fails.
func write(t *testing.T, c *harness.Cluster, n int) func() error {
	t.Helper()
	keys := make([]*as.Key, n)
	for i := range n {
		keys[i], _ = as.NewKey(harness.DefaultNamespace, "data", i)
		if err := c.Client().Put(nil, keys[i], as.BinMap{"v": i}); err != nil {
			t.Fatal(err)
		}
	}
	once := func() error { return realtest.CheckIndexed(c.Client(), keys) }
	return func() error {
		var err error
		for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(250 * time.Millisecond) {
			if err = once(); err == nil {
				return nil
			}
		}
		return err
	}
}

// drive runs the plan against the simulated StatefulSet until it settles,
// checking after every step that every record is readable. It returns the
// steps that restarted a pod or removed a node.
func drive(t *testing.T, s *sim, want Rack, readable func() error) int {
	t.Helper()
	cl := realtest.Dial(t, s.c)
	var last *metav1.Time
	took := 0
	deadline := time.Now().Add(3 * time.Minute)
	for time.Now().Before(deadline) {
		cluster := observe(t, cl)
		rack := want
		rack.Observed = s.observed()
		step := Next([]Rack{rack}, cluster, last)
		if step.Took {
			last, took = cluster.ObservedTime, took+1
		}
		before := s.replicas
		s.apply(step.Rack(rack.ID), rack.Template)
		if before-s.replicas > 1 {
			t.Fatalf("one step removed %d nodes", before-s.replicas)
		}
		if err := readable(); err != nil {
			t.Fatalf("after step %d (%s): %v", took, strings.Join(step.Waiting, "; "), err)
		}
		if len(step.Waiting) == 0 && s.partition == 0 && s.replicas == want.Nodes {
			return took
		}
		time.Sleep(300 * time.Millisecond)
	}
	t.Fatal("the plan did not settle within 3 minutes")
	return took
}

// TestRealScaleDown: a 3-node cluster with replication factor 2 and data,
// driven by the plan from real cluster observations, scales to 2 without
// losing a record.
func TestRealScaleDown(t *testing.T) {
	c := harness.Start(t, harness.Options{Nodes: 3})
	readable := write(t, c, 3000)
	v := c.Nodes()[0].Version()
	s := &sim{t: t, c: c, replicas: 3, image: v, running: []string{v, v, v}}
	took := drive(t, s, Rack{Nodes: 2, Template: tmpl("h", v)}, readable)
	if took != 1 {
		t.Errorf("scaling 3 to 2 took %d steps, want 1", took)
	}
	if err := c.WaitStable(); err != nil {
		t.Fatal(err)
	}
	if err := readable(); err != nil {
		t.Fatalf("after scaling down: %v", err)
	}
}

// TestRealRollingUpgrade: the plan upgrades a 3-node cluster from 8.0.0.15
// to 8.1.2.0 one pod at a time, and every record stays readable after every
// step.
func TestRealRollingUpgrade(t *testing.T) {
	from, to := "8.0.0.15", "8.1.2.0"
	harness.RequireBinary(t, from)
	harness.RequireBinary(t, to)
	c := harness.Start(t, harness.Options{Nodes: 3, Version: from})
	readable := write(t, c, 3000)
	s := &sim{t: t, c: c, replicas: 3, image: from, running: []string{from, from, from}}
	took := drive(t, s, Rack{Nodes: 3, Template: tmpl("h", to)}, readable)
	if took != 3 {
		t.Errorf("upgrading 3 nodes took %d restarts, want 3", took)
	}
	for _, n := range c.Nodes() {
		if n.Version() != to {
			t.Errorf("node %s runs %s after the upgrade", n.Name(), n.Version())
		}
	}
}
