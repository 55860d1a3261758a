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

func TestParseIndexes(t *testing.T) {
	got := ParseIndexes("ns=mem:indexname=idx_age:set=s1:bin=age:type=numeric:indextype=list:context=null:exp=null:state=RW;ns=mem:indexname=b:set=null:bin=name:type=string:indextype=default:context=null:exp=null:state=WO")
	want := map[string]IndexState{
		"idx_age": {Spec: IndexSpec{Namespace: "mem", Set: "s1", Name: "idx_age", Bin: "age", Type: "numeric", CollectionType: "list"}, Ready: true},
		"b":       {Spec: IndexSpec{Namespace: "mem", Name: "b", Bin: "name", Type: "string", CollectionType: "default"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ParseIndexes(): -want +got:\n%s", diff)
	}
	if len(ParseIndexes("")) != 0 {
		t.Error("an empty answer has no indexes")
	}
}
