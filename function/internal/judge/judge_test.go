package judge

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/types/known/structpb"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/utils/ptr"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/crossplane/function-sdk-go/resource"

	providerv1alpha1 "github.com/xp-aerospike/xp-aerospike/apis/provider/v1alpha1"
	"github.com/xp-aerospike/xp-aerospike/function/internal/build"
	"github.com/xp-aerospike/xp-aerospike/function/internal/names"
	"github.com/xp-aerospike/xp-aerospike/function/internal/observe"
	"github.com/xp-aerospike/xp-aerospike/function/internal/plan"
)

func sts(replicas int32, hash, image string) *appsv1.StatefulSet {
	return &appsv1.StatefulSet{
		ObjectMeta: metav1.ObjectMeta{Generation: 3},
		Spec: appsv1.StatefulSetSpec{
			Replicas: ptr.To(replicas),
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Annotations: map[string]string{names.AnnotationConfigHash: hash}},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: names.ServerContainer, Image: image}}},
			},
		},
	}
}

func observed(replicas int32, edit func(s *appsv1.StatefulSetStatus)) *appsv1.StatefulSet {
	o := sts(replicas, "h1", "img:1")
	o.Status = appsv1.StatefulSetStatus{
		ObservedGeneration: 3, Replicas: replicas, ReadyReplicas: replicas, UpdatedReplicas: replicas,
		CurrentRevision: "r1", UpdateRevision: "r1",
	}
	if edit != nil {
		edit(&o.Status)
	}
	return o
}

func TestStatefulSet(t *testing.T) {
	desired := plan.Template{ConfigHash: "h1", Image: "img:1"}
	cases := map[string]struct {
		reason   string
		observed *appsv1.StatefulSet
		desired  plan.Template
		want     bool
	}{
		"Ready":         {reason: "all replicas ready and updated", observed: observed(3, nil), desired: desired, want: true},
		"NotObserved":   {reason: "a StatefulSet that does not exist yet", observed: nil, desired: desired},
		"StaleGen":      {reason: "the controller has not seen the latest spec", observed: observed(3, func(s *appsv1.StatefulSetStatus) { s.ObservedGeneration = 2 }), desired: desired},
		"NotAllReady":   {reason: "a pod is not ready", observed: observed(3, func(s *appsv1.StatefulSetStatus) { s.ReadyReplicas = 2 }), desired: desired},
		"Rolling":       {reason: "a rolling update is in progress", observed: observed(3, func(s *appsv1.StatefulSetStatus) { s.UpdatedReplicas, s.UpdateRevision = 1, "r2" }), desired: desired},
		"ScalingUp":     {reason: "the desired replicas are not yet running", observed: observed(2, nil), desired: desired},
		"ScalingDown":   {reason: "extra replicas are still running", observed: observed(4, nil), desired: desired},
		"ConfigChanged": {reason: "the desired configuration is not yet applied", observed: observed(3, nil), desired: plan.Template{ConfigHash: "h2", Image: "img:1"}},
		"Upgrading":     {reason: "the desired image is not yet applied", observed: observed(3, nil), desired: plan.Template{ConfigHash: "h1", Image: "img:2"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := StatefulSet(tc.observed, 3, tc.desired); got != tc.want {
				t.Errorf("%s: StatefulSet() = %v, want %v", tc.reason, got, tc.want)
			}
		})
	}
}

func TestReadyNodes(t *testing.T) {
	cases := map[string]struct {
		observed *appsv1.StatefulSet
		want     int32
	}{
		"None":    {observed: nil, want: 0},
		"AllUp":   {observed: observed(3, nil), want: 3},
		"OneDown": {observed: observed(3, func(s *appsv1.StatefulSetStatus) { s.ReadyReplicas = 2 }), want: 2},
		"Rolling": {observed: observed(3, func(s *appsv1.StatefulSetStatus) { s.UpdatedReplicas, s.UpdateRevision = 1, "r2" }), want: 1},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := readyNodes(tc.observed); got != tc.want {
				t.Errorf("readyNodes() = %d, want %d", got, tc.want)
			}
		})
	}
}

// TestReadiness: a rack's StatefulSet is ready only when the step leaves
// nothing to do and the observed one has done it; the provider's objects
// when the provider says so; the ServiceMonitor at once; anything else
// once it exists.
func TestReadiness(t *testing.T) {
	tmpl := plan.Template{ConfigHash: "h1", Image: "img:1"}
	racks := []plan.Rack{{ID: 1, Nodes: 3, Template: tmpl, Observed: observed(3, nil)}}
	res := []build.Resource{
		{Name: names.ResourceStatefulSet(1), Object: &appsv1.StatefulSet{}},
		{Name: names.ResourceClusterStatus, Object: &providerv1alpha1.ClusterStatus{}},
		{Name: names.ResourceUser("app"), Object: &providerv1alpha1.User{}},
		{Name: names.ResourceServiceMonitor, Object: &unstructured.Unstructured{}},
		{Name: names.ResourceConfigMap, Object: &corev1.ConfigMap{}},
		{Name: names.ResourceClientService, Object: &corev1.Service{}},
	}
	request := func(ready ...string) *observe.State {
		m := map[string]*fnv1.Resource{}
		for _, n := range []resource.Name{names.ResourceStatefulSet(1), names.ResourceClusterStatus, names.ResourceUser("app"), names.ResourceConfigMap} {
			cond := "False"
			if slices.Contains(ready, string(n)) {
				cond = "True"
			}
			s, err := structpb.NewStruct(map[string]any{"status": map[string]any{"conditions": []any{map[string]any{"type": "Ready", "status": cond}}}})
			if err != nil {
				t.Fatal(err)
			}
			m[string(n)] = &fnv1.Resource{Resource: s}
		}
		return observe.Request(&fnv1.RunFunctionRequest{Observed: &fnv1.State{Resources: m}})
	}
	settled := plan.Plan{Racks: []plan.RackStep{{ID: 1, Replicas: 3}}}
	cases := map[string]struct {
		reason string
		step   plan.Plan
		obs    *observe.State
		want   map[resource.Name]resource.Ready
	}{
		"Settled": {
			reason: "the rack runs its step, the provider reports its objects ready",
			step:   settled,
			obs:    request(string(names.ResourceClusterStatus), string(names.ResourceUser("app"))),
			want: map[resource.Name]resource.Ready{
				names.ResourceStatefulSet(1): resource.ReadyTrue, names.ResourceClusterStatus: resource.ReadyTrue,
				names.ResourceUser("app"): resource.ReadyTrue, names.ResourceServiceMonitor: resource.ReadyTrue,
				names.ResourceConfigMap: resource.ReadyTrue, names.ResourceClientService: resource.ReadyFalse,
			},
		},
		"HeldBack": {
			reason: "a step that holds a rollout back is not ready, however ready its pods; an object the provider has not reported ready is not",
			step:   plan.Plan{Racks: []plan.RackStep{{ID: 1, Replicas: 3, Partition: 1}}},
			obs:    request(string(names.ResourceClusterStatus)),
			want: map[resource.Name]resource.Ready{
				names.ResourceStatefulSet(1): resource.ReadyFalse, names.ResourceClusterStatus: resource.ReadyTrue,
				names.ResourceUser("app"): resource.ReadyFalse, names.ResourceServiceMonitor: resource.ReadyTrue,
				names.ResourceConfigMap: resource.ReadyTrue, names.ResourceClientService: resource.ReadyFalse,
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, Readiness(racks, tc.step, tc.obs, res)); diff != "" {
				t.Errorf("%s: -want +got:\n%s", tc.reason, diff)
			}
		})
	}
}
