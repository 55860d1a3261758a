package config

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/xp-aerospike/xp-aerospike/apis/aerospike/v1alpha1"
	"github.com/xp-aerospike/xp-aerospike/function/internal/dbtest"
	"github.com/xp-aerospike/xp-aerospike/internal/fieldtest"
)

func enterprise(s *v1alpha1.AerospikeDatabaseSpec) {
	s.Edition = v1alpha1.EditionEnterprise
	s.FeatureKeySecretRef = &v1alpha1.SecretKeyRef{Name: "k", Key: "features.conf"}
}

func TestBuildRacks(t *testing.T) {
	d := dbtest.New(t, nil, func(s *v1alpha1.AerospikeDatabaseSpec) {
		enterprise(s)
		s.Racks = []v1alpha1.Rack{{ID: 1}, {ID: 2}}
		s.AccessControl = &v1alpha1.AccessControl{}
	})
	racks, res := Build(d)
	if res.Failed() {
		t.Fatal(res.Errors)
	}
	if len(racks) != 2 {
		t.Fatalf("want a configuration per rack, got %d", len(racks))
	}
	for i, r := range racks {
		text := string(r.Text)
		for _, want := range []string{
			"rack-id " + []string{"1", "2"}[i],
			"feature-key-file /etc/aerospike/secrets/features.conf",
			"mesh-seed-address-port db-1-0.db-headless.team.svc.cluster.local 3002",
			"mesh-seed-address-port db-2-0.db-headless.team.svc.cluster.local 3002",
			"security {\n}",
			"mode mesh",
		} {
			if !strings.Contains(text, want) {
				t.Errorf("rack %d: aerospike.conf lacks %q:\n%s", r.ID, want, text)
			}
		}
	}
	if racks[0].Hash == racks[1].Hash {
		t.Error("racks with different rack-ids share a configuration hash")
	}
}

func TestCommunityHasNoRackID(t *testing.T) {
	d := dbtest.New(t, nil, func(s *v1alpha1.AerospikeDatabaseSpec) { s.Racks = []v1alpha1.Rack{{ID: 1}, {ID: 2}} })
	racks, res := Build(d)
	if res.Failed() {
		t.Fatal(res.Errors)
	}
	for _, r := range racks {
		if strings.Contains(string(r.Text), "rack-id") {
			t.Errorf("Community Edition refuses rack-id, but rack %d's configuration has it", r.ID)
		}
	}
}

// TestHashIgnoresSeeds: a scale-up changes the seed list, which running
// nodes do not need; it must not restart them. Any other change must.
func TestHashIgnoresSeeds(t *testing.T) {
	hash := func(edit func(s *v1alpha1.AerospikeDatabaseSpec)) (string, string) {
		racks, res := Build(dbtest.New(t, nil, edit))
		if res.Failed() {
			t.Fatal(res.Errors)
		}
		return racks[0].Hash, string(racks[0].Text)
	}
	base, baseText := hash(nil)
	scaled, scaledText := hash(func(s *v1alpha1.AerospikeDatabaseSpec) { s.Size = 5 })
	if baseText == scaledText {
		t.Fatal("the seed list did not change with the size")
	}
	if base != scaled {
		t.Error("scaling changed the configuration hash: every node would restart")
	}
	tuned, _ := hash(func(s *v1alpha1.AerospikeDatabaseSpec) {
		s.AerospikeConfig = &apiextensionsv1.JSON{Raw: []byte(`{"service": {"proto-fd-max": 20000}}`)}
	})
	if tuned == base {
		t.Error("a configuration change kept the hash: no node would apply it")
	}
}

// TestHashIgnoresLogLevels: the console sink's levels change live, through
// the provider, so they are out of the hash (a database that sets none
// keeps the hash it had when they were in it) and in Rack.LogLevels; the
// text keeps them for the next start. A new sink is no level: it restarts.
func TestHashIgnoresLogLevels(t *testing.T) {
	build := func(conf string) Rack {
		racks, res := Build(dbtest.New(t, nil, func(s *v1alpha1.AerospikeDatabaseSpec) {
			if conf != "" {
				s.AerospikeConfig = &apiextensionsv1.JSON{Raw: []byte(conf)}
			}
		}))
		if res.Failed() {
			t.Fatal(res.Errors)
		}
		return racks[0]
	}
	base := build("")
	if diff := cmp.Diff(DefaultLogLevels, base.LogLevels); diff != "" {
		t.Errorf("LogLevels with no level set -want +got:\n%s", diff)
	}
	for _, conf := range []string{
		`{"logging": [{"name": "console", "migrate": "debug"}]}`,
		`{"logging": [{"name": "console", "any": "warning", "namespace": "detail"}]}`,
	} {
		r := build(conf)
		if r.Hash != base.Hash {
			t.Errorf("%s changed the configuration hash: every node would restart for a level", conf)
		}
		if bytes.Equal(r.Text, base.Text) {
			t.Errorf("%s is not in aerospike.conf: a restarted node would lose it", conf)
		}
	}
	want := map[string]string{"any": "warning", "namespace": "detail"}
	if diff := cmp.Diff(want, build(`{"logging": [{"name": "console", "any": "warning", "namespace": "detail"}]}`).LogLevels); diff != "" {
		t.Errorf("LogLevels -want +got:\n%s", diff)
	}
	if build(`{"logging": [{"name": "console"}, {"name": "/var/log/aerospike.log", "any": "info"}]}`).Hash == base.Hash {
		t.Error("a new file sink kept the hash: no node would open it")
	}
}

