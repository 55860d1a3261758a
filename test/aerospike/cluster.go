package aerospike

import (
	"fmt"
	"maps"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	as "github.com/aerospike/aerospike-client-go/v8"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// Defaults of Options.
const (
	defaultClusterName = "xpa-test"
	defaultTimeout     = 60 * time.Second
	// portAttempts bounds how often a node moves to new ports because
	// another process took one between the harness finding it free and
	// asd binding it.
	portAttempts = 5
	// cleanupStopTimeout bounds a node's clean shutdown at the end of a
	// test before SIGKILL; the test is over, so nothing needs flushing.
	cleanupStopTimeout = 10 * time.Second
)

// Options describe a cluster for Start.
type Options struct {
	// Nodes is how many nodes to start; zero means 1.
	Nodes int
	// Version is the server version, exactly or as a major.minor line
	// (see Env.Binary); empty means the newest available.
	Version string
	// Namespaces are the cluster's namespaces; none means one in-memory
	// namespace DefaultNamespace with replication factor 2.
	Namespaces []Namespace
	// ClusterName is the service cluster-name, which the client checks;
	// empty means xpa-test.
	ClusterName string
	// Timeout bounds each wait: a node's start, the cluster forming,
	// becoming stable; zero means 60 s.
	Timeout time.Duration
}

// A Cluster is a set of real Aerospike nodes on loopback and one client of
// them. Everything it starts is stopped when its test ends.
type Cluster struct {
	t        testing.TB
	name     string
	root     string
	bin      Binary
	timeout  time.Duration
	nss      []string
	external bool
	// conf writes a node's aerospike.conf and creates the directories the
	// server expects.
	conf func(n *Node) ([]byte, error)
	// admin says whether nodes need an admin port.
	admin bool
	// cancel, when closed, ends a wait for a node to become ready: the
	// owner of a Server no longer wants it.
	cancel <-chan struct{}

	mu     sync.Mutex
	nodes  []*Node
	client *as.Client
}

// Start starts a cluster of o.Nodes real asd processes on free loopback
// ports, meshed through heartbeat seeds, and returns once every node
// reports the full cluster size and the client sees every node. It skips t
// when the environment has no asd binary (fails it under CI=true, see
// Require), and fails t when the binary of o.Version is missing or the
// cluster does not form within o.Timeout.
func Start(t testing.TB, o Options) *Cluster {
	t.Helper()
	b := binaryFor(t, LookupEnv(), o.Version)
	nodes := max(o.Nodes, 1)
	nss := o.Namespaces
	if len(nss) == 0 {
		nss = []Namespace{{Name: DefaultNamespace}}
	}
	name := o.ClusterName
	if name == "" {
		name = defaultClusterName
	}
	c := newCluster(t, name, b, o.Timeout)
	for _, ns := range nss {
		c.nss = append(c.nss, ns.name())
	}
	c.conf = func(n *Node) ([]byte, error) {
		for _, d := range []string{"work/smd", "work/usr/udf/lua", "data"} {
			if err := os.MkdirAll(filepath.Join(n.dir, d), 0o700); err != nil {
				return nil, errors.Wrap(err, "cannot create the node's directories")
			}
		}
		return harnessConf(c.name, n.dir, n.ports, c.heartbeats(), nss), nil
	}
	start := time.Now()
	bins := make([]Binary, nodes)
	for i := range bins {
		bins[i] = b
	}
	if _, err := c.startNodes(bins); err != nil {
		t.Fatalf("cannot start a cluster of %d nodes: %v", nodes, err)
	}
	if err := c.WaitForClusterSize(nodes); err != nil {
		t.Fatal(err)
	}
	t.Logf("aerospike: %d node(s) of asd %s formed cluster %q in %s", nodes, b.Version, name, time.Since(start).Round(time.Millisecond))
	return c
}

// Connect returns a cluster for a test that only needs a live server: the
// one AEROSPIKE_ADDRESS names, else a single node Start starts. A test must
// not stop, kill or add nodes of what Connect returns, and should use
// DefaultNamespace, which the official image has too.
func Connect(t testing.TB) *Cluster {
	t.Helper()
	e := Require(t)
	if e.Address == "" {
		return Start(t, Options{})
	}
	host, port, err := net.SplitHostPort(e.Address)
	if err != nil {
		t.Fatalf("cannot parse %s=%q as host:port: %v", EnvAddress, e.Address, err)
	}
	p, err := strconv.Atoi(port)
	if err != nil {
		t.Fatalf("cannot parse %s=%q as host:port: %v", EnvAddress, e.Address, err)
	}
	c := newCluster(t, "", Binary{}, 0)
	c.external = true
	cl, err := newClient("", as.NewHost(host, p))
	if err != nil {
		t.Fatalf("cannot connect to %s=%s: %v", EnvAddress, e.Address, err)
	}
	c.client = cl
	for _, an := range cl.GetNodes() {
		h := an.GetHost()
		c.nodes = append(c.nodes, &Node{c: c, name: an.GetName(), host: as.NewHost(h.Name, h.Port)})
	}
	if len(c.nodes) == 0 {
		t.Fatalf("cannot use %s=%s: the client sees no node", EnvAddress, e.Address)
	}
	res, err := c.nodes[0].Info("namespaces")
	if err != nil {
		t.Fatal(err)
	}
	c.nss = strings.Split(res["namespaces"], ";")
	return c
}

// binaryFor picks the binary a cluster runs: no binary at all is the
// environment's lack (skip, or fail under CI), a missing version the
// test's error (fail).
func binaryFor(t testing.TB, e Env, version string) Binary {
	t.Helper()
	if len(e.Binaries) == 0 {
		return e.requireBinary(t, version)
	}
	b, err := e.Binary(version)
	if err != nil {
		t.Fatalf("cannot pick a server binary: %v", err)
	}
	return b
}

// newCluster makes an empty cluster whose nodes live under a directory of
// the test's, and registers the cleanup that stops them.
func newCluster(t testing.TB, name string, b Binary, timeout time.Duration) *Cluster {
	if timeout == 0 {
		timeout = defaultTimeout
	}
	// TempDir first: cleanups run last-in first-out, so the nodes stop
	// before their directory is removed.
	c := &Cluster{t: t, name: name, root: t.TempDir(), bin: b, timeout: timeout}
	t.Cleanup(c.cleanup)
	return c
}

// newClient connects the one client of a cluster. Its timeouts are bounded
// and its reads and writes retry, so that a test of a node's death sees
// the cluster's behaviour, not the client's first attempt.
func newClient(clusterName string, hosts ...*as.Host) (*as.Client, error) {
	p := as.NewClientPolicy()
	p.ClusterName = clusterName
	p.Timeout = 5 * time.Second
	p.IdleTimeout = 30 * time.Second
	p.TendInterval = 250 * time.Millisecond
	p.FailIfNotConnected = true
	cl, err := as.NewClientWithPolicyAndHost(p, hosts...)
	if err != nil {
		return nil, err
	}
	rp := as.NewPolicy()
	rp.TotalTimeout = 10 * time.Second
	rp.SocketTimeout = 2 * time.Second
	rp.MaxRetries = 10
	rp.SleepBetweenRetries = 200 * time.Millisecond
	cl.SetDefaultPolicy(rp)
	wp := as.NewWritePolicy(0, 0)
	wp.BasePolicy = *rp
	cl.SetDefaultWritePolicy(wp)
	return cl, nil
}

// Name is the cluster-name.
func (c *Cluster) Name() string { return c.name }

// Namespaces are the names of the cluster's namespaces.
func (c *Cluster) Namespaces() []string { return slices.Clone(c.nss) }

// Nodes returns the cluster's nodes, running or not, in the order they
// were added.
func (c *Cluster) Nodes() []*Node {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.nodes)
}

