package build

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// TestUnstructuredIsMinimal checks zero values, nulls and status stay out of
// what the function sends, while meaningful empty objects stay in.
func TestUnstructuredIsMinimal(t *testing.T) {
	sts := &appsv1.StatefulSet{
		ObjectMeta: metav1.ObjectMeta{Name: "s"},
		Spec: appsv1.StatefulSetSpec{
			Replicas: ptr.To[int32](0),
			Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
				Containers: []corev1.Container{{Name: "c", Ports: []corev1.ContainerPort{{ContainerPort: 3000}}}},
				Volumes:    []corev1.Volume{{Name: "w", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}},
			}},
			VolumeClaimTemplates: []corev1.PersistentVolumeClaim{{ObjectMeta: metav1.ObjectMeta{Name: "d"}}},
		},
	}
	u, err := Unstructured(sts)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"apiVersion": "apps/v1",
		"kind":       "StatefulSet",
		"metadata":   map[string]any{"name": "s"},
		"spec": map[string]any{
			"replicas":    int64(0),
			"serviceName": "",
			"template": map[string]any{
				"metadata": map[string]any{},
				"spec": map[string]any{
					"containers": []any{map[string]any{"name": "c", "ports": []any{map[string]any{"containerPort": int64(3000)}}, "resources": map[string]any{}}},
					"volumes":    []any{map[string]any{"name": "w", "emptyDir": map[string]any{}}},
				},
			},
			"updateStrategy":       map[string]any{},
			"volumeClaimTemplates": []any{map[string]any{"metadata": map[string]any{"name": "d"}, "spec": map[string]any{"resources": map[string]any{}}}},
		},
	}
	if diff := cmp.Diff(want, u.Object); diff != "" {
		t.Errorf("Unstructured(): -want +got:\n%s", diff)
	}
}