func TestStorage(t *testing.T) {
	d := dbtest.New(t, nil, func(s *v1alpha1.AerospikeDatabaseSpec) {
		s.Namespaces = []v1alpha1.Namespace{
			{Name: "dev", Storage: v1alpha1.NamespaceStorage{Type: v1alpha1.StorageDevice, Size: resource.MustParse("100Gi")}, DefaultTTL: "30d"},
			{Name: "My_Files", Storage: v1alpha1.NamespaceStorage{Type: v1alpha1.StorageFile, Size: resource.MustParse("10Gi")}, DefaultTTL: "1h", NsupPeriod: "30"},
		}
	})
	racks, res := Build(d)
	if res.Failed() {
		t.Fatal(res.Errors)
	}
	contains(t, string(racks[0].Text),
		"namespace dev {\n\tdefault-ttl 2592000\n\tnsup-period 120\n\treplication-factor 2\n\tstorage-engine device {\n\t\tdevice /dev/aerospike/data-dev\n\t}\n}",
		"file /opt/aerospike/data/data-my-files-",
		"/My_Files.dat\n\t\tfilesize 10200547328\n",
		"\tdefault-ttl 3600\n\tnsup-period 30\n",
	)
}

// contains fails t for each fragment the rendered configuration lacks.
func contains(t *testing.T, text string, fragments ...string) {
	t.Helper()
	for _, f := range fragments {
		if !strings.Contains(text, f) {
			t.Errorf("aerospike.conf lacks %q:\n%s", f, text)
		}
	}
}

func TestFileSize(t *testing.T) {
	cases := map[string]int64{
		"1Gi":   1<<30 - 128<<20, // 128 MiB of headroom at least
		"10Gi":  10200547328,     // 5% headroom, rounded down to a MiB
		"100Mi": 0,               // too small for any data file
	}
	for size, want := range cases {
		if got := FileSize(resource.MustParse(size)); got != want {
			t.Errorf("FileSize(%s) = %d, want %d", size, got, want)
		}
	}
}

