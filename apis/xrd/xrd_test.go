package xrd

import (
	"context"
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/validation"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel"
	structuraldefaulting "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/listtype"
	apiservervalidation "k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	"k8s.io/apimachinery/pkg/util/validation/field"
	celconfig "k8s.io/apiserver/pkg/apis/cel"
	"sigs.k8s.io/yaml"

	"github.com/crossplane/crossplane-runtime/v2/pkg/xcrd"
	xpv1 "github.com/crossplane/crossplane/apis/v2/apiextensions/v1"
	xpv2 "github.com/crossplane/crossplane/apis/v2/apiextensions/v2"

	"github.com/xp-aerospike/xp-aerospike/apis/aerospike/v1alpha1"
)

var update = flag.Bool("update", false, "rewrite the committed XRDs from the Go types")

// flavour is one XRD the generator writes: its package and xrdgen's flag.
type flavour struct {
	pkg  string
	flag string
}

// flavours are the namespaced XRD and the claims flavour.
var flavours = []flavour{
	{pkg: "configuration", flag: "-out"},
	{pkg: "configuration-claims", flag: "-claims-out"},
}

func (f flavour) committed() string {
	return filepath.Join("..", "..", "package", f.pkg, "definition.yaml")
}

// namespaced is the flavour most tests check the schema through: every
// flavour carries the same one (TestFlavoursShareTheSchema). claims is the
// Crossplane 1.x style one.
var namespaced, claims = flavours[0], flavours[1]

