package aerospike

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// The environment variables that point the harness at servers.
const (
	// EnvASD names an asd binary to start, instead of those in
	// ../shared/aerospike.
	EnvASD = "AEROSPIKE_ASD"
	// EnvVersion states the version of the EnvASD binary, for a binary (or
	// a wrapper script) whose `--version` output the harness cannot parse.
	EnvVersion = "AEROSPIKE_VERSION"
	// EnvAddress is host:port of a server that is already running, such as
	// the official aerospike/aerospike-server image under Docker.
	EnvAddress = "AEROSPIKE_ADDRESS"
	// EnvCI is set to "true" by CI, where a test that cannot get a server
	// fails instead of skipping, so the suite never goes green untested.
	EnvCI = "CI"
)

// howToEnable ends every skip and CI failure, so that whoever reads it
// knows what to do without opening this package.
const howToEnable = "To run the real-server tests: set " + EnvASD + "=/path/to/asd " +
	"(its version from `asd --version`, or " + EnvVersion + "), or put asd-ce-<version> " +
	"binaries into ../shared/aerospike beside the repository, or run " +
	"`docker run -d -p 3000:3000 aerospike/aerospike-server` and set " + EnvAddress +
	"=127.0.0.1:3000 (tests that start, stop or kill their own nodes need a binary)."

// Binary is an asd executable the harness can start.
type Binary struct {
	// Path is the absolute path of the executable.
	Path string
	// Version is its build version, such as 8.1.2.0.
	Version string
}

// Env is what the environment offers the real-server tests.
type Env struct {
	// Binaries are the asd executables found, oldest version first.
	Binaries []Binary
	// Address is the host:port of a running server, or empty.
	Address string
	// CI is true under CI=true, where an unavailable server is a failure.
	CI bool
	// Why says, when Binaries is empty, where the harness looked; it is
	// part of the skip message.
	Why string
}

var lookupEnv = sync.OnceValue(func() Env {
	shared := ""
	if root, err := repoRoot(); err == nil {
		shared = filepath.Join(root, "..", "shared", "aerospike")
	}
	return loadEnv(os.Getenv, shared)
})

// LookupEnv returns what the process environment offers: the binary that
// AEROSPIKE_ASD names, else every asd-ce-<version> in ../shared/aerospike
// relative to the repository root; AEROSPIKE_ADDRESS; and CI. The result is
// computed once per test binary.
func LookupEnv() Env {
	return lookupEnv()
}

// loadEnv reads the environment through getenv and looks for shared
// binaries in sharedDir, so that tests can fake both.
func loadEnv(getenv func(string) string, sharedDir string) Env {
	e := Env{Address: strings.TrimSpace(getenv(EnvAddress)), CI: getenv(EnvCI) == "true"}
	if p := getenv(EnvASD); p != "" {
		b, err := explicitBinary(p, getenv(EnvVersion))
		if err != nil {
			e.Why = err.Error()
			return e
		}
		e.Binaries = []Binary{b}
		return e
	}
	if sharedDir == "" {
		e.Why = EnvASD + " is not set and the repository root (with ../shared/aerospike beside it) was not found"
		return e
	}
	e.Binaries = sharedBinaries(sharedDir)
	if len(e.Binaries) == 0 {
		e.Why = EnvASD + " is not set and " + filepath.Clean(sharedDir) + " holds no executable asd-ce-<version>"
	}
	return e
}

// explicitBinary resolves the binary AEROSPIKE_ASD names, and its version.
func explicitBinary(p, version string) (Binary, error) {
	path, err := exec.LookPath(p)
	if err != nil {
		return Binary{}, errors.Wrapf(err, "%s=%q is not an executable", EnvASD, p)
	}
	if path, err = filepath.Abs(path); err != nil {
		return Binary{}, errors.Wrapf(err, "cannot resolve %s=%q", EnvASD, p)
	}
	if version != "" {
		if _, ok := parseVersion(version); !ok {
			return Binary{}, errors.Errorf("%s=%q is not a version such as 8.1.2.0", EnvVersion, version)
		}
		return Binary{Path: path, Version: version}, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, path, "--version").CombinedOutput()
	if err != nil {
		return Binary{}, errors.Wrapf(err, "cannot run %s --version (set %s to skip it)", path, EnvVersion)
	}
	v, ok := versionFromOutput(string(out))
	if !ok {
		return Binary{}, errors.Errorf("cannot find a version in the output of %s --version (set %s): %q", path, EnvVersion, strings.TrimSpace(string(out)))
	}
	return Binary{Path: path, Version: v}, nil
}

// versionFromOutput finds the build version in `asd --version` output,
// "Aerospike Community Edition build 8.1.2.0".
func versionFromOutput(out string) (string, bool) {
	f := strings.Fields(out)
	for i := range f {
		if f[i] == "build" && i+1 < len(f) {
			if _, ok := parseVersion(f[i+1]); ok {
				return f[i+1], true
			}
		}
	}
	return "", false
}

