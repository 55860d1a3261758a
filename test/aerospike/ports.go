package aerospike

import (
	"context"
	"math/rand/v2"
	"net"
	"strconv"
	"sync"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// Ports are the TCP ports one node listens on, all on 127.0.0.1.
type Ports struct {
	// Service is the client port (3000 in production).
	Service int
	// Fabric carries replication and migration between nodes (3001).
	Fabric int
	// Heartbeat is the mesh heartbeat port other nodes seed with (3002).
	Heartbeat int
	// Admin is the port of a network admin stanza, which 8.1 accepts (and
	// warns without) and 8.0 refuses; zero when the config has none.
	Admin int
}

// Ports are drawn from below Linux's ephemeral range (32768–60999), where
// outgoing connections take their source ports, so that a port found free
// is rarely taken by someone's connect() before asd binds it. What another
// process binds in between is caught by Start, which then retries on new
// ports.
const (
	portMin = 10000
	portMax = 32000
)

// handedOut remembers every port this process has given a node, so that
// parallel tests never pick the same one, and a stopped node's ports stay
// its own for its restart.
var handedOut = struct {
	sync.Mutex
	ports map[int]bool
}{ports: map[int]bool{}}

// freePorts returns n distinct ports that nothing listened on a moment ago.
func freePorts(n int) ([]int, error) {
	handedOut.Lock()
	defer handedOut.Unlock()
	var out []int
	for tries := 0; len(out) < n; tries++ {
		if tries > 1000 {
			return nil, errors.Errorf("cannot find %d free TCP ports on 127.0.0.1 between %d and %d", n, portMin, portMax)
		}
		p := portMin + rand.IntN(portMax-portMin)
		if handedOut.ports[p] || !canListen(p) {
			continue
		}
		handedOut.ports[p] = true
		out = append(out, p)
	}
	return out, nil
}

// pickPorts is freePorts, replaced by a test that makes a port collide.
var pickPorts = freePorts

// newPorts returns a node's ports, with an admin port if admin is set.
func newPorts(admin bool) (Ports, error) {
	n := 3
	if admin {
		n = 4
	}
	p, err := pickPorts(n)
	if err != nil {
		return Ports{}, err
	}
	ps := Ports{Service: p[0], Fabric: p[1], Heartbeat: p[2]}
	if admin {
		ps.Admin = p[3]
	}
	return ps, nil
}

// canListen reports whether 127.0.0.1:p is free for a listener now. A
// listener on 0.0.0.0:p makes it fail too, as it would fail asd.
func canListen(p int) bool {
	l, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", net.JoinHostPort(loopback, strconv.Itoa(p)))
	if err != nil {
		return false
	}
	_ = l.Close()
	return true
}
