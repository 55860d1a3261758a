package controlplane

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// controllerManagerTimeout bounds kube-controller-manager's start: it waits
// for the apiserver, discovers every API and builds its controllers.
const controllerManagerTimeout = time.Minute

// RunControllerManager runs kube-controller-manager against the apiserver
// with only the named controllers (their names or aliases, as its
// --controllers takes them, e.g. "garbagecollector" and "namespace"). It
// returns once the controllers are built and report healthy; it is stopped
// when t ends.
//
// Without it nothing acts on owner references or deleted namespaces, and
// Crossplane leaves both to Kubernetes when an XR is deleted. The garbage
// collector rediscovers APIs every 30 seconds, so a kind defined after it
// starts (a CRD of an XRD) is collected only from its next rediscovery.
func (cp *ControlPlane) RunControllerManager(t testing.TB, bin string, controllers ...string) *Process {
	t.Helper()
	if len(controllers) == 0 {
		// An empty --controllers means the default set, with the
		// StatefulSet controller our stand-in kubelet would race.
		t.Fatal("RunControllerManager needs the controllers to run")
	}
	// Served with a certificate of the control plane's CA, so that the
	// health check below verifies whom it asks.
	certs := filepath.Join(cp.dir, "kube-controller-manager-certs")
	if err := cp.CA.WriteServer(certs, "kube-controller-manager"); err != nil {
		t.Fatal(err)
	}
	port := FreePort(t)
	p := Run(t, cp.dir, "kube-controller-manager", bin, []string{
		"--kubeconfig=" + cp.Kubeconfig,
		"--controllers=" + strings.Join(controllers, ","),
		// One process, nothing to elect; an election would also hold the
		// controllers back until a Lease is won.
		"--leader-elect=false",
		// No service account token controller runs (it needs a signing
		// key), so no tokens would be minted for per-controller accounts:
		// every controller uses the kubeconfig's admin.
		"--use-service-account-credentials=false",
		"--bind-address=127.0.0.1",
		"--secure-port=" + strconv.Itoa(port),
		"--tls-cert-file=" + filepath.Join(certs, "tls.crt"),
		"--tls-private-key-file=" + filepath.Join(certs, "tls.key"),
		// Without these it delegates authentication and authorization of
		// its own endpoints to the in-cluster config, which inside a CI
		// pod is the real cluster around us. Ours is the apiserver here.
		"--authentication-kubeconfig=" + cp.Kubeconfig,
		"--authorization-kubeconfig=" + cp.Kubeconfig,
		// Nothing here reaches it with a client certificate or through a
		// front proxy, and envtest's apiserver has no front proxy CA: the
		// lookup of the CAs would log an error every few seconds.
		"--authentication-skip-lookup",
	}, nil)

	ca, err := os.ReadFile(filepath.Join(certs, "ca.crt"))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(ca) {
		t.Fatal("cannot read the control plane's CA certificate")
	}
	c := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
	t.Cleanup(c.CloseIdleConnections)
	url := fmt.Sprintf("https://127.0.0.1:%d/healthz?verbose", port)

	start := time.Now()
	deadline := start.Add(controllerManagerTimeout)
	for {
		err := controllersHealthy(c, url)
		if err == nil {
			break
		}
		if exited := p.Exited(); exited != nil {
			t.Fatal(exited)
		}
		if time.Now().After(deadline) {
			t.Fatalf("kube-controller-manager not healthy within %s: %v", controllerManagerTimeout, err)
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Logf("controlplane: kube-controller-manager (%s) ready in %s", strings.Join(controllers, ", "), time.Since(start).Round(time.Millisecond))
	return p
}

// controllersHealthy asks kube-controller-manager's /healthz?verbose. It
// answers ok while it lists only the "ping" check it has before its
// controllers exist; it adds the check of every controller at once, when
// all are built, and ping is then gone.
func controllersHealthy(c *http.Client, url string) error {
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, url, http.NoBody)
	if err != nil {
		return err
	}
	rsp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer rsp.Body.Close() //nolint:errcheck // Only reading.
	b, err := io.ReadAll(io.LimitReader(rsp.Body, 64<<10))
	if err != nil {
		return errors.Wrap(err, "cannot read /healthz")
	}
	if rsp.StatusCode != http.StatusOK {
		return errors.Errorf("/healthz: %s: %s", rsp.Status, b)
	}
	if strings.Contains(string(b), "[+]ping ok") {
		return errors.New("/healthz: the controllers are not built yet")
	}
	return nil
}
