// Package controlplane runs a real Kubernetes control plane for the
// end-to-end test: kube-apiserver and etcd through controller-runtime's
// envtest, and real Crossplane core beside it, with the package runtime
// left to the test (core unpacks our packages; the test runs their
// binaries on loopback and tells core where they listen).
package controlplane

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	extv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	kerrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	pkgv1 "github.com/crossplane/crossplane/apis/v2/pkg/v1"
)

// CrossplaneNamespace is where core keeps its own objects.
const CrossplaneNamespace = "crossplane-system"

// Options say where the tools are.
type Options struct {
	// Assets is the folder holding the kube-apiserver and etcd binaries.
	Assets string
	// CRDs are folders of CRDs to install before core starts: core's own.
	CRDs []string
	// Core is the Crossplane core binary.
	Core string
	// Dir receives logs, certificates and core's package cache.
	Dir string
}

// A ControlPlane is a running apiserver with Crossplane core.
type ControlPlane struct {
	// Config and Client reach the apiserver as a cluster admin.
	Config *rest.Config
	Client client.Client
	// Kubeconfig is a file for processes that reach the apiserver.
	Kubeconfig string
	// CA issues the certificates of core's mTLS to functions.
	CA *CA
	// Core is the running Crossplane core.
	Core *Process

	dir string
}

// Start starts the apiserver, installs the CRDs and starts core, which it
// waits for to report ready. Everything stops when t ends.
func Start(t testing.TB, o Options) *ControlPlane {
	t.Helper()
	cp := StartAPIServer(t, o)
	ctx := context.Background()
	if err := cp.Client.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: CrossplaneNamespace}}); err != nil && !kerrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}

	certs := filepath.Join(o.Dir, "core-client-certs")
	if err := cp.CA.WriteClient(certs, "crossplane"); err != nil {
		t.Fatal(err)
	}
	// Core caches what it unpacks here; it does not create the folder, and
	// without one every package fails to parse ("read/write on closed pipe").
	cache := filepath.Join(o.Dir, "xpkg-cache")
	if err := os.MkdirAll(cache, 0o700); err != nil {
		t.Fatal(err)
	}
	health, metrics := FreePort(t), FreePort(t)
	start := time.Now()
	cp.Core = Run(t, o.Dir, "crossplane-core", o.Core, []string{
		"core", "start",
		"--package-runtime=External",
		"--enable-webhooks=false",
		"--tls-client-certs-dir=" + certs,
		"--cache-dir=" + cache,
		"--health-probe-port=" + strconv.Itoa(health),
		"--metrics-port=" + strconv.Itoa(metrics),
		"--poll-interval=5s",
	}, []string{"KUBECONFIG=" + cp.Kubeconfig, "POD_NAMESPACE=" + CrossplaneNamespace, "POD_SERVICE_ACCOUNT=crossplane"})
	if err := cp.Wait(2*time.Minute, "Crossplane core reports ready", func() error {
		return get(fmt.Sprintf("http://127.0.0.1:%d/readyz", health))
	}); err != nil {
		t.Fatal(err)
	}
	t.Logf("controlplane: Crossplane core ready in %s", time.Since(start).Round(time.Millisecond))
	return cp
}

// StartAPIServer starts kube-apiserver and etcd, with the CRDs of o.CRDs
// installed, and returns a control plane without core: a kubeconfig, an
// admin client and the CA. Everything stops when t ends.
func StartAPIServer(t testing.TB, o Options) *ControlPlane {
	t.Helper()
	start := time.Now()
	env := &envtest.Environment{
		BinaryAssetsDirectory: o.Assets,
		CRDDirectoryPaths:     o.CRDs,
		ErrorIfCRDPathMissing: true,
	}
	cfg, err := env.Start()
	if err != nil {
		t.Fatalf("cannot start kube-apiserver and etcd from %s: %v", o.Assets, err)
	}
	t.Cleanup(func() {
		if err := env.Stop(); err != nil {
			t.Logf("cannot stop the apiserver: %v", err)
		}
	})
	t.Logf("controlplane: kube-apiserver and etcd ready in %s", time.Since(start).Round(time.Millisecond))

	cp := &ControlPlane{Config: cfg, dir: o.Dir}
	if cp.Client, err = client.New(cfg, client.Options{Scheme: Scheme()}); err != nil {
		t.Fatal(err)
	}
	if cp.Kubeconfig, err = writeKubeconfig(env, o.Dir); err != nil {
		t.Fatal(err)
	}
	if cp.CA, err = NewCA(); err != nil {
		t.Fatal(err)
	}
	return cp
}

// Wait polls check every 250ms until it returns nil or timeout passes. It
// gives up early when core has exited, quoting its log.
func (cp *ControlPlane) Wait(timeout time.Duration, what string, check func() error) error {
	deadline := time.Now().Add(timeout)
	for {
		err := check()
		if err == nil {
			return nil
		}
		if cp.Core != nil {
			if exited := cp.Core.Exited(); exited != nil {
				return errors.Wrapf(exited, "while waiting until %s", what)
			}
		}
		if time.Now().After(deadline) {
			return errors.Wrapf(err, "not true within %s: %s", timeout, what)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// Scheme knows the kinds the harness reads and writes typed.
func Scheme() *runtime.Scheme {
	s := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{clientgoscheme.AddToScheme, extv1.AddToScheme, pkgv1.AddToScheme} {
		if err := add(s); err != nil {
			panic(err)
		}
	}
	return s
}

// FreePort returns a TCP port on 127.0.0.1 that nothing listens on now.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close() //nolint:errcheck // Only the port number is wanted.
	a, ok := l.Addr().(*net.TCPAddr)
	if !ok {
		t.Fatalf("a TCP listener has a %T address", l.Addr())
	}
	return a.Port
}

func writeKubeconfig(env *envtest.Environment, dir string) (string, error) {
	u, err := env.AddUser(envtest.User{Name: "e2e-admin", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		return "", errors.Wrap(err, "cannot add an admin user to the apiserver")
	}
	kc, err := u.KubeConfig()
	if err != nil {
		return "", errors.Wrap(err, "cannot write a kubeconfig")
	}
	path := filepath.Join(dir, "kubeconfig")
	return path, errors.Wrap(os.WriteFile(path, kc, 0o600), "cannot write the kubeconfig")
}

func get(url string) error {
	c := http.Client{Timeout: 2 * time.Second}
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, url, http.NoBody)
	if err != nil {
		return err
	}
	rsp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer rsp.Body.Close() //nolint:errcheck // Only the status matters.
	if rsp.StatusCode != http.StatusOK {
		return errors.Errorf("%s: %s", url, rsp.Status)
	}
	return nil
}
