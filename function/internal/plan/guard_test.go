package plan

import (
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/xp-aerospike/xp-aerospike/apis/aerospike/v1alpha1"
	"github.com/xp-aerospike/xp-aerospike/internal/fieldtest"
)

func spec() *v1alpha1.AerospikeDatabaseSpec {
	return &v1alpha1.AerospikeDatabaseSpec{
		Size: 3, Edition: v1alpha1.EditionCommunity,
		Namespaces: []v1alpha1.Namespace{
			{Name: "mem", ReplicationFactor: 2, Storage: v1alpha1.NamespaceStorage{Type: v1alpha1.StorageMemory, Size: resource.MustParse("4Gi")}},
			{Name: "disk", ReplicationFactor: 2, Storage: v1alpha1.NamespaceStorage{Type: v1alpha1.StorageDevice, Size: resource.MustParse("100Gi")}},
		},
		PersistentVolumeClaimRetentionPolicy: &v1alpha1.PersistentVolumeClaimRetentionPolicy{WhenDeleted: "Retain", WhenScaled: "Retain"},
	}
}

// observedFrom is a rack observed as made from s at version.
func observedFrom(s *v1alpha1.AerospikeDatabaseSpec, version string) []Rack {
	o := running(3, "h", "v", 0, 3)
	o.Annotations = Signature(s, version)
	o.Spec.PersistentVolumeClaimRetentionPolicy = &appsv1.StatefulSetPersistentVolumeClaimRetentionPolicy{WhenDeleted: "Retain", WhenScaled: "Retain"}
	return []Rack{{ID: 0, Nodes: 3, Template: tmpl("h", "v"), Observed: o}}
}

func TestGuard(t *testing.T) {
	cases := map[string]struct {
		reason    string
		edit      func(s *v1alpha1.AerospikeDatabaseSpec)
		version   string
		confirmed []string
		want      []string
	}{
		"Unchanged": {reason: "nothing changed, nothing refused", edit: func(*v1alpha1.AerospikeDatabaseSpec) {}},
		"Grow": {reason: "more memory and more copies lose nothing", edit: func(s *v1alpha1.AerospikeDatabaseSpec) {
			s.Namespaces[0].Storage.Size = resource.MustParse("8Gi")
			s.Namespaces[0].ReplicationFactor = 3
		}},
		"RemoveNamespace": {
			reason: "removing a namespace deletes its records",
			edit:   func(s *v1alpha1.AerospikeDatabaseSpec) { s.Namespaces = s.Namespaces[:1] },
			want:   []string{`spec.namespaces: Forbidden: removing namespace "disk" deletes its records would lose data; if you mean it, add namespace/disk to the annotation ` + AnnotationConfirm},
		},
		"RemoveNamespaceConfirmed": {
			reason:    "a confirmed removal goes ahead",
			edit:      func(s *v1alpha1.AerospikeDatabaseSpec) { s.Namespaces = s.Namespaces[:1] },
			confirmed: []string{"namespace/disk"},
		},
		"ChangeStorageType": {
			reason: "another storage type starts the namespace empty",
			edit:   func(s *v1alpha1.AerospikeDatabaseSpec) { s.Namespaces[0].Storage.Type = v1alpha1.StorageFile },
			want:   []string{`spec.namespaces[0].storage.type: Forbidden: changing namespace "mem" from memory to file storage`},
		},
		"ShrinkMemory": {
			reason: "less memory evicts records",
			edit:   func(s *v1alpha1.AerospikeDatabaseSpec) { s.Namespaces[0].Storage.Size = resource.MustParse("2Gi") },
			want:   []string{`spec.namespaces[0].storage.size: Forbidden: shrinking namespace "mem" from 4Gi to 2Gi`},
		},
		"ResizeVolume": {
			reason:    "a StatefulSet cannot resize its volumes, confirmed or not",
			edit:      func(s *v1alpha1.AerospikeDatabaseSpec) { s.Namespaces[1].Storage.Size = resource.MustParse("200Gi") },
			confirmed: []string{"storage/disk"},
			want:      []string{`spec.namespaces[1].storage.size: Forbidden: the volumes of namespace "disk" are 100Gi`},
		},
		"LowerReplicationFactor": {
			reason: "fewer copies lose what a node failure needs",
			edit:   func(s *v1alpha1.AerospikeDatabaseSpec) { s.Namespaces[1].ReplicationFactor = 1 },
			want:   []string{`spec.namespaces[1].replicationFactor: Forbidden: lowering the replication factor of namespace "disk" from 2 to 1`},
		},
		"Edition": {
			reason: "another edition replaces every server",
			edit:   func(s *v1alpha1.AerospikeDatabaseSpec) { s.Edition = v1alpha1.EditionEnterprise },
			want:   []string{"spec.edition: Forbidden: changing edition from community to enterprise"},
		},
		"DeleteVolumes": {
			reason: "deleting volumes with the database or on scale-down",
			edit: func(s *v1alpha1.AerospikeDatabaseSpec) {
				s.PersistentVolumeClaimRetentionPolicy = &v1alpha1.PersistentVolumeClaimRetentionPolicy{WhenDeleted: "Delete", WhenScaled: "Delete"}
			},
			want: []string{
				"spec.persistentVolumeClaimRetentionPolicy.whenDeleted: Forbidden: deleting the data volumes with the database",
				"spec.persistentVolumeClaimRetentionPolicy.whenScaled: Forbidden: deleting the data volumes of nodes removed by a scale-down",
			},
		},
		"UpgradeOneMajor": {reason: "7.x to 8.x is a supported upgrade", version: "8.1.2.0"},
		"SkipMajor": {
			reason: "skipping a major version is not supported", version: "9.0.0.0",
			want: []string{"spec.version: Forbidden: the cluster runs 7.2.0.0: upgrade one major version at a time (to 8.x first)"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			racks := observedFrom(spec(), "7.2.0.0")
			if tc.version == "" {
				tc.version = "7.2.0.0"
			}
			s := spec()
			if tc.edit != nil {
				tc.edit(s)
			}
			fieldtest.HavePrefixes(t, tc.reason, Guard(racks, s, tc.version, tc.confirmed).Errors, tc.want)
		})
	}
}

