package database

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"

	"github.com/xp-aerospike/xp-aerospike/apis/aerospike/v1alpha1"
	"github.com/xp-aerospike/xp-aerospike/function/input/v1beta1"
)

func xrWith(edit func(s *v1alpha1.AerospikeDatabaseSpec)) *v1alpha1.AerospikeDatabase {
	x := &v1alpha1.AerospikeDatabase{
		ObjectMeta: metav1.ObjectMeta{Name: "db", Namespace: "team"},
		Spec: v1alpha1.AerospikeDatabaseSpec{
			Size: 3, Version: "8.1.0.0", Edition: v1alpha1.EditionCommunity,
			Namespaces: []v1alpha1.Namespace{{Name: "a", Storage: v1alpha1.NamespaceStorage{Type: v1alpha1.StorageMemory, Size: resource.MustParse("1Gi")}}},
		},
	}
	if edit != nil {
		edit(&x.Spec)
	}
	return x
}

// TestSplit checks nodes are spread evenly, the first racks taking the
// remainder.
func TestSplit(t *testing.T) {
	cases := map[string]struct {
		size  int32
		racks []v1alpha1.Rack
		want  []int32
	}{
		"NoRacks":      {size: 5, want: []int32{5}},
		"Even":         {size: 6, racks: []v1alpha1.Rack{{ID: 1}, {ID: 2}, {ID: 3}}, want: []int32{2, 2, 2}},
		"Remainder":    {size: 7, racks: []v1alpha1.Rack{{ID: 1}, {ID: 2}, {ID: 3}}, want: []int32{3, 2, 2}},
		"RemainderTwo": {size: 8, racks: []v1alpha1.Rack{{ID: 9}, {ID: 2}, {ID: 5}}, want: []int32{3, 3, 2}},
		"OnePerRack":   {size: 3, racks: []v1alpha1.Rack{{ID: 1}, {ID: 2}, {ID: 3}}, want: []int32{1, 1, 1}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			d, res := New(xrWith(func(s *v1alpha1.AerospikeDatabaseSpec) { s.Size, s.Racks = tc.size, tc.racks }), nil)
			if res.Failed() {
				t.Fatal(res.Errors)
			}
			got := make([]int32, 0, len(d.Racks))
			var sum int32
			for _, r := range d.Racks {
				got = append(got, r.Nodes)
				sum += r.Nodes
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("nodes per rack: -want +got:\n%s", diff)
			}
			if sum != tc.size {
				t.Errorf("racks hold %d nodes, want %d", sum, tc.size)
			}
		})
	}
}

func TestImageAndVersion(t *testing.T) {
	cases := map[string]struct {
		reason             string
		edit               func(s *v1alpha1.AerospikeDatabaseSpec)
		in                 *v1beta1.Input
		wantImage, wantVer string
		wantErr            string
	}{
		"Community": {
			reason:    "the Community Edition image on Docker Hub",
			wantImage: "docker.io/aerospike/aerospike-server:8.1.0.0", wantVer: "8.1.0.0",
		},
		"Enterprise": {
			reason:    "the Enterprise Edition image",
			edit:      func(s *v1alpha1.AerospikeDatabaseSpec) { s.Edition = v1alpha1.EditionEnterprise },
			wantImage: "docker.io/aerospike/aerospike-server-enterprise:8.1.0.0", wantVer: "8.1.0.0",
		},
		"Registry": {
			reason:    "a platform team's mirror",
			in:        &v1beta1.Input{Registry: "mirror.example.com/hub"},
			wantImage: "mirror.example.com/hub/aerospike/aerospike-server:8.1.0.0", wantVer: "8.1.0.0",
		},
		"ImageTag": {
			reason:    "the version is read from the image's tag",
			edit:      func(s *v1alpha1.AerospikeDatabaseSpec) { s.Version, s.Image = "", "registry:5000/as/server:7.2.0.6_1" },
			wantImage: "registry:5000/as/server:7.2.0.6_1", wantVer: "7.2.0.6_1",
		},
		"ImageDigest": {
			reason:  "a digest carries no version",
			edit:    func(s *v1alpha1.AerospikeDatabaseSpec) { s.Version, s.Image = "", "as/server@sha256:0123" },
			wantErr: "spec.version: Required value",
		},
		"ImageTagNotVersion": {
			reason:  "a tag such as latest carries no version",
			edit:    func(s *v1alpha1.AerospikeDatabaseSpec) { s.Version, s.Image = "", "registry:5000/as/server:latest" },
			wantErr: "spec.version: Required value",
		},
		"TooOld": {
			reason:  "6.x is not supported",
			edit:    func(s *v1alpha1.AerospikeDatabaseSpec) { s.Version = "6.4.0.0" },
			wantErr: `spec.version: Invalid value: "6.4.0.0": server version 6.4.0.0 is not supported: the oldest supported version is 7.0`,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			d, res := New(xrWith(tc.edit), tc.in)
			if tc.wantErr != "" {
				if len(res.Errors) != 1 || !strings.HasPrefix(res.Errors[0].Error(), tc.wantErr) {
					t.Fatalf("%s: want error %q, got %v", tc.reason, tc.wantErr, res.Errors)
				}
				return
			}
			if res.Failed() {
				t.Fatal(res.Errors)
			}
			if d.Image != tc.wantImage || d.Version != tc.wantVer {
				t.Errorf("%s: image %q version %q, want %q %q", tc.reason, d.Image, d.Version, tc.wantImage, tc.wantVer)
			}
		})
	}
}

