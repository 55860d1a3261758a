// Package fieldtest checks validation errors in tests: the count, and that
// each error's text starts as expected, so a test pins the field path and
// the start of the message without restating every word.
package fieldtest

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// HavePrefixes fails t unless errs holds exactly len(want) errors whose texts
// start with want's, in order.
func HavePrefixes(t testing.TB, reason string, errs field.ErrorList, want []string) {
	t.Helper()
	got := make([]string, 0, len(errs))
	for _, e := range errs {
		got = append(got, e.Error())
	}
	if len(got) != len(want) {
		t.Fatalf("%s: want %d errors, got %d:\n%s", reason, len(want), len(got), strings.Join(got, "\n"))
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("%s: error %d:\nwant prefix %q\ngot         %q", reason, i, want[i], got[i])
		}
	}
}
