package judge

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/xp-aerospike/xp-aerospike/function/internal/names"
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
