package compose

import (
	"fmt"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/crossplane/function-sdk-go/resource"

	"github.com/xp-aerospike/xp-aerospike/apis/aerospike/v1alpha1"
	providerv1alpha1 "github.com/xp-aerospike/xp-aerospike/apis/provider/v1alpha1"
	"github.com/xp-aerospike/xp-aerospike/function/internal/config"
	"github.com/xp-aerospike/xp-aerospike/function/internal/connection"
	"github.com/xp-aerospike/xp-aerospike/function/internal/database"
	"github.com/xp-aerospike/xp-aerospike/function/internal/network"
)

// NameExternalService is the composition resource name of a pod's
// external Service. It follows the pod's name, which is stable.
func NameExternalService(pod string) resource.Name {
	return resource.Name("service-external-" + pod)
}

// External adds external access to res, once the plan has set how many
// pods each rack's StatefulSet runs: a Service per pod it runs (a pod
// removed by a scale-down loses its Service with it), and each pod's
// external address, read from its observed Service, in the ConfigMap for
// the pod's init container and, when known in full (a load balancer's),
// in the connection Secret. It returns res, those addresses (as host:port,
// rack by rack) and what waits for an address; without
// spec.externalAccess, res as it is.
func External(d *database.Database, res []Resource, observed map[string]*fnv1.Resource) ([]Resource, []string, []string) {
	ea := d.Spec.ExternalAccess
	if ea == nil {
		return res, nil, nil
	}
	addrs := map[string]config.Address{}
	var seeds, pending []string
	var services []Resource
	_, port := d.ExternalPort()
	for _, r := range d.Racks {
		sts := find[*appsv1.StatefulSet](res, NameStatefulSet(r.ID))
		if sts == nil {
			continue
		}
		for i := range ptr.Deref(sts.Spec.Replicas, 0) {
			pod := d.PodName(r, i)
			n := NameExternalService(pod)
			services = append(services, Resource{n, network.ExternalService(d, pod)})
			a, ok := externalAddress(observed[string(n)], ea.Type, port)
			if !ok || !a.Valid() {
				pending = append(pending, pod)
				continue
			}
			addrs[pod] = a
			if a.Host != "" {
				seeds = append(seeds, a.String())
			}
		}
	}
	if cm := find[*corev1.ConfigMap](res, NameConfigMap); cm != nil {
		config.AddExternalAddresses(cm, addrs)
	}
	if s := find[*corev1.Secret](res, NameConnectionSecret); s != nil {
		connection.AddExternalSeeds(s, seeds)
	}
	// Where the application user's User writes the connection Secret, the
	// provider adds its ProviderConfig's connection details to it.
	if pc := find[*providerv1alpha1.ProviderConfig](res, NameProviderConfig); pc != nil && len(seeds) > 0 {
		if pc.Spec.ConnectionDetails == nil {
			pc.Spec.ConnectionDetails = map[string]string{}
		}
		pc.Spec.ConnectionDetails[connection.KeyExternalSeeds] = strings.Join(seeds, ",")
	}
	var waiting []string
	if len(pending) > 0 {
		waiting = []string{fmt.Sprintf("external addresses of pods %s: their %s Services have none yet", strings.Join(pending, ", "), ea.Type)}
	}
	return append(res, services...), seeds, waiting
}

// externalAddress reads a pod's external address from its observed
// Service, if it is of the type asked for and has one: the first ingress
// of its load balancer on the external port, or that port's node port
// with the host left to the pod.
func externalAddress(o *fnv1.Resource, typ v1alpha1.ExternalAccessType, port int32) (config.Address, bool) {
	f := o.GetResource().GetFields()
	spec := f["spec"].GetStructValue().GetFields()
	if spec["type"].GetStringValue() != string(typ) {
		// Not there yet, or still of the type it had before the spec
		// changed: its address is not the one to advertise.
		return config.Address{}, false
	}
	var nodePort int32
	for _, p := range spec["ports"].GetListValue().GetValues() {
		pf := p.GetStructValue().GetFields()
		if int32(pf["port"].GetNumberValue()) == port {
			nodePort = int32(pf["nodePort"].GetNumberValue())
		}
	}
	switch typ {
	case v1alpha1.ExternalAccessNodePort:
		return config.Address{Port: nodePort}, nodePort != 0
	case v1alpha1.ExternalAccessLoadBalancer:
		lb := f["status"].GetStructValue().GetFields()["loadBalancer"].GetStructValue().GetFields()
		for _, in := range lb["ingress"].GetListValue().GetValues() {
			inf := in.GetStructValue().GetFields()
			host := inf["ip"].GetStringValue()
			if host == "" {
				host = inf["hostname"].GetStringValue()
			}
			if host != "" {
				return config.Address{Host: host, Port: port}, true
			}
		}
	}
	return config.Address{}, false
}
