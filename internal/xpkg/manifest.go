package xpkg

import (
	"archive/tar"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// ReadManifest reads the manifest a release wrote into dir.
func ReadManifest(dir string) (*Manifest, error) {
	b, err := os.ReadFile(filepath.Join(dir, ManifestFile)) //nolint:gosec // The caller names its release folder.
	if err != nil {
		return nil, errors.Wrapf(err, "cannot read the release manifest; `make xpkg` writes it")
	}
	m := &Manifest{}
	if err := json.Unmarshal(b, m); err != nil {
		return nil, errors.Wrapf(err, "cannot parse %s", filepath.Join(dir, ManifestFile))
	}
	return m, nil
}

// Package returns the built package called name.
func (m *Manifest) Package(name string) (Built, bool) {
	for _, b := range m.Packages {
		if b.Name == name {
			return b, true
		}
	}
	return Built{}, false
}

// Ref returns where pkg goes in registry: REGISTRY/NAME:VERSION.
func (m *Manifest) Ref(registry, pkg string) string {
	return registry + "/" + pkg + ":" + m.Version
}

// Push pushes every package of the release in dir to registry with the
// real CLI (see Push) and returns each package's reference by name.
// Publishing pushes to the registry the release was built for, m.Registry;
// a test may push to a loopback registry that mirrors it.
func (m *Manifest) Push(ctx context.Context, cli, dir, registry string, env []string) (map[string]string, error) {
	refs := map[string]string{}
	for _, b := range m.Packages {
		files := make([]string, 0, len(b.Files))
		for _, f := range b.Files {
			files = append(files, filepath.Join(dir, f.Path))
		}
		ref := m.Ref(registry, b.Name)
		if err := Push(ctx, cli, ref, env, files...); err != nil {
			return nil, err
		}
		refs[b.Name] = ref
	}
	return refs, nil
}

// FileDigest returns the digest of the package image in the package file.
func FileDigest(file string) (v1.Hash, error) {
	img, err := tarball.ImageFromPath(file, nil)
	if err != nil {
		return v1.Hash{}, errors.Wrapf(err, "cannot read package file %s", file)
	}
	d, err := img.Digest()
	return d, errors.Wrapf(err, "cannot digest package file %s", file)
}

// ExtractBinary copies the runtime binary called binary out of the package
// file to dst, executable, so that a test runs exactly what the package
// ships.
func ExtractBinary(file, binary, dst string) error {
	img, err := tarball.ImageFromPath(file, nil)
	if err != nil {
		return errors.Wrapf(err, "cannot read package file %s", file)
	}
	rc := mutate.Extract(img)
	defer func() { _ = rc.Close() }()
	want := BinaryPath(binary)[1:]
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return errors.Errorf("package file %s holds no %s", file, BinaryPath(binary))
		}
		if err != nil {
			return errors.Wrapf(err, "cannot read package file %s", file)
		}
		if h.Name != want || h.Typeflag != tar.TypeReg {
			continue
		}
		out, err := os.OpenFile(dst, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o755) //nolint:gosec // An executable, on purpose.
		if err != nil {
			return errors.Wrap(err, "cannot create the binary")
		}
		if _, err := io.Copy(out, tr); err != nil { //nolint:gosec // Our own package's binary, of known size.
			_ = out.Close()
			return errors.Wrap(err, "cannot copy the binary")
		}
		return errors.Wrap(out.Close(), "cannot write the binary")
	}
}

// uncompressedSize counts the bytes of l unpacked.
func uncompressedSize(l v1.Layer) (int64, error) {
	rc, err := l.Uncompressed()
	if err != nil {
		return 0, errors.Wrap(err, "cannot unpack a layer")
	}
	defer func() { _ = rc.Close() }()
	n, err := io.Copy(io.Discard, rc)
	return n, errors.Wrap(err, "cannot unpack a layer")
}
