package e2e

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	pkgv1 "github.com/crossplane/crossplane/apis/v2/pkg/v1"

	"github.com/xp-aerospike/xp-aerospike/test/aerospike"
	"github.com/xp-aerospike/xp-aerospike/test/e2e/controlplane"
	"github.com/xp-aerospike/xp-aerospike/test/e2e/packages"
	"github.com/xp-aerospike/xp-aerospike/test/testenv"
)

// version is the tag our packages are published with.
const version = "v0.1.0"

// Package names as the README's install steps give them; the Composition
// refers to the function by this name.
const (
	functionName            = "function-aerospike"
	providerName            = "provider-aerospike"
	configurationName       = "configuration-aerospike"
	claimsConfigurationName = "configuration-aerospike-claims"
)

// tools are the binaries `make e2e-tools` builds.
type tools struct {
	assets, core, crds, cli, controllerManager string
	// serviceMonitorCRD is the Prometheus Operator's ServiceMonitor CRD,
	// which the test installs while a monitored database runs.
	serviceMonitorCRD string
}

// requireTools returns the tools, after making sure there is a server
// binary of the version every database here runs: without one the stand-in
// kubelet could start no node, and each lifecycle would wait minutes for a
// cluster that never forms. So the e2e skips (fails under CI=true) up front,
// with the same instructions as every other real-server test.
func requireTools(t *testing.T) tools {
	t.Helper()
	aerospike.RequireBinary(t, dbVersion)
	return tools{
		assets:            testenv.Require(t, "KUBEBUILDER_ASSETS", "a folder with kube-apiserver and etcd (`make e2e-tools`)"),
		core:              testenv.Require(t, "CROSSPLANE_CORE", "the Crossplane core binary (`make e2e-tools`)"),
		crds:              testenv.Require(t, "CROSSPLANE_CRDS", "the folder of core's CRDs (`make e2e-tools`)"),
		cli:               testenv.Require(t, "CROSSPLANE_CLI", "the crossplane CLI (`make tools`)"),
		controllerManager: testenv.Require(t, "KUBE_CONTROLLER_MANAGER", "kube-controller-manager (`make e2e-tools`)"),
		serviceMonitorCRD: testenv.Require(t, "SERVICEMONITOR_CRD", "the Prometheus Operator's ServiceMonitor CRD (`make tools`)"),
	}
}

// binaries are our programs, built for the runtime images and run
// locally.
type binaries struct {
	function, provider string
}

// publish builds the function and provider, their runtime images and
// all four packages (both flavours' Configurations), pushes them to reg
// and returns the binaries.
func publish(t *testing.T, cli, root, dir string, reg *packages.Registry) binaries {
	t.Helper()
	ctx := context.Background()
	start := time.Now()
	b := binaries{function: filepath.Join(dir, "function"), provider: filepath.Join(dir, "provider")}
	for _, p := range []struct {
		name, pkg, bin, repo, root string
	}{
		{functionName, "./function", b.function, packages.FunctionRepository, "package/function"},
		{providerName, "./provider", b.provider, packages.ProviderRepository, "package/provider"},
		{configurationName, "", "", packages.ConfigurationRepository, "package/configuration"},
		{claimsConfigurationName, "", "", packages.ClaimsConfigurationRepository, "package/configuration-claims"},
	} {
		tarball := ""
		if p.pkg != "" {
			if err := packages.StaticBinary(ctx, root, p.pkg, p.bin); err != nil {
				t.Fatal(err)
			}
			img, err := packages.RuntimeImage(p.bin, nil)
			if err != nil {
				t.Fatal(err)
			}
			tarball = filepath.Join(dir, p.name+"-runtime.tar")
			if err := packages.WriteRuntimeTarball(img, tarball); err != nil {
				t.Fatal(err)
			}
		}
		xpkg := filepath.Join(dir, p.name+".xpkg")
		if err := packages.Build(ctx, cli, filepath.Join(root, p.root), "", tarball, xpkg); err != nil {
			t.Fatal(err)
		}
		if _, err := reg.Push(xpkg, p.repo, version); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("e2e: built and pushed four packages in %s", time.Since(start).Round(time.Millisecond))
	return b
}

// install creates the Provider, Function and Configuration objects that
// `crossplane xpkg install` creates, for both flavours side by side, and
// returns them, for waitInstalled. The Configurations' dependency on the
// function names the public registry, so its resolution is skipped: the
// Function is installed first, from the same registry, under the name
// both Compositions use.
func install(t *testing.T, cp *controlplane.ControlPlane, reg *packages.Registry) []client.Object {
	t.Helper()
	ctx := context.Background()
	ref := func(repo string) string { return reg.Host() + "/" + repo + ":" + version }
	pull := corev1.PullIfNotPresent
	configuration := func(name, repo string) *pkgv1.Configuration {
		return &pkgv1.Configuration{
			ObjectMeta: metav1.ObjectMeta{Name: name},
			Spec: pkgv1.ConfigurationSpec{PackageSpec: pkgv1.PackageSpec{
				Package: ref(repo), PackagePullPolicy: &pull, SkipDependencyResolution: ptrTo(true),
			}},
		}
	}
	objs := []client.Object{
		&pkgv1.Provider{
			ObjectMeta: metav1.ObjectMeta{Name: providerName},
			Spec:       pkgv1.ProviderSpec{PackageSpec: pkgv1.PackageSpec{Package: ref(packages.ProviderRepository), PackagePullPolicy: &pull}},
		},
		&pkgv1.Function{
			ObjectMeta: metav1.ObjectMeta{Name: functionName},
			Spec:       pkgv1.FunctionSpec{PackageSpec: pkgv1.PackageSpec{Package: ref(packages.FunctionRepository), PackagePullPolicy: &pull}},
		},
		configuration(configurationName, packages.ConfigurationRepository),
		configuration(claimsConfigurationName, packages.ClaimsConfigurationRepository),
	}
	for _, o := range objs {
		if err := cp.Client.Create(ctx, o); err != nil {
			t.Fatalf("cannot create %s %s: %v", o.GetObjectKind().GroupVersionKind().Kind, o.GetName(), err)
		}
	}
	return objs
}

// waitInstalled waits until core reports every package installed and
// healthy.
func waitInstalled(t *testing.T, cp *controlplane.ControlPlane, objs []client.Object) {
	t.Helper()
	ctx := context.Background()
	start := time.Now()
	for _, o := range objs {
		if err := cp.Wait(2*time.Minute, o.GetName()+" is installed and healthy", func() error {
			if err := cp.Client.Get(ctx, client.ObjectKeyFromObject(o), o); err != nil {
				return err
			}
			return conditionsTrue(o.(interface {
				GetCondition(xpv2.ConditionType) xpv2.Condition
			}), pkgv1.TypeInstalled, pkgv1.TypeHealthy)
		}); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("e2e: packages installed and healthy in %s", time.Since(start).Round(time.Millisecond))
}

func ptrTo[T any](v T) *T { return &v }
