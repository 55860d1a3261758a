package packages

import (
	"context"
	"io"
	"log"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// The repositories our packages go to. Their paths match the packages'
// names under xpkg.crossplane.io/xp-aerospike/, where the Configuration's
// dependsOn looks for the function, so that an ImageConfig rewriting the
// prefix xpkg.crossplane.io/xp-aerospike/ to Host()+"/xp-aerospike/" makes
// core resolve that dependency from this registry instead of the network.
const (
	FunctionRepository      = "xp-aerospike/function-aerospike"
	ProviderRepository      = "xp-aerospike/provider-aerospike"
	ConfigurationRepository = "xp-aerospike/configuration-aerospike"
	// ClaimsConfigurationRepository holds the claims flavour's
	// Configuration (package/configuration-claims).
	ClaimsConfigurationRepository = "xp-aerospike/configuration-aerospike-claims"
)

// The xpkg layer annotation, as crossplane-runtime's pkg/xpkg names it. That
// package is not imported for three constants and a function because it
// brings in k8schain and every cloud's credential helper.
const (
	// AnnotationKey is the layer annotation core looks for to find the
	// package.yaml layer without flattening the whole image.
	AnnotationKey = "io.crossplane.xpkg"
	// PackageAnnotation marks the layer holding package.yaml.
	PackageAnnotation = "base"
	// ExamplesAnnotation marks the layer holding the examples.
	ExamplesAnnotation = "upbound"
)

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

// Push loads the package file xpkgPath, as Build writes it, and pushes it
// as repo:tag, returning the reference to install it by, for example
// 127.0.0.1:PORT/xp-aerospike/function-aerospike:v0.1.0. Use a semantic
// version as tag: core resolves dependency constraints against tags.
//
// It does what `crossplane xpkg push` does for one package file: an image
// tarball cannot carry layer annotations, so the CLI's build records them as
// config labels io.crossplane.xpkg:<layer digest>, and push copies them onto
// the layers. Without that, core would find package.yaml only by flattening
// every layer, the runtime binary's included.
func (r *Registry) Push(xpkgPath, repo, tag string) (string, error) {
	// StrictValidation, as core parses a package's source: a reference
	// core would refuse fails here, not in a reconcile loop.
	ref, err := name.NewTag(r.host+"/"+repo+":"+tag, name.StrictValidation)
	if err != nil {
		return "", errors.Wrap(err, "invalid package reference")
	}
	img, err := tarball.ImageFromPath(xpkgPath, nil)
	if err != nil {
		return "", errors.Wrapf(err, "cannot load package %s", xpkgPath)
	}
	img, err = AnnotateLayers(img)
	if err != nil {
		return "", errors.Wrapf(err, "cannot annotate package %s", xpkgPath)
	}
	if err := remote.Write(ref, img, remote.WithTransport(loopbackOnly), remote.WithContext(r.ctx)); err != nil {
		return "", errors.Wrapf(err, "cannot push %s to %s", xpkgPath, ref)
	}
	return ref.String(), nil
}

// AnnotateLayers returns img with every layer that its config labels
// io.crossplane.xpkg:<layer digest> annotated io.crossplane.xpkg: <label
// value>, as crossplane-runtime's xpkg.AnnotateLayers does before a push.
// The image is rebuilt on an empty base exactly as there, so a package
// pushed here has the digest `crossplane xpkg push` would give it (a test
// checks this).
func AnnotateLayers(img v1.Image) (v1.Image, error) {
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, errors.Wrap(err, "cannot read image config")
	}
	layers, err := img.Layers()
	if err != nil {
		return nil, errors.Wrap(err, "cannot read image layers")
	}
	if len(layers) == 0 {
		return img, nil
	}
	adds := make([]mutate.Addendum, 0, len(layers))
	for _, l := range layers {
		d, err := l.Digest()
		if err != nil {
			return nil, errors.Wrap(err, "cannot read layer digest")
		}
		add := mutate.Addendum{Layer: l}
		if v, ok := cf.Config.Labels[AnnotationKey+":"+d.String()]; ok {
			add.Annotations = map[string]string{AnnotationKey: v}
		}
		adds = append(adds, add)
	}
	out, err := mutate.Append(empty.Image, adds...)
	if err != nil {
		return nil, errors.Wrap(err, "cannot rebuild image")
	}
	out, err = mutate.ConfigFile(out, cf)
	return out, errors.Wrap(err, "cannot set image config")
}

// loopbackOnly is the transport for pushes: it has no proxy and dials only
// loopback addresses, so that a wrong reference fails at once instead of
// reaching for the network.
var loopbackOnly http.RoundTripper = &http.Transport{
	Proxy: nil,
	DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, errors.Wrapf(err, "cannot parse address %s", addr)
		}
		if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
			return nil, errors.Errorf("refusing to dial %s: only loopback registries are allowed", addr)
		}
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	},
	MaxIdleConnsPerHost: 4,
	IdleConnTimeout:     30 * time.Second,
}
