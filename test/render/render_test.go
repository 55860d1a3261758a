// Package render runs every example through the real function with the real
// `crossplane render` and compares the output with golden files.
//
// The function is built and served exactly as `make render` does; the CLI is
// the one `make tools` builds (CROSSPLANE_CLI). Run with -update to rewrite
// the golden files after an intended change, and review the diff.
package render

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// root is the module's root directory.
func root(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatalf("cannot find the module root: %v", err)
	}
	return filepath.Dir(strings.TrimSpace(string(out)))
}

// cli returns the crossplane CLI. Without one, the test skips on a user's
// machine, but fails under CI: a suite must never go green by skipping.
func cli(t *testing.T, root string) string {
	t.Helper()
	for _, p := range []string{os.Getenv("CROSSPLANE_CLI"), filepath.Join(root, ".cache", "tools", "crossplane")} {
		if p == "" {
			continue
		}
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("the crossplane CLI is missing: run `make tools` (or set CROSSPLANE_CLI)")
	}
	t.Skip("the crossplane CLI is missing: run `make tools` to build it, or `make test`, which does")
	return ""
}

// serve builds the function and serves it on a free loopback port until the
// test ends. It returns the address.
func serve(t *testing.T, root string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "function")
	build := exec.Command("go", "build", "-o", bin, "./function")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("cannot build the function: %v\n%s", err, out)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()

	ctx, cancel := context.WithCancel(context.Background())
	fn := exec.CommandContext(ctx, bin, "--insecure", "--metrics-address=", "--address="+addr)
	var stderr bytes.Buffer
	fn.Stderr = &stderr
	if err := fn.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		_ = fn.Wait()
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			_ = c.Close()
			return addr
		}
		if time.Now().After(deadline) {
			t.Fatalf("the function did not listen on %s within 30s: %v\n%s", addr, err, stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

type example struct {
	name, dir string
	observed  bool
}

func examples(t *testing.T, root string) []example {
	t.Helper()
	dirs, err := filepath.Glob(filepath.Join(root, "examples", "*", "xr.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) == 0 {
		t.Fatal("no examples found under examples/")
	}
	var out []example
	for _, xr := range dirs {
		dir := filepath.Dir(xr)
		name := filepath.Base(dir)
		out = append(out, example{name: name, dir: dir})
		if _, err := os.Stat(filepath.Join(dir, "observed.yaml")); err == nil {
			out = append(out, example{name: name + "-observed", dir: dir, observed: true})
		}
	}
	return out
}

var target = regexp.MustCompile(`(runtime-development-target: ).*`)

// render runs `crossplane render` on an example against the function at
// addr and returns its output.
func render(t *testing.T, root, crossplane, addr string, ex example) []byte {
	t.Helper()
	fns, err := os.ReadFile(filepath.Join(ex.dir, "functions.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	functions := filepath.Join(t.TempDir(), "functions.yaml")
	if err := os.WriteFile(functions, target.ReplaceAll(fns, []byte("${1}"+addr)), 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"render", filepath.Join(ex.dir, "xr.yaml"), filepath.Join(root, "package", "configuration", "composition.yaml"), functions, "--include-function-results"}
	if ex.observed {
		args = append(args, "--observed-resources="+filepath.Join(ex.dir, "observed.yaml"))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, crossplane, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("crossplane %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.Bytes()
}

// documents parses multi-document YAML and sorts the documents, so the
// comparison does not depend on the order the CLI prints them in.
func documents(t *testing.T, b []byte) []map[string]any {
	t.Helper()
	var docs []map[string]any
	for _, d := range regexp.MustCompile(`(?m)^---\s*$`).Split(string(b), -1) {
		if strings.TrimSpace(d) == "" {
			continue
		}
		m := map[string]any{}
		if err := yaml.Unmarshal([]byte(d), &m); err != nil {
			t.Fatalf("cannot parse rendered YAML: %v\n%s", err, d)
		}
		docs = append(docs, m)
	}
	sort.SliceStable(docs, func(i, j int) bool { return key(docs[i]) < key(docs[j]) })
	return docs
}

func key(m map[string]any) string {
	md, _ := m["metadata"].(map[string]any)
	ann, _ := md["annotations"].(map[string]any)
	return fmt.Sprint(m["apiVersion"], "/", m["kind"], "/", md["name"], "/", ann["crossplane.io/composition-resource-name"], "/", m["message"])
}

func marshal(t *testing.T, docs []map[string]any) []byte {
	t.Helper()
	var buf bytes.Buffer
	for _, d := range docs {
		b, err := yaml.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		buf.WriteString("---\n")
		buf.Write(b)
	}
	return buf.Bytes()
}

// TestRenderExamples renders every example and compares it with its golden
// file. Rendering twice must give byte-identical output.
func TestRenderExamples(t *testing.T) {
	root := root(t)
	crossplane := cli(t, root)
	addr := serve(t, root)
	if *update {
		// Observed states derive from a fresh render, so refresh them
		// before rendering with them.
		for _, ex := range examples(t, root) {
			if !ex.observed {
				writeObserved(t, ex.dir, documents(t, render(t, root, crossplane, addr, ex)))
			}
		}
	}
	for _, ex := range examples(t, root) {
		t.Run(ex.name, func(t *testing.T) {
			t.Parallel()
			out := render(t, root, crossplane, addr, ex)
			if again := render(t, root, crossplane, addr, ex); !bytes.Equal(out, again) {
				t.Errorf("two renders of %s differ", ex.name)
			}
			got := documents(t, out)
			golden := filepath.Join(root, "test", "render", "testdata", ex.name+".yaml")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, marshal(t, got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			b, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run the test with -update to write it)", err)
			}
			if diff := cmp.Diff(documents(t, b), got); diff != "" {
				t.Errorf("crossplane render %s: -golden +got:\n%s\nIf the change is intended, rerun with -update and review the diff.", ex.name, diff)
			}
		})
	}
}
