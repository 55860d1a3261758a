package aerospike

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// renderedMinimal is rack-0.conf as the function renders it for the
// minimal-community example.
const renderedMinimal = `service {
	cluster-name cache
	work-directory /opt/aerospike/work
}

logging {
	console {
		context any info
	}
}

network {
	fabric {
		port 3001
	}
	heartbeat {
		mesh-seed-address-port cache-0-0.cache-headless.team-a.svc.cluster.local 3002
		mesh-seed-address-port cache-0-1.cache-headless.team-a.svc.cluster.local 3002
		mesh-seed-address-port cache-0-2.cache-headless.team-a.svc.cluster.local 3002
		mode mesh
		port 3002
	}
	service {
		port 3000
	}
}

namespace cache {
	replication-factor 2
	storage-engine memory {
		data-size 1073741824
	}
}

mod-lua {
	user-path /opt/aerospike/work/usr/udf/lua
}
`

func TestRewriteForLoopback(t *testing.T) {
	ports := Ports{Service: 13000, Fabric: 13001, Heartbeat: 13002}
	cases := map[string]struct {
		reason   string
		conf     string
		lb       Loopback
		want     string
		wantDirs []string
		wantErr  string
	}{
		"RenderedCluster": {
			reason: "Addresses, ports, seeds and paths change; nothing else does.",
			conf:   renderedMinimal,
			lb:     Loopback{Root: "/t/n0", Ports: ports, Seeds: []int{13002, 14002, 15002}},
			want: `service {
	cluster-name cache
	work-directory /t/n0/opt/aerospike/work
}

logging {
	console {
		context any info
	}
}

network {
	fabric {
		address 127.0.0.1
		port 13001
	}
	heartbeat {
		address 127.0.0.1
		port 13002
		mesh-seed-address-port 127.0.0.1 13002
		mesh-seed-address-port 127.0.0.1 14002
		mesh-seed-address-port 127.0.0.1 15002
		mode mesh
	}
	service {
		address 127.0.0.1
		access-address 127.0.0.1
		port 13000
	}
}

namespace cache {
	replication-factor 2
	storage-engine memory {
		data-size 1073741824
	}
}

mod-lua {
	user-path /t/n0/opt/aerospike/work/usr/udf/lua
}
`,
			wantDirs: []string{"/t/n0/opt/aerospike/work", "/t/n0/opt/aerospike/work/smd", "/t/n0/opt/aerospike/work/usr/udf/lua"},
		},
		"OneSeed": {
			reason: "Seed lines beyond Seeds go: a single node needs no peers.",
			conf:   renderedMinimal,
			lb:     Loopback{Root: "/t", Ports: ports, Seeds: []int{13002}},
			want: strings.NewReplacer(
				"\t\tmesh-seed-address-port cache-0-0.cache-headless.team-a.svc.cluster.local 3002\n", "\t\tmesh-seed-address-port 127.0.0.1 13002\n",
				"\t\tmesh-seed-address-port cache-0-1.cache-headless.team-a.svc.cluster.local 3002\n", "",
				"\t\tmesh-seed-address-port cache-0-2.cache-headless.team-a.svc.cluster.local 3002\n", "",
				"\t\tport 3002\n", "",
				"\t\tport 3001\n", "",
				"\t\tport 3000\n", "",
				"\tfabric {\n", "\tfabric {\n\t\taddress 127.0.0.1\n\t\tport 13001\n",
				"\theartbeat {\n", "\theartbeat {\n\t\taddress 127.0.0.1\n\t\tport 13002\n",
				"\tservice {\n", "\tservice {\n\t\taddress 127.0.0.1\n\t\taccess-address 127.0.0.1\n\t\tport 13000\n",
				"/opt/", "/t/opt/",
			).Replace(renderedMinimal),
			wantDirs: []string{"/t/opt/aerospike/work", "/t/opt/aerospike/work/smd", "/t/opt/aerospike/work/usr/udf/lua"},
		},
		"AddressesCommentsFilesAdmin": {
			reason: "Every address line the server binds or tells its peers goes, the alternate access address (which only clients are told) stays, comments stay on changed lines, file paths move and their folders are made, admin gets a port.",
			conf: `service {
	work-directory /opt/aerospike/work # persistent
	pidfile /var/run/aerospike/asd.pid
}
mod-lua {
	user-path /opt/aerospike/usr/udf/lua
}
network {
	service {
		address any
		access-address 10.0.0.1
		alternate-access-address 1.2.3.4
		port 3000 # clients
	}
	fabric {
	}
	heartbeat {
		mode mesh
	}
	admin {
		port 3008
	}
}
namespace data {
	storage-engine device {
		file /opt/aerospike/data/data.dat
		filesize 4294967296
	}
}
`,
			lb: Loopback{Root: "/r", Ports: Ports{Service: 1, Fabric: 2, Heartbeat: 3, Admin: 4}},
			want: `service {
	work-directory /r/opt/aerospike/work # persistent
	pidfile /r/var/run/aerospike/asd.pid
}
mod-lua {
	user-path /r/opt/aerospike/usr/udf/lua
}
network {
	service {
		address 127.0.0.1
		access-address 127.0.0.1
		port 1
		alternate-access-address 1.2.3.4
	}
	fabric {
		address 127.0.0.1
		port 2
	}
	heartbeat {
		address 127.0.0.1
		port 3
		mode mesh
	}
	admin {
		address 127.0.0.1
		port 4
	}
}
namespace data {
	storage-engine device {
		file /r/opt/aerospike/data/data.dat
		filesize 4294967296
	}
}
`,
			wantDirs: []string{"/r/opt/aerospike/data", "/r/opt/aerospike/usr/udf/lua", "/r/opt/aerospike/work", "/r/opt/aerospike/work/smd", "/r/var/run/aerospike"},
		},
		"PodAddress": {
			reason: "A node of its own address keeps the standard ports, and each seed becomes the address its pod's name maps to.",
			conf:   renderedMinimal,
			lb: Loopback{
				Root:    "/t",
				Ports:   Ports{Service: 3000, Fabric: 3001, Heartbeat: 3002},
				Address: "127.0.7.1",
				MeshSeed: func(host string, port int) (string, int, bool) {
					pod, _, _ := strings.Cut(host, ".")
					switch pod {
					case "cache-0-0":
						return "127.0.7.1", port, true
					case "cache-0-1":
						return "127.0.7.2", port, true
					}
					return "", 0, false
				},
			},
			want: strings.NewReplacer(
				"cache-0-0.cache-headless.team-a.svc.cluster.local", "127.0.7.1",
				"cache-0-1.cache-headless.team-a.svc.cluster.local", "127.0.7.2",
				"\t\tmesh-seed-address-port cache-0-2.cache-headless.team-a.svc.cluster.local 3002\n", "",
				"\t\tport 3002\n", "",
				"\t\tport 3001\n", "",
				"\t\tport 3000\n", "",
				"\tfabric {\n", "\tfabric {\n\t\taddress 127.0.7.1\n\t\tport 3001\n",
				"\theartbeat {\n", "\theartbeat {\n\t\taddress 127.0.7.1\n\t\tport 3002\n",
				"\tservice {\n", "\tservice {\n\t\taddress 127.0.7.1\n\t\taccess-address 127.0.7.1\n\t\tport 3000\n",
				"/opt/", "/t/opt/",
			).Replace(renderedMinimal),
			wantDirs: []string{"/t/opt/aerospike/work", "/t/opt/aerospike/work/smd", "/t/opt/aerospike/work/usr/udf/lua"},
		},
		"AddressBeyondLoopback": {
			reason:  "Nothing may listen beyond loopback.",
			conf:    renderedMinimal,
			lb:      Loopback{Root: "/t", Ports: ports, Address: "10.0.0.1"},
			wantErr: `address "10.0.0.1" is not an IPv4 address in 127.0.0.0/8`,
		},
		"SeedBeyondLoopback": {
			reason: "A seed must be on loopback too.",
			conf:   renderedMinimal,
			lb: Loopback{Root: "/t", Ports: ports, MeshSeed: func(string, int) (string, int, bool) {
				return "cache-0-0.cache-headless", 3002, true
			}},
			wantErr: `cannot rewrite mesh seed cache-0-0.cache-headless.team-a.svc.cluster.local: address "cache-0-0.cache-headless" is not`,
		},
		"NoWorkDirectory": {
			reason:  "Without work-directory asd would write under /opt/aerospike.",
			conf:    strings.Replace(renderedMinimal, "\twork-directory /opt/aerospike/work\n", "", 1),
			lb:      Loopback{Root: "/t", Ports: ports},
			wantErr: "service has no absolute work-directory",
		},
		"NoUserPath": {
			reason:  "Without user-path asd would use /opt/aerospike/usr/udf/lua.",
			conf:    strings.Replace(renderedMinimal, "\tuser-path /opt/aerospike/work/usr/udf/lua\n", "", 1),
			lb:      Loopback{Root: "/t", Ports: ports},
			wantErr: "mod-lua has no absolute user-path",
		},
		"NoFabric": {
			reason:  "A missing network stanza would listen on its default port everywhere.",
			conf:    strings.Replace(renderedMinimal, "\tfabric {\n\t\tport 3001\n\t}\n", "", 1),
			lb:      Loopback{Root: "/t", Ports: ports},
			wantErr: "it has no network fabric stanza",
		},
		"AdminWithoutPort": {
			reason:  "An admin stanza needs a port to move to.",
			conf:    strings.Replace(renderedMinimal, "\tservice {\n", "\tadmin {\n\t\tport 3008\n\t}\n\tservice {\n", 1),
			lb:      Loopback{Root: "/t", Ports: ports},
			wantErr: `line 23: cannot rewrite network stanza "admin": no loopback port for it`,
		},
		"TLS": {
			reason:  "TLS addresses are not rewritten.",
			conf:    strings.Replace(renderedMinimal, "\t\tport 3000\n", "\t\tport 3000\n\t\ttls-port 4333\n", 1),
			lb:      Loopback{Root: "/t", Ports: ports},
			wantErr: `cannot rewrite "tls-port" in network service for loopback`,
		},
		"Multicast": {
			reason:  "Only mesh heartbeats work on loopback.",
			conf:    strings.Replace(renderedMinimal, "mode mesh", "mode multicast", 1),
			lb:      Loopback{Root: "/t", Ports: ports},
			wantErr: `cannot run heartbeat mode "multicast" on loopback`,
		},
		"Unbalanced": {
			reason:  "A stanza that is never closed is an error, not a guess.",
			conf:    "service {\n",
			lb:      Loopback{Root: "/t", Ports: ports},
			wantErr: `stanza "service" is not closed`,
		},
		"RelativeRoot": {
			reason:  "Paths must move under an absolute root.",
			conf:    renderedMinimal,
			lb:      Loopback{Root: "t", Ports: ports},
			wantErr: `root "t" is not an absolute path`,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, dirs, err := rewrite([]byte(tc.conf), tc.lb)
			gotErr := ""
			if err != nil {
				gotErr = err.Error()
			}
			if tc.wantErr == "" && gotErr != "" || !strings.Contains(gotErr, tc.wantErr) {
				t.Fatalf("%s\nrewrite() error = %q, want one containing %q", tc.reason, gotErr, tc.wantErr)
			}
			if diff := cmp.Diff(tc.want, string(got)); diff != "" {
				t.Errorf("%s\nrewrite(): -want, +got:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.wantDirs, dirs); diff != "" {
				t.Errorf("%s\nrewrite() dirs: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestConfQueries(t *testing.T) {
	conf := []byte(renderedMinimal + "namespace other {\n\treplication-factor 1\n\tstorage-engine device {\n\t\tdevice /dev/aerospike/other\n\t}\n}\n")
	if diff := cmp.Diff([]string{"cache", "other"}, confNamespaces(conf)); diff != "" {
		t.Errorf("confNamespaces(): -want, +got:\n%s", diff)
	}
	if got := confValue(conf, "cluster-name", "service"); got != "cache" {
		t.Errorf("confValue(cluster-name) = %q, want cache", got)
	}
	if got := namespaceValue(conf, "other", "replication-factor"); got != "1" {
		t.Errorf("namespaceValue(other, replication-factor) = %q, want 1", got)
	}
	if !confHasKey(conf, "device", "namespace") || confHasKey([]byte(renderedMinimal), "device", "namespace") {
		t.Errorf("confHasKey(device) does not tell a device namespace from a memory one")
	}
	if !confStanzaHas(conf, "network", "heartbeat") || confStanzaHas(conf, "network", "admin") {
		t.Errorf("confStanzaHas() does not find network heartbeat, or finds an admin stanza")
	}
}

func TestHarnessConf(t *testing.T) {
	nss := []Namespace{
		{Name: "mem"},
		{Name: "disk", Persistent: true, ReplicationFactor: 1},
		{Raw: "namespace raw {\n\treplication-factor 3\n\tstorage-engine device {\n\t\tfile $DATA/raw.dat\n\t\tfilesize 134217728\n\t}\n}"},
	}
	got := string(harnessConf("c", "/n", Ports{Service: 1, Fabric: 2, Heartbeat: 3}, []int{3, 6}, nss))
	want := `service {
	cluster-name c
	work-directory /n/work
}

logging {
	console {
		context any info
	}
}

mod-lua {
	user-path /n/work/usr/udf/lua
}

network {
	service {
		address 127.0.0.1
		access-address 127.0.0.1
		port 1
	}
	heartbeat {
		mode mesh
		address 127.0.0.1
		port 3
		mesh-seed-address-port 127.0.0.1 3
		mesh-seed-address-port 127.0.0.1 6
	}
	fabric {
		address 127.0.0.1
		port 2
	}
}

namespace mem {
	replication-factor 2
	storage-engine memory {
		data-size 1073741824
	}
}

namespace disk {
	replication-factor 1
	storage-engine device {
		file /n/data/disk.dat
		filesize 268435456
	}
}

namespace raw {
	replication-factor 3
	storage-engine device {
		file /n/data/raw.dat
		filesize 134217728
	}
}

`
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("harnessConf(): -want, +got:\n%s", diff)
	}
	names := make([]string, 0, len(nss))
	for _, ns := range nss {
		names = append(names, ns.name())
	}
	if diff := cmp.Diff([]string{"mem", "disk", "raw"}, names); diff != "" {
		t.Errorf("Namespace.name(): -want, +got:\n%s", diff)
	}
}
