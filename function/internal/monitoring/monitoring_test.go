package monitoring

import (
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"

	"github.com/xp-aerospike/xp-aerospike/apis/aerospike/v1alpha1"
	"github.com/xp-aerospike/xp-aerospike/function/internal/dbtest"
	"github.com/xp-aerospike/xp-aerospike/test/testenv"
)

// envServiceMonitorCRD names the Prometheus Operator's ServiceMonitor CRD
// file; `make test` fetches it from the operator's module on the Go proxy.
const envServiceMonitorCRD = "SERVICEMONITOR_CRD"

func monitored(s *v1alpha1.AerospikeDatabaseSpec) {
	s.Monitoring = &v1alpha1.Monitoring{Enabled: true}
}

// TestServiceMonitorMatchesItsCRD checks every ServiceMonitor the function
// can compose against the schema of the real CRD, as the API server would:
// OpenAPI validation (types, enums, patterns) and pruning, where a field the
// CRD does not know would be dropped silently. The CRD has no CEL rules, so
// this is all the API server checks.
func TestServiceMonitorMatchesItsCRD(t *testing.T) {
	path := testenv.Require(t, envServiceMonitorCRD, "the Prometheus Operator's ServiceMonitor CRD")
	validator, structural := crdSchema(t, path)

	cases := map[string]func(*v1alpha1.AerospikeDatabaseSpec){
		"Defaults": monitored,
		"IntervalAndLabels": func(s *v1alpha1.AerospikeDatabaseSpec) {
			monitored(s)
			s.Monitoring.ScrapeInterval = "1m30s"
			s.Monitoring.ServiceMonitorLabels = map[string]string{"release": "kube-prometheus-stack"}
		},
	}
	for name, edit := range cases {
		t.Run(name, func(t *testing.T) {
			sm := ServiceMonitor(dbtest.New(t, nil, edit), "metrics")
			obj := runtime.DeepCopyJSON(sm.Object)
			if errs := validation.ValidateCustomResource(nil, obj, validator); len(errs) > 0 {
				t.Errorf("the ServiceMonitor fails its CRD's schema: %v", errs.ToAggregate())
			}
			if unknown := pruning.PruneWithOptions(obj, structural, true, structuralschema.UnknownFieldPathOptions{TrackUnknownFieldPaths: true}); len(unknown) > 0 {
				t.Errorf("the API server would drop fields the CRD does not know: %v", unknown)
			}
		})
	}

	// The check itself must see what the API server would refuse.
	bad := ServiceMonitor(dbtest.New(t, nil, monitored), "metrics")
	bad.Object["spec"].(map[string]any)["endpoints"].([]any)[0].(map[string]any)["scheme"] = "gopher"
	bad.Object["spec"].(map[string]any)["endpionts"] = []any{}
	obj := runtime.DeepCopyJSON(bad.Object)
	if errs := validation.ValidateCustomResource(nil, obj, validator); len(errs) == 0 {
		t.Error("an unknown scheme passes the CRD's schema: the check is blind")
	}
	if unknown := pruning.PruneWithOptions(obj, structural, true, structuralschema.UnknownFieldPathOptions{TrackUnknownFieldPaths: true}); len(unknown) == 0 {
		t.Error("a misspelt field survives pruning: the check is blind")
	}
}

// crdSchema reads the v1 schema of a CRD file into a validator and its
// structural form, the two the API server checks custom resources with.
func crdSchema(t *testing.T, path string) (validation.SchemaValidator, *structuralschema.Structural) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	crd := &apiextensionsv1.CustomResourceDefinition{}
	if err := yaml.Unmarshal(b, crd); err != nil {
		t.Fatal(err)
	}
	if crd.Name != ServiceMonitorCRD || crd.Spec.Group != ServiceMonitorKind.Group || crd.Spec.Names.Kind != ServiceMonitorKind.Kind {
		t.Fatalf("%s is the CRD of %s %s, not of the ServiceMonitor", path, crd.Name, crd.Spec.Names.Kind)
	}
	for _, v := range crd.Spec.Versions {
		if v.Name != ServiceMonitorKind.Version {
			continue
		}
		internal := &apiextensions.JSONSchemaProps{}
		if err := apiextensionsv1.Convert_v1_JSONSchemaProps_To_apiextensions_JSONSchemaProps(v.Schema.OpenAPIV3Schema, internal, nil); err != nil {
			t.Fatal(err)
		}
		validator, _, err := validation.NewSchemaValidator(internal)
		if err != nil {
			t.Fatal(err)
		}
		structural, err := structuralschema.NewStructural(internal)
		if err != nil {
			t.Fatal(err)
		}
		return validator, structural
	}
	t.Fatalf("%s serves no version %s", path, ServiceMonitorKind.Version)
	return nil, nil
}

// TestServiceMonitorSelectsOnlyTheMetricsService: the ServiceMonitor's
// selector must match the metrics Service's labels and no other Service the
// function composes, or Prometheus would scrape the client port.
func TestServiceMonitorSelectsOnlyTheMetricsService(t *testing.T) {
	d := dbtest.New(t, nil, func(s *v1alpha1.AerospikeDatabaseSpec) {
		monitored(s)
		s.Monitoring.ServiceMonitorLabels = map[string]string{"release": "prom"}
	})
	sm := ServiceMonitor(d, "metrics")
	sel := sm.Object["spec"].(map[string]any)["selector"].(map[string]any)["matchLabels"].(map[string]any)
	matches := func(labels map[string]string) bool {
		for k, v := range sel {
			if labels[k] != v {
				return false
			}
		}
		return true
	}
	svc := MetricsService(d, 9145, "metrics")
	if !matches(svc.Labels) {
		t.Errorf("selector %v does not match the metrics Service's labels %v", sel, svc.Labels)
	}
	for _, component := range []string{"client", "peers"} {
		if matches(d.Names.Labels(component)) {
			t.Errorf("selector %v also matches the %s Service", sel, component)
		}
	}
	if got := sm.GetLabels()["release"]; got != "prom" {
		t.Errorf("ServiceMonitor label release = %q, want prom", got)
	}
	wantPort := map[string]any{"port": "metrics", "path": "/metrics", "scheme": "http"}
	if diff := cmp.Diff(wantPort, sm.Object["spec"].(map[string]any)["endpoints"].([]any)[0]); diff != "" {
		t.Errorf("endpoint -want +got:\n%s", diff)
	}
	if svc.Spec.Ports[0].TargetPort.StrVal != "metrics" || svc.Spec.Ports[0].Port != 9145 {
		t.Errorf("metrics Service port %+v, want 9145 → named port metrics", svc.Spec.Ports[0])
	}
}
