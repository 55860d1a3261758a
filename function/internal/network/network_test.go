package network

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"

	"github.com/xp-aerospike/xp-aerospike/apis/aerospike/v1alpha1"
	"github.com/xp-aerospike/xp-aerospike/function/internal/dbtest"
)

func TestHeadlessService(t *testing.T) {
	s := HeadlessService(dbtest.New(t, nil, nil))
	if s.Name != "db-headless" || s.Spec.ClusterIP != corev1.ClusterIPNone || !s.Spec.PublishNotReadyAddresses {
		t.Errorf("a headless Service that publishes starting pods, got %s %q %v", s.Name, s.Spec.ClusterIP, s.Spec.PublishNotReadyAddresses)
	}
	ports := make([]int32, 0, len(s.Spec.Ports))
	for _, p := range s.Spec.Ports {
		ports = append(ports, p.Port)
	}
	if diff := cmp.Diff([]int32{3000, 3001, 3002}, ports); diff != "" {
		t.Errorf("ports: -want +got:\n%s", diff)
	}
}

func TestClientService(t *testing.T) {
	s := ClientService(dbtest.New(t, nil, func(s *v1alpha1.AerospikeDatabaseSpec) {
		s.Service = &v1alpha1.ClientService{Type: corev1.ServiceTypeLoadBalancer, Annotations: map[string]string{"lb": "internal"}}
	}))
	if s.Name != "db" || s.Spec.Type != corev1.ServiceTypeLoadBalancer || s.Annotations["lb"] != "internal" {
		t.Errorf("client Service: %s %s %v", s.Name, s.Spec.Type, s.Annotations)
	}
	if len(s.Spec.Ports) != 1 || s.Spec.Ports[0].Port != 3000 {
		t.Errorf("the client Service exposes the client port only: %+v", s.Spec.Ports)
	}
	if diff := cmp.Diff(map[string]string{"app.kubernetes.io/name": "aerospike", "app.kubernetes.io/instance": "db"}, s.Spec.Selector); diff != "" {
		t.Errorf("selector: -want +got:\n%s", diff)
	}
}
