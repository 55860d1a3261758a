package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	extv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	kerrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/xp-aerospike/xp-aerospike/test/e2e/controlplane"
	"github.com/xp-aerospike/xp-aerospike/test/e2e/dns"
	"github.com/xp-aerospike/xp-aerospike/test/e2e/kubelet"
	"github.com/xp-aerospike/xp-aerospike/test/e2e/packages"
)

// TestEndToEnd installs our packages, both flavours, into real Crossplane
// and runs an AerospikeDatabase, an AerospikeDatabase claim and a
// monitored AerospikeDatabase through their lives.
func TestEndToEnd(t *testing.T) {
	tl := requireTools(t)
	start := time.Now()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)

	cp := controlplane.Start(t, controlplane.Options{Assets: tl.assets, CRDs: []string{tl.crds}, Core: tl.core, Dir: dir})
	regLog, err := os.Create(filepath.Join(dir, "registry.log"))
	if err != nil {
		t.Fatal(err)
	}
	reg, err := packages.StartRegistry(ctx, regLog)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = reg.Close() })

	bins := publish(t, tl.cli, tl.xpkgDir, dir, reg)
	pkgs := install(t, cp, bins.refs)

	// Real Aerospike nodes stand in for the kubelet, and a DNS server
	// answers the cluster's names from them, for the provider (which runs
	// outside the cluster, as --dns-server is for) and for the test's
	// application client.
	k, err := kubelet.Start(cp.Client, filepath.Join(dir, "kubelet"), kubelet.Options{Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := k.Close(); err != nil {
			t.Errorf("kubelet: %v", err)
		}
	})
	clusterDNS, err := dns.Start(k.Lookup, dns.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = clusterDNS.Close() })

	cp.RunFunction(t, functionName, bins.function)
	// The metrics on a free port of their own: the default :8080 is taken
	// by whatever else on the machine (another e2e's provider) got there
	// first.
	cp.RunProvider(t, providerName, bins.provider, "--poll-interval=5s", "--sync-interval=1m", "--dns-server="+clusterDNS.Addr(),
		"--metrics-address=127.0.0.1:"+strconv.Itoa(controlplane.FreePort(t)))
	waitInstalled(t, cp, pkgs)

	if !t.Run("EveryCRDWeShipIsEstablished", func(t *testing.T) { everyCRDEstablished(t, cp, root) }) {
		return
	}
	t.Run("EveryExamplePassesServerSideDryRun", func(t *testing.T) { examplesDryRun(t, cp, root) })

	// Garbage collection deletes what a deleted database composed, as in
	// a real cluster. Started once our kinds are established, because it
	// discovers new kinds only every 30 seconds. The stand-in kubelet
	// plays the StatefulSet controller, so that one is not run.
	cp.RunControllerManager(t, tl.controllerManager, "garbagecollector", "namespace", "clusterrole-aggregation")
	grantCore(t, cp, root)

	// One database of each flavour, each in a namespace of its own, live
	// at once, as they would for a platform team that installed both, and
	// a monitored one, whose Composition says the platform runs the
	// Prometheus Operator: the lifecycle steps touch only their database's
	// namespace (and a claim's composite), and the ServiceMonitor CRD the
	// monitored one installs midway concerns no other database, as none
	// other is monitored. So the short lives run beside the long one of
	// the namespaced database and add little to the wall time.
	t.Run("Lifecycles", func(t *testing.T) {
		// Each life in a goroutine of its own rather than t.Parallel: go
		// test runs at most GOMAXPROCS parallel subtests at once, two on a
		// small CI runner, and these mostly wait on the control plane.
		var wg sync.WaitGroup
		for _, life := range []struct {
			name string
			run  func(t *testing.T)
		}{
			{"AerospikeDatabase", func(t *testing.T) {
				l := newLifecycle(t, cp, k, clusterDNS.Addr(), database(2))
				steps(t, []step{
					{"CreateComposesEveryObject", l.create},
					{"TheReadmeClusterRoleLetsCoreManageEveryComposedKind", l.coreMayManageWhatIsComposed},
					{"BecomesReadyOnceTheNodesFormOneCluster", l.readyOnce},
					{"WriteThroughTheConnectionSecret", func(t *testing.T) { l.write(t, 1000); l.readable(t) }},
					{"ScaleUp", func(t *testing.T) { l.scale(t, 3); l.readable(t) }},
					{"LiveSettingRestartsNothing", func(t *testing.T) { l.liveSetting(t); l.readable(t) }},
					{"ScaleDownWaitsForMigrationsAndKeepsEveryRecord", l.scaleDown},
					{"DeleteKeepsTheVolumes", l.delete},
				})
			}},
			{"Claim", func(t *testing.T) {
				l := newLifecycle(t, cp, k, clusterDNS.Addr(), claim())
				steps(t, []step{
					{"BoundToACompositeThatComposesIntoTheClaimsNamespace", l.create},
					{"TheReadmeClusterRoleLetsCoreManageEveryComposedKind", l.coreMayManageWhatIsComposed},
					{"ClaimAndCompositeBecomeReadyOnceTheNodesFormOneCluster", l.readyOnce},
					{"WriteThroughTheConnectionSecret", func(t *testing.T) { l.write(t, 100); l.readable(t) }},
					{"DeleteRemovesTheCompositeAndWhatItComposed", l.delete},
				})
			}},
			{"MonitoredAerospikeDatabase", func(t *testing.T) {
				l := newLifecycle(t, cp, k, clusterDNS.Addr(), monitoredDatabase())
				l.composition = applyPrometheusOperatorComposition(t, cp, root)
				monitoredLifecycle(t, l, tl.serviceMonitorCRD)
			}},
		} {
			wg.Go(func() { t.Run(life.name, life.run) })
		}
		wg.Wait()
	})
	t.Logf("e2e: wall time %s", time.Since(start).Round(time.Millisecond))
}

