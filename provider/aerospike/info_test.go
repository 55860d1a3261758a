package aerospike

import (
	"errors"
	"maps"
	"slices"
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

// TestSetOnNode: a setting refused until another is set goes through in a
// later round; one always refused comes back with the server's answer; a
// failure to ask is an error.
func TestSetOnNode(t *testing.T) {
	set := map[string]bool{}
	var sent []string
	info := func(_ string, commands ...string) (map[string]string, error) {
		c := commands[0]
		sent = append(sent, c)
		switch {
		case c == "ttl" && !set["nsup"]:
			return map[string]string{c: "ERROR:4:invalid set-config parameter"}, nil
		case c == "bad":
			return map[string]string{c: "ERROR:4:bad parameter"}, nil
		}
		set[c] = true
		return map[string]string{c: "ok"}, nil
	}
	refused, err := SetOnNode(info, "n1", []string{"ttl", "bad", "nsup"}, func(k string) string { return k })
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]string{"bad": "ERROR:4:bad parameter"}; !maps.Equal(refused, want) {
		t.Errorf("refused %v, want %v", refused, want)
	}
	if want := []string{"ttl", "bad", "nsup", "ttl", "bad", "bad"}; !slices.Equal(sent, want) {
		t.Errorf("sent %v, want %v: retried while a round made progress, in order", sent, want)
	}
	_, err = SetOnNode(func(string, ...string) (map[string]string, error) { return nil, errors.New("closed") }, "n1", []string{"a"}, func(k string) string { return k })
	if err == nil {
		t.Error("a failure to ask is not an error")
	}
}
