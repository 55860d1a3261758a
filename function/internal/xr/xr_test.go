package xr

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"k8s.io/apimachinery/pkg/api/resource"
	"sigs.k8s.io/yaml"

	"github.com/xp-aerospike/xp-aerospike/apis/aerospike/v1alpha1"
	"github.com/xp-aerospike/xp-aerospike/internal/fieldtest"
)

func content(t *testing.T, spec string) map[string]any {
	t.Helper()
	m := map[string]any{}
	if err := yaml.Unmarshal([]byte("apiVersion: aerospike.xp-aerospike.io/v1alpha1\nkind: AerospikeDatabase\nmetadata: {name: db, namespace: team}\nspec:\n"+spec), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestDecode(t *testing.T) {
	cases := map[string]struct {
		reason   string
		spec     string
		want     []string
		warnings []string
		size     int32
	}{
		"Valid": {
			reason: "a well-formed spec decodes, numbers as quantities too",
			spec:   "  size: 3\n  namespaces: [{name: a, storage: {type: memory, size: 1073741824}}]\n  resources: {limits: {memory: 4Gi, cpu: 2}}\n",
			size:   3,
		},
		"CaseSensitive": {
			reason:   "field names match case-sensitively, as the API server matches them: siZe is not size, and is named",
			spec:     "  siZe: 5\n  size: 3\n  namespaces: [{name: a, nAme: b, storage: {type: memory, size: 1Gi}}]\n",
			size:     3,
			warnings: []string{"spec.namespaces[0].nAme: unknown field, ignored (field names are case-sensitive)", "spec.siZe: unknown field, ignored (field names are case-sensitive)"},
		},
		"CrossplaneFields": {
			reason: "what Crossplane writes in the spec is not the user's mistake",
			spec:   "  size: 1\n  namespaces: [{name: a, storage: {type: memory, size: 1Gi}}]\n  crossplane: {compositionRef: {name: c}}\n  compositionRef: {name: c}\n  resourceRefs: []\n",
			size:   1,
		},
		"MalformedQuantities": {
			reason: "every malformed quantity is reported with its path",
			spec:   "  size: 3\n  namespaces: [{name: a, storage: {type: memory, size: 1GB-ish}}, {name: b, storage: {type: file, size: true}}]\n  resources: {limits: {memory: lots}}\n",
			want: []string{
				`spec.namespaces[0].storage.size: Invalid value: "1GB-ish": must be a quantity`,
				`spec.namespaces[1].storage.size: Invalid value: true: must be a quantity`,
				`spec.resources.limits[memory]: Invalid value: "lots": must be a quantity`,
			},
		},
		"ZeroReplicationFactor": {
			reason: "a replication factor of 0 written out is refused, not read as unset and defaulted",
			spec:   "  size: 3\n  namespaces: [{name: a, replicationFactor: 0, storage: {type: memory, size: 1Gi}}, {name: b, storage: {type: memory, size: 1Gi}}]\n",
			want:   []string{`spec.namespaces[0].replicationFactor: Invalid value: 0: must be 1 to 256; leave it out for the default`},
		},
		"WrongType": {
			reason: "a type mismatch names the field",
			spec:   "  size: three\n  namespaces: []\n",
			want:   []string{`spec.size: Invalid value: "string": must be of type int32`},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			db, res := Decode(content(t, tc.spec))
			warnings := res.Warnings
			fieldtest.HavePrefixes(t, tc.reason, res.Errors, tc.want)
			if diff := cmp.Diff(tc.warnings, warnings, cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
				t.Errorf("%s: warnings -want +got:\n%s", tc.reason, diff)
			}
			if len(tc.want) > 0 {
				return
			}
			if db.GetName() != "db" || db.Spec.Size != tc.size {
				t.Errorf("%s: decoded %q of size %d, want db of size %d", tc.reason, db.GetName(), db.Spec.Size, tc.size)
			}
		})
	}
}

func TestDefault(t *testing.T) {
	got := v1alpha1.AerospikeDatabaseSpec{
		Size:                1,
		Edition:             "",
		FeatureKeySecretRef: &v1alpha1.SecretKeyRef{Name: "k"},
		Namespaces: []v1alpha1.Namespace{
			{Name: "a", DefaultTTL: "30d"},
			{Name: "b", DefaultTTL: "0"},
			{Name: "c", ReplicationFactor: 1, DefaultTTL: "1h", NsupPeriod: "10"},
		},
		AccessControl: &v1alpha1.AccessControl{Users: []v1alpha1.User{{Name: "u"}}},
	}
	Default(&got)
	want := v1alpha1.AerospikeDatabaseSpec{
		Size:                1,
		Edition:             v1alpha1.EditionCommunity,
		FeatureKeySecretRef: &v1alpha1.SecretKeyRef{Name: "k", Key: DefaultFeatureKeyKey},
		Namespaces: []v1alpha1.Namespace{
			// A single node holds one copy; a TTL needs the supervisor.
			{Name: "a", ReplicationFactor: 1, DefaultTTL: "30d", NsupPeriod: DefaultNsupPeriod},
			{Name: "b", ReplicationFactor: 1, DefaultTTL: "0"},
			{Name: "c", ReplicationFactor: 1, DefaultTTL: "1h", NsupPeriod: "10"},
		},
		Service:                              &v1alpha1.ClientService{Type: "ClusterIP"},
		PersistentVolumeClaimRetentionPolicy: &v1alpha1.PersistentVolumeClaimRetentionPolicy{WhenDeleted: "Retain", WhenScaled: "Retain"},
		AccessControl: &v1alpha1.AccessControl{
			AdminSecretRef: v1alpha1.AdminSecretRef{UsernameKey: "username", PasswordKey: "password"},
			Users:          []v1alpha1.User{{Name: "u", PasswordSecretRef: v1alpha1.SecretKeyRef{Key: DefaultPasswordKey}}},
		},
	}
	if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b resource.Quantity) bool { return a.Cmp(b) == 0 })); diff != "" {
		t.Errorf("Default(): -want +got:\n%s", diff)
	}

	three := v1alpha1.AerospikeDatabaseSpec{Size: 3, Namespaces: []v1alpha1.Namespace{{Name: "a"}}}
	Default(&three)
	if three.Namespaces[0].ReplicationFactor != 2 {
		t.Errorf("Default(): replication factor of a 3-node database = %d, want 2", three.Namespaces[0].ReplicationFactor)
	}
}

func TestSeconds(t *testing.T) {
	cases := map[v1alpha1.Duration]int64{"": 0, "0": 0, "45": 45, "45s": 45, "2m": 120, "3h": 10800, "30d": 2592000}
	for d, want := range cases {
		got, err := Seconds(d)
		if err != nil || got != want {
			t.Errorf("Seconds(%q) = %d, %v; want %d", d, got, err, want)
		}
	}
	for _, bad := range []v1alpha1.Duration{"1w", "d", "-1", "1.5h", "99999999999"} {
		if _, err := Seconds(bad); err == nil {
			t.Errorf("Seconds(%q): want an error", bad)
		}
	}
}
