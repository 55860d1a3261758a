package aerospike

import (
	"context"
	"time"

	as "github.com/aerospike/aerospike-client-go/v8"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// Server describes one asd that a program without a testing.TB starts and
// owns, such as the end-to-end tests' stand-in for a kubelet, which runs a
// node per pod; tests use Start and BootCluster instead.
type Server struct {
	// Name names the node in messages.
	Name string
	// Dir is the node's directory, which must exist: StartServer writes
	// aerospike.conf and asd.log into it.
	Dir string
	// Binary is the asd to run.
	Binary Binary
	// Conf is the whole aerospike.conf, already rewritten for this machine
	// (see RewriteForLoopback); the directories it names must exist.
	Conf []byte
	// Address is the node's service address, in 127.0.0.0/8, and Ports its
	// ports: the harness asks the service port whether the node is ready.
	Address string
	Ports   Ports
	// Timeout bounds the wait until the node is ready; zero means 60 s.
	Timeout time.Duration
}

// StartServer starts s and returns once it reports service ready and
// answers info, or with the server's CRITICAL lines when it refuses its
// config. Canceling ctx ends the wait and kills the process.
//
// The caller owns the node: Stop, Kill, Start and Info work as for a node
// of a Cluster, and the caller must stop it. The process dies with the
// program that started it in any case (Pdeathsig).
func StartServer(ctx context.Context, s Server) (*Node, error) {
	addr, err := loopbackAddress(s.Address)
	if err != nil {
		return nil, errors.Wrapf(err, "cannot start %s", s.Name)
	}
	timeout := s.Timeout
	if timeout == 0 {
		timeout = defaultTimeout
	}
	c := &Cluster{
		name:    s.Name,
		root:    s.Dir,
		bin:     s.Binary,
		timeout: timeout,
		cancel:  ctx.Done(),
		conf:    func(*Node) ([]byte, error) { return s.Conf, nil },
	}
	n := &Node{c: c, name: s.Name, dir: s.Dir, host: as.NewHost(addr, s.Ports.Service), ports: s.Ports, bin: s.Binary}
	c.nodes = []*Node{n}
	if err := n.start(true); err != nil {
		if errors.Is(err, errPortInUse) {
			return nil, errors.Errorf("cannot start %s: another process holds one of its ports on %s", n, addr)
		}
		return nil, err
	}
	return n, nil
}
