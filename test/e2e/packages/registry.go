package packages

import (
	"context"
	"io"
	"log"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/google/go-containerregistry/pkg/registry"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// Path is where in a Registry a test pushes our packages, so that each one's
// repository, xp-aerospike/NAME, is the one it has under the registry a
// release names, xpkg.crossplane.io/xp-aerospike.
const Path = "xp-aerospike"

// A Registry is an OCI registry served in-process on a free port of
// 127.0.0.1, holding what is pushed to it in memory. It stands in for
// xpkg.crossplane.io: core pulls from it over plain HTTP, because
// go-containerregistry, which core uses, speaks HTTP to any 127.0.0.1 host.
type Registry struct {
	srv  *http.Server
	host string
	// ctx ends when the registry stops, and bounds every push.
	ctx  context.Context
	stop context.CancelFunc

	once   sync.Once
	served chan error
	err    error
}

// StartRegistry starts a Registry on 127.0.0.1:0, so that parallel tests
// and other engineers' runs never collide on a port. The registry stops
// when ctx is done or Close is called, whichever is first. Requests are
// logged to logs, or nowhere when logs is nil: the registry logs every
// blob request, which would drown a test's output.
func StartRegistry(ctx context.Context, logs io.Writer) (*Registry, error) {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return nil, errors.Wrap(err, "cannot listen on 127.0.0.1")
	}
	if logs == nil {
		logs = io.Discard
	}
	r := &Registry{
		srv: &http.Server{
			Handler:           registry.New(registry.Logger(log.New(logs, "registry: ", log.LstdFlags))),
			ReadHeaderTimeout: 10 * time.Second,
		},
		host:   ln.Addr().String(),
		served: make(chan error, 1),
	}
	r.ctx, r.stop = context.WithCancel(ctx)
	go func() { r.served <- r.srv.Serve(ln) }()
	go func() {
		<-r.ctx.Done()
		_ = r.Close()
	}()
	return r, nil
}

// Mirror returns where in the registry our packages go, Host()+"/"+Path.
func (r *Registry) Mirror() string {
	return r.host + "/" + Path
}

// Host returns the registry's host:port, 127.0.0.1:PORT, the first part of
// every reference to a package in it.
func (r *Registry) Host() string {
	return r.host
}

// Close stops the registry at once, cutting off any pull in flight, and
// drops what it holds. It is safe to call more than once; later calls
// return the first call's result.
func (r *Registry) Close() error {
	r.once.Do(func() {
		r.stop()
		// Close, not Shutdown: Shutdown waits up to five seconds for every
		// connection a client opened but sent nothing on yet (which
		// go-containerregistry's parallel uploads leave behind), and a test
		// that is done with the registry has nothing worth finishing.
		r.err = errors.Wrap(r.srv.Close(), "cannot stop registry")
		if err := <-r.served; r.err == nil && !errors.Is(err, http.ErrServerClosed) {
			r.err = errors.Wrap(err, "registry stopped serving")
		}
	})
	return r.err
}
