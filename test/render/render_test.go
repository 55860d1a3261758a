package render

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/xp-aerospike/xp-aerospike/test/testenv"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/, and the generated examples/*/observed.yaml, from the current render output")

// The tests render the repository's examples, each with the Composition
// under package/ that composes its XR's type (package/configuration's for an
// AerospikeDatabase, package/configuration-claims' for an
// XAerospikeDatabase). These variables point them elsewhere, which helps
// while developing the harness or a new example; relative paths are relative
// to the module root, and XPA_COMPOSITION names the one Composition every
// example then renders with.
const (
	envExamplesDir = "XPA_EXAMPLES_DIR"
	envComposition = "XPA_COMPOSITION"
	envGoldenDir   = "XPA_GOLDEN_DIR"

	// envCLI names the crossplane CLI; `make test` sets it.
	envCLI = "CROSSPLANE_CLI"
)

// How long to wait for the function to listen, and for one render. Both are
// generous: CI machines have two cores and run other test packages at once.
const (
	listenTimeout = 30 * time.Second
	renderTimeout = 2 * time.Minute
)

// renders is how often TestRenderDeterministic renders each example. Go
// randomises map iteration, so a function that leaks it into its output
// shows up within a few renders.
const renders = 5

// binDir holds the function binary, built once for all tests of a run.
var binDir string

