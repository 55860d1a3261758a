package xrd

import (
	"context"
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
	utiljson "k8s.io/apimachinery/pkg/util/json"
	"k8s.io/apimachinery/pkg/util/validation/field"
	celconfig "k8s.io/apiserver/pkg/apis/cel"
	"sigs.k8s.io/yaml"

	xpv2 "github.com/crossplane/crossplane/apis/v2/apiextensions/v2"
)

var update = flag.Bool("update", false, "rewrite the committed XRD from the Go types")

const committed = "../../package/configuration/definition.yaml"

// TestCommittedXRDMatchesTypes fails when the Go types changed but the XRD
// under package/ was not regenerated. Run `make generate` (or this test with
// -update) to fix it.
func TestCommittedXRDMatchesTypes(t *testing.T) {
	// The generator runs in its own process: controller-tools' loader
	// type-checks packages concurrently with a data race of its own, which
	// -race would pin on this test.
	out := filepath.Join(t.TempDir(), "definition.yaml")
	if b, err := exec.Command("go", "run", "./cmd/xrdgen", "-out", out).CombinedOutput(); err != nil {
		t.Fatalf("cannot run the XRD generator: %v\n%s", err, b)
	}
	want, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(committed, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(committed)
	if err != nil {
		t.Fatalf("cannot read the committed XRD: %v", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s is stale; run `make generate`\n-generated +committed:\n%s", filepath.Base(committed), diff)
	}
}

// TestXRDIsAValidCRDSchema runs the API server's own CRD validation over the
// CRD Crossplane derives from the XRD: the schema must be structural, every
// CEL rule must compile and stay within the cost budget, and every default
// must validate.
func TestXRDIsAValidCRDSchema(t *testing.T) {
	crd := loadCRD(t)
	if errs := validation.ValidateCustomResourceDefinition(context.Background(), crd); len(errs) > 0 {
		t.Fatalf("the CRD derived from the XRD is invalid:\n%s", errs.ToAggregate())
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
	v := newValidator(t)
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
	v := newValidator(t)
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

func newValidator(t *testing.T) *validator {
	t.Helper()
	crd := loadCRD(t)
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

// loadCRD reads the committed XRD and derives the CRD the way Crossplane
// does: the XRD's spec and status under a standard object schema.
func loadCRD(t *testing.T) *apiextensions.CustomResourceDefinition {
	t.Helper()
	b, err := os.ReadFile(committed)
	if err != nil {
		t.Fatal(err)
	}
	x := &xpv2.CompositeResourceDefinition{}
	if err := yaml.UnmarshalStrict(b, x); err != nil {
		t.Fatalf("the committed XRD does not decode strictly: %v", err)
	}
	v1 := &apiextensionsv1.CustomResourceDefinition{
		ObjectMeta: metav1.ObjectMeta{Name: x.Name},
		Spec: apiextensionsv1.CustomResourceDefinitionSpec{
			Group: x.Spec.Group,
			Names: x.Spec.Names,
			Scope: apiextensionsv1.ResourceScope(x.Spec.Scope),
		},
	}
	for _, xv := range x.Spec.Versions {
		s := &apiextensionsv1.JSONSchemaProps{}
		if err := yaml.UnmarshalStrict(xv.Schema.OpenAPIV3Schema.Raw, s); err != nil {
			t.Fatalf("schema of %s: %v", xv.Name, err)
		}
		s.Properties["apiVersion"] = apiextensionsv1.JSONSchemaProps{Type: "string"}
		s.Properties["kind"] = apiextensionsv1.JSONSchemaProps{Type: "string"}
		s.Properties["metadata"] = apiextensionsv1.JSONSchemaProps{Type: "object"}
		v1.Spec.Versions = append(v1.Spec.Versions, apiextensionsv1.CustomResourceDefinitionVersion{
			Name:                     xv.Name,
			Served:                   xv.Served,
			Storage:                  xv.Referenceable,
			Schema:                   &apiextensionsv1.CustomResourceValidation{OpenAPIV3Schema: s},
			AdditionalPrinterColumns: xv.AdditionalPrinterColumns,
			Subresources: &apiextensionsv1.CustomResourceSubresources{
				Status: &apiextensionsv1.CustomResourceSubresourceStatus{},
				Scale:  scale(xv.Subresources),
			},
		})
	}
	v1.Status.StoredVersions = []string{x.Spec.Versions[0].Name}
	out := &apiextensions.CustomResourceDefinition{}
	if err := apiextensionsv1.Convert_v1_CustomResourceDefinition_To_apiextensions_CustomResourceDefinition(v1, out, nil); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestExamplesAreValid admits every example through the XRD's schema, as the
// API server would.
func TestExamplesAreValid(t *testing.T) {
	files, err := filepath.Glob("../../examples/*/xr.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no examples found: %v", err)
	}
	v := newValidator(t)
	for _, f := range files {
		t.Run(filepath.Base(filepath.Dir(f)), func(t *testing.T) {
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
			if errs := v.validate(obj); len(errs) > 0 {
				t.Errorf("%s is refused by the XRD's schema:\n%v", f, errs.ToAggregate())
			}
		})
	}
}

func scale(s *xpv2.CompositeResourceDefinitionVersionSubresources) *apiextensionsv1.CustomResourceSubresourceScale {
	if s == nil {
		return nil
	}
	return s.Scale
}

// TestScaleSubresource: an autoscaler drives spec.size and reads the ready
// nodes and the pods' selector.
func TestScaleSubresource(t *testing.T) {
	crd := loadCRD(t)
	sc := crd.Spec.Subresources.Scale
	if sc == nil || sc.SpecReplicasPath != ".spec.size" || sc.StatusReplicasPath != ".status.readyNodes" || sc.LabelSelectorPath == nil || *sc.LabelSelectorPath != ".status.selector" {
		t.Errorf("scale subresource %+v", sc)
	}
}
