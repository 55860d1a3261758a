package asconfig

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMerge(t *testing.T) {
	cases := map[string]struct {
		reason         string
		base, override Conf
		want           Conf
	}{
		"MapsMergeDeep": {
			reason:   "maps merge key by key; scalars are replaced",
			base:     Conf{"service": Conf{"cluster-name": "a", "proto-fd-max": int64(1)}},
			override: Conf{"service": Conf{"proto-fd-max": int64(2)}, "mod-lua": Conf{"x": "y"}},
			want:     Conf{"service": Conf{"cluster-name": "a", "proto-fd-max": int64(2)}, "mod-lua": Conf{"x": "y"}},
		},
		"NamedListsMergeByName": {
			reason: "namespaces merge by name, base order first, new names appended",
			base: Conf{"namespaces": []any{
				Conf{"name": "a", "replication-factor": int64(2), "storage-engine": Conf{"type": "memory", "data-size": int64(1)}},
				Conf{"name": "b"},
			}},
			override: Conf{"namespaces": []any{
				Conf{"name": "c"},
				Conf{"name": "a", "storage-engine": Conf{"defrag-lwm-pct": int64(60)}},
			}},
			want: Conf{"namespaces": []any{
				Conf{"name": "a", "replication-factor": int64(2), "storage-engine": Conf{"type": "memory", "data-size": int64(1), "defrag-lwm-pct": int64(60)}},
				Conf{"name": "b"},
				Conf{"name": "c"},
			}},
		},
		"PlainListsReplace": {
			reason:   "a list of values is replaced, not appended to",
			base:     Conf{"network": Conf{"service": Conf{"addresses": []any{"any"}}}},
			override: Conf{"network": Conf{"service": Conf{"addresses": []any{"10.0.0.1", "10.0.0.2"}}}},
			want:     Conf{"network": Conf{"service": Conf{"addresses": []any{"10.0.0.1", "10.0.0.2"}}}},
		},
		"NilOverride": {
			reason: "no override returns a copy of base",
			base:   Conf{"service": Conf{"cluster-name": "a"}},
			want:   Conf{"service": Conf{"cluster-name": "a"}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			baseBefore := Merge(tc.base, nil)
			got := Merge(tc.base, tc.override)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s: Merge(): -want +got:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(baseBefore, tc.base); diff != "" {
				t.Errorf("%s: Merge() changed its base: -before +after:\n%s", tc.reason, diff)
			}
		})
	}
}

// TestMergeDoesNotAlias checks the result shares nothing with its inputs: the
// function reuses one base configuration for every rack.
func TestMergeDoesNotAlias(t *testing.T) {
	base := Conf{"network": Conf{"heartbeat": Conf{"mode": "mesh"}}}
	over := Conf{"namespaces": []any{Conf{"name": "a"}}}
	got := Merge(base, over)
	got["network"].(Conf)["heartbeat"].(Conf)["mode"] = "changed"
	got["namespaces"].([]any)[0].(Conf)["name"] = "changed"
	if base["network"].(Conf)["heartbeat"].(Conf)["mode"] != "mesh" || over["namespaces"].([]any)[0].(Conf)["name"] != "a" {
		t.Error("changing Merge's result changed an input")
	}
}
