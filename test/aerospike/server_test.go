package aerospike

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// standardPorts are a pod's ports, which nodes of addresses of their own
// can all use, except that each needs a fabric port of its own: asd
// derives its node ID from the machine's MAC address and its fabric port,
// and two nodes of one ID refuse each other as duplicates.
var standardPorts = Ports{Service: 3000, Fabric: 3001, Heartbeat: 3002}

// podPorts are the ports of the k-th pod of a test.
func podPorts(k int) Ports {
	p := standardPorts
	p.Fabric += 10000 + k
	return p
}

// freeAddress returns an address of 127.0.0.0/8 whose standard ports are
// free, drawn at random so that parallel test binaries rarely meet.
func freeAddress(t *testing.T) string {
	t.Helper()
	for range 100 {
		a := fmt.Sprintf("127.%d.%d.%d", 100+rand.IntN(100), rand.IntN(256), 1+rand.IntN(254))
		free := true
		for _, p := range []int{3000, 3001, 3002, 13001, 13002} {
			l, err := (&net.ListenConfig{}).Listen(t.Context(), "tcp", net.JoinHostPort(a, strconv.Itoa(p)))
			if err != nil {
				free = false
				break
			}
			_ = l.Close()
		}
		if free {
			return a
		}
	}
	t.Fatal("cannot find an address of 127.0.0.0/8 whose ports 3000-3002 and 13001-13002 are free")
	return ""
}

// TestStartServer runs the rendered config as two pods would: each node
// on an address of its own with the standard ports, its mesh seeds the
// other pods' addresses, started by StartServer without the harness's
// cluster; the two form one cluster.
func TestStartServer(t *testing.T) {
	t.Parallel()
	b := RequireBinary(t, "")
	addrs := []string{freeAddress(t), freeAddress(t)}
	seed := func(host string, port int) (string, int, bool) {
		pod, _, _ := strings.Cut(host, ".")
		for i, a := range addrs {
			if pod == fmt.Sprintf("cache-0-%d", i) {
				return a, port, true
			}
		}
		return "", 0, false
	}
	nodes := make([]*Node, 0, len(addrs))
	for i, a := range addrs {
		dir := filepath.Join(t.TempDir(), strconv.Itoa(i))
		conf, dirs, err := rewrite([]byte(renderedMinimal), Loopback{Root: dir, Ports: podPorts(i), Address: a, MeshSeed: seed})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range dirs {
			if err := os.MkdirAll(d, 0o700); err != nil {
				t.Fatal(err)
			}
		}
		n, err := StartServer(t.Context(), Server{Name: fmt.Sprintf("cache-0-%d", i), Dir: dir, Binary: b, Conf: conf, Address: a, Ports: podPorts(i)})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if err := n.Stop(); err != nil {
				t.Error(err)
			}
		})
		nodes = append(nodes, n)
	}
	deadline := time.Now().Add(defaultTimeout)
	for {
		sizes := make([]string, 0, len(nodes))
		for _, n := range nodes {
			st, err := n.Stats()
			if err != nil {
				t.Fatal(err)
			}
			sizes = append(sizes, st["cluster_size"])
		}
		if sizes[0] == "2" && sizes[1] == "2" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("nodes on %v report cluster sizes %v after %s, want 2 each", addrs, sizes, defaultTimeout)
		}
		time.Sleep(100 * time.Millisecond)
	}
	for _, n := range nodes {
		if h := n.Host(); h.Port != 3000 || !strings.HasPrefix(h.Name, "127.") || h.Name == loopback {
			t.Errorf("%s serves at %s, want its own address with port 3000", n.Name(), h)
		}
	}
}

// TestStartServerCanceled: an owner that gives up while the node starts
// gets an error at once, and no process is left behind.
func TestStartServerCanceled(t *testing.T) {
	t.Parallel()
	b := RequireBinary(t, "")
	a := freeAddress(t)
	dir := t.TempDir()
	conf, dirs, err := rewrite([]byte(renderedMinimal), Loopback{Root: dir, Ports: standardPorts, Address: a, MeshSeed: func(string, int) (string, int, bool) { return "", 0, false }})
	if err != nil {
		t.Fatal(err)
	}
	// Without its directories asd would exit at once; with them it could
	// start, so the wait ends by cancellation only.
	for _, d := range dirs {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	start := time.Now()
	_, err = StartServer(ctx, Server{Name: "canceled", Dir: dir, Binary: b, Conf: conf, Address: a, Ports: standardPorts})
	if err == nil || !strings.Contains(err.Error(), "canceled before it was ready") {
		t.Fatalf("StartServer() with a canceled context: %v, want a cancellation error", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("StartServer() took %s to give up", d)
	}
	if l, err := (&net.ListenConfig{}).Listen(t.Context(), "tcp", net.JoinHostPort(a, "3000")); err != nil {
		t.Errorf("port 3000 of %s is still held after a canceled start: %v", a, err)
	} else {
		_ = l.Close()
	}
}

func TestStartServerRefusesBeyondLoopback(t *testing.T) {
	t.Parallel()
	_, err := StartServer(t.Context(), Server{Name: "n", Dir: t.TempDir(), Address: "10.1.2.3", Ports: standardPorts})
	if err == nil || !strings.Contains(err.Error(), "not an IPv4 address in 127.0.0.0/8") {
		t.Errorf("StartServer() on 10.1.2.3: %v, want a refusal", err)
	}
}
