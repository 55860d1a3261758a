package aerospike

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	as "github.com/aerospike/aerospike-client-go/v8"
	"github.com/google/go-cmp/cmp"
)

// The real-server tests run in parallel: most of their time is spent
// waiting for heartbeats, and go test runs at most GOMAXPROCS of them at
// once, which bounds the nodes alive at a time.

// TestSingleNode starts one node and uses it: the smallest cluster, and
// the figure for how fast a node starts and how much memory it takes.
func TestSingleNode(t *testing.T) {
	t.Parallel()
	start := time.Now()
	c := Start(t, Options{})
	t.Logf("figure: 1-node cluster formed in %s", time.Since(start).Round(time.Millisecond))
	n := c.Nodes()[0]
	logRSS(t, c)

	res, err := n.Info("build", "namespaces")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]string{"build": n.Version(), "namespaces": DefaultNamespace}, res); diff != "" {
		t.Errorf("info build, namespaces: -want, +got:\n%s", diff)
	}
	st, err := n.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if st["cluster_size"] != "1" {
		t.Errorf("statistics cluster_size = %q, want 1", st["cluster_size"])
	}
	id, err := n.ID()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{id}, c.Client().GetNodeNames()); diff != "" {
		t.Errorf("client's node names: -node ID, +client:\n%s", diff)
	}
	putRecords(t, c.Client(), DefaultNamespace, 10)
	getRecords(t, c.Client(), DefaultNamespace, 10)
}

// TestConnect runs against whatever Connect gives: the server that
// AEROSPIKE_ADDRESS names (a Docker container, say) or a node of our own,
// so that a user without the binaries still runs a real-server test.
func TestConnect(t *testing.T) {
	t.Parallel()
	c := Connect(t)
	if err := c.WaitForClusterSize(len(c.Nodes())); err != nil {
		t.Fatal(err)
	}
	for _, n := range c.Nodes() {
		res, err := n.Info("build")
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := parseVersion(res["build"]); !ok {
			t.Errorf("%s: info build = %q, want a version", n, res["build"])
		}
	}
	key, err := as.NewKey(DefaultNamespace, "xpa-connect", t.Name()+strconv.FormatInt(time.Now().UnixNano(), 10))
	if err != nil {
		t.Fatal(err)
	}
	cl := c.Client()
	if err := cl.Put(nil, key, as.BinMap{"v": "x"}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = cl.Delete(nil, key) })
	rec, err := cl.Get(nil, key)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Bins["v"] != "x" {
		t.Errorf("read back %v, want v=x", rec.Bins)
	}
}

// TestThreeNodes kills one node of three and restarts it: with replication
// factor 2 no record is lost while it is gone, and it rejoins.
func TestThreeNodes(t *testing.T) {
	t.Parallel()
	start := time.Now()
	c := Start(t, Options{Nodes: 3})
	t.Logf("figure: 3-node cluster formed in %s", time.Since(start).Round(time.Millisecond))
	logRSS(t, c)
	cl := c.Client()
	const records = 200
	putRecords(t, cl, DefaultNamespace, records)
	if err := c.WaitStable(); err != nil {
		t.Fatal(err)
	}

	victim := c.Nodes()[1]
	if err := victim.Kill(); err != nil {
		t.Fatal(err)
	}
	if _, err := victim.Info("status"); err == nil {
		t.Errorf("%s answers info after Kill", victim)
	}
	if err := c.WaitForClusterSize(2); err != nil {
		t.Fatal(err)
	}
	getRecords(t, cl, DefaultNamespace, records)

	if err := victim.Start(); err != nil {
		t.Fatal(err)
	}
	if err := c.WaitForClusterSize(3); err != nil {
		t.Fatal(err)
	}
	if err := c.WaitStable(); err != nil {
		t.Fatal(err)
	}
	getRecords(t, cl, DefaultNamespace, records)
	// Every record has its two copies again, one of them possibly on the
	// node that came back; objects would also count copies that wait to
	// be dropped.
	var master, prole int
	for _, n := range c.Nodes() {
		st, err := n.NamespaceStats(DefaultNamespace)
		if err != nil {
			t.Fatal(err)
		}
		m, _ := strconv.Atoi(st["master_objects"])
		p, _ := strconv.Atoi(st["prole_objects"])
		master, prole = master+m, prole+p
	}
	if master != records || prole != records {
		t.Errorf("master_objects, prole_objects summed over nodes = %d, %d; want %d, %d (replication factor 2)", master, prole, records, records)
	}
}