// TestCommittedXRDMatchesTypes fails when the Go types changed but an XRD
// under package/ was not regenerated. Run `make generate` (or this test with
// -update) to fix it.
func TestCommittedXRDMatchesTypes(t *testing.T) {
	// The generator runs in its own process: controller-tools' loader
	// type-checks packages concurrently with a data race of its own, which
	// -race would pin on this test.
	dir := t.TempDir()
	args := make([]string, 0, 2+2*len(flavours))
	args = append(args, "run", "./cmd/xrdgen")
	for _, f := range flavours {
		args = append(args, f.flag, filepath.Join(dir, f.pkg+".yaml"))
	}
	if b, err := exec.CommandContext(t.Context(), "go", args...).CombinedOutput(); err != nil {
		t.Fatalf("cannot run the XRD generator: %v\n%s", err, b)
	}
	for _, f := range flavours {
		t.Run(f.pkg, func(t *testing.T) {
			want, err := os.ReadFile(filepath.Join(dir, f.pkg+".yaml"))
			if err != nil {
				t.Fatal(err)
			}
			if *update {
				if err := os.WriteFile(f.committed(), want, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			got, err := os.ReadFile(f.committed())
			if err != nil {
				t.Fatalf("cannot read the committed XRD: %v", err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("%s is stale; run `make generate`\n-generated +committed:\n%s", f.committed(), diff)
			}
		})
	}
}

// TestXRDIsAValidCRDSchema runs the API server's own CRD validation over
// every CRD Crossplane derives from each XRD (the composite's and the
// claim's): the schema must be structural, every CEL rule must compile and
// stay within the cost budget, and every default must validate.
func TestXRDIsAValidCRDSchema(t *testing.T) {
	for _, f := range flavours {
		for _, crd := range loadCRDs(t, f) {
			t.Run(crd.Name, func(t *testing.T) {
				if errs := validation.ValidateCustomResourceDefinition(context.Background(), crd); len(errs) > 0 {
					t.Fatalf("the CRD derived from %s is invalid:\n%s", f.committed(), errs.ToAggregate())
				}
			})
		}
	}
}

// TestSchemaValidation checks that the schema alone (types, enums, patterns,
// defaults and CEL rules) accepts good AerospikeDatabases and refuses bad
// ones with a message that names the field.
func TestSchemaValidation(t *testing.T) {
	const minimal = `
size: 3
version: "8.1.0.0"
namespaces:
- name: cache
  storage: {type: memory, size: 1Gi}
`
	cases := map[string]struct {
		reason string
		spec   string
		want   []string // substrings, one per expected error
	}{
		"Minimal": {
			reason: "a Community Edition database with one memory namespace is valid",
			spec:   minimal,
		},
		"Production": {
			reason: "an Enterprise database with racks, device storage and users is valid",
			spec: `
size: 6
version: "8.1.0.0"
edition: enterprise
featureKeySecretRef: {name: aerospike-features}
racks: [{id: 1, zone: a}, {id: 2, zone: b}, {id: 3, zone: c}]
namespaces:
- name: orders
  replicationFactor: 3
  storage: {type: device, size: 100Gi, storageClassName: fast}
  defaultTTL: 30d
accessControl:
  adminSecretRef: {name: admin}
  applicationUser: app
  roles: [{name: app, privileges: [{code: read-write, namespace: orders, set: s}]}]
  users: [{name: app, roles: [app], passwordSecretRef: {name: app-pw}}]
aerospikeConfig:
  service: {proto-fd-max: 20000}
`,
		},
		"NoVersionOrImage": {
			reason: "without a version the platform's default applies",
			spec: `
size: 1
namespaces: [{name: a, storage: {type: memory, size: 1Gi}}]
`,
		},
		"CommunityTooLarge": {
			reason: "Community Edition stops at 8 nodes",
			spec:   strings.Replace(minimal, "size: 3", "size: 9", 1),
			want:   []string{"at most 8 nodes"},
		},
		"CommunityTooManyNamespaces": {
			reason: "Community Edition stops at 2 namespaces",
			spec: `
size: 3
version: "8.1.0.0"
namespaces:
- {name: a, storage: {type: memory, size: 1Gi}}
- {name: b, storage: {type: memory, size: 1Gi}}
- {name: c, storage: {type: memory, size: 1Gi}}
`,
			want: []string{"at most 2 namespaces"},
		},
		"CommunityAccessControl": {
			reason: "users and roles are Enterprise-only",
			spec:   minimal + "accessControl: {adminSecretRef: {name: a}, users: [{name: u, roles: [read], passwordSecretRef: {name: s}}]}\n",
			want:   []string{"spec.accessControl needs edition enterprise"},
		},
		"EnterpriseWithoutFeatureKey": {
			reason: "Enterprise Edition will not start without a feature key",
			spec:   minimal + "edition: enterprise\n",
			want:   []string{"featureKeySecretRef is required"},
		},
		"ReplicationFactorAboveSize": {
			reason: "a cluster cannot hold more copies than nodes",
			spec: `
size: 2
version: "8.1.0.0"
namespaces: [{name: a, replicationFactor: 3, storage: {type: memory, size: 1Gi}}]
`,
			want: []string{"replicationFactor must not exceed spec.size"},
		},
		"UnknownStorageType": {
			reason: "storage is memory, device or file",
			spec:   strings.Replace(minimal, "type: memory", "type: tape", 1),
			want:   []string{`spec.namespaces[0].storage.type: Unsupported value: "tape"`},
		},
		"StorageClassOnMemory": {
			reason: "memory storage has no volume",
			spec:   strings.Replace(minimal, "size: 1Gi}", "size: 1Gi, storageClassName: fast}", 1),
			want:   []string{"storageClassName applies to device and file storage only"},
		},
		"MalformedQuantity": {
			reason: "sizes are Kubernetes quantities",
			spec:   strings.Replace(minimal, "size: 1Gi}", "size: 1GB-ish}", 1),
			want:   []string{"spec.namespaces[0].storage.size"},
		},
		"MalformedVersion": {
			reason: "a version is dotted numbers",
			spec:   strings.Replace(minimal, `"8.1.0.0"`, "latest", 1),
			want:   []string{"spec.version"},
		},
		"MoreRacksThanNodes": {
			reason: "every rack needs a node",
			spec:   minimal + "racks: [{id: 1}, {id: 2}, {id: 3}, {id: 4}]\n",
			want:   []string{"every rack needs at least one node"},
		},
		"DuplicateRack": {
			reason: "rack ids are unique",
			spec:   minimal + "racks: [{id: 1}, {id: 1}]\n",
			want:   []string{"spec.racks[1]: Duplicate value"},
		},
		"SetPrivilegeWithoutNamespace": {
			reason: "a set lives in a namespace",
			spec: minimal + `edition: enterprise
featureKeySecretRef: {name: k}
accessControl: {adminSecretRef: {name: a}, roles: [{name: r, privileges: [{code: read, set: s}]}]}
`,
			want: []string{"a privilege scoped to a set also needs its namespace"},
		},
		"BadTTL": {
			reason: "a TTL is seconds or a number with s, m, h or d",
			spec:   strings.Replace(minimal, "size: 1Gi}", "size: 1Gi}\n  defaultTTL: 1w", 1),
			want:   []string{"spec.namespaces[0].defaultTTL"},
		},
	}
	v := newValidator(t, loadCRDs(t, namespaced)[0])
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			// Decode as the API server does: whole numbers are int64.
			j, err := yaml.YAMLToJSON([]byte(tc.spec))
			if err != nil {
				t.Fatal(err)
			}
			spec := map[string]any{}
			if err := utiljson.Unmarshal(j, &spec); err != nil {
				t.Fatal(err)
			}
			errs := v.validate(map[string]any{
				"apiVersion": "aerospike.xp-aerospike.io/v1alpha1",
				"kind":       "AerospikeDatabase",
				"metadata":   map[string]any{"name": "db", "namespace": "team"},
				"spec":       spec,
			})
			got := errs.ToAggregate()
			if len(tc.want) == 0 {
				if got != nil {
					t.Fatalf("%s: want no error, got:\n%v", tc.reason, got)
				}
				return
			}
			if len(errs) != len(tc.want) {
				t.Fatalf("%s: want %d errors containing %q, got:\n%v", tc.reason, len(tc.want), tc.want, got)
			}
			for _, w := range tc.want {
				if !strings.Contains(got.Error(), w) {
					t.Errorf("%s: want an error containing %q, got:\n%v", tc.reason, w, got)
				}
			}
		})
	}
}