// Client returns the cluster's client, shared by everything in the test
// and closed when it ends. Call it from the test's goroutine: it fails t
// if the client cannot connect.
func (c *Cluster) Client() *as.Client {
	c.t.Helper()
	cl, err := c.connect()
	if err != nil {
		c.t.Fatal(err)
	}
	return cl
}

// connect returns the client, connecting it to the running nodes first if
// there is none yet.
func (c *Cluster) connect() (*as.Client, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.client != nil {
		return c.client, nil
	}
	var hosts []*as.Host
	for _, n := range c.nodes {
		if n.Running() {
			hosts = append(hosts, n.Host())
		}
	}
	if len(hosts) == 0 {
		return nil, errors.New("cannot connect a client: no node is running")
	}
	cl, err := newClient(c.name, hosts...)
	if err != nil {
		return nil, errors.Wrapf(err, "cannot connect a client to cluster %q", c.name)
	}
	c.client = cl
	return cl, nil
}

// AddNode starts one more node, of version (see Env.Binary; empty means
// the cluster's), which seeds every node of the cluster, and waits until
// it reports service ready; WaitForClusterSize then waits for it to join.
// The other nodes' configs name it from their next start.
func (c *Cluster) AddNode(version string) (*Node, error) {
	if c.external {
		return nil, errors.New("cannot add a node to a server the harness did not start")
	}
	b := c.bin
	if version != "" {
		var err error
		if b, err = LookupEnv().Binary(version); err != nil {
			return nil, errors.Wrap(err, "cannot add a node")
		}
	}
	ns, err := c.startNodes([]Binary{b})
	if err != nil {
		return nil, err
	}
	return ns[0], nil
}

