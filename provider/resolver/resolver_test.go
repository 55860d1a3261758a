package resolver

import (
	"context"
	"net"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"

	"github.com/xp-aerospike/xp-aerospike/provider/aerospike"
	harness "github.com/xp-aerospike/xp-aerospike/test/aerospike"
	"github.com/xp-aerospike/xp-aerospike/test/e2e/dns"
)

// clusterName is a name only the test's DNS server knows.
const clusterName = "cache.team-a.svc.cluster.local"

// serve starts a DNS server that answers clusterName with 127.0.0.1 and
// counts the lookups it makes.
func serve(t *testing.T) (*dns.Server, *atomic.Int32) {
	t.Helper()
	var lookups atomic.Int32
	s, err := dns.Start(func(_ context.Context, name string) ([]netip.Addr, bool, error) {
		lookups.Add(1)
		if name == clusterName {
			return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, true, nil
		}
		return nil, false, nil
	}, dns.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	return s, &lookups
}

func TestNew(t *testing.T) {
	s, lookups := serve(t)
	r, err := New(s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()

	got, err := r.LookupHost(ctx, clusterName)
	if err != nil {
		t.Fatalf("LookupHost(%q): %v", clusterName, err)
	}
	if diff := cmp.Diff([]string{"127.0.0.1"}, got); diff != "" {
		t.Errorf("LookupHost(%q): -want, +got:\n%s", clusterName, diff)
	}
	if lookups.Load() == 0 {
		t.Errorf("LookupHost(%q) answered without asking the DNS server", clusterName)
	}

	_, err = r.LookupHost(ctx, "other.team-a.svc.cluster.local")
	var de *net.DNSError
	if !errors.As(err, &de) || !de.IsNotFound {
		t.Errorf("LookupHost() of a name the server does not know: %v, want not found", err)
	}
}

func TestNewRefusesAName(t *testing.T) {
	for _, server := range []string{"kube-dns.kube-system:53", "10.96.0.10", ""} {
		if _, err := New(server); err == nil || !strings.Contains(err.Error(), "want an IP address and a port") {
			t.Errorf("New(%q): %v, want a refusal", server, err)
		}
	}
}

// TestUseReachesTheAerospikeClient: after Use, the provider's Aerospike
// client connects to a seed that only the given DNS server can resolve.
// It replaces the process's resolver, so it does not run in parallel.
func TestUseReachesTheAerospikeClient(t *testing.T) {
	c := harness.Start(t, harness.Options{})
	port := c.Nodes()[0].Ports().Service
	s, lookups := serve(t)

	orig := net.DefaultResolver
	t.Cleanup(func() { net.DefaultResolver = orig })
	if err := Use(s.Addr()); err != nil {
		t.Fatal(err)
	}
	cl, err := aerospike.Dial(aerospike.Config{
		Hosts:          []aerospike.Host{{Name: clusterName, Port: port}},
		ClusterName:    c.Name(),
		ConnectTimeout: 10 * time.Second,
	})
	if err != nil {
		t.Fatalf("cannot connect to %s:%d through the DNS server at %s: %v", clusterName, port, s.Addr(), err)
	}
	defer cl.Close()
	if n := len(cl.Nodes()); n != 1 {
		t.Errorf("the client sees %d nodes, want 1", n)
	}
	if lookups.Load() == 0 {
		t.Errorf("the client connected to %s without asking the DNS server", clusterName)
	}
}