// sharedBinaries lists dir's executables named asd-ce-<version>, oldest
// first. Their versions come from their names: starting each to ask would
// cost time on every test run for no gain.
func sharedBinaries(dir string) []Binary {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var bs []Binary
	for _, ent := range ents {
		v, ok := strings.CutPrefix(ent.Name(), "asd-ce-")
		if !ok {
			continue
		}
		if _, ok := parseVersion(v); !ok {
			continue
		}
		p, err := filepath.Abs(filepath.Join(dir, ent.Name()))
		if err != nil {
			continue
		}
		if fi, err := os.Stat(p); err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm()&0o111 == 0 {
			continue
		}
		bs = append(bs, Binary{Path: p, Version: v})
	}
	slices.SortFunc(bs, func(a, b Binary) int { return compareVersions(a.Version, b.Version) })
	return bs
}

// Binary returns the binary for version: an exact match, else the closest
// build of the same major.minor line, because a test that asks for 8.1.0.0
// tests what 8.1 accepts and any 8.1 build answers that. A version of only
// major.minor picks the newest build of that line, and "" the newest of
// all.
func (e Env) Binary(version string) (Binary, error) {
	if len(e.Binaries) == 0 {
		return Binary{}, errors.New("cannot find an asd binary: " + e.Why)
	}
	if version == "" {
		return e.Binaries[len(e.Binaries)-1], nil
	}
	want, ok := parseVersion(version)
	if !ok {
		return Binary{}, errors.Errorf("cannot parse Aerospike version %q", version)
	}
	var best *Binary
	bestDist := -1
	for i := range e.Binaries {
		b := &e.Binaries[i]
		have, _ := parseVersion(b.Version)
		if have[0] != want[0] || have[1] != want[1] {
			continue
		}
		if len(want) == 2 {
			best = b // Binaries are sorted: the last of the line is the newest.
			continue
		}
		// On a tie the newer build wins: Binaries are sorted.
		d := versionDistance(have, want)
		if best == nil || d <= bestDist {
			best, bestDist = b, d
		}
	}
	if best == nil {
		return Binary{}, errors.Errorf("cannot find an asd binary of version %s or of its %d.%d line; available: %s", version, want[0], want[1], strings.Join(e.versions(), ", "))
	}
	return *best, nil
}

// versions lists the available versions, for error messages.
func (e Env) versions() []string {
	vs := make([]string, len(e.Binaries))
	for i, b := range e.Binaries {
		vs[i] = b.Version
	}
	return vs
}

// unavailable ends t because the environment cannot give it what it needs:
// a skip on a developer's machine, a failure under CI. This is the one place
// that decides, so that no test can skip its way to a green CI run.
func (e Env) unavailable(t testing.TB, why string) {
	t.Helper()
	if e.CI {
		t.Fatalf("%s\n%s\n(%s=true: a real-server test that cannot run fails instead of skipping.)", why, howToEnable, EnvCI)
		return
	}
	t.Skipf("%s\n%s", why, howToEnable)
}

// Require returns the environment when it offers any server, binary or
// address; otherwise it skips t, or fails it under CI=true.
func Require(t testing.TB) Env {
	t.Helper()
	e := LookupEnv()
	if len(e.Binaries) == 0 && e.Address == "" {
		e.unavailable(t, "no Aerospike server: "+e.Why+", and "+EnvAddress+" is not set.")
	}
	return e
}

// RequireBinary returns the binary for version (see Env.Binary) when the
// environment has one; otherwise it skips t, or fails it under CI=true.
// Tests that need a particular version, such as a mixed-version cluster,
// call it first, so that a machine with one binary skips them with a reason.
func RequireBinary(t testing.TB, version string) Binary {
	t.Helper()
	e := LookupEnv()
	return e.requireBinary(t, version)
}

func (e Env) requireBinary(t testing.TB, version string) Binary {
	t.Helper()
	if len(e.Binaries) == 0 {
		why := "no asd binary to start: " + e.Why + "."
		if e.Address != "" {
			why = "this test starts, stops or kills its own nodes, and " + EnvAddress + "=" + e.Address +
				" names a running server only; " + e.Why + "."
		}
		e.unavailable(t, why)
		return Binary{}
	}
	b, err := e.Binary(version)
	if err != nil {
		e.unavailable(t, err.Error())
		return Binary{}
	}
	return b
}

// repoRoot finds the module root by walking up from the working directory
// (a test's is its package directory) to go.mod.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", errors.Wrap(err, "cannot get the working directory")
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("cannot find go.mod above the working directory")
		}
		dir = parent
	}
}

// parseVersion splits a version such as 8.1.2.0 (or a line such as 8.1)
// into its numbers. An image revision suffix, 8.1.2.0_1, is ignored: it
// repackages the same server build.
func parseVersion(v string) ([]int, bool) {
	v, _, _ = strings.Cut(v, "_")
	parts := strings.Split(v, ".")
	if len(parts) < 2 || len(parts) > 4 {
		return nil, false
	}
	n := make([]int, len(parts))
	for i, p := range parts {
		x, err := strconv.Atoi(p)
		if err != nil || x < 0 {
			return nil, false
		}
		n[i] = x
	}
	return n, true
}

// compareVersions orders two parseable versions numerically.
func compareVersions(a, b string) int {
	x, _ := parseVersion(a)
	y, _ := parseVersion(b)
	return slices.Compare(x, y)
}

// versionDistance weighs the first differing component most, so that
// 8.1.2.0 is closer to 8.1.2.5 than to 8.1.3.0.
func versionDistance(a, b []int) int {
	d := 0
	for i := 2; i < 4; i++ {
		var x, y int
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		d = d*10000 + min(abs(x-y), 9999)
	}
	return d
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
