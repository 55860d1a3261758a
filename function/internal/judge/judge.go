// Package judge decides, from the observed state, which composed objects
// are ready and what the AerospikeDatabase's status says.
package judge

import (
	"fmt"
	"slices"

	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/labels"

	xpresource "github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	"github.com/crossplane/function-sdk-go/resource"

	"github.com/xp-aerospike/xp-aerospike/apis/aerospike/v1alpha1"
	"github.com/xp-aerospike/xp-aerospike/function/internal/build"
	"github.com/xp-aerospike/xp-aerospike/function/internal/database"
	"github.com/xp-aerospike/xp-aerospike/function/internal/external"
	"github.com/xp-aerospike/xp-aerospike/function/internal/names"
	"github.com/xp-aerospike/xp-aerospike/function/internal/observe"
	"github.com/xp-aerospike/xp-aerospike/function/internal/plan"
)

// Readiness judges every object of res:
//   - a rack's StatefulSet is ready when the step runs the rack's final
//     number of pods with no rollout held back, and the observed one runs
//     them all ready on the rack's template;
//   - the provider's objects when the provider reports them ready;
//   - the ServiceMonitor at once: it only tells Prometheus where to scrape,
//     and it appears on a database that is already Ready when the platform
//     installs the Prometheus Operator, so waiting for it would turn the
//     database unready over nothing that serves clients (Crossplane still
//     reports one it cannot apply, with Synced=False and an event);
//   - any other object once it exists.
//
// racks are the racks p was planned for.
func Readiness(racks []plan.Rack, p plan.Plan, obs *observe.State, res []build.Resource) map[resource.Name]resource.Ready {
	out := make(map[resource.Name]resource.Ready, len(res))
	for _, r := range res {
		var ready bool
		switch r.Object.(type) {
		case *appsv1.StatefulSet:
			id, _ := names.StatefulSetRack(r.Name)
			ready = obs.Exists(r.Name) && rackReady(rack(racks, id), p.Rack(id))
		case xpresource.Managed:
			ready = obs.Ready(r.Name)
		default:
			ready = obs.Exists(r.Name) || r.Name == names.ResourceServiceMonitor
		}
		out[r.Name] = resource.ReadyFalse
		if ready {
			out[r.Name] = resource.ReadyTrue
		}
	}
	return out
}

func rack(racks []plan.Rack, id int32) plan.Rack {
	for _, r := range racks {
		if r.ID == id {
			return r
		}
	}
	return plan.Rack{ID: id}
}

// rackReady reports whether a rack is where the spec wants it: the step
// leaves nothing to do, and the observed StatefulSet has done it.
func rackReady(r plan.Rack, s plan.RackStep) bool {
	return s.Settled(r) && StatefulSet(r.Observed, s.Replicas, r.Template)
}

// StatefulSet reports whether observed runs exactly replicas pods, all
// ready and all on template t: the controller has seen the latest spec and
// every pod is updated. A StatefulSet not yet observed is not ready.
func StatefulSet(observed *appsv1.StatefulSet, replicas int32, t plan.Template) bool {
	if observed == nil {
		return false
	}
	st := observed.Status
	return st.ObservedGeneration >= observed.Generation &&
		st.Replicas == replicas &&
		st.ReadyReplicas == replicas &&
		st.UpdatedReplicas == replicas &&
		(st.UpdateRevision == "" || st.CurrentRevision == st.UpdateRevision) &&
		plan.TemplateOf(observed) == t
}

// readyNodes counts the observed StatefulSet's ready pods that run its
// current template. During a rolling update only pods already updated count.
func readyNodes(observed *appsv1.StatefulSet) int32 {
	if observed == nil {
		return 0
	}
	st := observed.Status
	if st.UpdateRevision == "" || st.CurrentRevision == st.UpdateRevision {
		return st.ReadyReplicas
	}
	return min(st.ReadyReplicas, st.UpdatedReplicas)
}

// Status returns the database's status for the step p of racks, which are
// d.Racks planned, with external access ext. previous is the status the XR
// had: the version it reports changes only once every node runs the new
// one, and the cluster observation the last step relied on moves on to
// cluster's only when this step takes one.
func Status(d *database.Database, racks []plan.Rack, p plan.Plan, ext external.Access, cluster *plan.Cluster, previous v1alpha1.AerospikeDatabaseStatus) v1alpha1.AerospikeDatabaseStatus {
	s := v1alpha1.AerospikeDatabaseStatus{
		Selector:             labels.SelectorFromSet(d.Names.Selector()).String(),
		DesiredNodes:         d.Spec.Size,
		Version:              previous.Version,
		Endpoint:             d.Endpoint(),
		ConnectionSecretName: d.Names.ConnectionSecret(),
		Waiting:              slices.Concat(p.Waiting, ext.Waiting),
		LastStepClusterTime:  previous.LastStepClusterTime,
		ExternalSeeds:        ext.Seeds,
	}
	if p.Took {
		// A step is taken only on a stable cluster's observation.
		s.LastStepClusterTime = cluster.ObservedTime
	}
	all := true
	for i, r := range racks {
		n := readyNodes(r.Observed)
		s.ReadyNodes += n
		s.Racks = append(s.Racks, v1alpha1.RackStatus{ID: r.ID, StatefulSet: d.Racks[i].StatefulSet, DesiredNodes: r.Nodes, ReadyNodes: n})
		all = all && StatefulSet(r.Observed, p.Rack(r.ID).Replicas, r.Template)
	}
	if all {
		s.Version = d.Version
	}
	return s
}

// Waiting describes the racks of d not yet ready, if any.
func Waiting(d *database.Database, racks []plan.Rack, p plan.Plan) []string {
	var waiting []string
	for i, r := range racks {
		if r.Leaving {
			waiting = append(waiting, fmt.Sprintf("waiting for removed rack %d to drain (StatefulSet %s: %d nodes left)", r.ID, d.Racks[i].StatefulSet, readyNodes(r.Observed)))
			continue
		}
		if !StatefulSet(r.Observed, p.Rack(r.ID).Replicas, r.Template) {
			waiting = append(waiting, fmt.Sprintf("waiting for rack %d (StatefulSet %s: %d of %d nodes ready and updated)", r.ID, d.Racks[i].StatefulSet, readyNodes(r.Observed), r.Nodes))
		}
	}
	return waiting
}