func TestDowngrade(t *testing.T) {
	errs := Guard(observedFrom(spec(), "8.1.2.0"), spec(), "7.2.0.0", nil).Errors
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "downgrade to an older major version") {
		t.Errorf("Guard() = %v", errs)
	}
	if errs := Guard(observedFrom(spec(), "8.1.2.0"), spec(), "8.0.0.15", nil).Errors; len(errs) != 0 {
		t.Errorf("a downgrade within a major is the user's call: %v", errs)
	}
}

func TestGuardNewDatabase(t *testing.T) {
	if errs := Guard([]Rack{{ID: 0, Nodes: 3, Template: tmpl("h", "v")}}, spec(), "8.1.2.0", nil).Errors; len(errs) != 0 {
		t.Errorf("a new database loses nothing: %v", errs)
	}
}

func TestConfirmed(t *testing.T) {
	got := Confirmed(map[string]string{AnnotationConfirm: " namespace/a, edition ,,"})
	if strings.Join(got, "|") != "namespace/a|edition" {
		t.Errorf("Confirmed() = %q", got)
	}
}

// TestGuardInterNodeTLS: TLS on the fabric or heartbeat cannot be switched
// on a running cluster, whatever is confirmed: half-rolled, the nodes could
// not reach each other. Client TLS may come and go.
func TestGuardInterNodeTLS(t *testing.T) {
	withTLS := func(fabric, heartbeat bool) func(*v1alpha1.AerospikeDatabaseSpec) {
		return func(s *v1alpha1.AerospikeDatabaseSpec) {
			s.TLS = &v1alpha1.TLS{SecretName: "tls", Fabric: fabric, Heartbeat: heartbeat}
		}
	}
	cases := map[string]struct {
		reason   string
		was, is  func(*v1alpha1.AerospikeDatabaseSpec)
		refused  bool
		fragment string
	}{
		"ClientTLSAdded":     {reason: "client TLS adds a port; the nodes still talk in the clear", is: withTLS(false, false)},
		"KeptHeartbeat":      {reason: "unchanged inter-node TLS is fine", was: withTLS(false, true), is: withTLS(false, true)},
		"HeartbeatSwitched":  {reason: "the heartbeat cannot move to TLS node by node", is: withTLS(false, true), refused: true, fragment: "with TLS on [] and would talk with TLS on [heartbeat]"},
		"FabricDropped":      {reason: "nor can the fabric leave it", was: withTLS(true, false), is: withTLS(false, false), refused: true, fragment: "on [fabric] and would talk with TLS on []"},
		"TLSRemovedEntirely": {reason: "removing spec.tls drops the heartbeat's TLS too", was: withTLS(true, true), refused: true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			was, is := spec(), spec()
			for _, e := range []struct {
				s    *v1alpha1.AerospikeDatabaseSpec
				edit func(*v1alpha1.AerospikeDatabaseSpec)
			}{{was, tc.was}, {is, tc.is}} {
				if e.edit != nil {
					e.edit(e.s)
				}
			}
			errs := Guard(observedFrom(was, "8.1.2.0"), is, "8.1.2.0", []string{"tls", "edition"}).Errors
			if got := len(errs) > 0; got != tc.refused {
				t.Fatalf("%s: refused = %v (%v), want %v", tc.reason, got, errs, tc.refused)
			}
			if tc.refused && (errs[0].Field != "spec.tls" || !strings.Contains(errs[0].Error(), tc.fragment)) {
				t.Errorf("%s: %v, want spec.tls naming %q", tc.reason, errs[0], tc.fragment)
			}
		})
	}
}