// startNodes adds and starts one node per binary, all at once. When one
// finds a port taken, all of them move to new ports and start again: each
// config names every node's heartbeat port.
func (c *Cluster) startNodes(bins []Binary) ([]*Node, error) {
	c.mu.Lock()
	added := make([]*Node, len(bins))
	for i, b := range bins {
		name := fmt.Sprintf("n%d", len(c.nodes))
		added[i] = &Node{c: c, name: name, dir: filepath.Join(c.root, name), bin: b}
		c.nodes = append(c.nodes, added[i])
	}
	c.mu.Unlock()
	var err error
	for range portAttempts {
		for _, n := range added {
			if err := os.MkdirAll(n.dir, 0o700); err != nil {
				return nil, errors.Wrap(err, "cannot create a node's directory")
			}
			if n.ports, err = newPorts(c.admin); err != nil {
				return nil, err
			}
			n.host = as.NewHost(loopback, n.ports.Service)
		}
		errs := make([]error, len(added))
		var wg sync.WaitGroup
		for i, n := range added {
			wg.Go(func() { errs[i] = n.start(true) })
		}
		wg.Wait()
		if err = errors.Join(errs...); err == nil {
			return added, nil
		}
		if !slices.ContainsFunc(errs, func(e error) bool { return errors.Is(e, errPortInUse) }) {
			break
		}
		for _, n := range added {
			if n.Running() {
				_ = n.Kill()
			}
		}
	}
	// Leave no half-started node behind to count as a member.
	for _, n := range added {
		if n.Running() {
			_ = n.Kill()
		}
	}
	c.mu.Lock()
	c.nodes = slices.DeleteFunc(c.nodes, func(n *Node) bool { return slices.Contains(added, n) })
	c.mu.Unlock()
	if errors.Is(err, errPortInUse) {
		return nil, errors.Errorf("cannot start %d node(s): a port was taken by another process %d times in a row", len(added), portAttempts)
	}
	return nil, err
}

// heartbeats returns every node's heartbeat port, for mesh seeds.
func (c *Cluster) heartbeats() []int {
	c.mu.Lock()
	defer c.mu.Unlock()
	hb := make([]int, len(c.nodes))
	for i, n := range c.nodes {
		hb[i] = n.ports.Heartbeat
	}
	return hb
}

// live returns the running nodes.
func (c *Cluster) live() []*Node {
	var live []*Node
	for _, n := range c.Nodes() {
		if n.Running() {
			live = append(live, n)
		}
	}
	return live
}

// WaitForClusterSize waits until every running node reports cluster_size
// size in its statistics and the client sees exactly the running nodes
// (for an external server: size nodes). The error says what each node and
// the client last reported.
func (c *Cluster) WaitForClusterSize(size int) error {
	return c.poll(fmt.Sprintf("see a cluster of %d nodes", size), func() (bool, string) {
		var state []string
		ok := true
		ids := map[string]bool{}
		for _, n := range c.live() {
			res, err := n.Info("node", "statistics")
			if err != nil {
				ok = false
				state = append(state, fmt.Sprintf("%s: %v", n.name, err))
				continue
			}
			ids[res["node"]] = true
			got := parsePairs(res["statistics"])["cluster_size"]
			state = append(state, fmt.Sprintf("%s (%s) cluster_size=%s", n.name, res["node"], got))
			if got != strconv.Itoa(size) {
				ok = false
			}
		}
		cl, err := c.connect()
		if err != nil {
			return false, strings.Join(append(state, err.Error()), "; ")
		}
		var seen []string
		for _, an := range cl.GetNodes() {
			if an.IsActive() {
				seen = append(seen, an.GetName())
			}
		}
		slices.Sort(seen)
		state = append(state, fmt.Sprintf("client sees %d node(s) %v", len(seen), seen))
		if c.external {
			ok = ok && len(seen) == size
		} else {
			ok = ok && len(ids) == size && slices.Equal(seen, slices.Sorted(maps.Keys(ids)))
		}
		return ok, strings.Join(state, "; ")
	})
}

