// Package external is external access, in one place: a Service per pod of
// the type spec.externalAccess asks for (service.go), each pod advertising
// its own Service's address through placeholders in aerospike.conf that an
// init container fills in (config.go, pod.go), the spec's checks
// (validate.go), and, for each step of the plan, which pods get a Service
// and which addresses are known (this file). The builders call it; what it
// returns they render: the per-pod Services, the addresses in the ConfigMap,
// the seeds in the connection details, the NetworkPolicy's rule.
package external

import (
	"fmt"
	"strings"

	"github.com/xp-aerospike/xp-aerospike/apis/aerospike/v1alpha1"
	"github.com/xp-aerospike/xp-aerospike/function/internal/database"
	"github.com/xp-aerospike/xp-aerospike/function/internal/observe"
	"github.com/xp-aerospike/xp-aerospike/function/internal/plan"
)

// Access is external access for one step.
type Access struct {
	// Pods that get an external Service, rack by rack: those the planned
	// StatefulSets run, so a pod removed by a scale-down loses its Service
	// with it.
	Pods []string

	// Addresses of the pods whose Service has a valid one, by pod.
	Addresses map[string]Address

	// Seeds are the addresses known in full (a load balancer's), as
	// host:port, rack by rack.
	Seeds []string

	// Waiting says which pods wait for an address, if any.
	Waiting []string
}

// Resolve returns external access for the step p, from the observed per-pod
// Services; without spec.externalAccess, none.
func Resolve(d *database.Database, p plan.Plan, obs *observe.State) Access {
	ea := d.Spec.ExternalAccess
	if ea == nil {
		return Access{}
	}
	a := Access{Addresses: map[string]Address{}}
	var pending []string
	_, port := Port(d)
	for _, r := range d.Racks {
		for i := range p.Rack(r.ID).Replicas {
			pod := d.PodName(r, i)
			a.Pods = append(a.Pods, pod)
			addr, ok := address(obs.ExternalServices[pod], ea.Type, port)
			if !ok || !addr.Valid() {
				pending = append(pending, pod)
				continue
			}
			a.Addresses[pod] = addr
			if addr.Host != "" {
				a.Seeds = append(a.Seeds, addr.String())
			}
		}
	}
	if len(pending) > 0 {
		a.Waiting = []string{fmt.Sprintf("external addresses of pods %s: their %s Services have none yet", strings.Join(pending, ", "), ea.Type)}
	}
	return a
}

// address reads a pod's external address from its observed Service, if it
// is of the type asked for and has one: its load balancer's first ingress
// on the external port, or that port's node port with the host left to the
// pod.
func address(s observe.Service, typ v1alpha1.ExternalAccessType, port int32) (Address, bool) {
	if s.Type != string(typ) {
		// Not there yet, or still of the type it had before the spec
		// changed: its address is not the one to advertise.
		return Address{}, false
	}
	switch typ {
	case v1alpha1.ExternalAccessNodePort:
		np := s.NodePorts[port]
		return Address{Port: np}, np != 0
	case v1alpha1.ExternalAccessLoadBalancer:
		if s.LoadBalancerHost != "" {
			return Address{Host: s.LoadBalancerHost, Port: port}, true
		}
	}
	return Address{}, false
}