// TestPersistence restarts and kills a node whose namespace lives in a
// file: a start in the same directory reads the records back.
func TestPersistence(t *testing.T) {
	t.Parallel()
	const ns = "disk"
	c := Start(t, Options{Namespaces: []Namespace{{Name: ns, Persistent: true, ReplicationFactor: 1}}})
	n := c.Nodes()[0]
	putRecords(t, c.Client(), ns, 20)

	// SIGTERM flushes what is buffered.
	if err := n.Restart(); err != nil {
		t.Fatal(err)
	}
	if err := c.WaitForClusterSize(1); err != nil {
		t.Fatal(err)
	}
	getRecords(t, c.Client(), ns, 20)

	// SIGKILL keeps what reached the file: asd flushes its write buffer
	// at the latest flush-max-ms (1 s) after a write, and a write to the
	// file survives the process in the page cache.
	flushes := fileFlushes(t, n, ns)
	key := recordKey(t, ns, 1000)
	if err := c.Client().Put(nil, key, as.BinMap{"v": 1000}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for fileFlushes(t, n, ns) == flushes {
		if time.Now().After(deadline) {
			t.Fatalf("%s did not flush namespace %s to its file within 10 s of a write", n, ns)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err := n.Kill(); err != nil {
		t.Fatal(err)
	}
	if n.Running() {
		t.Fatalf("%s runs after Kill", n)
	}
	if err := n.Start(); err != nil {
		t.Fatal(err)
	}
	if err := c.WaitForClusterSize(1); err != nil {
		t.Fatal(err)
	}
	getRecords(t, c.Client(), ns, 20)
	if rec, err := c.Client().Get(nil, key); err != nil || rec.Bins["v"] != 1000 {
		t.Errorf("record flushed before SIGKILL: got %v, %v; want v=1000", rec, err)
	}
}

// fileFlushes counts the write blocks a node has written to the first file
// of a namespace, whole or partial.
func fileFlushes(t *testing.T, n *Node, ns string) int {
	t.Helper()
	st, err := n.NamespaceStats(ns)
	if err != nil {
		t.Fatal(err)
	}
	w, err1 := strconv.Atoi(st["storage-engine.file[0].writes"])
	p, err2 := strconv.Atoi(st["storage-engine.file[0].partial_writes"])
	if err1 != nil || err2 != nil {
		t.Fatalf("%s reports no storage-engine.file[0] writes for namespace %s: %v", n, ns, st)
	}
	return w + p
}

// TestMixedVersions meshes an 8.0 node with an 8.1 node, the cluster a
// rolling upgrade passes through.
func TestMixedVersions(t *testing.T) {
	t.Parallel()
	old, cur := RequireBinary(t, "8.0"), RequireBinary(t, "8.1")
	c := Start(t, Options{Version: old.Version})
	if _, err := c.AddNode(cur.Version); err != nil {
		t.Fatal(err)
	}
	if err := c.WaitForClusterSize(2); err != nil {
		t.Fatal(err)
	}
	logRSS(t, c)
	builds := make([]string, 0, len(c.Nodes()))
	for _, n := range c.Nodes() {
		res, err := n.Info("build")
		if err != nil {
			t.Fatal(err)
		}
		builds = append(builds, res["build"])
	}
	if diff := cmp.Diff([]string{old.Version, cur.Version}, builds); diff != "" {
		t.Errorf("builds of the nodes: -want, +got:\n%s", diff)
	}
	putRecords(t, c.Client(), DefaultNamespace, 50)
	if err := c.WaitStable(); err != nil {
		t.Fatal(err)
	}
	// The old node leaves; the new one holds every record.
	if err := c.Nodes()[0].Stop(); err != nil {
		t.Fatal(err)
	}
	if err := c.WaitForClusterSize(1); err != nil {
		t.Fatal(err)
	}
	getRecords(t, c.Client(), DefaultNamespace, 50)
}

// logRSS logs each node's resident memory, a figure for sizing CI.
func logRSS(t *testing.T, c *Cluster) {
	t.Helper()
	for _, n := range c.Nodes() {
		rss, err := n.RSS()
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("figure: %s (asd %s) RSS %d MiB", n.Name(), n.Version(), rss>>20)
	}
}

func recordKey(t *testing.T, ns string, i int) *as.Key {
	t.Helper()
	k, err := as.NewKey(ns, "xpa", fmt.Sprintf("k%d", i))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// putRecords writes records k0..k<n-1> with bin v = i.
func putRecords(t *testing.T, cl *as.Client, ns string, n int) {
	t.Helper()
	for i := range n {
		if err := cl.Put(nil, recordKey(t, ns, i), as.BinMap{"v": i}); err != nil {
			t.Fatalf("cannot put record %d into %s: %v", i, ns, err)
		}
	}
}

// getRecords reads back what putRecords wrote.
func getRecords(t *testing.T, cl *as.Client, ns string, n int) {
	t.Helper()
	for i := range n {
		rec, err := cl.Get(nil, recordKey(t, ns, i))
		if err != nil {
			t.Fatalf("cannot get record %d from %s: %v", i, ns, err)
		}
		if rec.Bins["v"] != i {
			t.Fatalf("record %d of %s: bins %v, want v=%d", i, ns, rec.Bins, i)
		}
	}
}
