package xpkg

import (
	"archive/tar"
	"bytes"
	"context"
	"debug/elf"
	"io"
	"maps"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// BinaryDir is the folder RuntimeImage puts the binary in.
const BinaryDir = "/usr/local/bin"

// The user and group the runtime image runs as: distroless' "nonroot",
// numeric so that the kubelet can check runAsNonRoot without reading
// /etc/passwd.
const (
	UserID  = 65532
	User    = "65532:65532"
	Home    = "/home/nonroot"
	envPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
)

// epoch is the time stamped on every file and on the image, so that the
// same binary always gives the same image digest.
var epoch = time.Unix(0, 0).UTC()

// BinaryPath returns where RuntimeImage puts binary inside the image,
// which is what an entrypoint names.
func BinaryPath(binary string) string {
	return path.Join(BinaryDir, filepath.Base(binary))
}

// ImageOptions are what a runtime image says about itself beyond its
// binary.
type ImageOptions struct {
	// Entrypoint defaults to []string{BinaryPath(binary)}.
	Entrypoint []string
	// Ports are the TCP ports the program listens on (the function's
	// gRPC port), recorded as the image's exposed ports.
	Ports []int
	// Labels go into the image config, such as the OCI annotations
	// org.opencontainers.image.source, .version and .revision.
	Labels map[string]string
}

// RuntimeImage returns a distroless-style image of binary: a base layer with
// the files a static program may look for (/etc/passwd and /etc/group naming
// root and nonroot, nonroot's home, a sticky /tmp) and a layer holding binary
// at BinaryPath(binary). It runs as User, has no shell and no package
// manager, and needs neither Docker nor a base image pull.
//
// binary must be a static Linux ELF executable (CGO_ENABLED=0): on this base
// there is no dynamic loader, so a dynamic binary would build a package
// whose runtime cannot start. The image's platform is read from the ELF
// header rather than assumed, so it always says what the binary is.
func RuntimeImage(binary string, o ImageOptions) (v1.Image, error) {
	arch, err := staticLinuxArch(binary)
	if err != nil {
		return nil, err
	}
	base, err := baseLayer()
	if err != nil {
		return nil, err
	}
	bin, err := binaryLayer(binary)
	if err != nil {
		return nil, err
	}

	img, err := mutate.Append(empty.Image,
		mutate.Addendum{Layer: base, History: v1.History{Created: v1.Time{Time: epoch}, CreatedBy: "xp-aerospike internal/xpkg: passwd, group, home, tmp"}},
		mutate.Addendum{Layer: bin, History: v1.History{Created: v1.Time{Time: epoch}, CreatedBy: "xp-aerospike internal/xpkg: " + BinaryPath(binary)}},
	)
	if err != nil {
		return nil, errors.Wrap(err, "cannot append the image layers")
	}

	cf, err := img.ConfigFile()
	if err != nil {
		return nil, errors.Wrap(err, "cannot read the image config")
	}
	cf = cf.DeepCopy()
	cf.OS = "linux"
	cf.Architecture = arch
	cf.Created = v1.Time{Time: epoch}
	cf.Config.Entrypoint = slices.Clone(o.Entrypoint)
	if len(cf.Config.Entrypoint) == 0 {
		cf.Config.Entrypoint = []string{BinaryPath(binary)}
	}
	cf.Config.User = User
	cf.Config.WorkingDir = Home
	cf.Config.Env = []string{envPath, "HOME=" + Home}
	if len(o.Ports) > 0 {
		cf.Config.ExposedPorts = map[string]struct{}{}
		for _, p := range o.Ports {
			cf.Config.ExposedPorts[strconv.Itoa(p)+"/tcp"] = struct{}{}
		}
	}
	cf.Config.Labels = maps.Clone(o.Labels)

	img, err = mutate.ConfigFile(img, cf)
	return img, errors.Wrap(err, "cannot set the image config")
}

// WriteRuntimeTarball writes img to file as an image tarball, the format
// `crossplane xpkg build --embed-runtime-image-tarball` reads. The tarball
// names no tag: the CLI reads the only image in it, and a tag would name a
// registry.
func WriteRuntimeTarball(img v1.Image, file string) error {
	return errors.Wrapf(tarball.WriteToFile(file, nil, img), "cannot write image tarball %s", file)
}

// StaticBinary compiles the Go package pkg (for example "./function") in
// dir into out as a static, stripped linux binary for goarch ("" for the
// machine's), the way the Dockerfile builds it (CGO_ENABLED=0, -trimpath,
// -s -w), so that RuntimeImage accepts it.
func StaticBinary(ctx context.Context, dir, pkg, goarch, out string) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-ldflags=-s -w", "-o", out, pkg) //nolint:gosec // The caller's own package and output file.
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux")
	if goarch != "" {
		cmd.Env = append(cmd.Env, "GOARCH="+goarch)
	}
	if b, err := cmd.CombinedOutput(); err != nil {
		return errors.Wrapf(err, "cannot build %s for linux/%s in %s: %s", pkg, goarch, dir, bytes.TrimSpace(b))
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

// An entry is one file or folder of a layer.
type entry struct {
	name     string
	mode     int64
	uid, gid int
	content  []byte
	dir      bool
}

// baseLayer holds what distroless' static image gives a program that never
// reads a certificate or a time zone: user and group names for the numeric
// user, a home it may write, and /tmp.
func baseLayer() (v1.Layer, error) {
	passwd := "root:x:0:0:root:/root:/sbin/nologin\n" +
		"nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n"
	group := "root:x:0:\nnonroot:x:65532:\n"
	return layer([]entry{
		{name: "etc", mode: 0o755, dir: true},
		{name: "etc/group", mode: 0o644, content: []byte(group)},
		{name: "etc/passwd", mode: 0o644, content: []byte(passwd)},
		{name: "home", mode: 0o755, dir: true},
		{name: "home/nonroot", mode: 0o700, uid: UserID, gid: UserID, dir: true},
		{name: "tmp", mode: 0o1777, dir: true},
	})
}

// binaryLayer holds binary at BinaryPath(binary), with its parent
// folders, owned by root and executable by everyone (the image runs as
// User, not root).
func binaryLayer(binary string) (v1.Layer, error) {
	b, err := os.ReadFile(binary) //nolint:gosec // The caller names the binary it built.
	if err != nil {
		return nil, errors.Wrap(err, "cannot read binary")
	}
	return layer([]entry{
		{name: "usr", mode: 0o755, dir: true},
		{name: "usr/local", mode: 0o755, dir: true},
		{name: "usr/local/bin", mode: 0o755, dir: true},
		{name: BinaryPath(binary)[1:], mode: 0o755, content: b},
	})
}

// layer returns a gzip layer of entries, in order, each stamped with
// epoch. The tar is built in memory and the compressed form is cached,
// because the layer is read once for its digest and again for every
// write: compressing a 40 MB binary twice would double the cost of each
// image on a 2-core machine.
func layer(entries []entry) (v1.Layer, error) {
	buf := new(bytes.Buffer)
	tw := tar.NewWriter(buf)
	for _, e := range entries {
		h := &tar.Header{
			Typeflag: tar.TypeReg, Name: e.name, Mode: e.mode, Size: int64(len(e.content)),
			Uid: e.uid, Gid: e.gid, ModTime: epoch, Format: tar.FormatPAX,
		}
		if e.dir {
			h.Typeflag, h.Name, h.Size = tar.TypeDir, e.name+"/", 0
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, errors.Wrapf(err, "cannot write layer entry %s", e.name)
		}
		if _, err := tw.Write(e.content); err != nil {
			return nil, errors.Wrapf(err, "cannot write layer file %s", e.name)
		}
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
