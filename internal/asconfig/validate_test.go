package asconfig

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/xp-aerospike/xp-aerospike/internal/fieldtest"
)

// minimal returns a valid Community Edition configuration for cases to
// change.
func minimal() Conf {
	return Conf{
		"service": Conf{"cluster-name": "c"},
		"network": Conf{
			"service":   Conf{"port": int64(3000)},
			"fabric":    Conf{"port": int64(3001)},
			"heartbeat": Conf{"mode": "mesh", "port": int64(3002), "mesh-seed-address-ports": []any{"10.0.0.1:3002"}},
		},
		"namespaces": []any{Conf{
			"name":               "orders",
			"replication-factor": int64(2),
			"storage-engine":     Conf{"type": "memory", "data-size": int64(1 << 30)},
		}},
	}
}

// ns returns the first namespace of c.
func ns(c Conf) Conf { return c["namespaces"].([]any)[0].(Conf) }

func storage(c Conf) Conf { return ns(c)["storage-engine"].(Conf) }

func TestValidate(t *testing.T) {
	type args struct {
		version    string // default 8.1.2.0
		enterprise bool
		edit       func(c Conf)
	}
	type want struct {
		errs []string // each error's text, or its start
	}
	cases := map[string]struct {
		reason string
		args   args
		want   want
	}{
		"ValidCommunity": {
			reason: "a minimal configuration is valid on Community Edition",
			args:   args{edit: func(Conf) {}},
		},
		"ValidEnterprise": {
			reason: "the same configuration is valid on Enterprise Edition",
			args:   args{enterprise: true, edit: func(Conf) {}},
		},
		"ValidEveryLine": {
			reason: "the minimal configuration is valid for the oldest line too",
			args:   args{version: "7.0.0.0", edit: func(c Conf) { storage(c)["data-size"] = int64(4 << 30) }},
		},
		"EnterpriseAccepted": {
			reason: "Enterprise Edition accepts Enterprise-only settings and sections",
			args: args{enterprise: true, edit: func(c Conf) {
				ns(c)["rack-id"] = int64(3)
				ns(c)["index-type"] = Conf{"type": "shmem"}
				ns(c)["storage-engine"] = Conf{"type": "device", "devices": []any{"/dev/a"}, "compression": "zstd"}
				c["security"] = Conf{"log": Conf{"report-data-op": []any{"orders:archive"}}}
				c["xdr"] = Conf{"dcs": []any{Conf{"name": "dc1", "node-address-ports": []any{"10.0.0.9:3000"}, "namespaces": []any{Conf{"name": "orders"}}}}}
			}},
		},
		"EnterpriseRefused": {
			reason: "Community Edition refuses Enterprise-only settings and whole sections, saying what to do",
			args: args{edit: func(c Conf) {
				ns(c)["rack-id"] = int64(1)
				c["security"] = Conf{}
				c["xdr"] = Conf{"dcs": []any{}}
			}},
			want: want{errs: []string{
				"x.namespaces[orders].rack-id: Forbidden: is Enterprise-only: Community Edition refuses it at start-up; remove it, or use edition enterprise",
				"x.security: Forbidden: is Enterprise-only",
				"x.xdr: Forbidden: is Enterprise-only",
			}},
		},
		"EnterpriseInBranch": {
			reason: "an Enterprise-only setting of one storage-engine type is refused at its path",
			args: args{edit: func(c Conf) {
				ns(c)["storage-engine"] = Conf{"type": "device", "files": []any{"/data/a.dat"}, "filesize": int64(1 << 30), "compression": "zstd"}
			}},
			want: want{errs: []string{"x.namespaces[orders].storage-engine.compression: Forbidden: is Enterprise-only"}},
		},
		"EnterpriseTypedSection": {
			reason: "index-type is Enterprise-only whatever its type",
			args:   args{edit: func(c Conf) { ns(c)["index-type"] = Conf{"type": "shmem"} }},
			want:   want{errs: []string{"x.namespaces[orders].index-type: Forbidden: is Enterprise-only"}},
		},
		"UnknownKeyTypo": {
			reason: "a key the version does not know is refused, with the likely setting",
			args:   args{edit: func(c Conf) { c["service"].(Conf)["proto-fd-maxx"] = int64(1) }},
			want: want{errs: []string{
				`x.service.proto-fd-maxx: Invalid value: 1: unknown setting "proto-fd-maxx" for server 8.1.2.0; did you mean "proto-fd-max"? See https://aerospike.com/docs/database/reference/config`,
			}},
		},
		"UnknownKey": {
			reason: "a key nothing resembles says to remove it",
			args:   args{edit: func(c Conf) { c["network"].(Conf)["heartbeat"].(Conf)["wibble-wobble"] = true }},
			want: want{errs: []string{
				`x.network.heartbeat.wibble-wobble: Invalid value: true: unknown setting "wibble-wobble" for server 8.1.2.0; remove it, or see https://aerospike.com/docs/database/reference/config`,
			}},
		},
		"UnknownSection": {
			reason: "an unknown top-level section is refused",
			args:   args{edit: func(c Conf) { c["cluster"] = Conf{} }},
			want:   want{errs: []string{`x.cluster: Invalid value: "object": unknown setting "cluster" for server 8.1.2.0`}},
		},
		"RemovedKey": {
			reason: "a setting 7.0 removed says what replaced it",
			args:   args{edit: func(c Conf) { ns(c)["memory-size"] = float64(4 << 30) }},
			want: want{errs: []string{
				`x.namespaces[orders].memory-size: Invalid value: 4294967296: unknown setting "memory-size" for server 8.1.2.0: 7.0 removed it: a memory namespace's size is its storage-engine memory data-size`,
			}},
		},
		"WrongType": {
			reason: "a string where a number belongs is refused",
			args:   args{edit: func(c Conf) { ns(c)["replication-factor"] = "two" }},
			want:   want{errs: []string{`x.namespaces[orders].replication-factor: Invalid value: "two": must be a whole number, not a string`}},
		},
		"Fraction": {
			reason: "a fraction where a whole number belongs is refused",
			args:   args{edit: func(c Conf) { ns(c)["replication-factor"] = 1.5 }},
			want:   want{errs: []string{"x.namespaces[orders].replication-factor: Invalid value: 1.5: must be a whole number, not a number"}},
		},
		"WholeNumbers": {
			reason: "JSON numbers arrive as float64 or json.Number, and whole ones are integers",
			args: args{edit: func(c Conf) {
				ns(c)["replication-factor"] = float64(2)
				ns(c)["default-ttl"] = json.Number("0")
				ns(c)["nsup-period"] = json.Number("1.2e2")
				storage(c)["data-size"] = uint32(1 << 30)
			}},
		},
		"WrongSectionType": {
			reason: "a section must be an object",
			args:   args{edit: func(c Conf) { c["service"] = "x" }},
			want:   want{errs: []string{`x.service: Invalid value: "x": must be an object, not a string`}},
		},
		"Null": {
			reason: "a null setting is no value of its type",
			args:   args{edit: func(c Conf) { c["service"].(Conf)["proto-fd-max"] = nil }},
			want:   want{errs: []string{"x.service.proto-fd-max: Invalid value: null: must be a whole number, not null"}},
		},
		"BelowMinimum": {
			reason: "8.1 refuses a memory data-size below 512 MiB, as asd 8.1.2.0 does",
			args:   args{edit: func(c Conf) { storage(c)["data-size"] = int64(256 << 20) }},
			want:   want{errs: []string{"x.namespaces[orders].storage-engine.data-size: Invalid value: 268435456: must be at least 536870912 (512Mi)"}},
		},
		"BelowMinimumOlderLine": {
			reason: "8.0 allows 256 MiB, so the bound follows the version",
			args:   args{version: "8.0.0.15", edit: func(c Conf) { storage(c)["data-size"] = int64(256 << 20) }},
		},
		"AboveMaximum": {
			reason: "a value above the maximum says the maximum",
			args:   args{edit: func(c Conf) { ns(c)["replication-factor"] = int64(257) }},
			want:   want{errs: []string{"x.namespaces[orders].replication-factor: Invalid value: 257: must be at most 256"}},
		},
		"NegativeMinimum": {
			reason: "negative bounds hold: -1 is allowed, -2 is not",
			args: args{edit: func(c Conf) {
				ns(c)["sets"] = []any{Conf{"name": "a", "default-read-touch-ttl-pct": int64(-1)}, Conf{"name": "b", "default-read-touch-ttl-pct": int64(-2)}}
			}},
			want: want{errs: []string{"x.namespaces[orders].sets[b].default-read-touch-ttl-pct: Invalid value: -2: must be at least -1"}},
		},
		"Uint64Maximum": {
			reason: "the largest uint64 is within a bound of 18446744073709551615, one more is not, exactly",
			args: args{edit: func(c Conf) {
				ns(c)["sets"] = []any{
					Conf{"name": "max", "stop-writes-count": uint64(math.MaxUint64)},
					Conf{"name": "json", "stop-writes-count": json.Number("18446744073709551615")},
					Conf{"name": "over", "stop-writes-count": json.Number("18446744073709551616")},
					Conf{"name": "float", "stop-writes-count": float64(1 << 63)},
				}
			}},
			want: want{errs: []string{`x.namespaces[orders].sets[over].stop-writes-count: Invalid value: "18446744073709551616": must be at most 18446744073709551615`}},
		},
		"Enum": {
			reason: "a value outside an enum lists the allowed ones",
			args:   args{edit: func(c Conf) { c["network"].(Conf)["heartbeat"].(Conf)["mode"] = "gossip" }},
			want:   want{errs: []string{`x.network.heartbeat.mode: Unsupported value: "gossip": supported values: "mesh", "multicast"`}},
		},
		"EnumWithoutType": {
			reason: "log levels are an enum of strings without a type: true is not one",
			args: args{edit: func(c Conf) {
				c["logging"] = []any{Conf{"name": "console", "any": "loud", "hb": true}}
			}},
			want: want{errs: []string{
				`x.logging[console].any: Unsupported value: "loud"`,
				`x.logging[console].hb: Unsupported value: true`,
			}},
		},
		"MissingRequired": {
			reason: "the cluster name is required",
			args:   args{edit: func(c Conf) { delete(c["service"].(Conf), "cluster-name") }},
			want:   want{errs: []string{"x.service.cluster-name: Required value: server 8.1.2.0 requires it"}},
		},
		"MissingSection": {
			reason: "network is required",
			args:   args{edit: func(c Conf) { delete(c, "network") }},
			want:   want{errs: []string{"x.network: Required value"}},
		},
		"AnyOf": {
			reason: "a heartbeat needs a port or a TLS port",
			args:   args{edit: func(c Conf) { delete(c["network"].(Conf)["heartbeat"].(Conf), "port") }},
			want:   want{errs: []string{"x.network.heartbeat: Required value: set port or tls-name and tls-port"}},
		},
		"StorageUnknownType": {
			reason: "the storage-engine type picks the branch; an unknown one lists the types",
			args:   args{edit: func(c Conf) { ns(c)["storage-engine"] = Conf{"type": "tape"} }},
			want:   want{errs: []string{`x.namespaces[orders].storage-engine.type: Unsupported value: "tape": supported values: "memory", "device", "pmem"`}},
		},
		"StorageMissingType": {
			reason: "a storage-engine without a type names the types",
			args:   args{edit: func(c Conf) { delete(storage(c), "type") }},
			want:   want{errs: []string{`x.namespaces[orders].storage-engine.type: Required value: set one of "memory", "device" or "pmem"`}},
		},
		"StorageBranch": {
			reason: "errors come from the branch the type picks, not a vague oneOf failure: a device has no data-size",
			args: args{edit: func(c Conf) {
				ns(c)["storage-engine"] = Conf{"type": "device", "devices": []any{"/dev/a"}, "data-size": int64(1 << 30)}
			}},
			want: want{errs: []string{`x.namespaces[orders].storage-engine.data-size: Invalid value: 1073741824: unknown setting "data-size" for server 8.1.2.0`}},
		},
		"StorageBranchBounds": {
			reason: "bounds come from the picked branch: a data file is at least 128 MiB",
			args: args{edit: func(c Conf) {
				ns(c)["storage-engine"] = Conf{"type": "device", "files": []any{"/data/a.dat"}, "filesize": int64(1 << 20)}
			}},
			want: want{errs: []string{"x.namespaces[orders].storage-engine.filesize: Invalid value: 1048576: must be at least 134217728 (128Mi)"}},
		},
		"StorageNoSize": {
			reason: "memory storage sizes itself by devices, files or data-size",
			args:   args{edit: func(c Conf) { delete(storage(c), "data-size") }},
			want:   want{errs: []string{"x.namespaces[orders].storage-engine: Required value: set one of devices, files or data-size"}},
		},
		"StorageTwoSizes": {
			reason: "memory storage sizes itself one way only",
			args:   args{edit: func(c Conf) { storage(c)["devices"] = []any{"/dev/a"} }},
			want:   want{errs: []string{`x.namespaces[orders].storage-engine: Invalid value: "object": set only one of devices, files or data-size`}},
		},
		"IndexTypeBranch": {
			reason: "an index-type flash names what flash needs",
			args:   args{enterprise: true, edit: func(c Conf) { ns(c)["index-type"] = Conf{"type": "flash"} }},
			want: want{errs: []string{
				"x.namespaces[orders].index-type.mounts: Required value",
				"x.namespaces[orders].index-type.mounts-budget: Required value",
			}},
		},
		"OneOfByType": {
			reason: "tls-authenticate-client is a keyword or a list of names; each form reports its own error",
			args: args{enterprise: true, edit: func(c Conf) {
				c["network"].(Conf)["service"].(Conf)["tls-authenticate-client"] = "maybe"
				c["network"].(Conf)["fabric"].(Conf)["tls-name"] = "t"
				c["network"].(Conf)["admin"] = Conf{"port": int64(3008), "tls-authenticate-client": []any{"peer", "any"}}
				c["network"].(Conf)["heartbeat"].(Conf)["tls-name"] = "t"
			}},
			want: want{errs: []string{
				`x.network.admin.tls-authenticate-client[1]: Invalid value: "any": must not be "any" or "false"`,
				`x.network.service.tls-authenticate-client: Unsupported value: "maybe": supported values: "any", "false"`,
			}},
		},
		"OneOfNoType": {
			reason: "a value no form's type fits lists the types",
			args: args{enterprise: true, edit: func(c Conf) {
				c["network"].(Conf)["service"].(Conf)["tls-authenticate-client"] = true
			}},
			want: want{errs: []string{"x.network.service.tls-authenticate-client: Invalid value: true: must be a string or a list, not a boolean"}},
		},
		"NamedPaths": {
			reason: "named entries are keyed by name at every depth",
			args: args{enterprise: true, edit: func(c Conf) {
				ns(c)["sets"] = []any{Conf{"name": "archive", "stop-writes-count": "many"}}
				c["logging"] = []any{Conf{"name": "/var/log/a.log", "bogus": "info"}}
				c["xdr"] = Conf{"dcs": []any{Conf{"name": "dc1", "namespaces": []any{Conf{"name": "orders", "ship-bins": "x"}}}}}
			}},
			want: want{errs: []string{
				`x.logging[/var/log/a.log].bogus: Invalid value: "info": unknown setting "bogus"`,
				`x.namespaces[orders].sets[archive].stop-writes-count: Invalid value: "many": must be a whole number, not a string`,
				`x.xdr.dcs[dc1].namespaces[orders].ship-bins: Invalid value: "x": must be a list, not a string`,
			}},
		},
		"DuplicateName": {
			reason: "named entries are unique",
			args:   args{edit: func(c Conf) { c["namespaces"] = append(c["namespaces"].([]any), Merge(ns(c), nil)) }},
			want:   want{errs: []string{`x.namespaces[orders]: Duplicate value: "orders"`}},
		},
		"MissingName": {
			reason: "a named entry without a name is refused at its index, as Write could not write it",
			args: args{edit: func(c Conf) {
				c["namespaces"] = append(c["namespaces"].([]any), Conf{"replication-factor": int64(1), "storage-engine": Conf{"type": "memory", "data-size": int64(1 << 30)}})
			}},
			want: want{errs: []string{"x.namespaces[1].name: Required value: every entry needs a name"}},
		},
		"BadName": {
			reason: "a name is one word",
			args:   args{edit: func(c Conf) { ns(c)["name"] = "my orders" }},
			want:   want{errs: []string{`x.namespaces[0].name: Invalid value: "my orders": aerospike.conf cannot hold a space or brace in a name`}},
		},
		"NoNamespaces": {
			reason: "a server needs a namespace",
			args:   args{edit: func(c Conf) { c["namespaces"] = []any{} }},
			want:   want{errs: []string{"x.namespaces: Required value: needs at least 1 entry"}},
		},
		"Unwritable": {
			reason: "a value aerospike.conf cannot hold is refused before Write meets it",
			args:   args{edit: func(c Conf) { c["service"].(Conf)["cluster-name"] = "a#b" }},
			want:   want{errs: []string{`x.service.cluster-name: Invalid value: "a#b": aerospike.conf cannot hold "#" (it starts a comment) in a value`}},
		},
		"WriterRule": {
			reason: "what the schema allows but aerospike.conf cannot say is refused too",
			args:   args{edit: func(c Conf) { c["logging"] = []any{Conf{"name": "console", "any": "info", "path": "/dev/log"}} }},
			want:   want{errs: []string{`x.logging[console].path: Invalid value: "/dev/log": only the syslog sink has path`}},
		},
		"Order": {
			reason: "errors come in key order, whatever the maps' order",
			args: args{edit: func(c Conf) {
				c["service"].(Conf)["zz-unknown"] = int64(1)
				c["service"].(Conf)["aa-unknown"] = int64(1)
				ns(c)["replication-factor"] = int64(0)
				c["network"].(Conf)["fabric"].(Conf)["port"] = int64(70000)
			}},
			want: want{errs: []string{
				"x.namespaces[orders].replication-factor: Invalid value: 0: must be at least 1",
				"x.network.fabric.port: Invalid value: 70000: must be at most 65535",
				`x.service.aa-unknown: Invalid value: 1: unknown setting "aa-unknown"`,
				`x.service.zz-unknown: Invalid value: 1: unknown setting "zz-unknown"`,
			}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			v := tc.args.version
			if v == "" {
				v = "8.1.2.0"
			}
			s, err := SchemaFor(v)
			if err != nil {
				t.Fatal(err)
			}
			c := minimal()
			tc.args.edit(c)
			before := Merge(c, nil)
			errs := s.Validate(c, tc.args.enterprise, field.NewPath("x"))
			fieldtest.HavePrefixes(t, tc.reason, errs, tc.want.errs)
			if !equalJSON(before, c) {
				t.Errorf("%s: Validate() changed its input", tc.reason)
			}
		})
	}
}

