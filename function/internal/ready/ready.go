// Package ready decides, from the observed state of composed objects, which
// of them are ready and what the AerospikeDatabase's status says.
package ready

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/xp-aerospike/xp-aerospike/apis/aerospike/v1alpha1"
	"github.com/xp-aerospike/xp-aerospike/function/internal/database"
	"github.com/xp-aerospike/xp-aerospike/function/internal/names"
	"github.com/xp-aerospike/xp-aerospike/function/internal/workload"
)

// StatefulSet reports whether observed runs exactly the desired replicas,
// all ready and all on the desired pod template: the controller has seen
// the latest spec, every pod is updated, and the template's config hash and
// image are the desired ones. A StatefulSet not yet observed is not ready.
func StatefulSet(observed, desired *appsv1.StatefulSet) bool {
	if observed == nil {
		return false
	}
	want := int32(1)
	if desired.Spec.Replicas != nil {
		want = *desired.Spec.Replicas
	}
	st := observed.Status
	return st.ObservedGeneration >= observed.Generation &&
		st.Replicas == want &&
		st.ReadyReplicas == want &&
		st.UpdatedReplicas == want &&
		(st.UpdateRevision == "" || st.CurrentRevision == st.UpdateRevision) &&
		sameTemplate(observed, desired)
}

// sameTemplate compares what decides whether a pod runs the desired server:
// its configuration and its image.
func sameTemplate(observed, desired *appsv1.StatefulSet) bool {
	oa := observed.Spec.Template.Annotations[names.AnnotationConfigHash]
	da := desired.Spec.Template.Annotations[names.AnnotationConfigHash]
	return oa == da && image(observed) == image(desired)
}

func image(s *appsv1.StatefulSet) string {
	for _, c := range s.Spec.Template.Spec.Containers {
		if c.Name == workload.ServerContainer {
			return c.Image
		}
	}
	return ""
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

// Rack pairs a rack's desired and observed StatefulSets.
type Rack struct {
	Rack     database.Rack
	Desired  *appsv1.StatefulSet
	Observed *appsv1.StatefulSet
}

// Status returns the database's status. previous is the status the XR had:
// the version it reports changes only once every node runs the new one.
func Status(d *database.Database, racks []Rack, previous v1alpha1.AerospikeDatabaseStatus) v1alpha1.AerospikeDatabaseStatus {
	s := v1alpha1.AerospikeDatabaseStatus{
		Selector:             labels.SelectorFromSet(d.Names.Selector()).String(),
		DesiredNodes:         d.Spec.Size,
		Version:              previous.Version,
		Endpoint:             d.Endpoint(),
		ConnectionSecretName: d.Names.ConnectionSecret(),
	}
	all := true
	for _, r := range racks {
		n := readyNodes(r.Observed)
		s.ReadyNodes += n
		s.Racks = append(s.Racks, v1alpha1.RackStatus{ID: r.Rack.ID, StatefulSet: r.Rack.StatefulSet, DesiredNodes: r.Rack.Nodes, ReadyNodes: n})
		all = all && StatefulSet(r.Observed, r.Desired)
	}
	if all {
		s.Version = d.Version
	}
	return s
}

// Waiting describes the racks not yet ready, if any.
func Waiting(racks []Rack) []string {
	var waiting []string
	for _, r := range racks {
		if !StatefulSet(r.Observed, r.Desired) {
			waiting = append(waiting, fmt.Sprintf("waiting for rack %d (StatefulSet %s: %d of %d nodes ready and updated)", r.Rack.ID, r.Rack.StatefulSet, readyNodes(r.Observed), r.Rack.Nodes))
		}
	}
	return waiting
}
