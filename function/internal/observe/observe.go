// Package observe reads what the function needs of a request's observed
// state, once per request: each rack's StatefulSet, the provider's cluster
// observation, the per-pod Services' external addresses, which composed
// objects exist and which the provider reports ready, and whether the
// cluster has the ServiceMonitor CRD. Every later stage reads this value,
// never the request.
package observe

import (
	"encoding/json"
	"slices"

	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/runtime"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/crossplane/function-sdk-go/request"
	"github.com/crossplane/function-sdk-go/resource"

	providerv1alpha1 "github.com/xp-aerospike/xp-aerospike/apis/provider/v1alpha1"
	"github.com/xp-aerospike/xp-aerospike/function/internal/names"
)

// RequiredServiceMonitorCRD is the key under which the function asks
// Crossplane for the ServiceMonitor CRD.
const RequiredServiceMonitorCRD = "servicemonitor-crd"

// State is the observed state of one AerospikeDatabase's composed objects.
type State struct {
	// StatefulSets by rack ID, with only what the plan, the guard and
	// readiness read.
	StatefulSets map[int32]*appsv1.StatefulSet

	// Cluster is what the provider's ClusterStatus reports; nil until it
	// is ready and has reported.
	Cluster *providerv1alpha1.ClusterStatusObservation

	// ExternalServices are the per-pod external Services, by pod name.
	ExternalServices map[string]Service

	// ServiceMonitorCRD is Crossplane's answer about the ServiceMonitor
	// CRD, if the function asked.
	ServiceMonitorCRD Lookup

	// Unreadable names the observed StatefulSets that could not be read,
	// sorted. Planning without one would take its rack for a new one.
	Unreadable []resource.Name

	exists map[resource.Name]bool
	ready  map[resource.Name]bool
}

// Service is what external access reads of a pod's observed Service.
type Service struct {
	// Type of the Service as it is now.
	Type string

	// NodePorts by service port.
	NodePorts map[int32]int32

	// LoadBalancerHost is the first ingress of its load balancer, an IP
	// or a host name; empty while it has none.
	LoadBalancerHost string
}

// Lookup is Crossplane's answer to a request for a resource.
type Lookup struct {
	// Answered is false until Crossplane has fetched what was asked.
	Answered bool
	// Found is true when the resource exists.
	Found bool
	// Err is set when the answer could not be read.
	Err error
}

// Exists reports whether the composed object named n is observed.
func (s *State) Exists(n resource.Name) bool { return s.exists[n] }

// Ready reports whether the composed object named n has the condition
// Ready=True, as the provider's objects report.
func (s *State) Ready(n resource.Name) bool { return s.ready[n] }

// Request reads the observed state of req.
func Request(req *fnv1.RunFunctionRequest) *State {
	observed := req.GetObserved().GetResources()
	s := &State{
		StatefulSets:     map[int32]*appsv1.StatefulSet{},
		ExternalServices: map[string]Service{},
		exists:           make(map[resource.Name]bool, len(observed)),
		ready:            map[resource.Name]bool{},
	}
	for key, o := range observed {
		n := resource.Name(key)
		s.exists[n] = true
		s.ready[n] = readyCondition(o)
		if rack, ok := names.StatefulSetRack(n); ok {
			if sts := statefulSet(o); sts != nil {
				s.StatefulSets[rack] = sts
			} else {
				s.Unreadable = append(s.Unreadable, n)
			}
			continue
		}
		if pod, ok := names.ExternalServicePod(n); ok {
			s.ExternalServices[pod] = service(o)
			continue
		}
		if n == names.ResourceClusterStatus && s.ready[n] {
			s.Cluster = cluster(o)
		}
	}
	s.ServiceMonitorCRD = lookup(req, RequiredServiceMonitorCRD)
	slices.Sort(s.Unreadable)
	return s
}

func lookup(req *fnv1.RunFunctionRequest, key string) Lookup {
	found, answered, err := request.GetRequiredResource(req, key)
	return Lookup{Answered: answered || err != nil, Found: len(found) > 0, Err: err}
}