// equalJSON compares configurations as their JSON: they hold json.Number.
func equalJSON(a, b Conf) bool {
	x, errX := json.Marshal(a)
	y, errY := json.Marshal(b)
	return errX == nil && errY == nil && bytes.Equal(x, y)
}

// TestValidateRoot checks paths start at the given root, or at nothing.
func TestValidateRoot(t *testing.T) {
	s, err := SchemaFor("8.1.2.0")
	if err != nil {
		t.Fatal(err)
	}
	c := minimal()
	storage(c)["data-size"] = int64(1)
	for root, want := range map[string]*field.Path{
		"spec.aerospikeConfig.namespaces[orders].storage-engine.data-size": field.NewPath("spec", "aerospikeConfig"),
		"namespaces[orders].storage-engine.data-size":                      nil,
	} {
		errs := s.Validate(c, false, want)
		if len(errs) != 1 || errs[0].Field != root {
			t.Errorf("Validate(root %v): want one error at %s, got %v", want, root, errs)
		}
	}
}

// TestValidateDeterministic checks errors come in the same order however
// the maps iterate.
func TestValidateDeterministic(t *testing.T) {
	s, err := SchemaFor("8.1.1.0")
	if err != nil {
		t.Fatal(err)
	}
	c := minimal()
	for _, k := range []string{"a", "b", "c", "d", "e", "f", "g", "h"} {
		c["service"].(Conf)["unknown-"+k] = int64(1)
		ns(c)["unknown-"+k] = int64(1)
	}
	first := s.Validate(c, false, nil).ToAggregate().Error()
	for range 50 {
		if got := s.Validate(c, false, nil).ToAggregate().Error(); got != first {
			t.Fatalf("errors changed between runs:\n%s\n%s", first, got)
		}
	}
}

// FuzzValidate feeds arbitrary JSON: Validate never panics, and whatever it
// accepts Write can render.
func FuzzValidate(f *testing.F) {
	for _, c := range []Conf{minimal(), golden()} {
		b, _ := json.Marshal(c)
		f.Add(b, false)
		f.Add(b, true)
	}
	f.Add([]byte(`{"namespaces":[{"name":1},{"storage-engine":{"type":["memory"]}}],"logging":{"x":[]}}`), false)
	f.Add([]byte(`{"network":{"service":{"tls-authenticate-client":[true]}},"namespaces":[{"name":"a","index-type":{"type":"pmem"}}]}`), true)
	s, err := SchemaFor("8.1.2.0")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, b []byte, enterprise bool) {
		var c Conf
		d := json.NewDecoder(bytes.NewReader(b))
		d.UseNumber()
		if err := d.Decode(&c); err != nil {
			t.Skip()
		}
		if errs := s.Validate(c, enterprise, nil); len(errs) > 0 {
			return
		}
		if _, err := Write(c); err != nil {
			t.Errorf("Validate() accepted a configuration Write() refuses: %v", err)
		}
	})
}
