package controlplane

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	pkgv1 "github.com/crossplane/crossplane/apis/v2/pkg/v1"
)

// labelPackage is the label core puts on a package's revisions, naming
// the package.
const labelPackage = "pkg.crossplane.io/package"

// RunFunction runs a function binary as core's External package runtime
// expects: on a free loopback port, serving mTLS with a certificate from
// the control plane's CA. Until t ends it does for the Function named pkg
// what the Deployment runtime does for a function in a pod: it points the
// endpoint of every revision at the process and reports the runtime
// healthy while the port accepts connections.
func (cp *ControlPlane) RunFunction(t testing.TB, pkg, bin string) *Process {
	t.Helper()
	certs := filepath.Join(cp.dir, pkg+"-certs")
	if err := cp.CA.WriteServer(certs, pkg); err != nil {
		t.Fatal(err)
	}
	port := FreePort(t)
	p := Run(t, cp.dir, pkg, bin, []string{
		"--address=127.0.0.1:" + strconv.Itoa(port),
		"--metrics-address=127.0.0.1:" + strconv.Itoa(FreePort(t)),
		"--tls-certs-dir=" + certs,
	}, nil)
	endpoint := fmt.Sprintf("127.0.0.1:%d", port)
	cp.keepRuntime(t, pkg, &pkgv1.FunctionRevisionList{}, func() bool { return listening(endpoint) && p.Exited() == nil }, endpoint, cp.tlsSecret(t, pkg, certs))
	return p
}

// RunProvider runs a provider binary with the control plane's kubeconfig,
// as the Deployment runtime would run it in a pod with its service
// account, and reports its runtime healthy while it runs. args are the
// provider's own flags.
func (cp *ControlPlane) RunProvider(t testing.TB, pkg, bin string, args ...string) *Process {
	t.Helper()
	// The provider serves no webhook here, but core still wants the
	// certificate a Deployment runtime would give it.
	certs := filepath.Join(cp.dir, pkg+"-certs")
	if err := cp.CA.WriteServer(certs, pkg); err != nil {
		t.Fatal(err)
	}
	secret := cp.tlsSecret(t, pkg, certs)
	p := Run(t, cp.dir, pkg, bin, args, []string{"KUBECONFIG=" + cp.Kubeconfig})
	cp.keepRuntime(t, pkg, &pkgv1.ProviderRevisionList{}, func() bool { return p.Exited() == nil }, "", secret)
	return p
}

// tlsSecret stores the server certificate in certs as the Secret the
// Deployment runtime creates for a package's revisions (core reads the
// certificate from it before it installs the package's CRDs), and returns
// its name.
func (cp *ControlPlane) tlsSecret(t testing.TB, pkg, certs string) string {
	t.Helper()
	crt, err := os.ReadFile(filepath.Join(certs, "tls.crt"))
	if err != nil {
		t.Fatal(err)
	}
	key, err := os.ReadFile(filepath.Join(certs, "tls.key"))
	if err != nil {
		t.Fatal(err)
	}
	s := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: pkg + "-tls-server", Namespace: CrossplaneNamespace},
		Data:       map[string][]byte{"tls.crt": crt, "tls.key": key},
	}
	if err := cp.Client.Create(context.Background(), s); err != nil {
		t.Fatalf("cannot create the TLS Secret of %s: %v", pkg, err)
	}
	return s.Name
}

// keepRuntime writes, every half second until t ends, what a Deployment
// runtime writes onto the package's revisions (listed into list): the
// runtime's health, the TLS Secret and a function's endpoint, where they
// differ. A write that conflicts with core's own is tried again on the
// next round.
func (cp *ControlPlane) keepRuntime(t testing.TB, pkg string, list pkgv1.PackageRevisionList, healthy func() bool, endpoint, secret string) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	t.Cleanup(func() { cancel(); <-done })
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			c := pkgv1.RuntimeUnhealthy().WithMessage("the process the test runs is not serving")
			if healthy() {
				c = pkgv1.RuntimeHealthy()
			}
			var revisions []pkgv1.PackageRevision
			if err := cp.Client.List(ctx, list, client.MatchingLabels{labelPackage: pkg}); err == nil {
				revisions = list.GetRevisions()
			}
			for _, rev := range revisions {
				if r, ok := rev.(pkgv1.PackageRevisionWithRuntime); ok && setRuntimeStatus(r, c, endpoint, secret) {
					_ = cp.Client.Status().Update(ctx, r)
				}
			}
			select {
			case <-ctx.Done():
			case <-time.After(500 * time.Millisecond):
			}
		}
	}()
}

// setRuntimeStatus sets on r what a Deployment runtime would: the TLS
// Secret, a function's endpoint and the runtime condition c. It reports
// whether anything changed.
func setRuntimeStatus(r pkgv1.PackageRevisionWithRuntime, c xpv2.Condition, endpoint, secret string) bool {
	changed := false
	if got := r.GetObservedTLSServerSecretName(); got == nil || *got != secret {
		r.SetObservedTLSServerSecretName(&secret)
		changed = true
	}
	if fr, ok := r.(*pkgv1.FunctionRevision); ok && fr.Status.Endpoint != endpoint {
		fr.Status.Endpoint, changed = endpoint, true
	}
	if got := r.GetCondition(c.Type); got.Status != c.Status || got.Reason != c.Reason {
		r.SetConditions(c)
		changed = true
	}
	return changed
}

func listening(endpoint string) bool {
	c, err := (&net.Dialer{Timeout: time.Second}).DialContext(context.Background(), "tcp", endpoint)
	if err != nil {
		return false
	}
	_ = c.Close()
	return true
}