// TestGuardSingleCopy: with replication factor 1, a step that removes a
// node, or restarts one of a memory namespace, is refused unless
// confirmed; a persistent namespace's restart is a warning; adding a node
// or a rack draining under replication factor 2 is neither.
func TestGuardSingleCopy(t *testing.T) {
	single := func(i int) *v1alpha1.AerospikeDatabaseSpec {
		s := spec()
		s.Namespaces[i].ReplicationFactor = 1
		return s
	}
	// The racks as made from s, the spec under test: its replication
	// factors are what the cluster runs.
	racks := func(s *v1alpha1.AerospikeDatabaseSpec, nodes int32, template Template, leaving ...Rack) []Rack {
		r := observedFrom(s, "8.1.2.0")
		r[0].Nodes, r[0].Template = nodes, template
		return append(r, leaving...)
	}
	drained := Rack{ID: 9, Leaving: true, Template: tmpl("h", "v"), Observed: running(1, "h", "v", 1, 1)}
	cases := map[string]struct {
		reason    string
		spec      *v1alpha1.AerospikeDatabaseSpec
		racks     []Rack
		confirmed []string
		errs      []string
		warnings  int
	}{
		"ScaleDownMemory":    {reason: "a removed node takes a memory namespace's only copies", spec: single(0), racks: racks(single(0), 2, tmpl("h", "v")), errs: []string{"spec.namespaces[0].replicationFactor: Forbidden: namespace \"mem\" keeps one copy of each record (replicationFactor 1): removing a node"}},
		"ScaleDownDevice":    {reason: "a removed node takes a persistent namespace's only copies out of the cluster", spec: single(1), racks: racks(single(1), 2, tmpl("h", "v")), errs: []string{"spec.namespaces[1].replicationFactor: Forbidden: namespace \"disk\""}},
		"RackRemoved":        {reason: "a draining rack removes nodes too", spec: single(0), racks: racks(single(0), 3, tmpl("h", "v"), drained), errs: []string{"spec.namespaces[0].replicationFactor: Forbidden"}},
		"RollMemory":         {reason: "a memory namespace's node restarts empty", spec: single(0), racks: racks(single(0), 3, tmpl("h2", "v")), errs: []string{"spec.namespaces[0].replicationFactor: Forbidden: namespace \"mem\" keeps one copy of each record (replicationFactor 1): restarting a node empties it"}},
		"RollDevice":         {reason: "a persistent namespace's restart is a warning", spec: single(1), racks: racks(single(1), 3, tmpl("h2", "v")), warnings: 1},
		"Confirmed":          {reason: "the user confirmed the loss", spec: single(0), racks: racks(single(0), 2, tmpl("h", "v")), confirmed: []string{"single-copy/mem"}},
		"ScaleUp":            {reason: "adding a node loses nothing", spec: single(0), racks: racks(single(0), 4, tmpl("h", "v"))},
		"TwoCopiesScaleDown": {reason: "with two copies a node may leave", spec: spec(), racks: racks(spec(), 2, tmpl("h", "v"), drained)},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			r := Guard(tc.racks, tc.spec, "8.1.2.0", tc.confirmed)
			fieldtest.HavePrefixes(t, tc.reason, r.Errors, tc.errs)
			if len(r.Warnings) != tc.warnings {
				t.Errorf("%s: warnings %q, want %d", tc.reason, r.Warnings, tc.warnings)
			}
		})
	}
}
