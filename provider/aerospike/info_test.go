package aerospike

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseStats(t *testing.T) {
	got := ParseStats("cluster_size=3;cluster_key=AB;odd;=x;empty=")
	want := map[string]string{"cluster_size": "3", "cluster_key": "AB", "empty": ""}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ParseStats(): -want +got:\n%s", diff)
	}
	if diff := cmp.Diff([]string{"a", "b"}, ParseList("a;b")); diff != "" {
		t.Errorf("ParseList(): %s", diff)
	}
	if ParseList("") != nil {
		t.Error("ParseList(\"\") must be empty")
	}
}
