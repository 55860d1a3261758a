// Package testenv decides what a test does when a tool or server it needs
// is missing: it skips on a developer's machine, and fails under CI=true,
// so that no CI run goes green by skipping.
package testenv

import (
	"os"
	"testing"
)

// EnvCI is set to "true" by CI.
const EnvCI = "CI"

// CI reports whether the tests run under CI.
func CI() bool { return os.Getenv(EnvCI) == "true" }

// Unavailable skips t saying why, or fails it under CI=true.
func Unavailable(t testing.TB, why string) {
	t.Helper()
	if CI() {
		t.Fatalf("%s\n(%s=true: a test that cannot run fails instead of skipping.)", why, EnvCI)
	}
	t.Skip(why)
}

// Require returns the environment variable name, which names what, or
// calls Unavailable when it is unset. `make test` sets every such
// variable.
func Require(t testing.TB, name, what string) string {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		Unavailable(t, name+" is not set: it names "+what+"; `make test` sets it.")
	}
	return v
}