func TestHosts(t *testing.T) {
	d, _ := New(xrWith(func(s *v1alpha1.AerospikeDatabaseSpec) {
		s.Size, s.Racks = 3, []v1alpha1.Rack{{ID: 1}, {ID: 2}}
	}), &v1beta1.Input{ClusterDomain: "corp.local"})
	want := []string{
		"db-1-0.db-headless.team.svc.corp.local",
		"db-1-1.db-headless.team.svc.corp.local",
		"db-2-0.db-headless.team.svc.corp.local",
	}
	if diff := cmp.Diff(want, d.PodHosts()); diff != "" {
		t.Errorf("PodHosts(): -want +got:\n%s", diff)
	}
	if got := d.Endpoint(); got != "db.team.svc.corp.local:3000" {
		t.Errorf("Endpoint() = %q", got)
	}
}

func TestDefaultVersion(t *testing.T) {
	none := func(s *v1alpha1.AerospikeDatabaseSpec) { s.Version = "" }
	d, res := New(xrWith(none), &v1beta1.Input{DefaultVersion: "8.0.0.15"})
	if res.Failed() || d.Version != "8.0.0.15" || d.Image != "docker.io/aerospike/aerospike-server:8.0.0.15" {
		t.Errorf("the platform's default version: %+v, %v", d, res.Errors)
	}
	d, _ = New(xrWith(nil), &v1beta1.Input{DefaultVersion: "8.0.0.15"})
	if d.Version != "8.1.0.0" {
		t.Errorf("a pinned version wins over the default: %s", d.Version)
	}
	if _, res := New(xrWith(none), nil); len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Error(), "default version") {
		t.Errorf("no version and no default: %v", res.Errors)
	}
}

// TestNamespace checks where the composed objects go: a namespaced XR's own
// namespace, or a claimed cluster-scoped XR's claim's.
func TestNamespace(t *testing.T) {
	labelPath := field.NewPath("metadata", "labels").Key("crossplane.io/claim-namespace")
	cases := map[string]struct {
		reason  string
		meta    metav1.ObjectMeta
		want    string
		wantErr *field.Error
	}{
		"Namespaced": {
			reason: "a namespaced XR composes into its own namespace",
			meta:   metav1.ObjectMeta{Name: "db", Namespace: "team"},
			want:   "team",
		},
		"NamespacedWinsOverLabel": {
			reason: "a namespaced XR's own namespace wins over a claim-namespace label it may carry",
			meta:   metav1.ObjectMeta{Name: "db", Namespace: "team", Labels: map[string]string{"crossplane.io/claim-namespace": "other"}},
			want:   "team",
		},
		"Claimed": {
			reason: "a cluster-scoped XR composes into the namespace of its claim",
			meta: metav1.ObjectMeta{Name: "db-x7k2p", Labels: map[string]string{
				"crossplane.io/claim-name": "db", "crossplane.io/claim-namespace": "team-a",
			}},
			want: "team-a",
		},
		"Unclaimed": {
			reason:  "a cluster-scoped XR without a claim has nowhere to compose to",
			meta:    metav1.ObjectMeta{Name: "db"},
			wantErr: field.Required(labelPath, ""),
		},
		"BadClaimNamespace": {
			reason:  "a claim namespace label that names no namespace is refused, naming the label",
			meta:    metav1.ObjectMeta{Name: "db", Labels: map[string]string{"crossplane.io/claim-namespace": "Team_A"}},
			wantErr: field.Invalid(labelPath, "Team_A", ""),
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			x := xrWith(nil)
			x.ObjectMeta = tc.meta
			d, res := New(x, nil)
			if tc.wantErr != nil {
				if len(res.Errors) != 1 {
					t.Fatalf("%s: want one error, got %v", tc.reason, res.Errors)
				}
				if diff := cmp.Diff(tc.wantErr, res.Errors[0], cmpopts.IgnoreFields(field.Error{}, "Detail")); diff != "" {
					t.Errorf("%s: -want +got:\n%s", tc.reason, diff)
				}
				if !strings.Contains(res.Errors[0].Detail, "claim") {
					t.Errorf("%s: the error does not say the database must be claimed: %v", tc.reason, res.Errors[0])
				}
				return
			}
			if res.Failed() {
				t.Fatalf("%s: %v", tc.reason, res.Errors)
			}
			if d.Namespace != tc.want {
				t.Errorf("%s: Namespace = %q, want %q", tc.reason, d.Namespace, tc.want)
			}
			if !strings.Contains(d.Endpoint(), "."+tc.want+".svc.") {
				t.Errorf("%s: Endpoint() = %q is not in namespace %q", tc.reason, d.Endpoint(), tc.want)
			}
		})
	}
}

