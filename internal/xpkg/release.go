package xpkg

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"golang.org/x/mod/semver"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// A Package is one package a release ships.
type Package struct {
	// Name is the package's name: its repository under the registry and
	// the start of its file names, such as function-aerospike.
	Name string
	// Dir is the package root, relative to the repository root, such as
	// package/function.
	Dir string
	// Main is the Go package of the runtime binary, relative to the
	// repository root, such as ./function; empty for a Configuration,
	// which has no runtime.
	Main string
	// Ports are the TCP ports the runtime listens on.
	Ports []int
}

// Binary returns the name of the package's runtime binary, the last
// element of Main.
func (p Package) Binary() string { return path.Base(p.Main) }

// The packages xp-aerospike releases. Each name is also the package's
// metadata name in its crossplane.yaml.
const (
	FunctionPackage            = "function-aerospike"
	ProviderPackage            = "provider-aerospike"
	ConfigurationPackage       = "configuration-aerospike"
	ClaimsConfigurationPackage = "configuration-aerospike-claims"
)

// Packages are what a release ships, the function's first: a
// Configuration depends on it.
var Packages = []Package{
	// 9443 is where Crossplane calls a function over gRPC.
	{Name: FunctionPackage, Dir: "package/function", Main: "./function", Ports: []int{9443}},
	{Name: ProviderPackage, Dir: "package/provider", Main: "./provider"},
	{Name: ConfigurationPackage, Dir: "package/configuration"},
	{Name: ClaimsConfigurationPackage, Dir: "package/configuration-claims"},
}

// Platforms are those a release builds runtimes for.
var Platforms = []string{"linux/amd64", "linux/arm64"}

// Source is the repository every image names as its source.
const Source = "https://github.com/xp-aerospike/xp-aerospike"

// DefaultRegistry is where the packages are published, and so where the
// crossplane.yaml files in package/ name the function.
const DefaultRegistry = "xpkg.crossplane.io/xp-aerospike"

// ManifestFile is the file, in a release's output folder, that lists what
// it built.
const ManifestFile = "packages.json"

// A Release builds every package of one version.
type Release struct {
	// Root is the repository root.
	Root string
	// CLI is the crossplane CLI that builds the packages.
	CLI string
	// Version is the packages' semantic version and tag, such as v0.2.0
	// or v0.1.0-3-g1a2b3c4.
	Version string
	// Revision is the commit the packages are built from.
	Revision string
	// Registry is where the packages are going to be pushed, such as
	// xpkg.crossplane.io/xp-aerospike: a Configuration's dependency names
	// the function there.
	Registry string
	// Platforms are the os/arch pairs of the runtimes.
	Platforms []string
	// Packages are the packages to build.
	Packages []Package
	// Output is the folder the package files and the manifest go to.
	Output string
	// Logf, when set, reports progress.
	Logf func(format string, args ...any)
}

// A Manifest lists what a release built, as ManifestFile in its output
// folder.
type Manifest struct {
	Version  string  `json:"version"`
	Revision string  `json:"revision"`
	Registry string  `json:"registry"`
	Packages []Built `json:"packages"`
}

// Built is one package's files: one per platform for a package with a
// runtime, one without a platform for a Configuration.
type Built struct {
	Name  string `json:"name"`
	Files []File `json:"files"`
}

// A File is one package file.
type File struct {
	// Platform is os/arch of the runtime it embeds, or empty.
	Platform string `json:"platform,omitempty"`
	// Path is the file's path relative to the manifest.
	Path string `json:"path"`
	// Digest is the package image's digest in the file, before a push
	// adds layer annotations.
	Digest string `json:"digest"`
	// Runtime is the size of the embedded runtime image, when there is one.
	Runtime *Size `json:"runtime,omitempty"`
}

// A Size is an image's size in bytes: its layers as a registry stores and
// sends them (compressed) and unpacked.
type Size struct {
	Compressed   int64 `json:"compressed"`
	Uncompressed int64 `json:"uncompressed"`
}