func TestBuildErrors(t *testing.T) {
	cases := map[string]struct {
		reason string
		edit   func(s *v1alpha1.AerospikeDatabaseSpec)
		want   []string
	}{
		"MemoryBelowMinimum": {
			reason: "the server's minimum is reported at the spec field it comes from",
			edit: func(s *v1alpha1.AerospikeDatabaseSpec) {
				s.Namespaces[0].Storage.Size = resource.MustParse("256Mi")
			},
			want: []string{`spec.namespaces[0].storage.size: Invalid value: "256Mi": namespaces[mem].storage-engine.data-size must be at least 536870912 (512Mi) for server 8.1.2.0, which 256Mi gives`},
		},
		"FileTooSmall": {
			reason: "a file namespace needs a volume the data file fits on",
			edit: func(s *v1alpha1.AerospikeDatabaseSpec) {
				s.Namespaces[0].Storage = v1alpha1.NamespaceStorage{Type: v1alpha1.StorageFile, Size: resource.MustParse("200Mi")}
			},
			want: []string{`spec.namespaces[0].storage.size: Invalid value: "200Mi": namespaces[mem].storage-engine.filesize must be at least 134217728 (128Mi) for server 8.1.2.0, which 72Mi gives: the data file gets the volume less 5% (at least 128Mi) for the filesystem; raise the size`},
		},
		"NotAnObject": {
			reason: "aerospikeConfig is an object",
			edit: func(s *v1alpha1.AerospikeDatabaseSpec) {
				s.AerospikeConfig = &apiextensionsv1.JSON{Raw: []byte(`[1]`)}
			},
			want: []string{"spec.aerospikeConfig: Invalid value"},
		},
		"Owned": {
			reason: "settings the spec owns are refused with the field to use",
			edit: func(s *v1alpha1.AerospikeDatabaseSpec) {
				s.AerospikeConfig = &apiextensionsv1.JSON{Raw: []byte(`{
					"network": {"heartbeat": {"mode": "multicast", "interval": 100}, "service": {"port": 4000}},
					"service": {"work-directory": "/x"},
					"namespaces": [{"name": "mem", "default-ttl": 5, "storage-engine": {"data-size": 1, "defrag-lwm-pct": 40}}]
				}`)}
			},
			want: []string{
				"spec.aerospikeConfig.network.heartbeat.mode: Forbidden: is managed by xp-aerospike: nodes find each other by mesh heartbeat",
				"spec.aerospikeConfig.network.service.port: Forbidden: is managed by xp-aerospike: the client port is 3000",
				"spec.aerospikeConfig.service.work-directory: Forbidden",
				"spec.aerospikeConfig.namespaces[mem].default-ttl: Forbidden: is managed by xp-aerospike: set spec.namespaces[0].defaultTTL",
				"spec.aerospikeConfig.namespaces[mem].storage-engine.data-size: Forbidden: is managed by xp-aerospike: set spec.namespaces[0].storage.size",
			},
		},
		"OwnedThatBreakTheCluster": {
			reason: "settings that would break what the composition relies on are refused, each with the field to use instead",
			edit: func(s *v1alpha1.AerospikeDatabaseSpec) {
				s.Edition = v1alpha1.EditionEnterprise
				s.FeatureKeySecretRef = &v1alpha1.SecretKeyRef{Name: "key"}
				s.TLS = &v1alpha1.TLS{SecretName: "db-tls", Heartbeat: true}
				s.AerospikeConfig = &apiextensionsv1.JSON{Raw: []byte(`{
					"service": {"cluster-name": "other", "node-id": "a1"},
					"network": {
						"service": {"tls-port": 4000, "addresses": ["127.0.0.1"], "tls-name": "other"},
						"fabric": {"tls-port": 4001, "address": "127.0.0.1"},
						"heartbeat": {"tls-port": 4002, "addresses": ["127.0.0.1"], "tls-mesh-seed-address-ports": ["a:3012"]},
						"tls": [{"name": "db", "cert-file": "/elsewhere/tls.crt"}]
					}
				}`)}
			},
			want: []string{
				"spec.aerospikeConfig.network.tls: Forbidden: is managed by xp-aerospike: the TLS context comes from spec.tls",
				"spec.aerospikeConfig.network.fabric.address: Forbidden: is managed by xp-aerospike",
				"spec.aerospikeConfig.network.fabric.tls-port: Forbidden: is managed by xp-aerospike",
				"spec.aerospikeConfig.network.heartbeat.addresses: Forbidden: is managed by xp-aerospike",
				"spec.aerospikeConfig.network.heartbeat.tls-mesh-seed-address-ports: Forbidden: is managed by xp-aerospike",
				"spec.aerospikeConfig.network.heartbeat.tls-port: Forbidden: is managed by xp-aerospike",
				"spec.aerospikeConfig.network.service.addresses: Forbidden: is managed by xp-aerospike",
				"spec.aerospikeConfig.network.service.tls-name: Forbidden: is managed by xp-aerospike",
				"spec.aerospikeConfig.network.service.tls-port: Forbidden: is managed by xp-aerospike",
				"spec.aerospikeConfig.service.cluster-name: Forbidden: is managed by xp-aerospike",
				"spec.aerospikeConfig.service.node-id: Forbidden: is managed by xp-aerospike: each node derives an id of its own",
			},
		},
		"UnknownAfterMerge": {
			reason: "the merged configuration is validated against the version's schema",
			edit: func(s *v1alpha1.AerospikeDatabaseSpec) {
				s.AerospikeConfig = &apiextensionsv1.JSON{Raw: []byte(`{"namespaces": [{"name": "mem", "storage-engine": {"compression": "zstd"}}]}`)}
			},
			want: []string{"spec.aerospikeConfig.namespaces[mem].storage-engine.compression: Forbidden: is Enterprise-only"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, res := Build(dbtest.New(t, nil, tc.edit))
			fieldtest.HavePrefixes(t, tc.reason, res.Errors, tc.want)
		})
	}
}

func TestConfigMap(t *testing.T) {
	d := dbtest.New(t, nil, nil)
	racks, _ := Build(d)
	cm := ConfigMap(d, racks, nil)
	if diff := cmp.Diff([]string{"rack-0.conf"}, keys(cm.Data)); diff != "" {
		t.Errorf("ConfigMap keys: -want +got:\n%s", diff)
	}
	if cm.Name != "db-config" || cm.Namespace != "team" {
		t.Errorf("ConfigMap is %s/%s, want team/db-config", cm.Namespace, cm.Name)
	}
}

