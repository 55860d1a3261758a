package v1alpha1

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/validation"
	"sigs.k8s.io/yaml"
)

// TestCRDsAreValid runs the API server's own CRD validation over every
// generated CRD of the provider: structural schemas, CEL rules that compile
// within the cost budget, valid defaults.
func TestCRDsAreValid(t *testing.T) {
	files, err := filepath.Glob("../../../package/provider/crds/*.yaml")
	if err != nil || len(files) != 10 {
		t.Fatalf("want the 10 CRDs of the provider, found %d (%v); run make generate", len(files), err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			v1 := &apiextensionsv1.CustomResourceDefinition{}
			if err := yaml.UnmarshalStrict(b, v1); err != nil {
				t.Fatal(err)
			}
			v1.Status.StoredVersions = []string{Version}
			crd := &apiextensions.CustomResourceDefinition{}
			if err := apiextensionsv1.Convert_v1_CustomResourceDefinition_To_apiextensions_CustomResourceDefinition(v1, crd, nil); err != nil {
				t.Fatal(err)
			}
			if errs := validation.ValidateCustomResourceDefinition(context.Background(), crd); len(errs) > 0 {
				t.Errorf("%s is invalid:\n%v", filepath.Base(f), errs.ToAggregate())
			}
		})
	}
}
