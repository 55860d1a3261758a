package packages

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"debug/elf"
	"io"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	"github.com/xp-aerospike/xp-aerospike/test/testenv"
)

// envCLI names the crossplane CLI; `make test` sets it.
const envCLI = "CROSSPLANE_CLI"

// cli returns the crossplane CLI named by $CROSSPLANE_CLI. Without it the
// test is skipped on a developer's machine but fails in CI, where a skip
// would hide that no package was built.
func cli(t *testing.T) string {
	t.Helper()
	p := testenv.Require(t, envCLI, "the crossplane CLI (`make tools` builds it into .cache/tools/crossplane)")
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("%s=%s: %v; `make tools` builds the crossplane CLI", envCLI, p, err)
	}
	return p
}

// repoRoot returns the module root, where package/ is: go test runs a
// test in its package's folder, test/e2e/packages.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", "..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("no module root at %s: %v", root, err)
	}
	return root
}

// tinyBinary compiles a small static program, named name, that prints its
// arguments. It stands in for the function and provider binaries, whose
// packages' runtime is never started here: what matters is that a real Go
// binary goes through the same image path in seconds.
func tinyBinary(t *testing.T, name string) string {
	t.Helper()
	dir := t.TempDir()
	for f, content := range map[string]string{
		"go.mod":  "module tiny\n\ngo 1.26\n",
		"main.go": "package main\n\nimport (\n\t\"fmt\"\n\t\"os\"\n)\n\nfunc main() { fmt.Println(os.Args) }\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(t.TempDir(), name)
	if err := StaticBinary(t.Context(), dir, ".", out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestRuntimeImage(t *testing.T) {
	bin := tinyBinary(t, "function")
	entrypoint := []string{BinaryPath(bin), "--insecure", "--debug"}

	img, err := RuntimeImage(bin, entrypoint)
	if err != nil {
		t.Fatal(err)
	}

	checkRuntimeConfig(t, img, entrypoint)

	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	if len(layers) != 1 {
		t.Fatalf("want one layer, got %d", len(layers))
	}
	files := layerFiles(t, layers[0])
	want, err := os.ReadFile(bin) //nolint:gosec // The test built it.
	if err != nil {
		t.Fatal(err)
	}
	got, ok := files["usr/local/bin/function"]
	if !ok {
		t.Fatalf("no usr/local/bin/function in the layer; it holds %v", slices.Sorted(maps.Keys(files)))
	}
	if !bytes.Equal(got.content, want) {
		t.Error("the layer's binary differs from the one built")
	}
	if got.mode != 0o755 {
		t.Errorf("binary mode: want 0755, got %o", got.mode)
	}

	// The same binary gives the same image, so that rebuilding a package
	// from an unchanged binary does not make core see a new revision.
	again, err := RuntimeImage(bin, entrypoint)
	if err != nil {
		t.Fatal(err)
	}
	if d1, d2 := digest(t, img), digest(t, again); d1 != d2 {
		t.Errorf("two builds of one binary differ: %s and %s", d1, d2)
	}

	// The default entrypoint is the binary alone.
	plain, err := RuntimeImage(bin, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkRuntimeConfig(t, plain, []string{"/usr/local/bin/function"})

	// The tarball is what the CLI reads: one image, no tag needed.
	tb := filepath.Join(t.TempDir(), "runtime.tar")
	if err := WriteRuntimeTarball(img, tb); err != nil {
		t.Fatal(err)
	}
	read, err := tarball.ImageFromPath(tb, nil)
	if err != nil {
		t.Fatal(err)
	}
	if d1, d2 := digest(t, img), digest(t, read); d1 != d2 {
		t.Errorf("the tarball holds %s, want %s", d2, d1)
	}
}

func TestRuntimeImageRefusesWhatCannotRun(t *testing.T) {
	notELF := filepath.Join(t.TempDir(), "script")
	if err := os.WriteFile(notELF, []byte("#!/bin/sh\necho hi\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := RuntimeImage(notELF, nil); err == nil {
		t.Error("RuntimeImage accepted a shell script")
	}

	dynamic := dynamicELF(t)
	if dynamic == "" {
		t.Log("no dynamically linked ELF binary on this machine to try")
		return
	}
	_, err := RuntimeImage(dynamic, nil)
	if err == nil || !strings.Contains(err.Error(), "dynamically linked") {
		t.Errorf("RuntimeImage(%s): want a dynamically linked error, got %v", dynamic, err)
	}
}

// dynamicELF returns a dynamically linked executable of the machine, or ""
// where there is none (a busybox image, say).
func dynamicELF(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"/bin/sh", "/usr/bin/env", "/bin/ls"} {
		f, err := elf.Open(p)
		if err != nil {
			continue
		}
		dyn := slices.ContainsFunc(f.Progs, func(p *elf.Prog) bool { return p.Type == elf.PT_INTERP })
		_ = f.Close()
		if dyn {
			return p
		}
	}
	return ""
}

// TestFunctionPackageThroughRegistry is the path an end-to-end install
// takes: the function's runtime image, the real CLI's package build, a push
// to a loopback registry, and a pull as core does it, by a reference parsed
// with no options, which must therefore resolve to plain HTTP.
func TestFunctionPackageThroughRegistry(t *testing.T) {
	crossplane := cli(t)
	root := repoRoot(t)
	work := t.TempDir()

	bin := tinyBinary(t, "function")
	entrypoint := []string{BinaryPath(bin), "--insecure"}
	img, err := RuntimeImage(bin, entrypoint)
	if err != nil {
		t.Fatal(err)
	}
	rt := filepath.Join(work, "runtime.tar")
	if err := WriteRuntimeTarball(img, rt); err != nil {
		t.Fatal(err)
	}

	xpkg := filepath.Join(work, "function.xpkg")
	start := time.Now()
	if err := Build(t.Context(), crossplane, filepath.Join(root, "package", "function"), "", rt, xpkg); err != nil {
		t.Fatal(err)
	}
	t.Logf("crossplane xpkg build: %v", time.Since(start).Round(time.Millisecond))

	reg, err := StartRegistry(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := reg.Close(); err != nil {
			t.Error(err)
		}
	})

	start = time.Now()
	ref, err := reg.Push(xpkg, FunctionRepository, "v0.1.0")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("push %s: %v", ref, time.Since(start).Round(time.Millisecond))
	if want := reg.Host() + "/" + FunctionRepository + ":v0.1.0"; ref != want {
		t.Errorf("Push returned %q, want %q", ref, want)
	}

	pulled := pull(t, ref)

	// The package layer, found as core finds it: by annotation.
	pkg := packageYAML(t, pulled)
	meta := readYAML(t, filepath.Join(root, "package", "function", "crossplane.yaml"))
	if kind(meta) != "Function" {
		t.Fatalf("package/function/crossplane.yaml is a %s, want a Function", kind(meta))
	}
	if got := pkg[0]; kind(got) != "Function" || objName(got) != objName(meta) {
		t.Errorf("package.yaml starts with %s %s, want Function %s", kind(got), objName(got), objName(meta))
	}
	if diff := cmp.Diff(objects(t, filepath.Join(root, "package", "function")), ids(pkg)); diff != "" {
		t.Errorf("package.yaml objects, -package/function +pushed:\n%s", diff)
	}

	// The runtime came through: the binary's layer as built, and its config.
	checkRuntimeConfig(t, pulled, entrypoint)
	rtLayers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	binDigest, err := rtLayers[0].Digest()
	if err != nil {
		t.Fatal(err)
	}
	m, err := pulled.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(m.Layers, func(d v1.Descriptor) bool { return d.Digest == binDigest }) {
		t.Errorf("the pulled package lacks the runtime layer %s", binDigest)
	}

	// Push does what the CLI's push does: the same package pushed by
	// `crossplane xpkg push` has the same digest.
	cliRef := reg.Host() + "/" + FunctionRepository + ":v0.1.0-cli"
	start = time.Now()
	push := exec.CommandContext(t.Context(), crossplane, "xpkg", "push", "--package-files="+xpkg, cliRef)
	// An empty Docker config: the CLI's keychain reads it, and a developer's
	// credential helpers have no business with a loopback registry.
	push.Env = append(os.Environ(), "DOCKER_CONFIG="+t.TempDir())
	if out, err := push.CombinedOutput(); err != nil {
		t.Fatalf("crossplane xpkg push: %v\n%s", err, out)
	}
	t.Logf("crossplane xpkg push: %v", time.Since(start).Round(time.Millisecond))
	if d1, d2 := digest(t, pulled), digest(t, pull(t, cliRef)); d1 != d2 {
		t.Errorf("Push gave %s, crossplane xpkg push gave %s", d1, d2)
	}
}

// TestEveryPackageBuilds builds and pushes all four packages as an
// end-to-end install needs them, and checks each comes back with its own
// metadata and every object of its folder.
func TestEveryPackageBuilds(t *testing.T) {
	crossplane := cli(t)
	root := repoRoot(t)
	work := t.TempDir()

	img, err := RuntimeImage(tinyBinary(t, "provider"), nil)
	if err != nil {
		t.Fatal(err)
	}
	rt := filepath.Join(work, "runtime.tar")
	if err := WriteRuntimeTarball(img, rt); err != nil {
		t.Fatal(err)
	}
	examples := t.TempDir()
	if err := os.WriteFile(filepath.Join(examples, "xr.yaml"), []byte(
		"apiVersion: aerospike.xp-aerospike.io/v1alpha1\nkind: AerospikeDatabase\nmetadata:\n  name: example\n  namespace: default\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	reg, err := StartRegistry(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = reg.Close() }()

	cases := map[string]struct {
		kind     string
		repo     string
		runtime  string
		examples string
	}{
		"function":             {kind: "Function", repo: FunctionRepository, runtime: rt},
		"provider":             {kind: "Provider", repo: ProviderRepository, runtime: rt},
		"configuration":        {kind: "Configuration", repo: ConfigurationRepository, examples: examples},
		"configuration-claims": {kind: "Configuration", repo: ClaimsConfigurationRepository},
	}
	for dir, tc := range cases {
		t.Run(dir, func(t *testing.T) {
			xpkg := filepath.Join(work, dir+".xpkg")
			if err := Build(t.Context(), crossplane, filepath.Join(root, "package", dir), tc.examples, tc.runtime, xpkg); err != nil {
				t.Fatal(err)
			}
			ref, err := reg.Push(xpkg, tc.repo, "v0.1.0")
			if err != nil {
				t.Fatal(err)
			}
			pulled := pull(t, ref)

			pkg := packageYAML(t, pulled)
			if kind(pkg[0]) != tc.kind {
				t.Errorf("package.yaml starts with a %s, want a %s", kind(pkg[0]), tc.kind)
			}
			if diff := cmp.Diff(objects(t, filepath.Join(root, "package", dir)), ids(pkg)); diff != "" {
				t.Errorf("package.yaml objects, -package/%s +pushed:\n%s", dir, diff)
			}

			m, err := pulled.Manifest()
			if err != nil {
				t.Fatal(err)
			}
			var annotations []string
			for _, l := range m.Layers {
				if a, ok := l.Annotations[AnnotationKey]; ok {
					annotations = append(annotations, a)
				}
			}
			want := []string{PackageAnnotation}
			if tc.examples != "" {
				want = append(want, ExamplesAnnotation)
			}
			if diff := cmp.Diff(want, annotations); diff != "" {
				t.Errorf("layer annotations: -want +got:\n%s", diff)
			}
			wantLayers := len(want)
			if tc.runtime != "" {
				wantLayers++
			}
			if len(m.Layers) != wantLayers {
				t.Errorf("want %d layers, got %d", wantLayers, len(m.Layers))
			}
		})
	}
}

func TestBuildReportsTheCLIsComplaint(t *testing.T) {
	crossplane := cli(t)
	pkg := t.TempDir()
	// A Function package may hold only CRDs; the CLI's linter refuses an
	// XRD in one. The error must carry what the CLI said.
	if err := os.WriteFile(filepath.Join(pkg, "crossplane.yaml"), []byte(
		"apiVersion: meta.pkg.crossplane.io/v1beta1\nkind: Function\nmetadata:\n  name: broken\n"+
			"---\napiVersion: apiextensions.crossplane.io/v2\nkind: CompositeResourceDefinition\n"+
			"metadata:\n  name: xthings.example.org\nspec:\n  group: example.org\n"+
			"  names: {kind: XThing, plural: xthings}\n  versions: []\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	err := Build(t.Context(), crossplane, pkg, "", "", filepath.Join(t.TempDir(), "broken.xpkg"))
	if err == nil {
		t.Fatal("Build accepted a Function package holding an XRD")
	}
	t.Logf("Build: %v", err)
	if !strings.Contains(err.Error(), "failed to lint package") {
		t.Errorf("want the CLI's lint error in %q", err)
	}
}

func TestRegistry(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	reg, err := StartRegistry(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(reg.Host(), "127.0.0.1:") || reg.Host() == "127.0.0.1:0" {
		t.Fatalf("Host() = %q, want 127.0.0.1 and a real port", reg.Host())
	}

	// A pushed runtime image tarball stands in for a package: Push needs
	// an image tarball, not a valid package.
	img, err := RuntimeImage(tinyBinary(t, "function"), nil)
	if err != nil {
		t.Fatal(err)
	}
	tb := filepath.Join(t.TempDir(), "image.tar")
	if err := WriteRuntimeTarball(img, tb); err != nil {
		t.Fatal(err)
	}
	if _, err := reg.Push(tb, "xp-aerospike/x", ""); err == nil {
		t.Error("Push accepted an empty tag, which core's strict parsing refuses")
	}
	ref, err := reg.Push(tb, "xp-aerospike/x", "v1.0.0")
	if err != nil {
		t.Fatal(err)
	}
	// Nothing was labelled for annotation, so nothing changed.
	if d1, d2 := digest(t, img), digest(t, pull(t, ref)); d1 != d2 {
		t.Errorf("pushed %s, pulled %s", d1, d2)
	}
	parsed, err := name.ParseReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	tags, err := remote.List(parsed.Context(), remote.WithContext(t.Context()))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"v1.0.0"}, tags); diff != "" {
		t.Errorf("tags, which core resolves versions from: -want +got:\n%s", diff)
	}

	// Ending the context stops the registry, and Close then reports
	// the same clean stop.
	cancel()
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get("http://" + reg.Host() + "/v2/") //nolint:noctx // A bounded probe loop.
		if err != nil {
			break
		}
		_ = resp.Body.Close()
		if time.Now().After(deadline) {
			t.Fatal("the registry still serves after its context ended")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := reg.Close(); err != nil {
		t.Errorf("Close after the context ended: %v", err)
	}
	if err := reg.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestPushDialsOnlyLoopback(t *testing.T) {
	// 192.0.2.0/24 is TEST-NET-1: the dial is refused before any packet.
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, "http://192.0.2.1/v2/", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := loopbackOnly.RoundTrip(req)
	if err == nil {
		_ = resp.Body.Close()
		t.Fatal("the push transport dialled a non-loopback address")
	}
	if !strings.Contains(err.Error(), "only loopback") {
		t.Errorf("want a refusal, got %v", err)
	}
}

// pull fetches ref as core's fetcher does: parsed with no options, pulled
// with go-containerregistry's default transport.
func pull(t *testing.T, ref string) v1.Image {
	t.Helper()
	r, err := name.ParseReference(ref, name.StrictValidation)
	if err != nil {
		t.Fatal(err)
	}
	if s := r.Context().Scheme(); s != "http" {
		t.Fatalf("%s resolves to %s; core would not reach a plain HTTP loopback registry", ref, s)
	}
	img, err := remote.Image(r, remote.WithContext(t.Context()))
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// packageYAML returns the objects of package.yaml in the one layer
// annotated io.crossplane.xpkg: base.
func packageYAML(t *testing.T, img v1.Image) []map[string]any {
	t.Helper()
	m, err := img.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	var base []v1.Descriptor
	for _, l := range m.Layers {
		if l.Annotations[AnnotationKey] == PackageAnnotation {
			base = append(base, l)
		}
	}
	if len(base) != 1 {
		t.Fatalf("want one layer annotated %s: %s, got %d", AnnotationKey, PackageAnnotation, len(base))
	}
	l, err := img.LayerByDigest(base[0].Digest)
	if err != nil {
		t.Fatal(err)
	}
	files := layerFiles(t, l)
	f, ok := files["package.yaml"]
	if !ok {
		t.Fatalf("the package layer holds %v, not package.yaml", slices.Sorted(maps.Keys(files)))
	}
	objs := decodeYAML(t, f.content)
	if len(objs) == 0 {
		t.Fatal("package.yaml is empty")
	}
	return objs
}

type file struct {
	content []byte
	mode    int64
}

// layerFiles returns the regular files of a layer by path.
func layerFiles(t *testing.T, l v1.Layer) map[string]file {
	t.Helper()
	rc, err := l.Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = rc.Close() }()
	files := map[string]file{}
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return files
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		files[h.Name] = file{content: b, mode: h.Mode}
	}
}

func decodeYAML(t *testing.T, b []byte) []map[string]any {
	t.Helper()
	var objs []map[string]any
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(b)))
	for {
		doc, err := r.Read()
		if err == io.EOF {
			return objs
		}
		if err != nil {
			t.Fatal(err)
		}
		var o map[string]any
		if err := yaml.Unmarshal(doc, &o); err != nil {
			t.Fatal(err)
		}
		if o != nil {
			objs = append(objs, o)
		}
	}
}

func readYAML(t *testing.T, path string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(path) //nolint:gosec // A file of the repository.
	if err != nil {
		t.Fatal(err)
	}
	objs := decodeYAML(t, b)
	if len(objs) != 1 {
		t.Fatalf("%s holds %d objects, want 1", path, len(objs))
	}
	return objs[0]
}

// objects returns kind/name of every object in the YAML files under dir,
// sorted, which is what the package built from dir must hold.
func objects(t *testing.T, dir string) []string {
	t.Helper()
	var all []map[string]any
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || (filepath.Ext(p) != ".yaml" && filepath.Ext(p) != ".yml") {
			return err
		}
		b, err := os.ReadFile(p) //nolint:gosec // A file of the repository.
		if err != nil {
			return err
		}
		all = append(all, decodeYAML(t, b)...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids(all)
}

func ids(objs []map[string]any) []string {
	out := make([]string, 0, len(objs))
	for _, o := range objs {
		out = append(out, kind(o)+"/"+objName(o))
	}
	slices.Sort(out)
	return out
}

func kind(o map[string]any) string {
	k, _ := o["kind"].(string)
	return k
}

func objName(o map[string]any) string {
	m, _ := o["metadata"].(map[string]any)
	n, _ := m["name"].(string)
	return n
}

// checkRuntimeConfig checks what RuntimeImage puts into img's config, and
// what the CLI's build must keep when it adds the package layers on top.
func checkRuntimeConfig(t *testing.T, img v1.Image, entrypoint []string) {
	t.Helper()
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(entrypoint, cf.Config.Entrypoint); diff != "" {
		t.Errorf("Entrypoint: -want +got:\n%s", diff)
	}
	if cf.Config.User != User {
		t.Errorf("User: want %q, got %q", User, cf.Config.User)
	}
	if cf.OS != "linux" || cf.Architecture != runtime.GOARCH {
		t.Errorf("platform: want linux/%s, got %s/%s", runtime.GOARCH, cf.OS, cf.Architecture)
	}
}

func digest(t *testing.T, img v1.Image) v1.Hash {
	t.Helper()
	d, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return d
}