func keys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestLiveSettingsRestartNothing: a setting the server changes live is out
// of the hash (the provider applies it), a static one is in it.
func TestLiveSettingsRestartNothing(t *testing.T) {
	build := func(edit func(s *v1alpha1.AerospikeDatabaseSpec)) Rack {
		t.Helper()
		racks, res := Build(dbtest.New(t, nil, edit))
		if res.Failed() {
			t.Fatal(res.Errors)
		}
		return racks[0]
	}
	base := build(func(s *v1alpha1.AerospikeDatabaseSpec) { s.Namespaces[0].DefaultTTL = "1d" })
	ttl := build(func(s *v1alpha1.AerospikeDatabaseSpec) { s.Namespaces[0].DefaultTTL = "2d" })
	if ttl.Hash != base.Hash {
		t.Error("changing default-ttl, which the server changes live, would restart every node")
	}
	if bytes.Equal(ttl.Text, base.Text) {
		t.Error("the new default-ttl must still be in aerospike.conf, for the next start")
	}
	tuned := build(func(s *v1alpha1.AerospikeDatabaseSpec) {
		s.Namespaces[0].DefaultTTL = "1d"
		s.AerospikeConfig = &apiextensionsv1.JSON{Raw: []byte(`{"namespaces": [{"name": "mem", "storage-engine": {"defrag-lwm-pct": 60}}]}`)}
	})
	if tuned.Hash != base.Hash {
		t.Error("changing a live storage-engine setting would restart every node")
	}
	static := build(func(s *v1alpha1.AerospikeDatabaseSpec) {
		s.Namespaces[0].DefaultTTL = "1d"
		s.Namespaces[0].ReplicationFactor = 3
	})
	if static.Hash == base.Hash {
		t.Error("changing the replication factor, which needs a restart, kept the hash")
	}
	want := map[string]map[string]string{"mem": {"default-ttl": "86400", "nsup-period": "120", "storage-engine.defrag-lwm-pct": "60"}}
	if diff := cmp.Diff(want, tuned.Live); diff != "" {
		t.Errorf("Live: -want +got:\n%s", diff)
	}
}

// TestTLS: the network section under spec.tls, validated against each
// version's schema by Build: a TLS context from the Secret's files, a TLS
// client port beside the plain one, and the fabric and heartbeat on TLS
// ports (seeds included) only when asked. Scaling a TLS heartbeat mesh
// still restarts nobody.
func TestTLS(t *testing.T) {
	for _, version := range []string{"8.0.0.15", "8.1.2.0"} {
		t.Run(version, func(t *testing.T) {
			build := func(edit func(*v1alpha1.TLS), size int32) Rack {
				racks, res := Build(dbtest.New(t, nil, func(s *v1alpha1.AerospikeDatabaseSpec) {
					enterprise(s)
					s.Version, s.Size = version, size
					s.TLS = &v1alpha1.TLS{SecretName: "db-tls"}
					edit(s.TLS)
				}))
				if res.Failed() {
					t.Fatal(res.Errors)
				}
				return racks[0]
			}
			contains(t, string(build(func(*v1alpha1.TLS) {}, 3).Text),
				"\ttls db {\n\t\tca-file /etc/aerospike/tls/ca.crt\n\t\tcert-file /etc/aerospike/tls/tls.crt\n\t\tkey-file /etc/aerospike/tls/tls.key\n\t}\n",
				"\t\tport 3000\n\t\ttls-authenticate-client false\n\t\ttls-name db\n\t\ttls-port 4333\n",
				"\tfabric {\n\t\tport 3001\n\t}\n",
				"mesh-seed-address-port db-0-0.db-headless.team.svc.cluster.local 3002\n",
			)

			mutual := func(tl *v1alpha1.TLS) {
				tl.Name, tl.ClientAuthentication, tl.Fabric, tl.Heartbeat = "aerospike.example.com", "Required", true, true
			}
			all := string(build(mutual, 3).Text)
			contains(t, all,
				"\ttls aerospike.example.com {\n",
				"\t\ttls-authenticate-client any\n",
				"\tfabric {\n\t\ttls-name aerospike.example.com\n\t\ttls-port 3011\n\t}\n",
				"\t\ttls-mesh-seed-address-port db-0-2.db-headless.team.svc.cluster.local 3012\n",
			)
			for _, gone := range []string{"port 3001", "port 3002", "\tmesh-seed-address-port"} {
				if strings.Contains(all, gone) {
					t.Errorf("inter-node TLS keeps %q: nodes would listen in the clear too\n%s", gone, all)
				}
			}
			if build(mutual, 3).Hash != build(mutual, 5).Hash {
				t.Error("scaling a TLS heartbeat mesh changed the hash: every node would restart")
			}
		})
	}
}
