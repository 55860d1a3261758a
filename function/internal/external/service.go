package external

import (
	"maps"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	"github.com/xp-aerospike/xp-aerospike/function/internal/database"
	"github.com/xp-aerospike/xp-aerospike/function/internal/names"
	"github.com/xp-aerospike/xp-aerospike/function/internal/network"
)

// LabelPodName is the label the StatefulSet controller puts on each of its
// pods, with the pod's name: a Service selects one pod by it.
const LabelPodName = "statefulset.kubernetes.io/pod-name"

// Service is the Service through which clients outside the
// Kubernetes cluster reach one pod, named after the pod, of the type
// spec.externalAccess asks for, on the client port (only the TLS one with
// TLS); nil without external access. An Aerospike
// client connects to every node directly, so every node needs an address
// of its own: a load balancer, or a node port, per pod.
func Service(d *database.Database, pod string) *corev1.Service {
	ea := d.Spec.ExternalAccess
	if ea == nil {
		return nil
	}
	selector := d.Names.Selector()
	selector[LabelPodName] = pod
	labels := d.Names.Labels("external")
	labels[LabelPodName] = pod
	s := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{
			Name:      names.Fit(pod, "-external", names.MaxLabel),
			Namespace: d.Namespace,
			Labels:    labels,
		},
		Spec: corev1.ServiceSpec{
			Type:     corev1.ServiceType(ea.Type),
			Selector: selector,
			Ports:    []corev1.ServicePort{network.ServicePort(Port(d))},
		},
	}
	if len(ea.Annotations) > 0 {
		s.Annotations = maps.Clone(ea.Annotations)
	}
	return s
}

// Clients admits clients from anywhere to the client port (the TLS
// one with TLS) when the database has external access: they come from outside the cluster,
// through load balancers and node ports that may or may not keep their
// source address, so no narrower rule would reliably let them in. Who may
// reach the load balancers is the load balancers' to decide (their
// annotations), and what a client may do is access control's.
func Clients(d *database.Database) []networkingv1.NetworkPolicyIngressRule {
	if d.Spec.ExternalAccess == nil {
		return nil
	}
	_, p := Port(d)
	return []networkingv1.NetworkPolicyIngressRule{{
		From: []networkingv1.NetworkPolicyPeer{
			{IPBlock: &networkingv1.IPBlock{CIDR: "0.0.0.0/0"}},
			{IPBlock: &networkingv1.IPBlock{CIDR: "::/0"}},
		},
		Ports: []networkingv1.NetworkPolicyPort{{Protocol: ptr.To(corev1.ProtocolTCP), Port: ptr.To(intstr.FromInt32(p))}},
	}}
}

// Port is the client port external access exposes, by its container port
// name: the TLS port when the database has TLS (its applications reach only
// that one), the plain port otherwise.
func Port(d *database.Database) (string, int32) {
	if d.TLS() {
		return "tls-service", database.TLSServicePort
	}
	return "service", database.ServicePort
}