// ociTag is what an OCI tag may be.
var ociTag = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`)

// ValidVersion returns an error unless v can be both a package's tag and
// the version a Configuration's dependency asks for: a semantic version
// with a leading v and no build metadata, which a tag cannot hold.
func ValidVersion(v string) error {
	if !semver.IsValid(v) || semver.Canonical(v) != v || !ociTag.MatchString(v) {
		return errors.Errorf("version %q is not a semantic version such as v0.2.0 or v0.2.0-rc.1 (with a leading v and no +build): set VERSION", v)
	}
	return nil
}

// Build builds every package for every platform into r.Output and writes
// the manifest there, which it also returns.
func (r Release) Build(ctx context.Context) (*Manifest, error) {
	if err := ValidVersion(r.Version); err != nil {
		return nil, err
	}
	if _, err := name.NewRepository(r.Registry+"/"+FunctionPackage, name.StrictValidation); err != nil {
		return nil, errors.Wrapf(err, "registry %q cannot hold packages", r.Registry)
	}
	if err := os.MkdirAll(r.Output, 0o750); err != nil {
		return nil, errors.Wrap(err, "cannot make the output folder")
	}
	work, err := os.MkdirTemp("", "xpkg-release-")
	if err != nil {
		return nil, errors.Wrap(err, "cannot make a work folder")
	}
	defer func() { _ = os.RemoveAll(work) }()

	m := &Manifest{Version: r.Version, Revision: r.Revision, Registry: r.Registry}
	for _, p := range r.Packages {
		root, err := r.stage(p, filepath.Join(work, p.Name))
		if err != nil {
			return nil, err
		}
		b, err := r.buildPackage(ctx, p, root, work)
		if err != nil {
			return nil, err
		}
		m.Packages = append(m.Packages, b)
	}
	j, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, errors.Wrap(err, "cannot encode the manifest")
	}
	return m, errors.Wrap(os.WriteFile(filepath.Join(r.Output, ManifestFile), append(j, '\n'), 0o600), "cannot write the manifest")
}

// buildPackage builds p's package files from its staged root: one per
// platform for a package with a runtime, one for a Configuration.
func (r Release) buildPackage(ctx context.Context, p Package, root, work string) (Built, error) {
	b := Built{Name: p.Name}
	if p.Main == "" {
		f, err := r.build(ctx, root, "", "", p.Name+".xpkg")
		b.Files = append(b.Files, f)
		return b, err
	}
	for _, platform := range r.Platforms {
		f, err := r.buildRuntime(ctx, p, root, platform, work)
		if err != nil {
			return b, err
		}
		b.Files = append(b.Files, f)
	}
	return b, nil
}

// buildRuntime builds p's binary and runtime image for platform and the
// package file embedding it.
func (r Release) buildRuntime(ctx context.Context, p Package, root, platform, work string) (File, error) {
	goos, goarch, ok := strings.Cut(platform, "/")
	if !ok || goos != "linux" {
		return File{}, errors.Errorf("platform %q is not linux/ARCH", platform)
	}
	dir := filepath.Join(work, p.Name+"-"+goarch)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return File{}, errors.Wrap(err, "cannot make a work folder")
	}
	bin := filepath.Join(dir, p.Binary())
	r.logf("building %s for %s", p.Main, platform)
	if err := StaticBinary(ctx, r.Root, p.Main, goarch, bin); err != nil {
		return File{}, err
	}
	img, err := RuntimeImage(bin, ImageOptions{Ports: p.Ports, Labels: r.labels(p)})
	if err != nil {
		return File{}, err
	}
	size, err := imageSize(img)
	if err != nil {
		return File{}, err
	}
	tb := filepath.Join(dir, "runtime.tar")
	if err := WriteRuntimeTarball(img, tb); err != nil {
		return File{}, err
	}
	f, err := r.build(ctx, root, platform, tb, p.Name+"-"+goarch+".xpkg")
	f.Runtime = &size
	return f, err
}

// build runs the CLI's package build of root into the output file named
// file.
func (r Release) build(ctx context.Context, root, platform, runtimeTarball, file string) (File, error) {
	out := filepath.Join(r.Output, file)
	r.logf("crossplane xpkg build %s", file)
	if err := Build(ctx, r.CLI, root, "", runtimeTarball, out); err != nil {
		return File{}, err
	}
	d, err := FileDigest(out)
	return File{Platform: platform, Path: file, Digest: d.String()}, err
}

// labels are the OCI annotations of p's runtime image.
func (r Release) labels(p Package) map[string]string {
	return map[string]string{
		"org.opencontainers.image.source":   Source,
		"org.opencontainers.image.version":  r.Version,
		"org.opencontainers.image.revision": r.Revision,
		"org.opencontainers.image.title":    p.Name,
		"org.opencontainers.image.licenses": "Apache-2.0",
	}
}

// stage copies p's package root to dst, the copy the CLI builds from, with
// every dependency on a package of this release pinned to this release's
// version and registry: a Configuration built for v0.2.0 must resolve the
// function of v0.2.0, from where the release is pushed.
func (r Release) stage(p Package, dst string) (string, error) {
	src := filepath.Join(r.Root, p.Dir)
	err := filepath.WalkDir(src, func(file string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, file)
		if err != nil {
			return err
		}
		to := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(to, 0o750)
		}
		b, err := os.ReadFile(file) //nolint:gosec // A file of the repository's package folder.
		if err != nil {
			return err
		}
		switch {
		case rel == "crossplane.yaml":
			b, err = r.pinDependencies(b)
		case filepath.Ext(rel) == ".yaml":
			b, err = r.renameFunction(b)
		}
		if err != nil {
			return errors.Wrapf(err, "%s", file)
		}
		return os.WriteFile(to, b, 0o600) //nolint:gosec // to is under the staging folder this function made.
	})
	return dst, errors.Wrapf(err, "cannot stage package %s", p.Dir)
}

// pinDependencies returns the package metadata meta with each dependsOn
// entry naming a package of this release (by its last path element) set
// to r.Registry and exactly r.Version.
func (r Release) pinDependencies(meta []byte) ([]byte, error) {
	var m map[string]any
	if err := yaml.Unmarshal(meta, &m); err != nil {
		return nil, errors.Wrap(err, "cannot parse package metadata")
	}
	spec, _ := m["spec"].(map[string]any)
	deps, _ := spec["dependsOn"].([]any)
	if len(deps) == 0 {
		return meta, nil
	}
	ours := map[string]bool{}
	for _, p := range r.Packages {
		ours[p.Name] = true
	}
	for _, d := range deps {
		dep, _ := d.(map[string]any)
		pkg, _ := dep["package"].(string)
		if !ours[path.Base(pkg)] {
			continue
		}
		dep["package"] = r.Registry + "/" + path.Base(pkg)
		dep["version"] = r.Version
	}
	b, err := yaml.Marshal(m)
	return b, errors.Wrap(err, "cannot write package metadata")
}

// renameFunction returns obj, when it is a Composition whose pipeline
// calls the function by the name it has from DefaultRegistry, calling it by
// the name it has from r.Registry instead (see FunctionName). Any other
// object is returned as it is.
func (r Release) renameFunction(obj []byte) ([]byte, error) {
	from, to := FunctionName(DefaultRegistry), FunctionName(r.Registry)
	if from == to {
		return obj, nil
	}
	docs, err := documents(obj)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	for i, d := range docs {
		var o map[string]any
		if err := yaml.Unmarshal(d, &o); err != nil {
			return nil, errors.Wrap(err, "cannot parse a package object")
		}
		if o["kind"] != "Composition" {
			continue
		}
		if len(docs) > 1 {
			return nil, errors.Errorf("document %d is a Composition, which must be alone in its file", i+1)
		}
		m = o
	}
	if m == nil {
		return obj, nil
	}
	spec, _ := m["spec"].(map[string]any)
	steps, _ := spec["pipeline"].([]any)
	for _, s := range steps {
		step, _ := s.(map[string]any)
		ref, _ := step["functionRef"].(map[string]any)
		if ref["name"] == from {
			ref["name"] = to
		}
	}
	b, err := yaml.Marshal(m)
	return b, errors.Wrap(err, "cannot write the Composition")
}

// documents splits a YAML stream into its non-empty documents.
func documents(stream []byte) ([][]byte, error) {
	rd := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(stream)))
	var docs [][]byte
	for {
		d, err := rd.Read()
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, errors.Wrap(err, "cannot split the YAML stream")
		}
		if len(bytes.TrimSpace(d)) > 0 {
			docs = append(docs, d)
		}
	}
}

func (r Release) logf(format string, args ...any) {
	if r.Logf != nil {
		r.Logf(format, args...)
	}
}

// imageSize adds up img's layers.
func imageSize(img v1.Image) (Size, error) {
	layers, err := img.Layers()
	if err != nil {
		return Size{}, errors.Wrap(err, "cannot read image layers")
	}
	var s Size
	for _, l := range layers {
		c, err := l.Size()
		if err != nil {
			return Size{}, errors.Wrap(err, "cannot size a layer")
		}
		u, err := uncompressedSize(l)
		if err != nil {
			return Size{}, err
		}
		s.Compressed += c
		s.Uncompressed += u
	}
	return s, nil
}