// TestDefaults checks the defaults the API server applies.
func TestDefaults(t *testing.T) {
	v := newValidator(t, loadCRDs(t, namespaced)[0])
	obj := map[string]any{
		"spec": map[string]any{
			"size":                                 int64(1),
			"version":                              "8.1.0.0",
			"namespaces":                           []any{map[string]any{"name": "a", "storage": map[string]any{"type": "memory", "size": "1Gi"}}},
			"service":                              map[string]any{},
			"persistentVolumeClaimRetentionPolicy": map[string]any{},
		},
	}
	structuraldefaulting.Default(obj, v.structural)
	spec := obj["spec"].(map[string]any)
	want := map[string]any{
		"edition":                              "community",
		"service":                              map[string]any{"type": "ClusterIP"},
		"persistentVolumeClaimRetentionPolicy": map[string]any{"whenDeleted": "Retain", "whenScaled": "Retain"},
	}
	for k, w := range want {
		if diff := cmp.Diff(w, spec[k]); diff != "" {
			t.Errorf("default of spec.%s: -want +got:\n%s", k, diff)
		}
	}
}

type validator struct {
	structural *structuralschema.Structural
	schema     apiservervalidation.SchemaValidator
	cel        *cel.Validator
}

func newValidator(t *testing.T, crd *apiextensions.CustomResourceDefinition) *validator {
	t.Helper()
	// The internal CRD hoists a schema shared by every version to spec.
	s := crd.Spec.Validation.OpenAPIV3Schema
	st, err := structuralschema.NewStructural(s)
	if err != nil {
		t.Fatalf("schema is not structural: %v", err)
	}
	sv, _, err := apiservervalidation.NewSchemaValidator(s)
	if err != nil {
		t.Fatal(err)
	}
	return &validator{
		structural: st,
		schema:     sv,
		cel:        cel.NewValidator(st, true, celconfig.PerCallLimit),
	}
}

// validate does what the API server does to a new object: default it, then
// validate the OpenAPI schema, list keys and the CEL rules.
func (v *validator) validate(obj map[string]any) field.ErrorList {
	structuraldefaulting.Default(obj, v.structural)
	errs := apiservervalidation.ValidateCustomResource(nil, obj, v.schema)
	errs = append(errs, listtype.ValidateListSetsAndMaps(nil, v.structural, obj)...)
	if len(errs) > 0 {
		return errs
	}
	celErrs, _ := v.cel.Validate(context.Background(), nil, v.structural, obj, nil, celconfig.RuntimeCELCostBudget)
	return celErrs
}

