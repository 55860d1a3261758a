package asconfig

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMerge(t *testing.T) {
	type args struct {
		base, override Conf
	}
	type want struct {
		c Conf
	}
	cases := map[string]struct {
		reason string
		args   args
		want   want
	}{
		"MapsMergeDeep": {
			reason: "maps merge key by key; scalars are replaced; new sections are added",
			args: args{
				base:     Conf{"service": Conf{"cluster-name": "a", "proto-fd-max": int64(1)}},
				override: Conf{"service": Conf{"proto-fd-max": int64(2)}, "mod-lua": Conf{"user-path": "/u"}},
			},
			want: want{c: Conf{"service": Conf{"cluster-name": "a", "proto-fd-max": int64(2)}, "mod-lua": Conf{"user-path": "/u"}}},
		},
		"NamedListsMergeByName": {
			reason: "namespaces merge by name: base order first, each merged deeply, then new names in override's order",
			args: args{
				base: Conf{"namespaces": []any{
					Conf{"name": "a", "replication-factor": int64(2), "storage-engine": Conf{"type": "memory", "data-size": int64(1)}},
					Conf{"name": "b"},
				}},
				override: Conf{"namespaces": []any{
					Conf{"name": "d"},
					Conf{"name": "a", "storage-engine": Conf{"defrag-lwm-pct": int64(60)}},
					Conf{"name": "c"},
				}},
			},
			want: want{c: Conf{"namespaces": []any{
				Conf{"name": "a", "replication-factor": int64(2), "storage-engine": Conf{"type": "memory", "data-size": int64(1), "defrag-lwm-pct": int64(60)}},
				Conf{"name": "b"},
				Conf{"name": "d"},
				Conf{"name": "c"},
			}}},
		},
		"NestedNamedLists": {
			reason: "sets inside a namespace and namespaces inside an XDR dc merge by name too",
			args: args{
				base: Conf{
					"namespaces": []any{Conf{"name": "a", "sets": []any{Conf{"name": "s", "disable-eviction": true}}}},
					"xdr":        Conf{"dcs": []any{Conf{"name": "dc1", "namespaces": []any{Conf{"name": "a", "ship-bins": []any{"x"}}}}}},
				},
				override: Conf{
					"namespaces": []any{Conf{"name": "a", "sets": []any{Conf{"name": "s", "stop-writes-count": int64(5)}, Conf{"name": "t"}}}},
					"xdr":        Conf{"dcs": []any{Conf{"name": "dc1", "namespaces": []any{Conf{"name": "a", "ship-bins": []any{"y"}}}}}},
				},
			},
			want: want{c: Conf{
				"namespaces": []any{Conf{"name": "a", "sets": []any{Conf{"name": "s", "disable-eviction": true, "stop-writes-count": int64(5)}, Conf{"name": "t"}}}},
				"xdr":        Conf{"dcs": []any{Conf{"name": "dc1", "namespaces": []any{Conf{"name": "a", "ship-bins": []any{"y"}}}}}},
			}},
		},
		"LoggingMergesByName": {
			reason: "log sinks are named: a user can raise one context of the console sink",
			args: args{
				base:     Conf{"logging": []any{Conf{"name": "console", "any": "info"}}},
				override: Conf{"logging": []any{Conf{"name": "console", "hb": "debug"}, Conf{"name": "/var/log/a.log", "any": "warning"}}},
			},
			want: want{c: Conf{"logging": []any{Conf{"name": "console", "any": "info", "hb": "debug"}, Conf{"name": "/var/log/a.log", "any": "warning"}}}},
		},
		"PlainListsReplace": {
			reason: "a list of values is replaced, not appended to",
			args: args{
				base:     Conf{"network": Conf{"service": Conf{"addresses": []any{"any"}}}},
				override: Conf{"network": Conf{"service": Conf{"addresses": []any{"10.0.0.1", "10.0.0.2"}}}},
			},
			want: want{c: Conf{"network": Conf{"service": Conf{"addresses": []any{"10.0.0.1", "10.0.0.2"}}}}},
		},
		"EmptyPlainListReplaces": {
			reason: "an empty list of values replaces base's, unsetting it",
			args: args{
				base:     Conf{"network": Conf{"heartbeat": Conf{"mesh-seed-address-ports": []any{"a:3002"}}}},
				override: Conf{"network": Conf{"heartbeat": Conf{"mesh-seed-address-ports": []any{}}}},
			},
			want: want{c: Conf{"network": Conf{"heartbeat": Conf{"mesh-seed-address-ports": []any{}}}}},
		},
		"EmptyNamedListKeeps": {
			reason: "an empty override of a named list merges nothing, keeping base's entries",
			args: args{
				base:     Conf{"namespaces": []any{Conf{"name": "a"}}},
				override: Conf{"namespaces": []any{}},
			},
			want: want{c: Conf{"namespaces": []any{Conf{"name": "a"}}}},
		},
		"ListWithUnnamedReplaces": {
			reason: "a list that is not entirely named objects replaces base's",
			args: args{
				base:     Conf{"namespaces": []any{Conf{"name": "a"}}},
				override: Conf{"namespaces": []any{Conf{"replication-factor": int64(1)}}},
			},
			want: want{c: Conf{"namespaces": []any{Conf{"replication-factor": int64(1)}}}},
		},
		"ObjectReplacesScalar": {
			reason: "a value of another kind replaces base's",
			args: args{
				base:     Conf{"service": Conf{"x": "a", "y": Conf{"z": int64(1)}}},
				override: Conf{"service": Conf{"x": Conf{"k": "v"}, "y": "b"}},
			},
			want: want{c: Conf{"service": Conf{"x": Conf{"k": "v"}, "y": "b"}}},
		},
		"NullKeeps": {
			reason: "a null in override is unset, keeping base's value",
			args: args{
				base:     Conf{"service": Conf{"cluster-name": "a"}},
				override: Conf{"service": Conf{"cluster-name": nil}, "xdr": nil},
			},
			want: want{c: Conf{"service": Conf{"cluster-name": "a"}, "xdr": nil}},
		},
		"NilOverride": {
			reason: "no override returns a copy of base",
			args:   args{base: Conf{"service": Conf{"cluster-name": "a"}}},
			want:   want{c: Conf{"service": Conf{"cluster-name": "a"}}},
		},
		"NilBase": {
			reason: "no base returns a copy of override",
			args:   args{override: Conf{"service": Conf{"cluster-name": "a"}}},
			want:   want{c: Conf{"service": Conf{"cluster-name": "a"}}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			baseBefore, overBefore := deepCopy(tc.args.base), deepCopy(tc.args.override)
			got := Merge(tc.args.base, tc.args.override)
			if diff := cmp.Diff(tc.want.c, got); diff != "" {
				t.Errorf("%s: Merge(): -want +got:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(baseBefore, deepCopy(tc.args.base)); diff != "" {
				t.Errorf("%s: Merge() changed its base: -before +after:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(overBefore, deepCopy(tc.args.override)); diff != "" {
				t.Errorf("%s: Merge() changed its override: -before +after:\n%s", tc.reason, diff)
			}
		})
	}
}

// TestMergeDoesNotAlias checks the result shares nothing with its inputs: the
// function reuses one base configuration for every rack.
func TestMergeDoesNotAlias(t *testing.T) {
	base := Conf{"network": Conf{"heartbeat": Conf{"mode": "mesh", "addresses": []any{"a"}}}, "namespaces": []any{Conf{"name": "a"}}}
	over := Conf{"namespaces": []any{Conf{"name": "b"}}}
	got := Merge(base, over)
	got["network"].(Conf)["heartbeat"].(Conf)["mode"] = "changed"
	got["network"].(Conf)["heartbeat"].(Conf)["addresses"].([]any)[0] = "changed"
	got["namespaces"].([]any)[0].(Conf)["name"] = "changed"
	got["namespaces"].([]any)[1].(Conf)["name"] = "changed"
	want := Conf{"network": Conf{"heartbeat": Conf{"mode": "mesh", "addresses": []any{"a"}}}, "namespaces": []any{Conf{"name": "a"}}}
	if diff := cmp.Diff(want, base); diff != "" {
		t.Errorf("changing Merge's result changed its base: -want +got:\n%s", diff)
	}
	if diff := cmp.Diff(Conf{"namespaces": []any{Conf{"name": "b"}}}, over); diff != "" {
		t.Errorf("changing Merge's result changed its override: -want +got:\n%s", diff)
	}
}
