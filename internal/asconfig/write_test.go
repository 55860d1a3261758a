package asconfig

import (
	"bytes"
	"encoding/json"
	"flag"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Rewrite the golden files with: go test ./internal/asconfig/ -update
var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// golden is a Community Edition configuration with every construct a
// typical cluster uses. Its output, with /opt/aerospike replaced by a scratch
// directory, was started by hand with the real asd 8.1.2.0 and 8.0.0.15
// (both reached "service ready"); a later harness boots rendered
// configurations for real. Numbers come in every Go type a decoder or a
// builder produces.
func golden() Conf {
	return Conf{
		"service": Conf{
			"cluster-name":   "golden",
			"work-directory": "/opt/aerospike/work",
			"pidfile":        "/opt/aerospike/asd.pid",
			"run-as-daemon":  false,
			"proto-fd-max":   float64(15000),
		},
		"logging": []any{Conf{"name": "console", "any": "info", "hb": "warning"}},
		"network": Conf{
			"service": Conf{
				"addresses":        []any{"127.0.0.1"},
				"access-addresses": []any{"127.0.0.1"},
				"port":             int64(3000),
			},
			"heartbeat": Conf{
				"mode":                    "mesh",
				"addresses":               []any{"127.0.0.1"},
				"port":                    int64(3002),
				"interval":                int64(150),
				"timeout":                 int64(10),
				"mesh-seed-address-ports": []any{"127.0.0.1:3012", "127.0.0.1:3022"},
			},
			"fabric": Conf{"addresses": []any{"127.0.0.1"}, "port": int64(3001)},
		},
		"namespaces": []any{
			Conf{
				"name":               "cache",
				"replication-factor": int64(2),
				"storage-engine":     Conf{"type": "memory", "data-size": json.Number("1073741824")},
			},
			Conf{
				"name":               "orders",
				"replication-factor": 2,
				"default-ttl":        float64(2592000),
				"nsup-period":        int64(120),
				"sets":               []any{Conf{"name": "archive", "disable-eviction": true, "stop-writes-count": uint64(1000000)}},
				"storage-engine": Conf{
					"type":           "device",
					"files":          []any{"/opt/aerospike/data/orders.dat"},
					"filesize":       int64(1 << 30),
					"defrag-lwm-pct": int64(50),
				},
			},
		},
		"mod-lua": Conf{"user-path": "/opt/aerospike/work/usr/udf/lua"},
	}
}

func TestWriteGolden(t *testing.T) {
	got, err := Write(golden())
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join("testdata", "golden.conf")
	if *update {
		if err := os.WriteFile(file, got, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("Write(): -want +got:\n%s", diff)
	}
}

// TestGoldenIsValid checks the booted configuration passes Validate for both
// server lines it was booted on: the schemas and the server agree on it.
func TestGoldenIsValid(t *testing.T) {
	for _, version := range []string{"8.1.2.0", "8.0.0.15"} {
		s, err := SchemaFor(version)
		if err != nil {
			t.Fatal(err)
		}
		if errs := s.Validate(golden(), false, field.NewPath("spec", "aerospikeConfig")); len(errs) > 0 {
			t.Errorf("Validate(golden, %s): %v", version, errs)
		}
	}
}

func TestWrite(t *testing.T) {
	type args struct {
		c Conf
	}
	type want struct {
		text string
	}
	ns := func(extra Conf) Conf {
		n := Conf{"name": "ns"}
		for k, v := range extra {
			n[k] = v
		}
		return Conf{"namespaces": []any{n}}
	}
	cases := map[string]struct {
		reason string
		args   args
		want   want
	}{
		"SectionOrder": {
			reason: "top-level sections come in the server's order, then the others sorted",
			args: args{c: Conf{
				"zz": Conf{"a": "b"}, "xdr": Conf{"src-id": int64(1)}, "aa": Conf{"c": "d"},
				"mod-lua": Conf{"user-path": "/u"}, "service": Conf{"cluster-name": "c"},
				"security": Conf{}, "network": Conf{"fabric": Conf{"port": int64(3001)}},
			}},
			want: want{text: "service {\n\tcluster-name c\n}\n\nnetwork {\n\tfabric {\n\t\tport 3001\n\t}\n}\n\n" +
				"mod-lua {\n\tuser-path /u\n}\n\nsecurity {\n}\n\nxdr {\n\tsrc-id 1\n}\n\naa {\n\tc d\n}\n\nzz {\n\ta b\n}\n"},
		},
		"SettingsBeforeSections": {
			reason: "inside a section, settings come first, then sub-sections, each sorted",
			args: args{c: Conf{"network": Conf{
				"heartbeat": Conf{"port": int64(3002), "mode": "mesh"},
				"service":   Conf{"port": int64(3000)},
				"fabric":    Conf{"port": int64(3001)},
			}, "service": Conf{"z": "1", "a": "2"}}},
			want: want{text: "service {\n\ta 2\n\tz 1\n}\n\nnetwork {\n\tfabric {\n\t\tport 3001\n\t}\n\theartbeat {\n\t\tmode mesh\n\t\tport 3002\n\t}\n\tservice {\n\t\tport 3000\n\t}\n}\n"},
		},
		"PluralLists": {
			reason: "a plural list is written as one singular line per entry, in order",
			args: args{c: Conf{"network": Conf{"service": Conf{
				"addresses":                      []any{"10.0.0.2", "10.0.0.1"},
				"access-addresses":               []any{"1.1.1.1"},
				"alternate-access-addresses":     []any{"2.2.2.2"},
				"tls-addresses":                  []any{"any"},
				"tls-access-addresses":           []any{"3.3.3.3"},
				"tls-alternate-access-addresses": []any{"4.4.4.4"},
				"tls-authenticate-client":        []any{"peer-a", "peer-b"},
			}}}},
			want: want{text: "network {\n\tservice {\n" +
				"\t\taccess-address 1.1.1.1\n\t\taddress 10.0.0.2\n\t\taddress 10.0.0.1\n\t\talternate-access-address 2.2.2.2\n" +
				"\t\ttls-access-address 3.3.3.3\n\t\ttls-address any\n\t\ttls-alternate-access-address 4.4.4.4\n" +
				"\t\ttls-authenticate-client peer-a\n\t\ttls-authenticate-client peer-b\n\t}\n}\n"},
		},
		"MeshSeeds": {
			reason: "HOST:PORT is written as two words, split at the last colon so IPv6 hosts survive",
			args: args{c: Conf{"network": Conf{"heartbeat": Conf{
				"mesh-seed-address-ports":     []any{"10.0.0.1:3002", "[::1]:3002", "fe80::1:3002"},
				"tls-mesh-seed-address-ports": []any{"a.example:3012"},
				"multicast-groups":            []any{"239.1.99.222"},
			}}}},
			want: want{text: "network {\n\theartbeat {\n" +
				"\t\tmesh-seed-address-port 10.0.0.1 3002\n\t\tmesh-seed-address-port ::1 3002\n\t\tmesh-seed-address-port fe80::1 3002\n" +
				"\t\tmulticast-group 239.1.99.222\n\t\ttls-mesh-seed-address-port a.example 3012\n\t}\n}\n"},
		},
		"Storage": {
			reason: "a device and its shadow are two words; files, mounts and feature key files are not split",
			args: args{c: Conf{
				"service": Conf{"feature-key-files": []any{"/etc/aerospike/features.conf", "env-b64:FEATURES"}},
				"namespaces": []any{Conf{"name": "ns",
					"storage-engine": Conf{"type": "device", "devices": []any{"/dev/a:/dev/shadow", "/dev/b"}, "files": []any{"/x:y"}},
					"index-type":     Conf{"type": "flash", "mounts": []any{"/mnt/a"}, "mounts-budget": int64(4 << 30)},
				}},
			}},
			want: want{text: "service {\n\tfeature-key-file /etc/aerospike/features.conf\n\tfeature-key-file env-b64:FEATURES\n}\n\n" +
				"namespace ns {\n\tindex-type flash {\n\t\tmount /mnt/a\n\t\tmounts-budget 4294967296\n\t}\n" +
				"\tstorage-engine device {\n\t\tdevice /dev/a /dev/shadow\n\t\tdevice /dev/b\n\t\tfile /x:y\n\t}\n}\n"},
		},
		"TypedSections": {
			reason: "shmem opens no context in asd, so it is one line; other types always get braces, even empty",
			args: args{c: ns(Conf{
				"index-type":     Conf{"type": "shmem"},
				"sindex-type":    Conf{"type": "shmem"},
				"storage-engine": Conf{"type": "memory"},
			})},
			want: want{text: "namespace ns {\n\tindex-type shmem\n\tsindex-type shmem\n\tstorage-engine memory {\n\t}\n}\n"},
		},
		"NamedSections": {
			reason: "lists of named objects are written keyword NAME { … }, in list order",
			args: args{c: Conf{
				"network": Conf{"tls": []any{Conf{"name": "t1", "cert-file": "/c.pem"}}},
				"namespaces": []any{
					Conf{"name": "b", "sets": []any{Conf{"name": "s2"}, Conf{"name": "s1", "disable-eviction": true}}},
					Conf{"name": "a"},
				},
				"xdr": Conf{"dcs": []any{Conf{
					"name":               "dc1",
					"node-address-ports": []any{"10.0.0.2:3000", "10.0.0.3:4000:tls1", "[::1]:3000"},
					"namespaces":         []any{Conf{"name": "b", "ship-bins": []any{"x", "y"}, "ignore-sets": []any{"z"}}},
				}}},
			}},
			want: want{text: "network {\n\ttls t1 {\n\t\tcert-file /c.pem\n\t}\n}\n\n" +
				"namespace b {\n\tset s2 {\n\t}\n\tset s1 {\n\t\tdisable-eviction true\n\t}\n}\nnamespace a {\n}\n\n" +
				"xdr {\n\tdc dc1 {\n\t\tnode-address-port 10.0.0.2 3000\n\t\tnode-address-port 10.0.0.3 4000 tls1\n\t\tnode-address-port ::1 3000\n" +
				"\t\tnamespace b {\n\t\t\tignore-set z\n\t\t\tship-bin x\n\t\t\tship-bin y\n\t\t}\n\t}\n}\n"},
		},
		"Security": {
			reason: "an empty security section is written, as its presence enables security; report-data-op is NAMESPACE SET",
			args: args{c: Conf{"security": Conf{
				"log":  Conf{"report-data-op": []any{"orders:archive", "cache"}, "report-data-op-user": []any{"alice"}},
				"ldap": Conf{"role-query-patterns": []any{"(&(objectClass=group)(member=${dn}))"}},
			}}},
			want: want{text: "security {\n\tldap {\n\t\trole-query-pattern (&(objectClass=group)(member=${dn}))\n\t}\n" +
				"\tlog {\n\t\treport-data-op orders archive\n\t\treport-data-op cache\n\t\treport-data-op-user alice\n\t}\n}\n"},
		},
		"Logging": {
			reason: "console and syslog are keywords, other names are files; context any comes first so it does not undo the others",
			args: args{c: Conf{"logging": []any{
				Conf{"name": "console", "misc": "debug", "any": "info", "aggr": "warning"},
				Conf{"name": "syslog", "any": "warning", "path": "/dev/log", "tag": "asd", "facility": "local0"},
				Conf{"name": "/var/log/aerospike.log", "any": "critical"},
			}}},
			want: want{text: "logging {\n" +
				"\tconsole {\n\t\tcontext any info\n\t\tcontext aggr warning\n\t\tcontext misc debug\n\t}\n" +
				"\tsyslog {\n\t\tcontext any warning\n\t\tfacility local0\n\t\tpath /dev/log\n\t\ttag asd\n\t}\n" +
				"\tfile /var/log/aerospike.log {\n\t\tcontext any critical\n\t}\n}\n"},
		},
		"Values": {
			reason: "booleans are true/false; whole numbers of every Go type are decimal without exponent; fractions are plain",
			args: args{c: Conf{"service": Conf{
				"a": true, "b": false, "c": float64(1e9), "d": uint64(math.MaxUint64), "e": json.Number("1e3"),
				"f": 0.5, "g": int32(-1), "h": float64(1 << 62), "i": json.Number("18446744073709551615"),
			}}},
			want: want{text: "service {\n\ta true\n\tb false\n\tc 1000000000\n\td 18446744073709551615\n\te 1000\n" +
				"\tf 0.5\n\tg -1\n\th 4611686018427387904\n\ti 18446744073709551615\n}\n"},
		},
		"Unset": {
			reason: "empty strings, empty lists and nulls are unset and left out; empty sections are kept",
			args: args{c: Conf{
				"service":    Conf{"a": "", "b": []any{}, "c": nil, "d": []any{"", "x"}, "e": Conf{}},
				"namespaces": []any{},
				"logging":    []any{},
				"xdr":        nil,
			}},
			want: want{text: "service {\n\td x\n\te {\n\t}\n}\n"},
		},
		"Empty": {
			reason: "an empty configuration writes nothing",
			args:   args{c: Conf{}},
			want:   want{text: ""},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := Write(tc.args.c)
			if err != nil {
				t.Fatalf("%s: Write(): %v", tc.reason, err)
			}
			if diff := cmp.Diff(tc.want.text, string(got)); diff != "" {
				t.Errorf("%s: Write(): -want +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestWriteErrors(t *testing.T) {
	type args struct {
		c Conf
	}
	type want struct {
		err string // the error's text
	}
	cases := map[string]struct {
		reason string
		args   args
		want   want
	}{
		"TypedWithoutType": {
			reason: "a storage-engine needs a type to open its block",
			args:   args{c: Conf{"namespaces": []any{Conf{"name": "a", "storage-engine": Conf{"data-size": int64(1)}}}}},
			want:   want{err: "cannot write aerospike.conf: namespaces[a].storage-engine.type: Required value: storage-engine needs a type, such as storage-engine memory or device"},
		},
		"TypedNotObject": {
			reason: "the pre-7.0 string form of storage-engine would open a block nothing closes",
			args:   args{c: Conf{"namespaces": []any{Conf{"name": "a", "storage-engine": "memory"}}}},
			want:   want{err: `cannot write aerospike.conf: namespaces[a].storage-engine: Invalid value: "memory": must be an object with a type`},
		},
		"ShmemWithSettings": {
			reason: "index-type shmem opens no block, so it cannot take settings",
			args:   args{c: Conf{"namespaces": []any{Conf{"name": "a", "index-type": Conf{"type": "shmem", "mounts": []any{"/m"}}}}}},
			want:   want{err: `cannot write aerospike.conf: namespaces[a].index-type.mounts: Invalid value: "list": index-type shmem takes no settings`},
		},
		"NamedWithoutName": {
			reason: "a named section needs its name",
			args:   args{c: Conf{"namespaces": []any{Conf{"replication-factor": int64(1)}}}},
			want:   want{err: "cannot write aerospike.conf: namespaces[0].name: Required value: every entry needs a name"},
		},
		"NamedWithScalar": {
			reason: "a list of named sections holds only objects",
			args:   args{c: Conf{"namespaces": []any{Conf{"name": "a"}, "b"}}},
			want:   want{err: `cannot write aerospike.conf: namespaces[1]: Invalid value: "b": must be an object with a name`},
		},
		"NameWithSpace": {
			reason: "a name is one word followed by {",
			args:   args{c: Conf{"namespaces": []any{Conf{"name": "a b"}}}},
			want:   want{err: `cannot write aerospike.conf: namespaces[0].name: Invalid value: "a b": aerospike.conf cannot hold a space or brace in a name`},
		},
		"LoggingWithoutName": {
			reason: "a log sink needs a name",
			args:   args{c: Conf{"logging": []any{Conf{"any": "info"}}}},
			want:   want{err: "cannot write aerospike.conf: logging[0].name: Required value"},
		},
		"LoggingAsObject": {
			reason: "logging is a list of sinks",
			args:   args{c: Conf{"logging": Conf{"console": Conf{"any": "info"}}}},
			want:   want{err: `cannot write aerospike.conf: logging: Invalid value: "object": must be a list of sinks`},
		},
		"SyslogSettingOnFile": {
			reason: "only a syslog sink has a path",
			args:   args{c: Conf{"logging": []any{Conf{"name": "console", "path": "/dev/log"}}}},
			want:   want{err: `cannot write aerospike.conf: logging[console].path: Invalid value: "/dev/log": only the syslog sink has path`},
		},
		"ScalarTopLevel": {
			reason: "there are no top-level settings",
			args:   args{c: Conf{"service": "x"}},
			want:   want{err: `cannot write aerospike.conf: service: Invalid value: "x": must be a section (an object) or a list of named sections, not a string`},
		},
		"ScalarListTopLevel": {
			reason: "there are no top-level settings, listed or not",
			args:   args{c: Conf{"service": []any{"x"}}},
			want:   want{err: `cannot write aerospike.conf: service[0]: Invalid value: "x": must be a section (an object) or a list of named sections, not a string`},
		},
		"UnsupportedType": {
			reason: "a Go value JSON cannot hold is refused",
			args:   args{c: Conf{"service": Conf{"x": struct{}{}}}},
			want:   want{err: "cannot write aerospike.conf: service.x: Invalid value: {}: must be a string, a number or a boolean, not a value of an unsupported type"},
		},
		"ListInList": {
			reason: "a list of values holds scalars",
			args:   args{c: Conf{"service": Conf{"x": []any{"a", []any{"b"}}}}},
			want:   want{err: `cannot write aerospike.conf: service.x[1]: Invalid value: "list": must be a single value here, not a list`},
		},
		"Infinite": {
			reason: "infinity is no number aerospike.conf can hold",
			args:   args{c: Conf{"service": Conf{"x": math.Inf(1)}}},
			want:   want{err: "cannot write aerospike.conf: service.x: Invalid value: +Inf: must be a string, a number or a boolean"},
		},
		"Comment": {
			reason: "# starts a comment, which would cut the value short",
			args:   args{c: Conf{"service": Conf{"pidfile": "/a#b"}}},
			want:   want{err: `cannot write aerospike.conf: service.pidfile: Invalid value: "/a#b": aerospike.conf cannot hold "#" (it starts a comment) in a value`},
		},
		"LineBreak": {
			reason: "a line break would inject a setting",
			args:   args{c: Conf{"service": Conf{"cluster-name": "a\nsecurity {"}}},
			want:   want{err: `cannot write aerospike.conf: service.cluster-name: Invalid value: "a\nsecurity {": aerospike.conf cannot hold a line break in a value`},
		},
		"BadKey": {
			reason: "a key is one word",
			args:   args{c: Conf{"service": Conf{"a b": "c"}}},
			want:   want{err: `cannot write aerospike.conf: service.a b: Invalid value: "a b": aerospike.conf cannot hold a space or brace in a setting's name`},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Write(tc.args.c)
			if err == nil {
				t.Fatalf("%s: Write(): want error %q, got none", tc.reason, tc.want.err)
			}
			if !strings.HasPrefix(err.Error(), tc.want.err) {
				t.Errorf("%s: Write():\nwant error starting %q\ngot                 %q", tc.reason, tc.want.err, err.Error())
			}
		})
	}
}

// TestWriteDeterministic writes the same configuration many times: map
// iteration order must not reach the bytes, which are hashed.
func TestWriteDeterministic(t *testing.T) {
	first, err := Write(golden())
	if err != nil {
		t.Fatal(err)
	}
	for range 50 {
		got, _ := Write(golden())
		if !bytes.Equal(first, got) {
			t.Fatal("Write gave different bytes for the same configuration")
		}
	}
}

// TestWriteDoesNotModify checks Write leaves its input alone: callers write
// one merged configuration twice (with and without seeds).
func TestWriteDoesNotModify(t *testing.T) {
	c := golden()
	if _, err := Write(c); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(golden(), c); diff != "" {
		t.Errorf("Write() changed its input: -before +after:\n%s", diff)
	}
}

func FuzzWrite(f *testing.F) {
	b, _ := json.Marshal(golden())
	f.Add(b)
	f.Add([]byte(`{"logging":[{"name":"syslog","path":"/dev/log"}],"namespaces":[{"name":"a","index-type":{"type":"shmem"}}]}`))
	f.Add([]byte(`{"service":{"x":[1,{"y":2}]},"namespaces":[{"name":"a"},3]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var c Conf
		d := json.NewDecoder(bytes.NewReader(b))
		d.UseNumber()
		if err := d.Decode(&c); err != nil {
			t.Skip()
		}
		out, err := Write(c)
		if err != nil {
			return
		}
		if again, _ := Write(c); !bytes.Equal(out, again) {
			t.Errorf("Write() is not deterministic:\n%s\n%s", out, again)
		}
		// Every line is a closing brace or starts with a keyword: a value
		// never starts a line of its own.
		for _, l := range strings.Split(strings.TrimSuffix(string(out), "\n"), "\n") {
			l = strings.TrimLeft(l, "\t")
			if l != "" && l != "}" && (l[0] == ' ' || l[0] == '{') {
				t.Errorf("Write() wrote line %q:\n%s", l, out)
			}
		}
	})
}
