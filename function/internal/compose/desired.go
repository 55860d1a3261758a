package compose

import (
	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	xpresource "github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/crossplane/function-sdk-go/resource"

	"github.com/xp-aerospike/xp-aerospike/function/internal/config"
	"github.com/xp-aerospike/xp-aerospike/function/internal/database"
	"github.com/xp-aerospike/xp-aerospike/function/internal/ready"
	"github.com/xp-aerospike/xp-aerospike/function/internal/workload"
)

// Desired adds every object composed for d to desired, each with its
// readiness judged from observed, and returns the racks' desired and observed
// StatefulSets for the status.
//
// Readiness is always set explicitly: a StatefulSet is ready when all its
// replicas are ready and updated to the desired template; any other object
// once it exists.
//
// observed is the request's observed composed resources. Only StatefulSets
// are read, and only the fields readiness needs: decoding every observed
// object would cost more than composing them.
func Desired(d *database.Database, confs []config.Rack, o workload.Options, observed map[string]*fnv1.Resource, desired map[resource.Name]*resource.DesiredComposed) ([]ready.Rack, error) {
	stsByName := map[resource.Name]*appsv1.StatefulSet{}
	for _, r := range Resources(d, confs, o) {
		u, err := Unstructured(r.Object)
		if err != nil {
			return nil, errors.Wrapf(err, "cannot convert %q", r.Name)
		}
		obs, exists := observed[string(r.Name)]
		rd := resource.ReadyFalse
		switch o := r.Object.(type) {
		case *appsv1.StatefulSet:
			stsByName[r.Name] = o
			if exists && ready.StatefulSet(observedStatefulSet(obs), o) {
				rd = resource.ReadyTrue
			}
		case xpresource.Managed:
			// The provider's objects are ready when the provider says so.
			if exists && readyCondition(obs) {
				rd = resource.ReadyTrue
			}
		default:
			if exists {
				rd = resource.ReadyTrue
			}
		}
		desired[r.Name] = &resource.DesiredComposed{Resource: u, Ready: rd}
	}

	racks := make([]ready.Rack, 0, len(d.Racks))
	for _, r := range d.Racks {
		n := NameStatefulSet(r.ID)
		racks = append(racks, ready.Rack{Rack: r, Desired: stsByName[n], Observed: observedStatefulSet(observed[string(n)])})
	}
	return racks, nil
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

// observedStatefulSet reads what readiness needs of an observed StatefulSet:
// its generation, its pod template's configuration hash and containers'
// images, and its status. It returns nil when there is none or it cannot be
// read, which makes the StatefulSet not ready.
func observedStatefulSet(o *fnv1.Resource) *appsv1.StatefulSet {
	f := o.GetResource().GetFields()
	if f == nil {
		return nil
	}
	template := f["spec"].GetStructValue().GetFields()["template"].GetStructValue().GetFields()
	var containers []any
	for _, c := range template["spec"].GetStructValue().GetFields()["containers"].GetListValue().GetValues() {
		cf := c.GetStructValue().GetFields()
		containers = append(containers, map[string]any{"name": cf["name"].GetStringValue(), "image": cf["image"].GetStringValue()})
	}
	slim := map[string]any{
		"metadata": map[string]any{"generation": f["metadata"].GetStructValue().GetFields()["generation"].GetNumberValue()},
		"spec": map[string]any{"template": map[string]any{
			"metadata": map[string]any{"annotations": template["metadata"].GetStructValue().GetFields()["annotations"].GetStructValue().AsMap()},
			"spec":     map[string]any{"containers": containers},
		}},
		"status": f["status"].GetStructValue().AsMap(),
	}
	sts := &appsv1.StatefulSet{}
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(slim, sts); err != nil {
		return nil
	}
	return sts
}
