package main

import (
	"bytes"
	"context"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation"
	sigsjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"

	"github.com/crossplane/function-sdk-go/logging"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"

	providerv1alpha1 "github.com/xp-aerospike/xp-aerospike/apis/provider/v1alpha1"
	"github.com/xp-aerospike/xp-aerospike/function/internal/names"
	"github.com/xp-aerospike/xp-aerospike/function/internal/observe"
)

// exampleXR reads an example's XR as a JSON-compatible map.
func exampleXR(t testing.TB, example string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "examples", example, "xr.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]any{}
	if err := yaml.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// newRequest builds a RunFunctionRequest for an XR and observed composed
// resources, the way Crossplane sends it.
func newRequest(t testing.TB, xr map[string]any, observed map[string]map[string]any) *fnv1.RunFunctionRequest {
	t.Helper()
	s, err := structpb.NewStruct(xr)
	if err != nil {
		t.Fatal(err)
	}
	req := &fnv1.RunFunctionRequest{
		Meta:     &fnv1.RequestMeta{Tag: "test"},
		Observed: &fnv1.State{Composite: &fnv1.Resource{Resource: s}, Resources: map[string]*fnv1.Resource{}},
		Desired:  &fnv1.State{Composite: &fnv1.Resource{Resource: &structpb.Struct{Fields: map[string]*structpb.Value{}}}},
	}
	for name, o := range observed {
		obj, err := structpb.NewStruct(o)
		if err != nil {
			t.Fatal(err)
		}
		req.Observed.Resources[name] = &fnv1.Resource{Resource: obj}
	}
	return req
}

func run(t testing.TB, req *fnv1.RunFunctionRequest) *fnv1.RunFunctionResponse {
	t.Helper()
	rsp, err := NewFunction(logging.NewNopLogger()).RunFunction(context.Background(), req)
	if err != nil {
		t.Fatalf("RunFunction returned a Go error; errors must be results: %v", err)
	}
	return rsp
}

func fatals(rsp *fnv1.RunFunctionResponse) []string {
	return results(rsp, fnv1.Severity_SEVERITY_FATAL)
}

// results returns the messages of rsp's results of severity sev.
func results(rsp *fnv1.RunFunctionResponse, sev fnv1.Severity) []string {
	var out []string
	for _, r := range rsp.GetResults() {
		if r.GetSeverity() == sev {
			out = append(out, r.GetMessage())
		}
	}
	return out
}

func TestRunFunctionComposesEveryObject(t *testing.T) {
	cases := map[string]struct {
		reason  string
		example string
		want    []string // composition resource names
	}{
		"MinimalCommunity": {
			reason:  "one rack: one StatefulSet beside the ConfigMap, Services, PDB, Secret, and the provider's config and status",
			example: "minimal-community",
			want:    []string{"cluster-status", "config", "connection-secret", "pod-disruption-budget", "provider-config", "service-client", "service-headless", "statefulset-rack-0"},
		},
		"ProductionEnterprise": {
			reason:  "three racks: three StatefulSets; roles and users; the application user writes the connection Secret, so the function does not; the NetworkPolicy and the metrics Service it asks for (no ServiceMonitor: the input does not say the cluster runs the Prometheus Operator); a Service per pod for external access",
			example: "production-enterprise",
			want: []string{
				"cluster-status", "config", "namespace-config-orders", "namespace-config-sessions",
				"network-policy", "pod-disruption-budget", "provider-config", "role-orders-rw", "role-sessions-rw",
				"grafana-dashboard", "service-client", "service-headless", "service-metrics", "statefulset-rack-1", "statefulset-rack-2", "statefulset-rack-3",
				"service-external-orders-1-0", "service-external-orders-1-1", "service-external-orders-2-0",
				"service-external-orders-2-1", "service-external-orders-3-0", "service-external-orders-3-1",
				"user-metrics", "user-ops", "user-orders-app", "user-sessions-app",
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			rsp := run(t, newRequest(t, exampleXR(t, tc.example), nil))
			if f := fatals(rsp); len(f) > 0 {
				t.Fatalf("%s: unexpected fatal results: %q", tc.reason, f)
			}
			got := make([]string, 0, len(rsp.GetDesired().GetResources()))
			for n, r := range rsp.GetDesired().GetResources() {
				got = append(got, n)
				if r.GetReady() != fnv1.Ready_READY_FALSE {
					t.Errorf("%s: %s is %v before anything was observed, want READY_FALSE", tc.reason, n, r.GetReady())
				}
			}
			if diff := cmp.Diff(tc.want, got, cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
				t.Errorf("%s: composed resources -want +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// TestClaimedDatabase: the claims flavour's cluster-scoped XR composes what
// a namespaced one does, every object in the namespace of its claim; one
// that was not claimed composes nothing and says what is missing.
func TestClaimedDatabase(t *testing.T) {
	xr := exampleXR(t, "claims-community")
	rsp := run(t, newRequest(t, xr, nil))
	if f := fatals(rsp); len(f) > 0 {
		t.Fatalf("unexpected fatal results: %q", f)
	}
	want := len(run(t, newRequest(t, exampleXR(t, "minimal-community"), nil)).GetDesired().GetResources())
	if got := len(rsp.GetDesired().GetResources()); got != want {
		t.Errorf("a claimed database composes %d objects, the same database namespaced %d", got, want)
	}
	for n, r := range rsp.GetDesired().GetResources() {
		if ns := r.GetResource().GetFields()["metadata"].GetStructValue().GetFields()["namespace"].GetStringValue(); ns != "team-a" {
			t.Errorf("%s is composed in namespace %q, want the claim's, team-a", n, ns)
		}
	}

	delete(xr["metadata"].(map[string]any), "labels")
	rsp = run(t, newRequest(t, xr, nil))
	f := fatals(rsp)
	if len(f) != 1 || !strings.Contains(f[0], "metadata.labels[crossplane.io/claim-namespace]") || !strings.Contains(f[0], "claim") {
		t.Errorf("an unclaimed cluster-scoped database: want one fatal result naming the claim-namespace label, got %q", f)
	}
	if n := len(rsp.GetDesired().GetResources()); n != 0 {
		t.Errorf("an unclaimed cluster-scoped database composed %d resources, want none", n)
	}
}

// TestRenderedObjectsDecodeStrictly decodes every composed object into its
// Kubernetes type, refusing unknown and duplicate fields: a typo in a builder
// would otherwise be dropped silently by the API server.
func TestRenderedObjectsDecodeStrictly(t *testing.T) {
	for _, example := range []string{"minimal-community", "production-enterprise"} {
		t.Run(example, func(t *testing.T) {
			rsp := run(t, newRequest(t, exampleXR(t, example), nil))
			for name, r := range rsp.GetDesired().GetResources() {
				checkObject(t, name, r.GetResource())
			}
		})
	}
}

// checkObject decodes a composed object strictly into its typed struct and
// checks its name.
func checkObject(t testing.TB, name string, s *structpb.Struct) {
	t.Helper()
	b, err := s.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	var obj runtime.Object
	switch kind := s.GetFields()["kind"].GetStringValue(); kind {
	case "StatefulSet":
		obj = &appsv1.StatefulSet{}
	case "Service":
		obj = &corev1.Service{}
	case "ConfigMap":
		obj = &corev1.ConfigMap{}
	case "Secret":
		obj = &corev1.Secret{}
	case "PodDisruptionBudget":
		obj = &policyv1.PodDisruptionBudget{}
	case "NetworkPolicy":
		obj = &networkingv1.NetworkPolicy{}
	case "ProviderConfig":
		obj = &providerv1alpha1.ProviderConfig{}
	case "ClusterStatus":
		obj = &providerv1alpha1.ClusterStatus{}
	case "User":
		obj = &providerv1alpha1.User{}
	case "Role":
		obj = &providerv1alpha1.Role{}
	case "NamespaceConfig":
		obj = &providerv1alpha1.NamespaceConfig{}
	case "LogLevels":
		obj = &providerv1alpha1.LogLevels{}
	case "ServiceMonitor":
		// No Go type here: monitoring's tests validate it against the
		// Prometheus Operator's own CRD schema.
		obj = &unstructured.Unstructured{}
	default:
		t.Fatalf("%s: unexpected kind %q", name, kind)
	}
	strict, err := sigsjson.UnmarshalStrict(b, obj)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	for _, e := range strict {
		t.Errorf("%s: %v", name, e)
	}
	m, ok := obj.(interface{ GetName() string })
	if !ok {
		t.Fatalf("%s has no name", name)
	}
	if errs := validation.IsDNS1123Subdomain(m.GetName()); len(errs) > 0 {
		t.Errorf("%s: name %q: %v", name, m.GetName(), errs)
	}
	if sts, ok := obj.(*appsv1.StatefulSet); ok && len(sts.Name) > names.MaxStatefulSet {
		t.Errorf("%s: StatefulSet name %q is longer than %d", name, sts.Name, names.MaxStatefulSet)
	}
}

func TestBadInputIsFatalAndComposesNothing(t *testing.T) {
	cases := map[string]struct {
		reason string
		edit   func(spec map[string]any)
		want   []string // fragments the Fatal message must hold
	}{
		"ReplicationFactorAboveSize": {
			reason: "a replication factor above the size names the field and the fix",
			edit: func(s map[string]any) {
				s["namespaces"].([]any)[0].(map[string]any)["replicationFactor"] = 4
			},
			want: []string{"spec.namespaces[0].replicationFactor", "must not exceed spec.size (3)"},
		},
		"CommunityWithEnterpriseFeatures": {
			reason: "a Community Edition database with Enterprise features is refused",
			edit: func(s map[string]any) {
				s["accessControl"] = map[string]any{"roles": []any{}}
			},
			want: []string{"spec.accessControl", "need Enterprise Edition"},
		},
		"CommunityEnterpriseOnlySetting": {
			reason: "an Enterprise-only aerospike.conf setting is refused on Community Edition",
			edit: func(s map[string]any) {
				s["aerospikeConfig"] = map[string]any{"namespaces": []any{map[string]any{"name": "cache", "strong-consistency": true}}}
			},
			want: []string{"spec.aerospikeConfig.namespaces[cache].strong-consistency"},
		},
		"UnknownStorageType": {
			reason: "an unknown storage type names the allowed ones",
			edit: func(s map[string]any) {
				s["namespaces"].([]any)[0].(map[string]any)["storage"].(map[string]any)["type"] = "tape"
			},
			want: []string{"spec.namespaces[0].storage.type", `"memory", "device", "file"`},
		},
		"MalformedQuantity": {
			reason: "a malformed quantity names the field",
			edit: func(s map[string]any) {
				s["namespaces"].([]any)[0].(map[string]any)["storage"].(map[string]any)["size"] = "1GB-ish"
			},
			want: []string{"spec.namespaces[0].storage.size", "must be a quantity"},
		},
		"MemoryBelowServerMinimum": {
			reason: "a memory namespace below the server's minimum data-size names the spec field",
			edit: func(s map[string]any) {
				s["namespaces"].([]any)[0].(map[string]any)["storage"].(map[string]any)["size"] = "128Mi"
			},
			want: []string{"spec.namespaces[0].storage.size", "data-size"},
		},
		"UnknownConfigSetting": {
			reason: "a setting the server version does not know is refused",
			edit: func(s map[string]any) {
				s["aerospikeConfig"] = map[string]any{"service": map[string]any{"memory-size": 4}}
			},
			want: []string{"spec.aerospikeConfig.service.memory-size"},
		},
		"OwnedConfigSetting": {
			reason: "a setting the spec owns is refused with the field to use instead",
			edit: func(s map[string]any) {
				s["aerospikeConfig"] = map[string]any{"namespaces": []any{map[string]any{"name": "cache", "replication-factor": 3}}}
			},
			want: []string{"spec.aerospikeConfig.namespaces[cache].replication-factor", "spec.namespaces[0].replicationFactor"},
		},
		"UndeclaredNamespace": {
			reason: "aerospikeConfig cannot add a namespace the spec does not declare",
			edit: func(s map[string]any) {
				s["aerospikeConfig"] = map[string]any{"namespaces": []any{map[string]any{"name": "other"}}}
			},
			want: []string{"spec.aerospikeConfig.namespaces[0].name", "declare the namespace"},
		},
		"UnsupportedVersion": {
			reason: "versions before 7.0 use another configuration syntax",
			edit:   func(s map[string]any) { s["version"] = "6.4.0.0" },
			want:   []string{"spec.version", "6.4.0.0"},
		},
		"NoVersion": {
			reason: "the version must be known",
			edit: func(s map[string]any) {
				delete(s, "version")
				s["image"] = "registry.example.com/aerospike@sha256:abc"
			},
			want: []string{"spec.version", "cannot be read from spec.image"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			xr := exampleXR(t, "minimal-community")
			tc.edit(xr["spec"].(map[string]any))
			rsp := run(t, newRequest(t, xr, nil))
			f := fatals(rsp)
			if len(f) != 1 {
				t.Fatalf("%s: want one fatal result, got %q", tc.reason, f)
			}
			for _, w := range tc.want {
				if !strings.Contains(f[0], w) {
					t.Errorf("%s: fatal result %q does not mention %q", tc.reason, f[0], w)
				}
			}
			if n := len(rsp.GetDesired().GetResources()); n != 0 {
				t.Errorf("%s: %d resources composed from an invalid spec, want none", tc.reason, n)
			}
		})
	}
}

// TestReadinessAndStatus feeds the function's own output back as observed
// state, as the API server would hold it once every pod is up, and checks
// readiness and status follow.
func TestReadinessAndStatus(t *testing.T) {
	xr := exampleXR(t, "production-enterprise")
	observed := settled(t, xr)
	// Rack 3 is still rolling: one of its two pods runs the old template.
	rolling := observed[string(names.ResourceStatefulSet(3))]["status"].(map[string]any)
	rolling["updatedReplicas"], rolling["updateRevision"] = 1, "r2"

	rsp := run(t, newRequest(t, xr, observed))
	gotReady := map[string]fnv1.Ready{}
	for n, r := range rsp.GetDesired().GetResources() {
		gotReady[n] = r.GetReady()
	}
	wantReady := map[string]fnv1.Ready{
		"config": fnv1.Ready_READY_TRUE, "pod-disruption-budget": fnv1.Ready_READY_TRUE,
		"service-client": fnv1.Ready_READY_TRUE, "service-headless": fnv1.Ready_READY_TRUE,
		"statefulset-rack-1": fnv1.Ready_READY_TRUE, "statefulset-rack-2": fnv1.Ready_READY_TRUE, "statefulset-rack-3": fnv1.Ready_READY_FALSE,
		"provider-config": fnv1.Ready_READY_TRUE, "cluster-status": fnv1.Ready_READY_TRUE,
		"role-orders-rw": fnv1.Ready_READY_TRUE, "role-sessions-rw": fnv1.Ready_READY_TRUE,
		"user-ops": fnv1.Ready_READY_TRUE, "user-orders-app": fnv1.Ready_READY_TRUE, "user-sessions-app": fnv1.Ready_READY_TRUE,
		"user-metrics": fnv1.Ready_READY_TRUE, "service-metrics": fnv1.Ready_READY_TRUE, "grafana-dashboard": fnv1.Ready_READY_TRUE,
		"namespace-config-orders": fnv1.Ready_READY_TRUE, "namespace-config-sessions": fnv1.Ready_READY_TRUE,
		"network-policy":              fnv1.Ready_READY_TRUE,
		"service-external-orders-1-0": fnv1.Ready_READY_TRUE, "service-external-orders-1-1": fnv1.Ready_READY_TRUE,
		"service-external-orders-2-0": fnv1.Ready_READY_TRUE, "service-external-orders-2-1": fnv1.Ready_READY_TRUE,
		"service-external-orders-3-0": fnv1.Ready_READY_TRUE, "service-external-orders-3-1": fnv1.Ready_READY_TRUE,
	}
	if diff := cmp.Diff(wantReady, gotReady); diff != "" {
		t.Errorf("readiness -want +got:\n%s", diff)
	}

	status := rsp.GetDesired().GetComposite().GetResource().AsMap()["status"].(map[string]any)
	if got, want := status["readyNodes"], float64(5); got != want {
		t.Errorf("status.readyNodes = %v, want %v (rack 3 has one updated pod)", got, want)
	}
	if _, ok := status["version"]; ok {
		t.Errorf("status.version = %v while rack 3 rolls; want it unset until every node runs the version", status["version"])
	}
	if got, want := status["endpoint"], "orders.team-orders.svc.cluster.local:3000"; got != want {
		t.Errorf("status.endpoint = %v, want %v", got, want)
	}
	if got, want := status["connectionSecretName"], "orders-connection"; got != want {
		t.Errorf("status.connectionSecretName = %v, want %v", got, want)
	}
	var cond *fnv1.Condition
	for _, c := range rsp.GetConditions() {
		if c.GetType() == ConditionNodesReady {
			cond = c
		}
	}
	if cond == nil || cond.GetStatus() != fnv1.Status_STATUS_CONDITION_FALSE || !strings.Contains(cond.GetMessage(), "rack 3") {
		t.Errorf("condition %s = %v, want False naming rack 3", ConditionNodesReady, cond)
	}

	// Rack 3 finishes: everything is ready and the version is reported.
	rolling["updatedReplicas"], rolling["currentRevision"] = 2, "r2"
	rsp = run(t, newRequest(t, xr, observed))
	for n, r := range rsp.GetDesired().GetResources() {
		if r.GetReady() != fnv1.Ready_READY_TRUE {
			t.Errorf("%s is %v once every pod is updated and ready", n, r.GetReady())
		}
	}
	status = rsp.GetDesired().GetComposite().GetResource().AsMap()["status"].(map[string]any)
	if got, want := status["version"], "8.1.1.0"; got != want {
		t.Errorf("status.version = %v, want %v", got, want)
	}
	if got, want := status["readyNodes"], float64(6); got != want {
		t.Errorf("status.readyNodes = %v, want %v", got, want)
	}
}

// TestDeterministic renders the same request twice and compares the bytes.
func TestDeterministic(t *testing.T) {
	for _, example := range []string{"minimal-community", "production-enterprise"} {
		t.Run(example, func(t *testing.T) {
			opts := proto.MarshalOptions{Deterministic: true}
			a, err := opts.Marshal(run(t, newRequest(t, exampleXR(t, example), nil)))
			if err != nil {
				t.Fatal(err)
			}
			b, err := opts.Marshal(run(t, newRequest(t, exampleXR(t, example), nil)))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a, b) {
				t.Error("two renders of the same request differ")
			}
		})
	}
}

// settled renders xr and returns its composed resources as the API server
// would report them once everything is ready: the next render's observed
// state.
func settled(t *testing.T, xr map[string]any) map[string]map[string]any {
	t.Helper()
	rsp := run(t, newRequest(t, xr, nil))
	if f := fatals(rsp); len(f) > 0 {
		t.Fatal(f)
	}
	observed := map[string]map[string]any{}
	for name, r := range rsp.GetDesired().GetResources() {
		o := r.GetResource().AsMap()
		switch o["kind"] {
		case "User", "Role", "ClusterStatus", "NamespaceConfig", "LogLevels":
			// The provider reports its objects ready.
			o["status"] = map[string]any{"conditions": []any{map[string]any{"type": "Ready", "status": "True"}}}
		case "StatefulSet":
			replicas := o["spec"].(map[string]any)["replicas"]
			o["metadata"].(map[string]any)["generation"] = 1
			o["status"] = map[string]any{
				"observedGeneration": 1, "replicas": replicas, "readyReplicas": replicas,
				"updatedReplicas": replicas, "currentRevision": "r1", "updateRevision": "r1",
			}
		}
		observed[name] = o
	}
	return observed
}

// TestLiveChangeRestartsNothing: a setting the server changes live reaches
// the NamespaceConfig the provider applies, and the aerospike.conf of the
// next start, without touching a pod template. A static one rolls, held
// for the plan.
func TestLiveChangeRestartsNothing(t *testing.T) {
	xr := exampleXR(t, "production-enterprise")
	observed := settled(t, xr)

	namespace := func(xr map[string]any, name string) map[string]any {
		for _, n := range xr["spec"].(map[string]any)["namespaces"].([]any) {
			if n.(map[string]any)["name"] == name {
				return n.(map[string]any)
			}
		}
		t.Fatalf("no namespace %s", name)
		return nil
	}
	templates := func(rsp *fnv1.RunFunctionResponse) map[string]any {
		out := map[string]any{}
		for n, r := range rsp.GetDesired().GetResources() {
			if o := r.GetResource().AsMap(); o["kind"] == "StatefulSet" {
				out[n] = o["spec"].(map[string]any)["template"]
			}
		}
		return out
	}
	was := map[string]any{}
	for n, o := range observed {
		if o["kind"] == "StatefulSet" {
			was[n] = o["spec"].(map[string]any)["template"]
		}
	}

	namespace(xr, "orders")["defaultTTL"] = "30d"
	rsp := run(t, newRequest(t, xr, observed))
	if f := fatals(rsp); len(f) > 0 {
		t.Fatal(f)
	}
	if diff := cmp.Diff(was, templates(rsp)); diff != "" {
		t.Errorf("a default-ttl change touched pod templates (a restart) -before +after:\n%s", diff)
	}
	nc := rsp.GetDesired().GetResources()["namespace-config-orders"].GetResource().AsMap()
	got := nc["spec"].(map[string]any)["forProvider"].(map[string]any)["settings"].(map[string]any)["default-ttl"]
	if got != "2592000" {
		t.Errorf("namespace-config-orders default-ttl = %v, want 2592000 (30d) for the provider to set live", got)
	}
	conf := rsp.GetDesired().GetResources()["config"].GetResource().AsMap()["data"].(map[string]any)
	var seen bool
	for _, text := range conf {
		seen = seen || strings.Contains(text.(string), "default-ttl 2592000")
	}
	if !seen {
		t.Error("aerospike.conf lacks the new default-ttl: a restarted node would come back with the old one")
	}

	namespace(xr, "orders")["replicationFactor"] = 3
	rsp = run(t, newRequest(t, xr, observed))
	if f := fatals(rsp); len(f) > 0 {
		t.Fatal(f)
	}
	for n, tmpl := range templates(rsp) {
		if cmp.Equal(was[n], tmpl) {
			t.Errorf("%s: raising the replication factor needs a restart, but the pod template is unchanged", n)
		}
		sts := rsp.GetDesired().GetResources()[n].GetResource().AsMap()["spec"].(map[string]any)
		partition := sts["updateStrategy"].(map[string]any)["rollingUpdate"].(map[string]any)["partition"]
		if partition != sts["replicas"] {
			t.Errorf("%s: partition = %v with %v replicas: a restart must be held for the plan to release one pod at a time", n, partition, sts["replicas"])
		}
	}
}

// TestLogLevelChangeRestartsNothing: the console sink's levels reach the
// LogLevels the provider applies live, and the aerospike.conf of the next
// start, without touching a StatefulSet; none is composed while the spec
// sets no level, and once composed it stays, with the default levels, when
// the spec drops them, so the provider resets the running nodes. The
// LogLevels is ready when the provider says so.
func TestLogLevelChangeRestartsNothing(t *testing.T) {
	xr := exampleXR(t, "production-enterprise")
	console := func(levels map[string]any) {
		logging := []any{}
		if levels != nil {
			logging = []any{map[string]any{"name": "console"}}
			maps.Copy(logging[0].(map[string]any), levels)
		}
		xr["spec"].(map[string]any)["aerospikeConfig"].(map[string]any)["logging"] = logging
	}
	statefulSets := func(resources map[string]*fnv1.Resource) map[string]any {
		out := map[string]any{}
		for n, r := range resources {
			if o := r.GetResource().AsMap(); o["kind"] == "StatefulSet" {
				out[n] = o
			}
		}
		return out
	}
	levels := func(rsp *fnv1.RunFunctionResponse) map[string]any {
		r, ok := rsp.GetDesired().GetResources()[string(names.ResourceLogLevels)]
		if !ok {
			return nil
		}
		return r.GetResource().AsMap()["spec"].(map[string]any)["forProvider"].(map[string]any)["levels"].(map[string]any)
	}

	if _, ok := run(t, newRequest(t, xr, nil)).GetDesired().GetResources()[string(names.ResourceLogLevels)]; ok {
		t.Error("a LogLevels is composed while the spec sets no level")
	}
	console(map[string]any{"migrate": "debug"})
	observed := settled(t, xr)
	was := statefulSets(run(t, newRequest(t, xr, observed)).GetDesired().GetResources())

	console(map[string]any{"migrate": "detail", "namespace": "warning"})
	rsp := run(t, newRequest(t, xr, observed))
	if f := fatals(rsp); len(f) > 0 {
		t.Fatal(f)
	}
	if diff := cmp.Diff(was, statefulSets(rsp.GetDesired().GetResources())); diff != "" {
		t.Errorf("a log level change touched a StatefulSet (a restart) -before +after:\n%s", diff)
	}
	if diff := cmp.Diff(map[string]any{"any": "info", "migrate": "detail", "namespace": "warning"}, levels(rsp)); diff != "" {
		t.Errorf("the LogLevels' levels -want +got:\n%s", diff)
	}
	if got := rsp.GetDesired().GetResources()[string(names.ResourceLogLevels)].GetReady(); got != fnv1.Ready_READY_TRUE {
		t.Errorf("the LogLevels the provider reports ready is %v, want ready", got)
	}
	conf := rsp.GetDesired().GetResources()["config"].GetResource().AsMap()["data"].(map[string]any)
	for key, text := range conf {
		if !strings.Contains(text.(string), "context migrate detail") {
			t.Errorf("%s lacks the new level: a restarted node would come back with the old one", key)
		}
	}

	// Not yet reported ready by the provider: not ready.
	delete(observed[string(names.ResourceLogLevels)], "status")
	if got := run(t, newRequest(t, xr, observed)).GetDesired().GetResources()[string(names.ResourceLogLevels)].GetReady(); got != fnv1.Ready_READY_FALSE {
		t.Errorf("a LogLevels the provider has not reported ready is %v, want not ready", got)
	}

	console(nil)
	rsp = run(t, newRequest(t, xr, observed))
	if diff := cmp.Diff(was, statefulSets(rsp.GetDesired().GetResources())); diff != "" {
		t.Errorf("dropping the log levels touched a StatefulSet (a restart) -before +after:\n%s", diff)
	}
	if diff := cmp.Diff(map[string]any{"any": "info"}, levels(rsp)); diff != "" {
		t.Errorf("levels dropped from the spec: the LogLevels' levels -want +got:\n%s", diff)
	}
}

// TestServiceMonitorOnlyWhereItsCRDIs: with the input's prometheusOperator,
// the function asks Crossplane for the ServiceMonitor CRD; it composes a
// ServiceMonitor only once Crossplane has returned the CRD, and when the
// cluster has none it says so in a Warning and composes everything else, so
// a missing CRD never keeps the database from becoming ready.
func TestServiceMonitorOnlyWhereItsCRDIs(t *testing.T) {
	crd, err := structpb.NewStruct(map[string]any{
		"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
		"metadata": map[string]any{"name": "servicemonitors.monitoring.coreos.com"},
	})
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		reason      string
		operator    bool
		required    *fnv1.Resources // nil: Crossplane has not answered yet
		wantMonitor bool
		wantAsk     bool
		wantWarning string
	}{
		"NoOperator": {
			reason: "without the platform's word, the function neither asks nor composes",
		},
		"NotAnsweredYet": {
			reason:   "the function asks for the CRD and waits for the answer",
			operator: true, wantAsk: true,
		},
		"CRDAbsent": {
			reason:   "no CRD: a Warning naming it, no ServiceMonitor, the rest composed",
			operator: true, required: &fnv1.Resources{}, wantAsk: true,
			wantWarning: "no ServiceMonitor CRD (servicemonitors.monitoring.coreos.com)",
		},
		"CRDPresent": {
			reason:   "the CRD is there: a ServiceMonitor",
			operator: true, required: &fnv1.Resources{Items: []*fnv1.Resource{{Resource: crd}}}, wantAsk: true, wantMonitor: true,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			req := newRequest(t, exampleXR(t, "production-enterprise"), nil)
			in, err := structpb.NewStruct(map[string]any{
				"apiVersion": "aerospike.fn.xp-aerospike.io/v1beta1", "kind": "Input", "prometheusOperator": tc.operator,
			})
			if err != nil {
				t.Fatal(err)
			}
			req.Input = in
			if tc.required != nil {
				req.RequiredResources = map[string]*fnv1.Resources{observe.RequiredServiceMonitorCRD: tc.required}
			}
			rsp := run(t, req)
			if f := fatals(rsp); len(f) > 0 {
				t.Fatalf("%s: unexpected fatal results: %q", tc.reason, f)
			}
			res := rsp.GetDesired().GetResources()
			if _, got := res[string(names.ResourceServiceMonitor)]; got != tc.wantMonitor {
				t.Errorf("%s: ServiceMonitor composed: %v, want %v", tc.reason, got, tc.wantMonitor)
			}
			for _, n := range []string{"statefulset-rack-1", "service-metrics", "config"} {
				if _, ok := res[n]; !ok {
					t.Errorf("%s: %s not composed", tc.reason, n)
				}
			}
			sel, asked := rsp.GetRequirements().GetResources()[observe.RequiredServiceMonitorCRD]
			if asked != tc.wantAsk {
				t.Errorf("%s: asked for the CRD: %v, want %v", tc.reason, asked, tc.wantAsk)
			}
			if asked && (sel.GetKind() != "CustomResourceDefinition" || sel.GetMatchName() != "servicemonitors.monitoring.coreos.com") {
				t.Errorf("%s: asked for %v", tc.reason, sel)
			}
			var warnings []string
			for _, r := range rsp.GetResults() {
				if r.GetSeverity() == fnv1.Severity_SEVERITY_WARNING && strings.Contains(r.GetMessage(), "ServiceMonitor") {
					warnings = append(warnings, r.GetMessage())
				}
			}
			switch {
			case tc.wantWarning == "" && len(warnings) > 0:
				t.Errorf("%s: unexpected warnings %q", tc.reason, warnings)
			case tc.wantWarning != "" && (len(warnings) != 1 || !strings.Contains(warnings[0], tc.wantWarning)):
				t.Errorf("%s: warnings %q, want one containing %q", tc.reason, warnings, tc.wantWarning)
			}
			if tc.wantMonitor {
				checkObject(t, string(names.ResourceServiceMonitor), res[string(names.ResourceServiceMonitor)].GetResource())
				// Not yet observed, yet ready: a ServiceMonitor added to a
				// Ready database must not make it unready.
				if got := res[string(names.ResourceServiceMonitor)].GetReady(); got != fnv1.Ready_READY_TRUE {
					t.Errorf("%s: the new ServiceMonitor is %v, want %v", tc.reason, got, fnv1.Ready_READY_TRUE)
				}
			}
		})
	}
}

// TestClusterRoleCoversEveryComposedKind: core applies what the function
// composes under its own service account, so the aggregated ClusterRole we
// ship must grant every kind any example composes, the ServiceMonitor
// included. The e2e proves the role through a real authorizer for the
// kinds its database composes; this covers every option.
func TestClusterRoleCoversEveryComposedKind(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "cluster", "rbac", "aggregate-to-crossplane.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	role := &rbacv1.ClusterRole{}
	if err := yaml.UnmarshalStrict(b, role); err != nil {
		t.Fatal(err)
	}
	granted := func(group, resource string) bool {
		for _, r := range role.Rules {
			if slices.Contains(r.APIGroups, group) && slices.Contains(r.Resources, resource) &&
				slices.Contains(r.Verbs, "create") && slices.Contains(r.Verbs, "patch") && slices.Contains(r.Verbs, "delete") {
				return true
			}
		}
		return false
	}

	withMonitor := newRequest(t, exampleXR(t, "production-enterprise"), nil)
	in, err := structpb.NewStruct(map[string]any{"apiVersion": "aerospike.fn.xp-aerospike.io/v1beta1", "kind": "Input", "prometheusOperator": true})
	if err != nil {
		t.Fatal(err)
	}
	withMonitor.Input = in
	crd, err := structpb.NewStruct(map[string]any{"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": map[string]any{"name": "servicemonitors.monitoring.coreos.com"}})
	if err != nil {
		t.Fatal(err)
	}
	withMonitor.RequiredResources = map[string]*fnv1.Resources{observe.RequiredServiceMonitorCRD: {Items: []*fnv1.Resource{{Resource: crd}}}}

	withLevels := exampleXR(t, "minimal-community")
	withLevels["spec"].(map[string]any)["aerospikeConfig"] = map[string]any{"logging": []any{map[string]any{"name": "console", "migrate": "debug"}}}

	// Our provider's kinds go by the plurals their CRDs declare, which a
	// guess gets wrong for LogLevels.
	plurals := map[string]string{}
	crds, err := filepath.Glob(filepath.Join("..", "package", "provider", "crds", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range crds {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		crd := &apiextensionsv1.CustomResourceDefinition{}
		if err := yaml.Unmarshal(b, crd); err != nil {
			t.Fatal(err)
		}
		plurals[crd.Spec.Group+"/"+crd.Spec.Names.Kind] = crd.Spec.Names.Plural
	}

	seen := map[string]bool{}
	for _, req := range []*fnv1.RunFunctionRequest{
		newRequest(t, exampleXR(t, "minimal-community"), nil),
		newRequest(t, withLevels, nil),
		withMonitor,
	} {
		for name, r := range run(t, req).GetDesired().GetResources() {
			u := &unstructured.Unstructured{Object: r.GetResource().AsMap()}
			plural, _ := meta.UnsafeGuessKindToResource(u.GroupVersionKind())
			if p, ok := plurals[plural.Group+"/"+u.GetKind()]; ok {
				plural.Resource = p
			}
			key := plural.Group + "/" + plural.Resource
			if seen[key] {
				continue
			}
			seen[key] = true
			if !granted(plural.Group, plural.Resource) {
				t.Errorf("%s is a %s, which cluster/rbac/aggregate-to-crossplane.yaml does not let core manage", name, key)
			}
		}
	}
	for _, key := range []string{"monitoring.coreos.com/servicemonitors", "aerospike.m.xp-aerospike.io/loglevels"} {
		if !seen[key] {
			t.Errorf("no %s was composed: the test covers less than it says", key)
		}
	}
}
