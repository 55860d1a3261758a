package aerospike

import (
	"os"
	"testing"
	"time"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// Boot starts one node from a whole aerospike.conf that our function
// rendered, rewritten by RewriteForLoopback and nothing else, and returns
// once it reports service ready and answers info. It fails t with the
// server's CRITICAL lines when asd refuses the config. Its mesh seeds
// become the node's own heartbeat port (the first) or go.
func Boot(t testing.TB, conf []byte, version string) *Node {
	t.Helper()
	c := boot(t, conf, version, 1)
	return c.Nodes()[0]
}

// BootCluster starts size nodes that share one rendered aerospike.conf,
// as the pods of a StatefulSet do: each is rewritten to its own ports and
// directory, and the k-th mesh seed becomes node k's heartbeat port. It
// returns once the nodes form one cluster the client sees whole.
func BootCluster(t testing.TB, conf []byte, version string, size int) *Cluster {
	t.Helper()
	c := boot(t, conf, version, size)
	if err := c.WaitForClusterSize(size); err != nil {
		t.Fatal(err)
	}
	return c
}

func boot(t testing.TB, conf []byte, version string, size int) *Cluster {
	t.Helper()
	c, err := bootCluster(t, conf, version, size)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// BootBinary is Boot with a given asd: a wrapper that runs the real one
// under restrictions, say, as a container runtime would.
func BootBinary(t testing.TB, conf []byte, b Binary) *Node {
	t.Helper()
	c, err := bootClusterWith(t, conf, b, 1)
	if err != nil {
		t.Fatal(err)
	}
	return c.Nodes()[0]
}

// bootCluster is boot that returns the error, so a test can see what a
// refused config reports.
func bootCluster(t testing.TB, conf []byte, version string, size int) (*Cluster, error) {
	t.Helper()
	return bootClusterWith(t, conf, binaryFor(t, LookupEnv(), version), size)
}

func bootClusterWith(t testing.TB, conf []byte, b Binary, size int) (*Cluster, error) {
	t.Helper()
	// Rewrite once up front, so that a config the rewrite refuses fails
	// with its own message rather than as a node that did not start.
	if _, err := RewriteForLoopback(conf, Loopback{Root: "/", Ports: Ports{Service: 1, Fabric: 1, Heartbeat: 1, Admin: 1}}); err != nil {
		return nil, err
	}
	c := newCluster(t, confValue(conf, "cluster-name", "service"), b, 0)
	c.nss = confNamespaces(conf)
	c.admin = confStanzaHas(conf, "network", "admin")
	c.conf = func(n *Node) ([]byte, error) {
		out, dirs, err := rewrite(conf, Loopback{Root: n.dir, Ports: n.ports, Seeds: c.heartbeats()})
		if err != nil {
			return nil, err
		}
		// What the StatefulSet's volumes and init container give a pod.
		for _, d := range dirs {
			if err := os.MkdirAll(d, 0o700); err != nil {
				return nil, errors.Wrap(err, "cannot create the directories the config names")
			}
		}
		return out, nil
	}
	bins := make([]Binary, size)
	for i := range bins {
		bins[i] = b
	}
	start := time.Now()
	if _, err := c.startNodes(bins); err != nil {
		return nil, errors.Wrapf(err, "asd %s refused or could not run the rendered config", b.Version)
	}
	t.Logf("aerospike: %d node(s) of asd %s booted the rendered config in %s", size, b.Version, time.Since(start).Round(time.Millisecond))
	return c, nil
}