// loadXRD reads a flavour's committed XRD as a v1 XRD. A v2 XRD is a v1 XRD
// without the legacy fields, which is how Crossplane reads it too.
func loadXRD(t *testing.T, f flavour) *xpv1.CompositeResourceDefinition {
	t.Helper()
	b, err := os.ReadFile(f.committed())
	if err != nil {
		t.Fatal(err)
	}
	tm := metav1.TypeMeta{}
	if err := yaml.Unmarshal(b, &tm); err != nil {
		t.Fatalf("%s is not YAML: %v", f.committed(), err)
	}
	if tm.APIVersion == xpv2.SchemeGroupVersion.String() {
		x2 := &xpv2.CompositeResourceDefinition{}
		if err := yaml.UnmarshalStrict(b, x2); err != nil {
			t.Fatalf("%s does not decode strictly: %v", f.committed(), err)
		}
		if b, err = json.Marshal(x2); err != nil {
			t.Fatal(err)
		}
	}
	x := &xpv1.CompositeResourceDefinition{}
	if err := yaml.UnmarshalStrict(b, x); err != nil {
		t.Fatalf("%s does not decode strictly as a v1 XRD: %v", f.committed(), err)
	}
	return x
}

// loadCRDs derives a flavour's CRDs from its committed XRD as Crossplane
// does, with crossplane-runtime's xcrd: the composite's and, when the XRD
// offers a claim, the claim's.
func loadCRDs(t *testing.T, f flavour) []*apiextensions.CustomResourceDefinition {
	t.Helper()
	x := loadXRD(t, f)
	x.UID = "xrd-uid" // the CRDs' owner reference; the API server sets it
	derive := []func(*xpv1.CompositeResourceDefinition) (*apiextensionsv1.CustomResourceDefinition, error){xcrd.ForCompositeResource}
	if x.Spec.ClaimNames != nil {
		derive = append(derive, xcrd.ForCompositeResourceClaim)
	}
	out := make([]*apiextensions.CustomResourceDefinition, 0, len(derive))
	for _, d := range derive {
		v1, err := d(x)
		if err != nil {
			t.Fatalf("cannot derive a CRD from %s: %v", f.committed(), err)
		}
		v1.Status.StoredVersions = []string{x.Spec.Versions[0].Name}
		crd := &apiextensions.CustomResourceDefinition{}
		if err := apiextensionsv1.Convert_v1_CustomResourceDefinition_To_apiextensions_CustomResourceDefinition(v1, crd, nil); err != nil {
			t.Fatal(err)
		}
		out = append(out, crd)
	}
	return out
}

// TestExamplesAreValid admits every example's XR, and the claim of an
// example that has one, through the schema of the CRD that serves its kind,
// as the API server would.
func TestExamplesAreValid(t *testing.T) {
	crds := map[schema.GroupKind]*apiextensions.CustomResourceDefinition{}
	for _, f := range flavours {
		for _, crd := range loadCRDs(t, f) {
			crds[schema.GroupKind{Group: crd.Spec.Group, Kind: crd.Spec.Names.Kind}] = crd
		}
	}
	var files []string
	for _, pattern := range []string{"../../examples/*/xr.yaml", "../../examples/*/claim.yaml"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) == 0 {
		t.Fatal("no examples found")
	}
	for _, f := range files {
		t.Run(filepath.Base(filepath.Dir(f))+"/"+filepath.Base(f), func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			j, err := yaml.YAMLToJSON(b)
			if err != nil {
				t.Fatal(err)
			}
			obj := map[string]any{}
			if err := utiljson.Unmarshal(j, &obj); err != nil {
				t.Fatal(err)
			}
			u := unstructured.Unstructured{Object: obj}
			gk := u.GroupVersionKind().GroupKind()
			crd, ok := crds[gk]
			if !ok {
				t.Fatalf("%s is a %s, which no XRD under package/ serves", f, gk)
			}
			if errs := newValidator(t, crd).validate(obj); len(errs) > 0 {
				t.Errorf("%s is refused by the schema of %s:\n%v", f, crd.Name, errs.ToAggregate())
			}
		})
	}
}

