package workload

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"

	"github.com/xp-aerospike/xp-aerospike/apis/aerospike/v1alpha1"
	"github.com/xp-aerospike/xp-aerospike/function/internal/external"
	"github.com/xp-aerospike/xp-aerospike/function/internal/layout"
)

func externalAccess(s *v1alpha1.AerospikeDatabaseSpec) {
	s.ExternalAccess = &v1alpha1.ExternalAccess{Type: v1alpha1.ExternalAccessLoadBalancer}
}

// TestExternalAccessPodTemplate: with external access the server reads the
// configuration the init container writes into an emptyDir, from the whole
// ConfigMap; the server's command, the config hash and everything else
// stay as they are without it.
func TestExternalAccessPodTemplate(t *testing.T) {
	_, plain := build(t, nil, nil)
	_, ext := build(t, nil, externalAccess)
	p, e := plain[0].Spec.Template.Spec, ext[0].Spec.Template.Spec

	if diff := cmp.Diff(p.Containers[0].Args, e.Containers[0].Args); diff != "" {
		t.Errorf("the server's command must not change: -plain +external:\n%s", diff)
	}
	if got := mountOf(e.Containers[0], layout.ConfDir); got != layout.RenderedConfVolume {
		t.Errorf("the server reads %s from volume %q, want the init container's %q", layout.ConfDir, got, layout.RenderedConfVolume)
	}
	if len(e.InitContainers) != 2 || e.InitContainers[1].Name != external.InitContainer {
		t.Fatalf("want the work directory's and the external address's init containers, got %v", e.InitContainers)
	}
	init := e.InitContainers[1]
	if got := mountOf(init, external.ConfigMapDir); got != layout.ConfigVolume {
		t.Errorf("the init container reads the ConfigMap from %q", got)
	}
	if got := mountOf(init, layout.ConfDir); got != layout.RenderedConfVolume {
		t.Errorf("the init container writes into %q", got)
	}
	env := map[string]string{}
	for _, v := range init.Env {
		if v.ValueFrom != nil {
			env[v.Name] = v.ValueFrom.FieldRef.FieldPath
			continue
		}
		env[v.Name] = v.Value
	}
	want := map[string]string{"POD_NAME": "metadata.name", "HOST_IP": "status.hostIP", "EXTERNAL_ACCESS_TYPE": "LoadBalancer"}
	if diff := cmp.Diff(want, env); diff != "" {
		t.Errorf("init container env: -want +got:\n%s", diff)
	}
	if init.SecurityContext == nil || *init.SecurityContext.AllowPrivilegeEscalation {
		t.Error("the init container runs restricted like every other")
	}
	for _, v := range e.Volumes {
		if v.Name == layout.ConfigVolume && len(v.ConfigMap.Items) > 0 {
			t.Errorf("the ConfigMap is mounted whole, so a pod's address that arrives later reaches the pod: %v", v.ConfigMap.Items)
		}
	}
	_, np := build(t, nil, func(s *v1alpha1.AerospikeDatabaseSpec) {
		s.ExternalAccess = &v1alpha1.ExternalAccess{Type: v1alpha1.ExternalAccessNodePort}
	})
	if cmp.Equal(ext[0].Spec.Template, np[0].Spec.Template) {
		t.Error("switching the type must change the pod template: a running node reads its address only when it starts")
	}
	if len(p.InitContainers) != 1 || mountOf(p.Containers[0], layout.ConfDir) != layout.ConfigVolume {
		t.Errorf("without external access the pod is as before: %v", p.InitContainers)
	}
}

func mountOf(c corev1.Container, path string) string {
	for _, m := range c.VolumeMounts {
		if m.MountPath == path {
			return m.Name
		}
	}
	return ""
}
