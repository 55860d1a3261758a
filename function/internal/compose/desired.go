package compose

import (
	"encoding/json"

	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/ptr"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	xpresource "github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/crossplane/function-sdk-go/resource"

	providerv1alpha1 "github.com/xp-aerospike/xp-aerospike/apis/provider/v1alpha1"
	"github.com/xp-aerospike/xp-aerospike/function/internal/database"
	"github.com/xp-aerospike/xp-aerospike/function/internal/plan"
	"github.com/xp-aerospike/xp-aerospike/function/internal/ready"
)

// Racks pairs each rack's desired StatefulSet among res with the one
// observed, for the plan.
func Racks(d *database.Database, res []Resource, observed map[string]*fnv1.Resource) []plan.Rack {
	out := make([]plan.Rack, 0, len(d.Racks))
	for _, r := range d.Racks {
		n := NameStatefulSet(r.ID)
		out = append(out, plan.Rack{ID: r.ID, Desired: find[*appsv1.StatefulSet](res, n), Observed: observedStatefulSet(observed[string(n)])})
	}
	return out
}

func find[T any](res []Resource, n resource.Name) T {
	for _, r := range res {
		if r.Name == n {
			if o, ok := r.Object.(T); ok {
				return o
			}
		}
	}
	var zero T
	return zero
}

// Cluster returns what the provider's ClusterStatus reports, or nil when
// it has reported nothing or is not ready.
func Cluster(observed map[string]*fnv1.Resource) *plan.Cluster {
	o, ok := observed[string(NameClusterStatus)]
	if !ok || !readyCondition(o) {
		return nil
	}
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

// Desired adds every object of res to desired, each with its readiness
// judged from observed, and returns the racks' desired and observed
// StatefulSets for the status.
//
// Readiness is always set explicitly: a StatefulSet is ready when it runs
// the rack's final number of pods, all ready and updated to the desired
// template, with no rollout held back; the provider's objects when the
// provider reports them ready; the ServiceMonitor at once; any other object
// once it exists.
//
// The ServiceMonitor only tells Prometheus where to scrape, and it appears
// on a database that is already Ready when the platform installs the
// Prometheus Operator: waiting for it to exist would turn the database
// unready for a reconcile over nothing that serves clients. Crossplane still
// reports a ServiceMonitor it cannot apply, with Synced=False and an event.
//
// observed is the request's observed composed resources. Only StatefulSets
// and the provider's objects are read, and only the fields readiness needs:
// decoding every observed object would cost more than composing them.
func Desired(d *database.Database, res []Resource, observed map[string]*fnv1.Resource, desired map[resource.Name]*resource.DesiredComposed) ([]ready.Rack, error) {
	final := map[resource.Name]int32{}
	for _, r := range d.Racks {
		final[NameStatefulSet(r.ID)] = r.Nodes
	}
	for _, r := range res {
		u, err := Unstructured(r.Object)
		if err != nil {
			return nil, errors.Wrapf(err, "cannot convert %q", r.Name)
		}
		obs, exists := observed[string(r.Name)]
		rd := resource.ReadyFalse
		switch o := r.Object.(type) {
		case *appsv1.StatefulSet:
			settled := ptr.Deref(o.Spec.Replicas, 0) == final[r.Name] && partition(o) == 0
			if exists && settled && ready.StatefulSet(observedStatefulSet(obs), o) {
				rd = resource.ReadyTrue
			}
		case xpresource.Managed:
			// The provider's objects are ready when the provider says so.
			if exists && readyCondition(obs) {
				rd = resource.ReadyTrue
			}
		default:
			if exists || r.Name == NameServiceMonitor {
				rd = resource.ReadyTrue
			}
		}
		desired[r.Name] = &resource.DesiredComposed{Resource: u, Ready: rd}
	}

	racks := make([]ready.Rack, 0, len(d.Racks))
	for _, r := range d.Racks {
		n := NameStatefulSet(r.ID)
		racks = append(racks, ready.Rack{Rack: r, Desired: find[*appsv1.StatefulSet](res, n), Observed: observedStatefulSet(observed[string(n)])})
	}
	return racks, nil
}

func partition(s *appsv1.StatefulSet) int32 {
	if ru := s.Spec.UpdateStrategy.RollingUpdate; ru != nil && ru.Partition != nil {
		return *ru.Partition
	}
	return 0
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

// observedStatefulSet reads what readiness and the plan need of an observed
// StatefulSet: its generation and annotations, replicas, update strategy and
// volume retention, its pod template's configuration hash and containers'
// images, and its status. It returns nil when there is none or it cannot be
// read, which makes the StatefulSet not ready.
func observedStatefulSet(o *fnv1.Resource) *appsv1.StatefulSet {
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
	slim := map[string]any{
		"metadata": map[string]any{
			"generation":  md["generation"].GetNumberValue(),
			"annotations": md["annotations"].GetStructValue().AsMap(),
			"labels":      md["labels"].GetStructValue().AsMap(),
		},
		"spec": map[string]any{
			"updateStrategy":                       spec["updateStrategy"].GetStructValue().AsMap(),
			"persistentVolumeClaimRetentionPolicy": spec["persistentVolumeClaimRetentionPolicy"].GetStructValue().AsMap(),
			"template": map[string]any{
				"metadata": map[string]any{"annotations": template["metadata"].GetStructValue().GetFields()["annotations"].GetStructValue().AsMap()},
				"spec":     map[string]any{"containers": containers},
			},
		},
		"status": f["status"].GetStructValue().AsMap(),
	}
	if r, ok := spec["replicas"]; ok {
		slim["spec"].(map[string]any)["replicas"] = r.GetNumberValue()
	}
	sts := &appsv1.StatefulSet{}
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(slim, sts); err != nil {
		return nil
	}
	return sts
}
