package network

import (
	"slices"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	"github.com/xp-aerospike/xp-aerospike/function/internal/database"
)

// labelNamespaceName is the label Kubernetes puts on every namespace, with
// its name.
const labelNamespaceName = "kubernetes.io/metadata.name"

// Policy admits to the database's pods only what a database needs,
// or returns nil when the spec does not ask for one: its own nodes on every
// port (the heartbeat and fabric carry the cluster itself); on the client
// port, the pods of its namespace, of the client namespaces the spec names
// and of the provider's namespace (the provider manages users and reads the
// cluster's status); and, with monitoring, scrapes of the exporter's port
// from anywhere, since Prometheus lives wherever the platform team put it;
// and the extra rules of features such as external access.
func Policy(d *database.Database, exporterPort int32, extra ...networkingv1.NetworkPolicyIngressRule) *networkingv1.NetworkPolicy {
	np := d.Spec.NetworkPolicy
	if np == nil || !np.Enabled {
		return nil
	}
	tcp := func(p int32) networkingv1.NetworkPolicyPort {
		return networkingv1.NetworkPolicyPort{Protocol: ptr.To(corev1.ProtocolTCP), Port: ptr.To(intstr.FromInt32(p))}
	}
	namespaces := func(nss ...string) []networkingv1.NetworkPolicyPeer {
		var peers []networkingv1.NetworkPolicyPeer
		for i, ns := range nss {
			if slices.Contains(nss[:i], ns) {
				continue
			}
			if ns == d.Namespace {
				peers = append(peers, networkingv1.NetworkPolicyPeer{PodSelector: &metav1.LabelSelector{}}) // this namespace
				continue
			}
			peers = append(peers, networkingv1.NetworkPolicyPeer{
				NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{labelNamespaceName: ns}},
			})
		}
		return peers
	}
	clients := append([]string{d.Namespace}, np.ClientNamespaces...)
	rules := []networkingv1.NetworkPolicyIngressRule{
		{From: []networkingv1.NetworkPolicyPeer{{PodSelector: &metav1.LabelSelector{MatchLabels: d.Names.Selector()}}}},
	}
	if d.TLS() {
		// Applications only on the TLS port; the plain port stays for the
		// provider, which manages the cluster from inside.
		rules = append(rules,
			networkingv1.NetworkPolicyIngressRule{From: namespaces(clients...), Ports: []networkingv1.NetworkPolicyPort{tcp(database.TLSServicePort)}},
			networkingv1.NetworkPolicyIngressRule{From: namespaces(d.ProviderNamespace), Ports: []networkingv1.NetworkPolicyPort{tcp(database.ServicePort)}},
		)
	} else {
		all := append([]string{d.Namespace, d.ProviderNamespace}, np.ClientNamespaces...)
		rules = append(rules, networkingv1.NetworkPolicyIngressRule{From: namespaces(all...), Ports: []networkingv1.NetworkPolicyPort{tcp(database.ServicePort)}})
	}
	if d.Monitoring() {
		rules = append(rules, networkingv1.NetworkPolicyIngressRule{Ports: []networkingv1.NetworkPolicyPort{tcp(exporterPort)}})
	}
	return &networkingv1.NetworkPolicy{
		ObjectMeta: metav1.ObjectMeta{
			Name:      d.Names.ClientService(),
			Namespace: d.Namespace,
			Labels:    d.Names.Labels("network-policy"),
		},
		Spec: networkingv1.NetworkPolicySpec{
			PodSelector: metav1.LabelSelector{MatchLabels: d.Names.Selector()},
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress},
			Ingress:     append(rules, extra...),
		},
	}
}