// TestScaleSubresource: an autoscaler drives spec.size, of an XR or of a
// claim, and reads the ready nodes and the pods' selector.
func TestScaleSubresource(t *testing.T) {
	for _, f := range flavours {
		for _, crd := range loadCRDs(t, f) {
			sc := crd.Spec.Subresources.Scale
			if sc == nil || sc.SpecReplicasPath != ".spec.size" || sc.StatusReplicasPath != ".status.readyNodes" || sc.LabelSelectorPath == nil || *sc.LabelSelectorPath != ".status.selector" {
				t.Errorf("%s: scale subresource %+v", crd.Name, sc)
			}
		}
	}
}

// TestFlavoursShareTheSchema: the claims flavour serves the very versions,
// schemas, printer columns and subresources of the namespaced XRD, so one
// function reads both.
func TestFlavoursShareTheSchema(t *testing.T) {
	want := loadXRD(t, namespaced).Spec.Versions
	if diff := cmp.Diff(want, loadXRD(t, claims).Spec.Versions); diff != "" {
		t.Errorf("the versions of %s differ from %s's (-%s +%s):\n%s", claims.pkg, namespaced.pkg, namespaced.pkg, claims.pkg, diff)
	}
}

// TestFlavoursDoNotCollide: no two flavours define the same CRD, so a
// platform may install both; and the claims flavour is what Crossplane 1.x
// users claim: a legacy cluster-scoped XAerospikeDatabase whose claim is an
// AerospikeDatabase.
func TestFlavoursDoNotCollide(t *testing.T) {
	seen := map[string]string{}
	for _, f := range flavours {
		for _, crd := range loadCRDs(t, f) {
			if other, ok := seen[crd.Name]; ok {
				t.Errorf("%s and %s both define the CRD %s", other, f.pkg, crd.Name)
			}
			seen[crd.Name] = f.pkg
		}
	}
	x := loadXRD(t, claims)
	if x.Spec.Scope == nil || *x.Spec.Scope != xpv1.CompositeResourceScopeLegacyCluster {
		t.Errorf("the claims flavour's scope is %v, want %s: only a legacy cluster-scoped XR can be claimed", x.Spec.Scope, xpv1.CompositeResourceScopeLegacyCluster)
	}
	if x.Spec.Names.Kind != v1alpha1.CompositeKind || x.Spec.ClaimNames == nil || x.Spec.ClaimNames.Kind != v1alpha1.AerospikeDatabaseKind {
		t.Errorf("the claims flavour serves %s claimed as %+v, want %s claimed as %s", x.Spec.Names.Kind, x.Spec.ClaimNames, v1alpha1.CompositeKind, v1alpha1.AerospikeDatabaseKind)
	}
}

// TestCompositions: each package's Composition composes its XRD's type, is
// the XRD's default, and runs the same pipeline as every other flavour's.
func TestCompositions(t *testing.T) {
	var pipeline []xpv1.PipelineStep
	for _, f := range flavours {
		t.Run(f.pkg, func(t *testing.T) {
			path := filepath.Join("..", "..", "package", f.pkg, "composition.yaml")
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			c := &xpv1.Composition{}
			if err := yaml.UnmarshalStrict(b, c); err != nil {
				t.Fatalf("%s does not decode strictly: %v", path, err)
			}
			x := loadXRD(t, f)
			var version string
			for _, v := range x.Spec.Versions {
				if v.Referenceable {
					version = v.Name
				}
			}
			want := xpv1.TypeReference{APIVersion: x.Spec.Group + "/" + version, Kind: x.Spec.Names.Kind}
			if c.Spec.CompositeTypeRef != want {
				t.Errorf("%s composes %+v, want %+v", path, c.Spec.CompositeTypeRef, want)
			}
			if x.Spec.DefaultCompositionRef == nil || x.Spec.DefaultCompositionRef.Name != c.Name {
				t.Errorf("the XRD's default Composition is %+v, want %s", x.Spec.DefaultCompositionRef, c.Name)
			}
			if pipeline == nil {
				pipeline = c.Spec.Pipeline
				return
			}
			if diff := cmp.Diff(pipeline, c.Spec.Pipeline); diff != "" {
				t.Errorf("the pipeline of %s differs from %s's (-%s +%s):\n%s", path, flavours[0].pkg, flavours[0].pkg, f.pkg, diff)
			}
		})
	}
}
