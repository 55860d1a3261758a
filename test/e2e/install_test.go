package e2e

import (
	"context"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	pkgv1 "github.com/crossplane/crossplane/apis/v2/pkg/v1"

	"github.com/xp-aerospike/xp-aerospike/internal/xpkg"
	"github.com/xp-aerospike/xp-aerospike/test/aerospike"
	"github.com/xp-aerospike/xp-aerospike/test/e2e/controlplane"
	"github.com/xp-aerospike/xp-aerospike/test/e2e/packages"
	"github.com/xp-aerospike/xp-aerospike/test/testenv"
)

// Package names as `crossplane xpkg install` gives them by default; the
// Composition calls the function by its name, which core would give it as
// the Configuration's dependency too (the mirror has the same repository
// paths as the release's registry).
var functionName = xpkg.FunctionName(xpkg.DefaultRegistry)

const (
	providerName            = xpkg.ProviderPackage
	configurationName       = xpkg.ConfigurationPackage
	claimsConfigurationName = xpkg.ClaimsConfigurationPackage
)

// tools are the binaries `make e2e-tools` builds.
type tools struct {
	assets, core, crds, cli, controllerManager string
	// serviceMonitorCRD is the Prometheus Operator's ServiceMonitor CRD,
	// which the test installs while a monitored database runs.
	serviceMonitorCRD string
	// xpkgDir holds the packages `make xpkg` built, which the test
	// installs.
	xpkgDir string
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
		xpkgDir:           testenv.Require(t, "XPKG_DIR", "the folder of the packages `make xpkg` builds"),
	}
}

// published are the packages the test pushed, by name, and our programs
// as the packages ship them, for the machine's platform.
type published struct {
	refs               map[string]string
	function, provider string
}

// publish pushes the packages `make xpkg` built in dir to reg with the real
// CLI, as `make publish` pushes a release, checks that reg serves for this
// machine's platform exactly the package files of the release, and copies
// the function and provider binaries out of those files to run them.
func publish(t *testing.T, cli, dir, work string, reg *packages.Registry) published {
	t.Helper()
	ctx := context.Background()
	start := time.Now()
	m, err := xpkg.ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	// An empty Docker config: a developer's credential helpers have no
	// business with a loopback registry.
	env := []string{"DOCKER_CONFIG=" + t.TempDir(), "HOME=" + t.TempDir()}
	refs, err := m.Push(ctx, cli, dir, reg.Mirror(), env)
	if err != nil {
		t.Fatal(err)
	}
	p := published{refs: refs, function: filepath.Join(work, "function"), provider: filepath.Join(work, "provider")}
	for _, b := range []struct{ pkg, binary, dst string }{
		{xpkg.FunctionPackage, "function", p.function},
		{xpkg.ProviderPackage, "provider", p.provider},
	} {
		file := hostPackageFile(t, m, dir, b.pkg)
		ref, err := name.ParseReference(refs[b.pkg], name.StrictValidation)
		if err != nil {
			t.Fatal(err)
		}
		served, err := remote.Image(ref, remote.WithContext(ctx), remote.WithPlatform(v1.Platform{OS: "linux", Architecture: runtime.GOARCH}))
		if err != nil {
			t.Fatal(err)
		}
		local, err := tarball.ImageFromPath(file, nil)
		if err != nil {
			t.Fatal(err)
		}
		// A push annotates the layers, which changes the manifest; the
		// config, and with it every layer's digest, stays the file's.
		if s, l := configName(t, served), configName(t, local); s != l {
			t.Fatalf("%s serves config %s for linux/%s, but %s holds %s", ref, s, runtime.GOARCH, file, l)
		}
		if err := xpkg.ExtractBinary(file, b.binary, b.dst); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("e2e: pushed the %d packages of %s in %s", len(refs), m.Version, time.Since(start).Round(time.Millisecond))
	return p
}

// hostPackageFile returns the file of pkg for this machine's platform.
func hostPackageFile(t *testing.T, m *xpkg.Manifest, dir, pkg string) string {
	t.Helper()
	b, ok := m.Package(pkg)
	if !ok {
		t.Fatalf("the release in %s has no %s", dir, pkg)
	}
	for _, f := range b.Files {
		if f.Platform == "linux/"+runtime.GOARCH {
			return filepath.Join(dir, f.Path)
		}
	}
	t.Fatalf("the release in %s has no %s for linux/%s; build it with PLATFORMS including it", dir, pkg, runtime.GOARCH)
	return ""
}

func configName(t *testing.T, img v1.Image) v1.Hash {
	t.Helper()
	h, err := img.ConfigName()
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// install creates the Provider, Function and Configuration objects that
// `crossplane xpkg install` creates, for both flavours side by side, and
// returns them, for waitInstalled. The Configurations' dependency on the
// function names the public registry, so its resolution is skipped: the
// Function is installed first, from the same registry, under the name
// both Compositions use.
func install(t *testing.T, cp *controlplane.ControlPlane, refs map[string]string) []client.Object {
	t.Helper()
	ctx := context.Background()
	ref := func(pkg string) string { return refs[pkg] }
	pull := corev1.PullIfNotPresent
	configuration := func(name string) *pkgv1.Configuration {
		return &pkgv1.Configuration{
			ObjectMeta: metav1.ObjectMeta{Name: name},
			Spec: pkgv1.ConfigurationSpec{PackageSpec: pkgv1.PackageSpec{
				Package: ref(name), PackagePullPolicy: &pull, SkipDependencyResolution: ptrTo(true),
			}},
		}
	}
	objs := []client.Object{
		&pkgv1.Provider{
			ObjectMeta: metav1.ObjectMeta{Name: providerName},
			Spec:       pkgv1.ProviderSpec{PackageSpec: pkgv1.PackageSpec{Package: ref(providerName), PackagePullPolicy: &pull}},
		},
		&pkgv1.Function{
			ObjectMeta: metav1.ObjectMeta{Name: functionName},
			Spec:       pkgv1.FunctionSpec{PackageSpec: pkgv1.PackageSpec{Package: ref(xpkg.FunctionPackage), PackagePullPolicy: &pull}},
		},
		configuration(configurationName),
		configuration(claimsConfigurationName),
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