func TestMaxUnavailable(t *testing.T) {
	cases := map[string]struct {
		user  *int32
		minRF int32
		want  int32
	}{
		"DefaultRF2":     {minRF: 2, want: 1},
		"DefaultRF3":     {minRF: 3, want: 1},
		"DefaultRF1":     {minRF: 1, want: 0},
		"UserRF3":        {user: ptr.To[int32](2), minRF: 3, want: 2},
		"UserCappedByRF": {user: ptr.To[int32](5), minRF: 2, want: 1},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := MaxUnavailable(&v1alpha1.AerospikeDatabaseSpec{MaxUnavailable: tc.user}, tc.minRF)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("MaxUnavailable(): -want +got:\n%s", diff)
			}
		})
	}
}

// TestResolvedNamesAndWarnings: the cluster name fits asd's limit whatever
// the XR's name, and a version the schemas do not reach or an image tag
// that disagrees with spec.version is said, not silently used.
func TestResolvedNamesAndWarnings(t *testing.T) {
	long := strings.Repeat("a", 70)
	cases := map[string]struct {
		reason      string
		name        string
		edit        func(s *v1alpha1.AerospikeDatabaseSpec)
		clusterName string
		warnings    []string
	}{
		"Short": {reason: "a name asd accepts is the cluster name", name: "db", clusterName: "db"},
		"Long": {
			reason:      "a name beyond asd's 63 characters is shortened with a hash, stably",
			name:        long,
			clusterName: strings.Repeat("a", 54) + "-6bd5e503",
		},
		"NewerThanSchemas": {
			reason:      "a version newer than every schema is validated against the newest, and the user is told",
			name:        "db",
			edit:        func(s *v1alpha1.AerospikeDatabaseSpec) { s.Version = "9.0.0.0" },
			clusterName: "db",
			warnings:    []string{"spec.version: 9.0.0.0 is newer than the newest server configuration this function knows (8.1): aerospike.conf is checked against 8.1's, so a setting 9.0 added or changed is not checked"},
		},
		"ImageTagDisagrees": {
			reason:      "an image whose tag names another version than spec.version",
			name:        "db",
			edit:        func(s *v1alpha1.AerospikeDatabaseSpec) { s.Image = "registry.example.com/aerospike-server:8.0.0.15" },
			clusterName: "db",
			warnings:    []string{`spec.image: its tag names version 8.0.0.15 but spec.version is 8.1.0.0: the configuration is written for 8.1.0.0; make them agree`},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			x := xrWith(tc.edit)
			x.Name = tc.name
			d, res := New(x, nil)
			if res.Failed() {
				t.Fatal(res.Errors)
			}
			if d.ClusterName != tc.clusterName || len(d.ClusterName) > 63 {
				t.Errorf("%s: cluster name %q, want %q", tc.reason, d.ClusterName, tc.clusterName)
			}
			if diff := cmp.Diff(tc.warnings, res.Warnings); diff != "" {
				t.Errorf("%s: warnings -want +got:\n%s", tc.reason, diff)
			}
		})
	}
}
