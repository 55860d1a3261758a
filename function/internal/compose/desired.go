package compose

import (
	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
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
func Desired(d *database.Database, confs []config.Rack, o workload.Options, observed map[resource.Name]resource.ObservedComposed, desired map[resource.Name]*resource.DesiredComposed) ([]ready.Rack, error) {
	stsByName := map[resource.Name]*appsv1.StatefulSet{}
	for _, r := range Resources(d, confs, o) {
		u, err := Unstructured(r.Object)
		if err != nil {
			return nil, errors.Wrapf(err, "cannot convert %q", r.Name)
		}
		obs, exists := observed[r.Name]
		rd := resource.ReadyFalse
		if sts, ok := r.Object.(*appsv1.StatefulSet); ok {
			stsByName[r.Name] = sts
			if exists && ready.StatefulSet(observedStatefulSet(obs), sts) {
				rd = resource.ReadyTrue
			}
		} else if exists {
			rd = resource.ReadyTrue
		}
		desired[r.Name] = &resource.DesiredComposed{Resource: u, Ready: rd}
	}

	racks := make([]ready.Rack, 0, len(d.Racks))
	for _, r := range d.Racks {
		n := NameStatefulSet(r.ID)
		racks = append(racks, ready.Rack{Rack: r, Desired: stsByName[n], Observed: observedStatefulSet(observed[n])})
	}
	return racks, nil
}

// observedStatefulSet reads an observed StatefulSet, or nil when there is
// none or it cannot be read, which makes it not ready.
func observedStatefulSet(o resource.ObservedComposed) *appsv1.StatefulSet {
	if o.Resource == nil {
		return nil
	}
	sts := &appsv1.StatefulSet{}
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(o.Resource.UnstructuredContent(), sts); err != nil {
		return nil
	}
	return sts
}