func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp("", "xpa-render-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// TestRenderExamples renders every example, with and without its observed
// state, and compares the output with the golden files.
func TestRenderExamples(t *testing.T) {
	e := newEnv(t)
	goldenDir := e.path(envGoldenDir, filepath.Join("test", "render", "testdata"))
	if *update {
		// Observed states derive from a fresh render, so refresh them
		// before rendering with them.
		for _, ex := range e.examples {
			e.refreshObserved(t, ex)
		}
	}

	var want []string
	for _, ex := range e.examples {
		for _, r := range ex.runs() {
			want = append(want, r.name+".yaml")
			t.Run(r.name, func(t *testing.T) {
				t.Parallel()
				out := e.render(t, r)
				got, err := parseDocuments(out)
				if err != nil {
					t.Fatalf("cannot parse the output of crossplane render: %v\n%s", err, out)
				}
				sortDocuments(got)
				golden := filepath.Join(goldenDir, r.name+".yaml")
				if *update {
					writeGolden(t, golden, got)
					return
				}
				b, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("cannot read the golden file: %v\nrun `go test ./test/render -update` to write it", err)
				}
				wantDocs, err := parseDocuments(b)
				if err != nil {
					t.Fatalf("cannot parse the golden file %s: %v", golden, err)
				}
				// Sorted again, so that a hand-edited golden file need not
				// keep the order.
				sortDocuments(wantDocs)
				if diff := cmp.Diff(wantDocs, got); diff != "" {
					t.Errorf("crossplane render of %s differs from %s (-want +got):\n%s\nrun `go test ./test/render -update` if the change is intended",
						r.name, golden, diff)
				}
			})
		}
	}

	// A golden file whose example is gone would otherwise go stale unseen.
	t.Run("no stale golden files", func(t *testing.T) {
		have, err := filepath.Glob(filepath.Join(goldenDir, "*.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range have {
			if slices.Contains(want, filepath.Base(g)) {
				continue
			}
			if *update {
				if err := os.Remove(g); err != nil {
					t.Fatal(err)
				}
				continue
			}
			t.Errorf("golden file %s belongs to no example; run `go test ./test/render -update` to remove it", g)
		}
	})
}

// TestRenderDeterministic renders every example several times and requires
// the CLI's output to be byte-identical each time.
func TestRenderDeterministic(t *testing.T) {
	e := newEnv(t)
	e.eachRun(t, func(t *testing.T, r run) {
		first := e.render(t, r)
		for i := 1; i < renders; i++ {
			if out := e.render(t, r); !bytes.Equal(first, out) {
				t.Fatalf("render %d of %s differs from the first (-first +render %d):\n%s",
					i+1, r.name, i+1, cmp.Diff(string(first), string(out)))
			}
		}
	})
}

// env is what a test needs to render examples: the CLI, the examples, and a
// running function.
type env struct {
	root     string
	cli      string
	examples []example
	// functions maps an example's name to its functions.yaml, rewritten to
	// point at the running function.
	functions map[string]string
}

// eachRun runs f as a parallel subtest for every run of every example.
func (e *env) eachRun(t *testing.T, f func(t *testing.T, r run)) {
	t.Helper()
	for _, ex := range e.examples {
		for _, r := range ex.runs() {
			t.Run(r.name, func(t *testing.T) {
				t.Parallel()
				f(t, r)
			})
		}
	}
}

// example is one directory under the examples directory. An example may
// bring its own composition.yaml (the platform team's input differs from
// the package's defaults) and a required.yaml: the resources the function
// asks Crossplane for that the example's cluster has.
type example struct {
	name string
	dir  string
	// composition renders the example's XR.
	composition string
}

// run is one invocation of crossplane render.
type run struct {
	example  example
	name     string
	observed string
}

// runs of an example: without observed state, and with its observed.yaml
// when it has one.
func (ex example) runs() []run {
	rs := []run{{example: ex, name: ex.name}}
	if o := filepath.Join(ex.dir, "observed.yaml"); exists(o) {
		rs = append(rs, run{example: ex, name: ex.name + "-observed", observed: o})
	}
	return rs
}

// newEnv finds the examples and the CLI, and starts the function. The
// function is stopped when t ends.
func newEnv(t *testing.T) *env {
	t.Helper()
	root := moduleRoot(t)
	e := &env{root: root, functions: map[string]string{}}
	e.examples = findExamples(t, e.path(envExamplesDir, "examples"))
	e.pickCompositions(t)
	e.cli = findCLI(t, root)

	addr := serveFunction(t, buildFunction(t, root))
	tmp := t.TempDir()
	for _, ex := range e.examples {
		b, err := os.ReadFile(filepath.Join(ex.dir, "functions.yaml"))
		if err != nil {
			t.Fatalf("example %s: %v", ex.name, err)
		}
		b, err = setDevelopmentTarget(b, addr)
		if err != nil {
			t.Fatalf("example %s: functions.yaml: %v", ex.name, err)
		}
		f := filepath.Join(tmp, ex.name+"-functions.yaml")
		if err := os.WriteFile(f, b, 0o600); err != nil {
			t.Fatal(err)
		}
		e.functions[ex.name] = f
	}
	return e
}

// path returns the value of the environment variable name, or def, made
// absolute against the module root.
func (e *env) path(name, def string) string {
	p := os.Getenv(name)
	if p == "" {
		p = def
	}
	if !filepath.IsAbs(p) {
		p = filepath.Join(e.root, p)
	}
	return p
}

// render runs crossplane render once and returns its standard output.
func (e *env) render(t *testing.T, r run) []byte {
	t.Helper()
	args := []string{"render",
		filepath.Join(r.example.dir, "xr.yaml"), r.example.composition, e.functions[r.example.name],
		"--include-function-results",
	}
	if req := filepath.Join(r.example.dir, "required.yaml"); exists(req) {
		args = append(args, "--required-resources="+req)
	}
	if r.observed != "" {
		args = append(args, "--observed-resources="+r.observed)
	}
	ctx, cancel := context.WithTimeout(t.Context(), renderTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, e.cli, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\nstderr:\n%s", e.cli, strings.Join(args, " "), err, stderr.String())
	}
	return stdout.Bytes()
}

// refreshObserved rewrites an example's observed.yaml from a render without
// observed state, unless someone wrote it by hand for a scenario of its own.
func (e *env) refreshObserved(t *testing.T, ex example) {
	t.Helper()
	path := filepath.Join(ex.dir, "observed.yaml")
	if b, err := os.ReadFile(path); err == nil && !bytes.HasPrefix(b, []byte(observedHeader)) {
		t.Logf("leaving the hand-written %s alone", path)
		return
	}
	docs, err := parseDocuments(e.render(t, run{example: ex, name: ex.name}))
	if err != nil {
		t.Fatalf("cannot parse the output of crossplane render: %v", err)
	}
	sortDocuments(docs)
	writeObserved(t, path, docs)
}

// pickCompositions gives every example the Composition named by
// $XPA_COMPOSITION or, without it, its own composition.yaml, or else the
// one under package/ whose compositeTypeRef is the example XR's apiVersion
// and kind, as Crossplane would pick it.
func (e *env) pickCompositions(t *testing.T) {
	t.Helper()
	if os.Getenv(envComposition) != "" {
		for i := range e.examples {
			e.examples[i].composition = e.path(envComposition, "")
		}
		return
	}
	byType := map[string]string{}
	paths, err := filepath.Glob(filepath.Join(e.root, "package", "*", "composition.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range paths {
		ty := typeOf(readDocument(t, p), "spec", "compositeTypeRef")
		if other, ok := byType[ty]; ok {
			t.Fatalf("%s and %s both compose %s", other, p, ty)
		}
		byType[ty] = p
	}
	for i, ex := range e.examples {
		if own := filepath.Join(ex.dir, "composition.yaml"); exists(own) {
			e.examples[i].composition = own
			continue
		}
		xr := filepath.Join(ex.dir, "xr.yaml")
		ty := typeOf(readDocument(t, xr))
		p, ok := byType[ty]
		if !ok {
			t.Fatalf("%s is a %s, which no package/*/composition.yaml composes", xr, ty)
		}
		e.examples[i].composition = p
	}
}

// readDocument parses a file that holds one YAML document.
func readDocument(t *testing.T, path string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	docs, err := parseDocuments(b)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if len(docs) != 1 {
		t.Fatalf("%s holds %d YAML documents, want one", path, len(docs))
	}
	return docs[0]
}

// moduleRoot walks up from the package directory to the directory that
// holds go.mod.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if exists(filepath.Join(dir, "go.mod")) {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("cannot find go.mod above the test's directory")
		}
		dir = parent
	}
}

