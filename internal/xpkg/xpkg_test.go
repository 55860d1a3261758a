package xpkg

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"debug/elf"
	"errors"
	"io"
	"log"
	"maps"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"sigs.k8s.io/yaml"

	"github.com/xp-aerospike/xp-aerospike/test/testenv"
)

// cli returns the crossplane CLI that `make test` names in CROSSPLANE_CLI.
func cli(t *testing.T) string {
	t.Helper()
	p := testenv.Require(t, "CROSSPLANE_CLI", "the crossplane CLI (`make tools` builds it into .cache/tools/crossplane)")
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("CROSSPLANE_CLI=%s: %v; `make tools` builds the crossplane CLI", p, err)
	}
	return p
}

// repoRoot is the module root, two folders up from internal/xpkg.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// tinyModule writes a module whose commands function and provider print
// their arguments: stand-ins that cross-compile in seconds, so that a test
// runs a whole release for both platforms.
func tinyModule(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	main := "package main\n\nimport (\n\t\"fmt\"\n\t\"os\"\n)\n\nfunc main() { fmt.Println(os.Args) }\n"
	files := map[string]string{"go.mod": "module tiny\n\ngo 1.26\n", "function/main.go": main, "provider/main.go": main}
	for f, content := range files {
		p := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func tinyBinary(t *testing.T, pkg string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), pkg)
	if err := StaticBinary(t.Context(), tinyModule(t), "./"+pkg, "", out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestRuntimeImage(t *testing.T) {
	bin := tinyBinary(t, "function")
	o := ImageOptions{
		Entrypoint: []string{BinaryPath(bin), "--debug"},
		Ports:      []int{9443},
		Labels:     map[string]string{"org.opencontainers.image.version": "v1.2.3"},
	}
	img, err := RuntimeImage(bin, o)
	if err != nil {
		t.Fatal(err)
	}

	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	want := v1.Config{
		Entrypoint:   o.Entrypoint,
		User:         "65532:65532",
		WorkingDir:   "/home/nonroot",
		Env:          []string{envPath, "HOME=/home/nonroot"},
		ExposedPorts: map[string]struct{}{"9443/tcp": {}},
		Labels:       o.Labels,
	}
	if diff := cmp.Diff(want, cf.Config); diff != "" {
		t.Errorf("config: -want +got:\n%s", diff)
	}
	if cf.OS != "linux" || cf.Architecture != runtime.GOARCH {
		t.Errorf("platform: want linux/%s, got %s/%s", runtime.GOARCH, cf.OS, cf.Architecture)
	}

	files := imageFiles(t, img)
	binary, err := os.ReadFile(bin) // The test built it.
	if err != nil {
		t.Fatal(err)
	}
	if got := files["usr/local/bin/function"]; !bytes.Equal(got.content, binary) || got.mode != 0o755 {
		t.Errorf("usr/local/bin/function: mode %o, same bytes %t; want the built binary, 0755", got.mode, bytes.Equal(got.content, binary))
	}
	if got := string(files["etc/passwd"].content); !strings.Contains(got, "nonroot:x:65532:65532:") {
		t.Errorf("/etc/passwd names no nonroot user 65532:\n%s", got)
	}
	if home := files["home/nonroot/"]; home.uid != UserID || home.mode != 0o700 {
		t.Errorf("/home/nonroot: owner %d, mode %o; want %d, 0700", home.uid, home.mode, UserID)
	}
	if tmp := files["tmp/"]; tmp.mode != 0o1777 {
		t.Errorf("/tmp: mode %o, want 1777", tmp.mode)
	}
	noShell(t, files)

	// The same binary gives the same image, so that rebuilding a package
	// from an unchanged binary does not make core see a new revision.
	again, err := RuntimeImage(bin, o)
	if err != nil {
		t.Fatal(err)
	}
	if d1, d2 := digest(t, img), digest(t, again); d1 != d2 {
		t.Errorf("two builds of one binary differ: %s and %s", d1, d2)
	}

	// The default entrypoint is the binary alone.
	plain, err := RuntimeImage(bin, ImageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if cf, err := plain.ConfigFile(); err != nil || !slices.Equal(cf.Config.Entrypoint, []string{"/usr/local/bin/function"}) {
		t.Errorf("default entrypoint: %v (%v)", cf.Config.Entrypoint, err)
	}

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
	if _, err := RuntimeImage(notELF, ImageOptions{}); err == nil {
		t.Error("RuntimeImage accepted a shell script")
	}
	for _, p := range []string{"/bin/sh", "/usr/bin/env", "/bin/ls"} {
		f, err := elf.Open(p)
		if err != nil {
			continue
		}
		dynamic := slices.ContainsFunc(f.Progs, func(p *elf.Prog) bool { return p.Type == elf.PT_INTERP })
		_ = f.Close()
		if !dynamic {
			continue
		}
		if _, err := RuntimeImage(p, ImageOptions{}); err == nil || !strings.Contains(err.Error(), "dynamically linked") {
			t.Errorf("RuntimeImage(%s): want a dynamically linked error, got %v", p, err)
		}
		return
	}
	t.Log("no dynamically linked ELF binary on this machine to try")
}

func TestValidVersion(t *testing.T) {
	for v, ok := range map[string]bool{
		"v0.2.0": true, "v0.2.0-rc.1": true, "v0.1.0-3-g1a2b3c4": true, "v0.0.0-g1a2b3c4d5e6f-dirty": true,
		"0.2.0": false, "v0.2": false, "v0.2.0+build.1": false, "1a2b3c4": false, "": false,
	} {
		if err := ValidVersion(v); (err == nil) != ok {
			t.Errorf("ValidVersion(%q) = %v, want valid %t", v, err, ok)
		}
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
	if err == nil || !strings.Contains(err.Error(), "failed to lint package") {
		t.Errorf("Build of a Function package holding an XRD: want the CLI's lint error, got %v", err)
	}
}

// TestRelease runs a whole release, both platforms, of stand-in binaries
// with our package folders, and checks it as TestReleasedPackages checks
// the real one, including a push to a registry with the real CLI.
func TestRelease(t *testing.T) {
	crossplane := cli(t)
	root := tinyModule(t)
	if err := os.CopyFS(filepath.Join(root, "package"), os.DirFS(filepath.Join(repoRoot(t), "package"))); err != nil {
		t.Fatal(err)
	}
	r := Release{
		Root: root, CLI: crossplane, Version: "v1.2.3-rc.1", Revision: "0123456789abcdef0123456789abcdef01234567",
		Registry: "registry.example.org/platform/xp", Platforms: Platforms, Packages: Packages,
		Output: filepath.Join(t.TempDir(), "xpkg"), Logf: t.Logf,
	}
	m, err := r.Build(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	read, err := ReadManifest(r.Output)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(m, read); diff != "" {
		t.Errorf("the manifest written differs from the one returned: -returned +read:\n%s", diff)
	}
	checkRelease(t, crossplane, r.Output, read, r.Revision)

	if _, err := (Release{Version: "1.0"}).Build(t.Context()); err == nil || !strings.Contains(err.Error(), "set VERSION") {
		t.Errorf("a release of version 1.0: want an error naming VERSION, got %v", err)
	}
}

// TestReleasedPackages checks what `make xpkg` built, which the e2e then
// installs: `make test` names its folder in XPKG_DIR.
func TestReleasedPackages(t *testing.T) {
	crossplane := cli(t)
	dir := testenv.Require(t, "XPKG_DIR", "the folder `make xpkg` builds the packages into")
	m, err := ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	checkRelease(t, crossplane, dir, m, "")
	for _, b := range m.Packages {
		for _, f := range b.Files {
			if f.Runtime != nil {
				t.Logf("%s %s: runtime image %.1f MB compressed, %.1f MB unpacked", b.Name, f.Platform,
					float64(f.Runtime.Compressed)/1e6, float64(f.Runtime.Uncompressed)/1e6)
			}
		}
	}
}

// checkRelease checks every package file of the release m in dir: each
// runtime package once per platform, with a static binary of that
// platform, run as the non-root user, labelled with the release; each
// Configuration pinned to the release's function; and, pushed with the real
// CLI to a loopback registry, one index per runtime package whose metadata
// the CLI extracts as core would.
func checkRelease(t *testing.T, crossplane, dir string, m *Manifest, revision string) {
	t.Helper()
	if err := ValidVersion(m.Version); err != nil {
		t.Error(err)
	}
	if revision != "" && m.Revision != revision {
		t.Errorf("revision %q, want %q", m.Revision, revision)
	}
	names := make([]string, 0, len(m.Packages))
	for _, b := range m.Packages {
		names = append(names, b.Name)
	}
	if diff := cmp.Diff([]string{FunctionPackage, ProviderPackage, ConfigurationPackage, ClaimsConfigurationPackage}, names); diff != "" {
		t.Errorf("packages: -want +got:\n%s", diff)
	}

	for _, p := range Packages {
		b, _ := m.Package(p.Name)
		var platforms []string
		for _, f := range b.Files {
			platforms = append(platforms, f.Platform)
			img, err := tarball.ImageFromPath(filepath.Join(dir, f.Path), nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := digest(t, img).String(); got != f.Digest {
				t.Errorf("%s: digest %s, the manifest says %s", f.Path, got, f.Digest)
			}
			meta, stream := packageMeta(t, img)
			if meta.Metadata.Name != p.Name {
				t.Errorf("%s: package metadata names %q, want %q", f.Path, meta.Metadata.Name, p.Name)
			}
			if p.Main == "" {
				checkDependencies(t, f.Path, meta, m)
				checkFunctionRefs(t, f.Path, stream, m)
				continue
			}
			checkRuntime(t, dir, f, img, p, m)
		}
		want := []string{""}
		if p.Main != "" {
			want = Platforms
		}
		if diff := cmp.Diff(want, platforms); diff != "" {
			t.Errorf("%s platforms: -want +got:\n%s", p.Name, diff)
		}
	}

	checkPushed(t, crossplane, dir, m)
}

// checkPushed pushes the release m in dir as `make publish` pushes it, to a
// loopback registry standing in for the one the release names, and checks
// each package as the CLI, like core, fetches it.
func checkPushed(t *testing.T, crossplane, dir string, m *Manifest) {
	t.Helper()
	reg := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(reg.Close)
	host := strings.TrimPrefix(reg.URL, "http://")
	refs, err := m.Push(t.Context(), crossplane, dir, host+"/xp", []string{"DOCKER_CONFIG=" + t.TempDir(), "HOME=" + t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range Packages {
		ref, err := name.ParseReference(refs[p.Name], name.StrictValidation)
		if err != nil {
			t.Fatal(err)
		}
		desc, err := remote.Get(ref, remote.WithContext(t.Context()))
		if err != nil {
			t.Fatal(err)
		}
		if p.Main != "" {
			idx, err := desc.ImageIndex()
			if err != nil {
				t.Fatalf("%s: %v", ref, err)
			}
			im, err := idx.IndexManifest()
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, d := range im.Manifests {
				got = append(got, d.Platform.OS+"/"+d.Platform.Architecture)
			}
			if diff := cmp.Diff(Platforms, got); diff != "" {
				t.Errorf("%s index platforms: -want +got:\n%s", ref, diff)
			}
		}
		// The CLI fetches the package as core does, by its annotated
		// package layer (from an index, the default platform's image).
		out := filepath.Join(t.TempDir(), "package.gz")
		extract := exec.CommandContext(t.Context(), crossplane, "xpkg", "extract", ref.String(), "-o", out) // The CLI the test was given.
		extract.Env = []string{"DOCKER_CONFIG=" + t.TempDir(), "HOME=" + t.TempDir()}
		if b, err := extract.CombinedOutput(); err != nil {
			t.Fatalf("crossplane xpkg extract %s: %v\n%s", ref, err, b)
		}
		if meta := parseMeta(t, gunzip(t, out)); meta.Metadata.Name != p.Name {
			t.Errorf("%s extracted: metadata names %q, want %q", ref, meta.Metadata.Name, p.Name)
		}
	}
}

// checkRuntime checks the runtime f embeds.
func checkRuntime(t *testing.T, dir string, f File, img v1.Image, p Package, m *Manifest) {
	t.Helper()
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if got := cf.OS + "/" + cf.Architecture; got != f.Platform {
		t.Errorf("%s: image platform %s, want %s", f.Path, got, f.Platform)
	}
	if cf.Config.User != User {
		t.Errorf("%s: user %q, want %q", f.Path, cf.Config.User, User)
	}
	wantLabels := map[string]string{
		"org.opencontainers.image.source":   Source,
		"org.opencontainers.image.version":  m.Version,
		"org.opencontainers.image.revision": m.Revision,
	}
	for k, v := range wantLabels {
		if cf.Config.Labels[k] != v {
			t.Errorf("%s: label %s = %q, want %q", f.Path, k, cf.Config.Labels[k], v)
		}
	}
	if f.Runtime == nil || f.Runtime.Compressed <= 0 || f.Runtime.Uncompressed < f.Runtime.Compressed {
		t.Errorf("%s: runtime size %+v", f.Path, f.Runtime)
	}

	noShell(t, imageFiles(t, img))
	// The binary as a test runs it: out of the package file.
	bin := filepath.Join(t.TempDir(), p.Binary())
	if err := ExtractBinary(filepath.Join(dir, f.Path), p.Binary(), bin); err != nil {
		t.Fatal(err)
	}
	arch, err := staticLinuxArch(bin)
	if err != nil {
		t.Errorf("%s: %v", f.Path, err)
	}
	if "linux/"+arch != f.Platform {
		t.Errorf("%s: the binary is for linux/%s, the image says %s", f.Path, arch, f.Platform)
	}
}

// checkDependencies checks that a Configuration depends on this release's
// function, where the release is pushed.
func checkDependencies(t *testing.T, file string, meta pkgMeta, m *Manifest) {
	t.Helper()
	want := []dependency{{Package: m.Registry + "/" + FunctionPackage, Version: m.Version}}
	if diff := cmp.Diff(want, meta.Spec.DependsOn); diff != "" {
		t.Errorf("%s dependsOn: -want +got:\n%s", file, diff)
	}
}

type dependency struct {
	APIVersion string `json:"apiVersion,omitempty"`
	Kind       string `json:"kind,omitempty"`
	Package    string `json:"package"`
	Version    string `json:"version"`
}

type pkgMeta struct {
	Kind     string `json:"kind"`
	Metadata struct {
		Name string `json:"name"`
	} `json:"metadata"`
	Spec struct {
		DependsOn []dependency `json:"dependsOn"`
	} `json:"spec"`
}

// packageMeta returns the metadata object of the package.yaml in img's
// package layer.
func packageMeta(t *testing.T, img v1.Image) (pkgMeta, []byte) {
	t.Helper()
	files := imageFiles(t, img)
	f, ok := files["package.yaml"]
	if !ok {
		t.Fatalf("no package.yaml; the image holds %v", slices.Sorted(maps.Keys(files)))
	}
	return parseMeta(t, f.content), f.content
}

// checkFunctionRefs checks that every Composition in a Configuration's
// package.yaml stream calls the function by the name core gives it when it
// installs it as the Configuration's dependency.
func checkFunctionRefs(t *testing.T, file string, stream []byte, m *Manifest) {
	t.Helper()
	docs, err := documents(stream)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	compositions := 0
	for _, doc := range docs {
		kind, names := pipelineFunctions(t, doc)
		if kind != "Composition" {
			continue
		}
		compositions++
		for _, n := range names {
			if want := FunctionName(m.Registry); n != want {
				t.Errorf("%s: a Composition calls function %q; installed as the dependency it is %q", file, n, want)
			}
		}
	}
	if compositions == 0 {
		t.Errorf("%s holds no Composition", file)
	}
}

// pipelineFunctions returns an object's kind and, for a Composition, the
// name of the function each pipeline step calls.
func pipelineFunctions(t *testing.T, doc []byte) (string, []string) {
	t.Helper()
	var c struct {
		Kind string `json:"kind"`
		Spec struct {
			Pipeline []struct {
				FunctionRef struct {
					Name string `json:"name"`
				} `json:"functionRef"`
			} `json:"pipeline"`
		} `json:"spec"`
	}
	if err := yaml.Unmarshal(doc, &c); err != nil {
		t.Fatal(err)
	}
	names := make([]string, 0, len(c.Spec.Pipeline))
	for _, s := range c.Spec.Pipeline {
		names = append(names, s.FunctionRef.Name)
	}
	return c.Kind, names
}

func TestFunctionName(t *testing.T) {
	for registry, want := range map[string]string{
		DefaultRegistry:                    "xp-aerospike-function-aerospike",
		"ghcr.io/acme":                     "acme-function-aerospike",
		"registry.example.org/platform/xp": "platform-xp-function-aerospike",
		"127.0.0.1:5000/xp-aerospike":      "xp-aerospike-function-aerospike",
	} {
		if got := FunctionName(registry); got != want {
			t.Errorf("FunctionName(%q) = %q, want %q", registry, got, want)
		}
	}
}

// parseMeta returns the first object of a package.yaml stream, the
// package's metadata.
func parseMeta(t *testing.T, stream []byte) pkgMeta {
	t.Helper()
	first, _, _ := bytes.Cut(stream, []byte("\n---"))
	var m pkgMeta
	if err := yaml.Unmarshal(first, &m); err != nil {
		t.Fatalf("package metadata: %v", err)
	}
	for i := range m.Spec.DependsOn {
		m.Spec.DependsOn[i].APIVersion, m.Spec.DependsOn[i].Kind = "", ""
	}
	return m
}

func gunzip(t *testing.T, file string) []byte {
	t.Helper()
	f, err := os.Open(file) // The test's own file.
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type file struct {
	content  []byte
	mode     int64
	uid, gid int
}

// imageFiles returns the flattened file system of img, by path (folders
// end in /).
func imageFiles(t *testing.T, img v1.Image) map[string]file {
	t.Helper()
	rc := mutate.Extract(img)
	defer func() { _ = rc.Close() }()
	files := map[string]file{}
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return files
		}
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		p := strings.TrimPrefix(h.Name, "/")
		if h.Typeflag == tar.TypeDir && !strings.HasSuffix(p, "/") {
			p += "/"
		}
		files[p] = file{content: b, mode: h.Mode, uid: h.Uid, gid: h.Gid}
	}
}

// noShell fails t when the image has a shell or any program but ours.
func noShell(t *testing.T, files map[string]file) {
	t.Helper()
	for p, f := range files {
		if strings.HasSuffix(p, "/") || f.mode&0o111 == 0 {
			continue
		}
		if !strings.HasPrefix(p, "usr/local/bin/") {
			t.Errorf("the image holds the executable %s; only our binary belongs there", p)
		}
	}
	for _, sh := range []string{"bin/sh", "bin/bash", "usr/bin/sh"} {
		if _, ok := files[sh]; ok {
			t.Errorf("the image holds a shell, %s", sh)
		}
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

func TestRenameFunction(t *testing.T) {
	r := Release{Registry: "ghcr.io/acme"}
	composition := "apiVersion: apiextensions.crossplane.io/v1\nkind: \"Composition\"\nmetadata:\n  name: c\nspec:\n  mode: Pipeline\n  pipeline:\n" +
		"  - step: a\n    functionRef:\n      name: xp-aerospike-function-aerospike\n  - step: b\n    functionRef:\n      name: function-other\n"
	cases := map[string]struct {
		in        string
		wantNames []string
		same      bool
		wantErr   string
	}{
		"Composition":     {in: composition, wantNames: []string{"acme-function-aerospike", "function-other"}},
		"CRLF":            {in: strings.ReplaceAll(composition, "\n", "\r\n"), wantNames: []string{"acme-function-aerospike", "function-other"}},
		"OtherKind":       {in: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n", same: true},
		"NotAlone":        {in: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n---\n" + composition, wantErr: "document 2 is a Composition"},
		"NotYAML":         {in: "kind: [", wantErr: "cannot parse"},
		"DefaultRegistry": {in: composition, same: true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			rel := r
			if name == "DefaultRegistry" {
				rel.Registry = DefaultRegistry
			}
			out, err := rel.renameFunction([]byte(tc.in))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("want an error containing %q, got %v", tc.wantErr, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tc.same {
				if string(out) != tc.in {
					t.Errorf("changed what it must leave alone:\n%s", out)
				}
				return
			}
			_, got := pipelineFunctions(t, out)
			if diff := cmp.Diff(tc.wantNames, got); diff != "" {
				t.Errorf("function names: -want +got:\n%s", diff)
			}
		})
	}
}
