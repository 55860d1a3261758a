package kubelet

import (
	"context"
	"net/netip"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	kerrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// Lookup answers a DNS name of the cluster, as the cluster's DNS would
// from the Services of the API server and the pods this kubelet runs; it
// is a test/e2e/dns Lookup.
//
//   - <service>.<namespace>.svc.<domain>: the addresses of the pods the
//     Service selects that are ready (or running at all, for a Service
//     that publishes not-ready addresses). No kube-proxy runs, so a
//     ClusterIP Service resolves to its pods rather than to a virtual IP.
//   - <pod>.<service>.<namespace>.svc.<domain>: the address of a pod of a
//     StatefulSet whose governing Service that is, when the Service
//     selects it and it is ready or the Service publishes not-ready
//     addresses.
//
// found is false for a name that does not exist; an error means the API
// server could not be asked.
func (k *Kubelet) Lookup(ctx context.Context, name string) ([]netip.Addr, bool, error) {
	l := k.clusterName(name)
	var host, svcName, ns string
	switch len(l) {
	case 2:
		svcName, ns = l[0], l[1]
	case 3:
		host, svcName, ns = l[0], l[1], l[2]
	default:
		return nil, false, nil
	}
	svc := &corev1.Service{}
	if err := k.c.Get(ctx, types.NamespacedName{Namespace: ns, Name: svcName}, svc); err != nil {
		if kerrors.IsNotFound(err) {
			return nil, false, nil
		}
		return nil, false, errors.Wrapf(err, "cannot get Service %s/%s", ns, svcName)
	}
	// A Service without a selector has no pods of its own; a test that
	// needs its endpoints is beyond this kubelet.
	if len(svc.Spec.Selector) == 0 {
		return nil, host == "", nil
	}
	sel := labels.SelectorFromSet(svc.Spec.Selector)
	k.mu.Lock()
	defer k.mu.Unlock()
	var pods []*pod
	for key, p := range k.byName {
		if key.Namespace != ns || p.terminating || p.uid == "" || !sel.Matches(labels.Set(p.labels)) {
			continue
		}
		if !p.ready && !svc.Spec.PublishNotReadyAddresses {
			continue
		}
		if host != "" && (key.Name != host || p.service != svcName) {
			continue
		}
		pods = append(pods, p)
	}
	if host != "" && len(pods) == 0 {
		return nil, false, nil
	}
	slices.SortFunc(pods, func(a, b *pod) int { return strings.Compare(a.key.String(), b.key.String()) })
	addrs := make([]netip.Addr, 0, len(pods))
	for _, p := range pods {
		addrs = append(addrs, k.slot(p.key).addr)
	}
	return addrs, true, nil
}