// readyCondition reports whether an observed object has the condition
// Ready=True.
func readyCondition(o *fnv1.Resource) bool {
	for _, c := range o.GetResource().GetFields()["status"].GetStructValue().GetFields()["conditions"].GetListValue().GetValues() {
		f := c.GetStructValue().GetFields()
		if f["type"].GetStringValue() == "Ready" {
			return f["status"].GetStringValue() == "True"
		}
	}
	return false
}

// cluster reads the provider's cluster observation; nil when it has
// reported nothing.
func cluster(o *fnv1.Resource) *providerv1alpha1.ClusterStatusObservation {
	at := o.GetResource().GetFields()["status"].GetStructValue().GetFields()["atProvider"].GetStructValue()
	if at == nil {
		return nil
	}
	b, err := at.MarshalJSON()
	if err != nil {
		return nil
	}
	c := &providerv1alpha1.ClusterStatusObservation{}
	if err := json.Unmarshal(b, c); err != nil {
		return nil
	}
	return c
}

// service reads a pod's external Service: its type, node ports and load
// balancer ingress.
func service(o *fnv1.Resource) Service {
	f := o.GetResource().GetFields()
	spec := f["spec"].GetStructValue().GetFields()
	s := Service{Type: spec["type"].GetStringValue(), NodePorts: map[int32]int32{}}
	for _, p := range spec["ports"].GetListValue().GetValues() {
		pf := p.GetStructValue().GetFields()
		s.NodePorts[int32(pf["port"].GetNumberValue())] = int32(pf["nodePort"].GetNumberValue())
	}
	lb := f["status"].GetStructValue().GetFields()["loadBalancer"].GetStructValue().GetFields()
	for _, in := range lb["ingress"].GetListValue().GetValues() {
		inf := in.GetStructValue().GetFields()
		host := inf["ip"].GetStringValue()
		if host == "" {
			host = inf["hostname"].GetStringValue()
		}
		if host != "" {
			s.LoadBalancerHost = host
			break
		}
	}
	return s
}

// statefulSet reads what readiness and the plan need of an observed
// StatefulSet: its generation and annotations, replicas, update strategy and
// volume retention, its pod template's configuration hash and containers'
// images, and its status. It returns nil when it cannot be read. Decoding it
// whole would cost more than composing it.
func statefulSet(o *fnv1.Resource) *appsv1.StatefulSet {
	f := o.GetResource().GetFields()
	if f == nil {
		return nil
	}
	md := f["metadata"].GetStructValue().GetFields()
	spec := f["spec"].GetStructValue().GetFields()
	template := spec["template"].GetStructValue().GetFields()
	var containers []any
	for _, c := range template["spec"].GetStructValue().GetFields()["containers"].GetListValue().GetValues() {
		cf := c.GetStructValue().GetFields()
		containers = append(containers, map[string]any{"name": cf["name"].GetStringValue(), "image": cf["image"].GetStringValue()})
	}
	slimSpec := map[string]any{
		"updateStrategy":                       spec["updateStrategy"].GetStructValue().AsMap(),
		"persistentVolumeClaimRetentionPolicy": spec["persistentVolumeClaimRetentionPolicy"].GetStructValue().AsMap(),
		"template": map[string]any{
			"metadata": map[string]any{"annotations": template["metadata"].GetStructValue().GetFields()["annotations"].GetStructValue().AsMap()},
			"spec":     map[string]any{"containers": containers},
		},
	}
	if r, ok := spec["replicas"]; ok {
		slimSpec["replicas"] = r.GetNumberValue()
	}
	slim := map[string]any{
		"metadata": map[string]any{
			"generation":  md["generation"].GetNumberValue(),
			"annotations": md["annotations"].GetStructValue().AsMap(),
			"labels":      md["labels"].GetStructValue().AsMap(),
		},
		"spec":   slimSpec,
		"status": f["status"].GetStructValue().AsMap(),
	}
	sts := &appsv1.StatefulSet{}
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(slim, sts); err != nil {
		return nil
	}
	return sts
}
