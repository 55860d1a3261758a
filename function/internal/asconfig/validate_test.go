package asconfig

import (
	"encoding/json"
	"testing"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/xp-aerospike/xp-aerospike/function/internal/fieldtest"
)

// minimal returns a valid configuration for cases to change.
func minimal() Conf {
	return Conf{
		"service": Conf{"cluster-name": "c"},
		"network": Conf{
			"service":   Conf{"port": int64(3000)},
			"fabric":    Conf{"port": int64(3001)},
			"heartbeat": Conf{"mode": "mesh", "port": int64(3002), "mesh-seed-address-ports": []any{"a:3002"}},
		},
		"namespaces": []any{Conf{
			"name":               "orders",
			"replication-factor": int64(2),
			"storage-engine":     Conf{"type": "memory", "data-size": int64(1 << 30)},
		}},
	}
}

func ns(c Conf) Conf { return c["namespaces"].([]any)[0].(Conf) }

func TestValidate(t *testing.T) {
	cases := map[string]struct {
		reason     string
		version    string
		enterprise bool
		edit       func(c Conf)
		want       []string // one entry per expected error: its text's prefix
	}{
		"Valid": {
			reason: "a minimal configuration is valid on Community Edition",
			edit:   func(Conf) {},
		},
		"ValidEnterprise": {
			reason:     "Enterprise Edition accepts Enterprise-only settings",
			enterprise: true,
			edit: func(c Conf) {
				ns(c)["rack-id"] = int64(3)
				c["security"] = Conf{}
				ns(c)["storage-engine"] = Conf{"type": "device", "devices": []any{"/dev/a"}, "compression": "zstd"}
			},
		},
		"UnknownKey": {
			reason: "a key the version does not know is refused, with a suggestion for a typo",
			edit:   func(c Conf) { c["service"].(Conf)["proto-fd-maxx"] = int64(1) },
			want:   []string{`x.service.proto-fd-maxx: Invalid value: 1: is not a setting of server 8.1.1 here; did you mean "proto-fd-max"?`},
		},
		"RemovedKey": {
			reason: "a setting removed in 7.0 says what replaced it",
			edit:   func(c Conf) { ns(c)["memory-size"] = int64(4 << 30) },
			want:   []string{"x.namespaces[orders].memory-size: Invalid value: 4294967296: is not a setting of server 8.1.1: 7.0 removed it"},
		},
		"WrongType": {
			reason: "a string where a number belongs is refused",
			edit:   func(c Conf) { ns(c)["replication-factor"] = "two" },
			want:   []string{`x.namespaces[orders].replication-factor: Invalid value: "two": must be a whole number`},
		},
		"Fraction": {
			reason: "a fraction where a whole number belongs is refused",
			edit:   func(c Conf) { ns(c)["replication-factor"] = 1.5 },
			want:   []string{"x.namespaces[orders].replication-factor: Invalid value: 1.5: must be a whole number"},
		},
		"WholeFloat": {
			reason: "JSON numbers arrive as float64 and whole ones are integers",
			edit:   func(c Conf) { ns(c)["replication-factor"] = float64(2) },
		},
		"JSONNumber": {
			reason: "json.Number is accepted",
			edit:   func(c Conf) { ns(c)["replication-factor"] = json.Number("2") },
		},
		"BelowMinimum": {
			reason: "8.1 refuses a memory data-size below 512 MiB",
			edit:   func(c Conf) { ns(c)["storage-engine"].(Conf)["data-size"] = int64(128 << 20) },
			want:   []string{"x.namespaces[orders].storage-engine.data-size: Invalid value: 134217728: must be at least 536870912 (512Mi)"},
		},
		"BelowMinimumOlderLine": {
			reason:  "8.0 allows 256 MiB, so the bound follows the version",
			version: "8.0.0.15",
			edit:    func(c Conf) { ns(c)["storage-engine"].(Conf)["data-size"] = int64(256 << 20) },
		},
		"AboveMaximum": {
			reason: "bounds beyond int64 are compared exactly",
			edit:   func(c Conf) { ns(c)["replication-factor"] = int64(257) },
			want:   []string{"x.namespaces[orders].replication-factor: Invalid value: 257: must be at most 256"},
		},
		"Enum": {
			reason: "a value outside an enum lists the allowed ones",
			edit:   func(c Conf) { c["network"].(Conf)["heartbeat"].(Conf)["mode"] = "gossip" },
			want:   []string{`x.network.heartbeat.mode: Unsupported value: "gossip": supported values: "mesh", "multicast"`},
		},
		"EnterpriseOnlyOnCommunity": {
			reason: "Community Edition refuses Enterprise-only settings and sections",
			edit: func(c Conf) {
				ns(c)["rack-id"] = int64(1)
				c["security"] = Conf{}
			},
			want: []string{
				"x.namespaces[orders].rack-id: Forbidden: is Enterprise-only",
				"x.security: Forbidden: is Enterprise-only",
			},
		},
		"MissingRequired": {
			reason: "the cluster name is required",
			edit:   func(c Conf) { delete(c["service"].(Conf), "cluster-name") },
			want:   []string{"x.service.cluster-name: Required value"},
		},
		"AnyOf": {
			reason: "a heartbeat needs a port or a TLS port",
			edit:   func(c Conf) { delete(c["network"].(Conf)["heartbeat"].(Conf), "port") },
			want:   []string{"x.network.heartbeat: Required value: set port, or tls-name and tls-port"},
		},
		"UnknownStorageType": {
			reason: "the storage-engine branch is picked by its type",
			edit:   func(c Conf) { ns(c)["storage-engine"] = Conf{"type": "tape"} },
			want:   []string{`x.namespaces[orders].storage-engine.type: Unsupported value: "tape": supported values: "memory", "device", "pmem"`},
		},
		"StorageBranchErrors": {
			reason: "errors come from the branch the type selects, not a vague oneOf failure",
			edit: func(c Conf) {
				ns(c)["storage-engine"] = Conf{"type": "device", "devices": []any{"/dev/a"}, "data-size": int64(1 << 30)}
			},
			want: []string{"x.namespaces[orders].storage-engine.data-size: Invalid value: 1073741824: is not a setting of server 8.1.1 here"},
		},
		"StorageExactlyOne": {
			reason: "memory storage sizes itself by devices, files or data-size: only one",
			edit: func(c Conf) {
				ns(c)["storage-engine"] = Conf{"type": "memory", "devices": []any{"/dev/a"}, "data-size": int64(1 << 30)}
			},
			want: []string{"x.namespaces[orders].storage-engine: Invalid value: \"object\": set exactly one of devices, or files, or data-size"},
		},
		"DuplicateNamespace": {
			reason: "named list entries are unique",
			edit: func(c Conf) {
				c["namespaces"] = append(c["namespaces"].([]any), Merge(ns(c), nil))
			},
			want: []string{`x.namespaces[orders]: Duplicate value: "orders"`},
		},
		"NoNamespaces": {
			reason: "a server needs a namespace",
			edit:   func(c Conf) { c["namespaces"] = []any{} },
			want:   []string{"x.namespaces: Required value: needs at least 1 entries"},
		},
		"Sections": {
			reason: "a section must be an object",
			edit:   func(c Conf) { c["service"] = "x" },
			want:   []string{`x.service: Invalid value: "x": must be an object`},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			v := tc.version
			if v == "" {
				v = "8.1.2.0"
			}
			s, err := SchemaFor(v)
			if err != nil {
				t.Fatal(err)
			}
			c := minimal()
			tc.edit(c)
			errs := s.Validate(c, tc.enterprise, field.NewPath("x"))
			fieldtest.HavePrefixes(t, tc.reason, errs, tc.want)
		})
	}
}

// TestValidateDeterministic checks errors come in the same order however
// the maps iterate.
func TestValidateDeterministic(t *testing.T) {
	s, _ := SchemaFor("8.1.1.0")
	c := minimal()
	for _, k := range []string{"a", "b", "c", "d", "e", "f"} {
		c["service"].(Conf)["unknown-"+k] = int64(1)
	}
	first := s.Validate(c, false, nil).ToAggregate().Error()
	for range 20 {
		if got := s.Validate(c, false, nil).ToAggregate().Error(); got != first {
			t.Fatalf("errors changed between runs:\n%s\n%s", first, got)
		}
	}
}

func FuzzValidate(f *testing.F) {
	b, _ := json.Marshal(minimal())
	f.Add(b)
	f.Add([]byte(`{"namespaces":[{"name":1},{"storage-engine":{"type":["memory"]}}],"logging":{"x":[]}}`))
	s, _ := SchemaFor("8.1.1.0")
	f.Fuzz(func(t *testing.T, b []byte) {
		var c Conf
		if err := json.Unmarshal(b, &c); err != nil {
			t.Skip()
		}
		_ = s.Validate(c, false, nil)
		_ = s.Validate(c, true, nil)
	})
}