// findExamples returns every directory under dir, each of which must hold
// an xr.yaml and a functions.yaml.
func findExamples(t *testing.T, dir string) []example {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	var exs []example
	for _, en := range entries {
		if !en.IsDir() {
			continue
		}
		ex := example{name: en.Name(), dir: filepath.Join(dir, en.Name())}
		for _, f := range []string{"xr.yaml", "functions.yaml"} {
			if !exists(filepath.Join(ex.dir, f)) {
				t.Fatalf("example %s has no %s", ex.dir, f)
			}
		}
		exs = append(exs, ex)
	}
	if len(exs) == 0 {
		t.Fatalf("no examples found in %s", dir)
	}
	return exs
}

// findCLI returns the crossplane CLI named by $CROSSPLANE_CLI, or the one
// `make tools` caches. Without a CLI the test is skipped on a developer's
// machine but fails in CI, where a skip would hide that nothing was tested.
func findCLI(t *testing.T, root string) string {
	t.Helper()
	if p := os.Getenv(envCLI); p != "" {
		if !exists(p) {
			t.Fatalf("%s=%s does not exist; `make tools` builds the crossplane CLI", envCLI, p)
		}
		return p
	}
	p := filepath.Join(root, ".cache", "tools", "crossplane")
	if exists(p) {
		return p
	}
	msg := fmt.Sprintf("no crossplane CLI: set %s, or run `make tools` to build it into %s", envCLI, p)
	testenv.Unavailable(t, msg)
	return ""
}

var build struct {
	once sync.Once
	path string
	err  error
}

// buildFunction builds the function binary once per test run.
func buildFunction(t *testing.T, root string) string {
	t.Helper()
	build.once.Do(func() {
		build.path = filepath.Join(binDir, "function")
		cmd := exec.CommandContext(t.Context(), "go", "build", "-o", build.path, "./function")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			build.err = fmt.Errorf("cannot build the function: %w\n%s", err, out)
		}
	})
	if build.err != nil {
		t.Fatal(build.err)
	}
	return build.path
}

// serveFunction starts the function without TLS on a free loopback port and
// returns its address once it accepts connections. The function is killed
// when t ends; its logs are shown if t failed.
func serveFunction(t *testing.T, bin string) string {
	t.Helper()
	addr := freeAddress(t)
	var logs syncBuffer
	cmd := exec.CommandContext(context.Background(), bin, "--insecure", "--metrics-address=", "--address="+addr)
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("cannot start the function: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited //nolint:errcheck // Killed: the exit status says nothing.
		if l := logs.String(); t.Failed() && l != "" {
			t.Logf("function logs:\n%s", l)
		}
	})

	deadline := time.Now().Add(listenTimeout)
	for {
		c, err := (&net.Dialer{Timeout: time.Second}).DialContext(t.Context(), "tcp", addr)
		if err == nil {
			_ = c.Close()
			return addr
		}
		select {
		case err := <-exited:
			exited <- err // for the cleanup
			t.Fatalf("the function exited before it listened on %s: %v\n%s", addr, err, logs.String())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("the function did not listen on %s within %s: %v\n%s", addr, listenTimeout, err, logs.String())
		}
	}
}

// freeAddress returns a loopback address with a port nobody listens on. The
// port could be taken again before the function binds it; the function then
// exits and serveFunction says so.
func freeAddress(t *testing.T) string {
	t.Helper()
	l, err := (&net.ListenConfig{}).Listen(t.Context(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close() // Only the port matters.
	return l.Addr().String()
}

// writeGolden writes docs, sorted, to the golden file path.
func writeGolden(t *testing.T, path string, docs []map[string]any) {
	t.Helper()
	b, err := marshalDocuments("Generated by TestRenderExamples from `crossplane render`.\nRewrite with: go test ./test/render -update", docs)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil { // Golden files are committed source.
		t.Fatal(err)
	}
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// syncBuffer collects the function's output, which os/exec copies from
// another goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