// WaitStable waits until every running node answers cluster-stable for the
// number of running nodes with one and the same cluster key, migrations
// included, and reports no partitions left to migrate, in its statistics
// (migrate_partitions_remaining) and in each namespace: the state in which
// the cluster can lose another node without losing data.
func (c *Cluster) WaitStable() error {
	return c.poll("see a stable cluster with no migrations", func() (bool, string) {
		live := c.live()
		cmd := fmt.Sprintf("cluster-stable:size=%d;ignore-migrations=false", len(live))
		var state []string
		keys := map[string]bool{}
		ok := true
		for _, n := range live {
			res, err := n.Info(cmd)
			if err != nil {
				return false, err.Error()
			}
			v := res[cmd]
			state = append(state, fmt.Sprintf("%s cluster-stable=%s", n.name, v))
			if v == "" || strings.HasPrefix(v, "ERROR") {
				ok = false
			}
			keys[v] = true
			st, err := n.Stats()
			if err != nil {
				return false, err.Error()
			}
			if v := st["migrate_partitions_remaining"]; v != "0" {
				ok = false
				state = append(state, fmt.Sprintf("%s migrate_partitions_remaining=%s", n.name, v))
			}
			pending, err := c.namespaceMigrations(n)
			if err != nil {
				return false, err.Error()
			}
			if len(pending) > 0 {
				ok = false
				state = append(state, pending...)
			}
		}
		return ok && len(keys) == 1, strings.Join(state, "; ")
	})
}

// namespaceMigrations returns the partitions each namespace of n has left
// to migrate, one "NODE NAMESPACE STAT=N" for each nonzero count.
func (c *Cluster) namespaceMigrations(n *Node) ([]string, error) {
	var pending []string
	for _, ns := range c.nss {
		st, err := n.NamespaceStats(ns)
		if err != nil {
			return nil, err
		}
		for _, k := range []string{"migrate_tx_partitions_remaining", "migrate_rx_partitions_remaining"} {
			if v, has := st[k]; has && v != "0" {
				pending = append(pending, fmt.Sprintf("%s %s %s=%s", n.name, ns, k, v))
			}
		}
	}
	return pending, nil
}

// poll calls check until it reports done or the cluster's timeout passes,
// and then fails with what check last saw.
func (c *Cluster) poll(what string, check func() (bool, string)) error {
	deadline := time.Now().Add(c.timeout)
	for {
		done, state := check()
		if done {
			return nil
		}
		if time.Now().After(deadline) {
			return errors.Errorf("cannot %s within %s; last seen: %s", what, c.timeout, state)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// cleanup closes the client and stops every node, SIGKILL after a bounded
// clean shutdown; it fails the test for a node that died by itself, and
// logs every node's log tail when the test failed.
func (c *Cluster) cleanup() {
	c.mu.Lock()
	cl := c.client
	c.client = nil
	c.mu.Unlock()
	if cl != nil {
		cl.Close()
	}
	var wg sync.WaitGroup
	for _, n := range c.Nodes() {
		if n.external() {
			continue
		}
		n.mu.Lock()
		p := n.last
		died := p != nil && !p.expected && n.proc == nil
		n.mu.Unlock()
		if died {
			c.t.Errorf("%s (asd %s) exited by itself during the test: %v\n%s", n, n.bin.Version, p.err, n.tail())
		}
		wg.Go(func() { n.stopForCleanup() })
	}
	wg.Wait()
	if c.t.Failed() {
		for _, n := range c.Nodes() {
			if !n.external() {
				c.t.Logf("log of %s (asd %s), last run:\n%s", n, n.bin.Version, n.tail())
			}
		}
	}
}

// stopForCleanup stops the node if it runs: SIGTERM, then SIGKILL.
func (n *Node) stopForCleanup() {
	n.mu.Lock()
	p := n.proc
	if p != nil {
		p.expected = true
	}
	n.mu.Unlock()
	if p == nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(cleanupStopTimeout):
		if err := p.kill(); err != nil {
			n.c.t.Errorf("cannot stop %s at the end of the test: %v", n, err)
		}
	}
}
