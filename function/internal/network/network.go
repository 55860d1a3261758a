// Package network composes the Services of an AerospikeDatabase: a headless
// Service that gives every pod a stable DNS name for the heartbeat mesh, a
// client Service applications connect to, with external access a Service
// per pod, and the opt-in NetworkPolicy.
package network

import (
	"maps"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/xp-aerospike/xp-aerospike/function/internal/database"
)

// HeadlessService lists every pod, ready or not: a starting node must
// resolve its seeds before it is ready, or no node could ever join.
func HeadlessService(d *database.Database) *corev1.Service {
	return &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{
			Name:      d.Names.HeadlessService(),
			Namespace: d.Namespace,
			Labels:    d.Names.Labels("peers"),
		},
		Spec: corev1.ServiceSpec{
			ClusterIP:                corev1.ClusterIPNone,
			PublishNotReadyAddresses: true,
			Selector:                 d.Names.Selector(),
			Ports:                    peerPorts(d),
		},
	}
}

// peerPorts are the ports the nodes serve, each channel on its TLS port
// when the spec puts it under TLS.
func peerPorts(d *database.Database) []corev1.ServicePort {
	ps := []corev1.ServicePort{ServicePort("service", database.ServicePort)}
	if d.TLS() {
		ps = append(ps, ServicePort("tls-service", database.TLSServicePort))
	}
	if d.FabricTLS() {
		ps = append(ps, ServicePort("tls-fabric", database.TLSFabricPort))
	} else {
		ps = append(ps, ServicePort("fabric", database.FabricPort))
	}
	if d.HeartbeatTLS() {
		ps = append(ps, ServicePort("tls-heartbeat", database.TLSHeartbeatPort))
	} else {
		ps = append(ps, ServicePort("heartbeat", database.HeartbeatPort))
	}
	return ps
}

// ClientService is where applications find the cluster. A client uses it
// only to reach a first node; it then talks to every node directly.
func ClientService(d *database.Database) *corev1.Service {
	svc := d.Spec.Service
	s := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{
			Name:      d.Names.ClientService(),
			Namespace: d.Namespace,
			Labels:    d.Names.Labels("client"),
		},
		Spec: corev1.ServiceSpec{
			Type:     svc.Type,
			Selector: d.Names.Selector(),
			Ports:    []corev1.ServicePort{ServicePort("service", database.ServicePort)},
		},
	}
	if d.TLS() {
		s.Spec.Ports = append(s.Spec.Ports, ServicePort("tls-service", database.TLSServicePort))
	}
	if len(svc.Annotations) > 0 {
		s.Annotations = maps.Clone(svc.Annotations)
	}
	return s
}

// ServicePort exposes a container port by its name, on the same number.
func ServicePort(name string, p int32) corev1.ServicePort {
	return corev1.ServicePort{Name: name, Port: p, TargetPort: intstr.FromString(name), Protocol: corev1.ProtocolTCP}
}