// A step is one subtest of a database's life.
type step struct {
	name string
	run  func(t *testing.T)
}

// steps runs each step as a subtest, in order, until one fails: each
// step starts from where the one before left the database.
func steps(t *testing.T, steps []step) {
	for _, s := range steps {
		if !t.Run(s.name, s.run) {
			return
		}
	}
}

// everyCRDEstablished asserts that the apiserver serves every CRD we
// ship: the provider's, both XRDs' composites and the claims flavour's
// claim, which core installed from our packages, and the function's
// input, which core does not install (a Composition's input is validated
// by the function), so the test creates it as a platform team would for
// client-side validation.
func everyCRDEstablished(t *testing.T, cp *controlplane.ControlPlane, root string) {
	ctx := context.Background()
	var names []string
	for _, crd := range crds(t, root, "package/provider/crds") {
		names = append(names, crd.Name)
	}
	for _, crd := range crds(t, root, "package/function/input") {
		if err := cp.Client.Create(ctx, crd); err != nil {
			t.Errorf("the apiserver refuses the function's input CRD %s: %v", crd.Name, err)
		}
		names = append(names, crd.Name)
	}
	// Each flavour's XRD: core names the composite's CRD after the XRD and
	// a claim's <claim plural>.<group>.
	for _, f := range []string{"package/configuration/definition.yaml", "package/configuration-claims/definition.yaml"} {
		xrd := &unstructured.Unstructured{}
		readYAML(t, filepath.Join(root, f), &xrd.Object)
		names = append(names, xrd.GetName())
		if plural, _, _ := unstructured.NestedString(xrd.Object, "spec", "claimNames", "plural"); plural != "" {
			group, _, _ := unstructured.NestedString(xrd.Object, "spec", "group")
			names = append(names, plural+"."+group)
		}
	}
	for _, name := range names {
		if err := established(cp, name); err != nil {
			t.Error(err)
		}
	}
}

// established waits up to a minute for the apiserver to serve the CRD
// name.
func established(cp *controlplane.ControlPlane, name string) error {
	crd := &extv1.CustomResourceDefinition{}
	return cp.Wait(time.Minute, "CRD "+name+" is established", func() error {
		if err := cp.Client.Get(context.Background(), client.ObjectKey{Name: name}, crd); err != nil {
			return err
		}
		for _, c := range crd.Status.Conditions {
			if c.Type == extv1.Established && c.Status == extv1.ConditionTrue {
				return nil
			}
		}
		return fmt.Errorf("conditions %v", crd.Status.Conditions)
	})
}

// crds reads the CRDs in a folder of ours.
func crds(t *testing.T, root, dir string) []*extv1.CustomResourceDefinition {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(root, dir, "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no CRDs in %s: %v", dir, err)
	}
	out := make([]*extv1.CustomResourceDefinition, 0, len(files))
	for _, f := range files {
		crd := &extv1.CustomResourceDefinition{}
		readYAML(t, f, crd)
		out = append(out, crd)
	}
	return out
}

// examplesDryRun sends every example's XR, and the claims flavour's
// claim, to the apiserver with a server-side dry run, so the XRDs' schemas
// and CEL rules judge them.
func examplesDryRun(t *testing.T, cp *controlplane.ControlPlane, root string) {
	ctx := context.Background()
	var files []string
	for _, pattern := range []string{"xr.yaml", "claim.yaml"} {
		f, err := filepath.Glob(filepath.Join(root, "examples", "*", pattern))
		if err != nil || len(f) == 0 {
			t.Fatalf("no examples/*/%s: %v", pattern, err)
		}
		files = append(files, f...)
	}
	for _, f := range files {
		o := &unstructured.Unstructured{}
		readYAML(t, f, &o.Object)
		if ns := o.GetNamespace(); ns != "" { // a claims composite is cluster-scoped
			ensureNamespace(t, cp, ns)
		}
		if err := cp.Client.Create(ctx, o, client.DryRunAll); err != nil {
			t.Errorf("%s: the apiserver refuses it: %v", f, err)
		}
	}
}

func ensureNamespace(t *testing.T, cp *controlplane.ControlPlane, name string) {
	t.Helper()
	if err := cp.Client.Create(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}); err != nil && !kerrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
}

func readYAML(t *testing.T, file string, into any) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, into); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
}

// conditionsTrue returns an error naming each of types that is not True.
func conditionsTrue(o interface {
	GetCondition(xpv2.ConditionType) xpv2.Condition
}, types ...xpv2.ConditionType) error {
	var not []string
	for _, ct := range types {
		if c := o.GetCondition(ct); c.Status != corev1.ConditionTrue {
			not = append(not, fmt.Sprintf("%s=%s (%s: %s)", ct, c.Status, c.Reason, c.Message))
		}
	}
	if len(not) > 0 {
		return fmt.Errorf("%s", strings.Join(not, ", "))
	}
	return nil
}
