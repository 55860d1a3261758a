package packages

import (
	"archive/tar"
	"bytes"
	"context"
	"debug/elf"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// BinaryDir is the folder RuntimeImage puts the binary in.
const BinaryDir = "/usr/local/bin"

// User is the numeric user the runtime image runs as: the distroless
// "nonroot" user the Dockerfile uses, so the image built here runs with the
// same identity as the released one. It is numeric because an empty base has
// no /etc/passwd to look a name up in.
const User = "65532"

// epoch is the time stamped on every file and on the image, so that the
// same binary always gives the same image digest.
var epoch = time.Unix(0, 0).UTC()

// BinaryPath returns where RuntimeImage puts binary inside the image,
// which is what an entrypoint names.
func BinaryPath(binary string) string {
	return path.Join(BinaryDir, filepath.Base(binary))
}

// RuntimeImage returns an image of one layer holding binary at
// BinaryPath(binary), run as User with entrypoint, which defaults to
// []string{BinaryPath(binary)}. It is the image the Dockerfile builds, minus
// distroless' few files a static Go binary never reads, and it needs neither
// Docker nor a base image pull.
//
// binary must be a static Linux ELF executable (CGO_ENABLED=0): on an empty
// base there is no dynamic loader, so a dynamic binary would build a
// package whose runtime cannot start. The image's platform is read from
// the ELF header rather than assumed, so it always says what the binary is.
func RuntimeImage(binary string, entrypoint []string) (v1.Image, error) {
	arch, err := staticLinuxArch(binary)
	if err != nil {
		return nil, err
	}

	layer, err := binaryLayer(binary)
	if err != nil {
		return nil, err
	}

	img, err := mutate.Append(empty.Image, mutate.Addendum{
		Layer: layer,
		History: v1.History{
			Created:   v1.Time{Time: epoch},
			CreatedBy: "xp-aerospike test/e2e/packages.RuntimeImage",
		},
	})
	if err != nil {
		return nil, errors.Wrap(err, "cannot append the binary layer")
	}

	cf, err := img.ConfigFile()
	if err != nil {
		return nil, errors.Wrap(err, "cannot read the image config")
	}
	cf = cf.DeepCopy()
	cf.OS = "linux"
	cf.Architecture = arch
	cf.Created = v1.Time{Time: epoch}
	if len(entrypoint) == 0 {
		entrypoint = []string{BinaryPath(binary)}
	}
	cf.Config.Entrypoint = append([]string(nil), entrypoint...)
	cf.Config.User = User
	// distroless' PATH, so that anything reading $PATH sees what it would
	// in the released image.
	cf.Config.Env = []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}

	img, err = mutate.ConfigFile(img, cf)
	return img, errors.Wrap(err, "cannot set the image config")
}

// WriteRuntimeTarball writes img to file as an image tarball, the format
// `crossplane xpkg build --embed-runtime-image-tarball` reads. The tarball
// names no tag: the CLI reads the only image in it, and a tag would name a
// registry that nothing here should ever contact.
func WriteRuntimeTarball(img v1.Image, file string) error {
	return errors.Wrapf(tarball.WriteToFile(file, nil, img), "cannot write image tarball %s", file)
}

// StaticBinary compiles the Go package pkg (for example "./function") in
// dir into out as a static linux binary for the machine's architecture,
// the way the Makefile and Dockerfile build it (CGO_ENABLED=0, -trimpath),
// so that RuntimeImage accepts it.
func StaticBinary(ctx context.Context, dir, pkg, out string) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-o", out, pkg)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux")
	if b, err := cmd.CombinedOutput(); err != nil {
		return errors.Wrapf(err, "cannot build %s in %s: %s", pkg, dir, bytes.TrimSpace(b))
	}
	return nil
}

// elfArch maps ELF machines to the GOARCH names OCI platforms use.
var elfArch = map[elf.Machine]string{
	elf.EM_X86_64:  "amd64",
	elf.EM_AARCH64: "arm64",
	elf.EM_386:     "386",
	elf.EM_ARM:     "arm",
	elf.EM_PPC64:   "ppc64le",
	elf.EM_S390:    "s390x",
	elf.EM_RISCV:   "riscv64",
}

// staticLinuxArch returns the OCI architecture of binary, or an error when
// it is not an executable that can run on an empty base.
func staticLinuxArch(binary string) (string, error) {
	f, err := elf.Open(binary)
	if err != nil {
		return "", errors.Wrapf(err, "%s is not an ELF executable; build it with GOOS=linux", binary)
	}
	defer func() { _ = f.Close() }()

	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return "", errors.Errorf("%s is dynamically linked and cannot run on an empty base; build it with CGO_ENABLED=0", binary)
		}
	}
	arch, ok := elfArch[f.Machine]
	if !ok {
		return "", errors.Errorf("%s is for ELF machine %s, which has no OCI architecture here", binary, f.Machine)
	}
	return arch, nil
}

// binaryLayer returns a gzip layer holding binary at BinaryPath(binary),
// with its parent folders, owned by root and executable by everyone (the
// image runs as User, not root). The tar is built in memory, and the
// compressed form is cached, because the layer is read once for its digest
// and again for every write: compressing the 55-70 MB function or provider
// binary twice would double the cost of each image on a shared 2-core
// machine.
func binaryLayer(binary string) (v1.Layer, error) {
	f, err := os.Open(binary)
	if err != nil {
		return nil, errors.Wrap(err, "cannot open binary")
	}
	defer func() { _ = f.Close() }()
	fi, err := f.Stat()
	if err != nil {
		return nil, errors.Wrap(err, "cannot stat binary")
	}

	buf := new(bytes.Buffer)
	tw := tar.NewWriter(buf)
	dir := ""
	for _, d := range []string{"usr", "local", "bin"} {
		dir = path.Join(dir, d)
		if err := tw.WriteHeader(&tar.Header{
			Typeflag: tar.TypeDir,
			Name:     dir + "/",
			Mode:     0o755,
			ModTime:  epoch,
		}); err != nil {
			return nil, errors.Wrap(err, "cannot write layer folder")
		}
	}
	if err := tw.WriteHeader(&tar.Header{
		Typeflag: tar.TypeReg,
		Name:     BinaryPath(binary)[1:],
		Mode:     0o755,
		Size:     fi.Size(),
		ModTime:  epoch,
	}); err != nil {
		return nil, errors.Wrap(err, "cannot write layer file header")
	}
	if _, err := io.Copy(tw, f); err != nil {
		return nil, errors.Wrap(err, "cannot copy binary into layer")
	}
	if err := tw.Close(); err != nil {
		return nil, errors.Wrap(err, "cannot finish layer")
	}

	b := buf.Bytes()
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(b)), nil
	}, tarball.WithCompressedCaching)
	return l, errors.Wrap(err, "cannot make layer")
}
