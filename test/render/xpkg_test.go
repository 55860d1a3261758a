package render

import (
	"os/exec"
	"path/filepath"
	"testing"
)

// TestPackagesBuild builds every package (the function, both configuration
// flavours and the provider) with the real CLI, which parses and lints every
// object in them: a Composition, XRD or crossplane.yaml the CLI refuses
// fails here.
func TestPackagesBuild(t *testing.T) {
	root := moduleRoot(t)
	crossplane := findCLI(t, root)
	empty := t.TempDir()
	for _, pkg := range []string{"function", "configuration", "configuration-claims", "provider"} {
		t.Run(pkg, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), pkg+".xpkg")
			cmd := exec.CommandContext(t.Context(), crossplane, "xpkg", "build",
				"--package-root="+filepath.Join(root, "package", pkg),
				"--examples-root="+empty,
				"--package-file="+out)
			if b, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("crossplane xpkg build of package/%s: %v\n%s", pkg, err, b)
			}
		})
	}
}
