// Package plan decides the next safe step from the observed state of an
// AerospikeDatabase towards its spec. Composing the spec's final state at
// once would be unsafe for a database: a scale-down of several nodes at once,
// or a restart of every node for a configuration change, can take every copy
// of a record away. The plan instead moves one step at a time, and only when
// the cluster reports itself stable:
//
//   - Scale-up is immediate.
//   - Scale-down removes one node at a time, and only while the cluster is
//     stable: every node agrees on the cluster, no partition migrates, and
//     every pod is ready. The removed pod's volumes are kept unless the
//     spec's retention policy says otherwise.
//   - A new pod template (a static configuration change, a new version) is
//     applied to every rack at once with the rolling-update partition held at
//     the replica count, so no pod restarts; then one rack at a time, one pod
//     at a time, the partition is lowered whenever the cluster is stable
//     again. Configuration that changes live is not in the pod template's
//     hash and goes to the provider's NamespaceConfig (namespace settings)
//     or LogLevels (the console sink's levels) instead.
//   - A change that loses data (removing a namespace, changing or shrinking
//     a namespace's storage, lowering a replication factor, changing
//     edition, deleting volumes with the database) is refused unless the
//     user confirms it by annotation.
//
// The plan is a pure function of the desired objects and the observed state,
// so every step can be tested without a cluster.
package plan

import (
	"fmt"
	"slices"
	"strconv"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	providerv1alpha1 "github.com/xp-aerospike/xp-aerospike/apis/provider/v1alpha1"
	"github.com/xp-aerospike/xp-aerospike/function/internal/names"
	"github.com/xp-aerospike/xp-aerospike/function/internal/workload"
)

// Rack is one rack's desired StatefulSet and the one observed, if any.
type Rack struct {
	ID       int32
	Desired  *appsv1.StatefulSet
	Observed *appsv1.StatefulSet
}

// Cluster is what the provider's ClusterStatus reports; nil when it has
// reported nothing yet.
type Cluster = providerv1alpha1.ClusterStatusObservation

// Step is the next safe step. Its effect is already applied to the racks'
// desired StatefulSets (replicas and rolling-update partition).
type Step struct {
	// Waiting says what the plan waits for before the next change; empty
	// when the database runs as its spec asks.
	Waiting []string

	// Took is true when this step restarts a pod or removes a node: the
	// next such step must wait for a cluster observation newer than this
	// one's.
	Took bool
}

// Next adjusts each rack's desired StatefulSet to the next safe step from
// its observed one. A rack without an observed StatefulSet is new and is
// created as desired. lastStep is the time of the cluster observation the
// previous step relied on, if any.
func Next(racks []Rack, cluster *Cluster, lastStep *metav1.Time) Step {
	s := Step{}
	stable, why := healthy(racks, cluster, lastStep)

	// Roll before scaling down: a pod restarting while another node leaves
	// could take both copies of a record.
	rolling := rollout(racks, stable, why, &s)
	scale(racks, stable && !rolling, why, &s)
	return s
}

// healthy reports whether the cluster may lose a node now: the provider
// reports it stable with every node counted, in an observation made after
// the previous step, and every observed pod runs ready.
func healthy(racks []Rack, c *Cluster, lastStep *metav1.Time) (bool, string) {
	if c == nil || c.ObservedTime == nil {
		return false, "the cluster's status is not reported yet"
	}
	if lastStep != nil && !c.ObservedTime.After(lastStep.Time) {
		return false, "a cluster status observed after the last step"
	}
	var nodes int32
	for _, r := range racks {
		o := r.Observed
		if o == nil {
			// Its nodes must join before another may leave.
			return false, fmt.Sprintf("rack %d is being created", r.ID)
		}
		want := ptr.Deref(o.Spec.Replicas, 1)
		nodes += want
		if o.Status.ObservedGeneration < o.Generation || o.Status.ReadyReplicas != want || o.Status.Replicas != want {
			return false, fmt.Sprintf("rack %d has %d of %d pods ready", r.ID, o.Status.ReadyReplicas, want)
		}
	}
	switch {
	case !c.Stable:
		return false, fmt.Sprintf("the cluster is not stable (%d partitions migrating)", c.MigratePartitionsRemaining)
	case c.ClusterSize != nodes:
		return false, fmt.Sprintf("the cluster has %d nodes, the StatefulSets %d", c.ClusterSize, nodes)
	}
	return true, ""
}

// rollout applies new pod templates with every pod held back, then lowers
// one rack's partition by one pod when the cluster is stable. It reports
// whether a rollout is under way.
func rollout(racks []Rack, stable bool, why string, s *Step) bool {
	rolled := false // one rack at a time
	for _, r := range racks {
		o, d := r.Observed, r.Desired
		if o == nil {
			continue
		}
		replicas := ptr.Deref(o.Spec.Replicas, 1)
		if !sameTemplate(o, d) {
			// New template: apply it, restarting nobody yet.
			setPartition(d, replicas)
			s.Waiting = append(s.Waiting, fmt.Sprintf("rack %d: new pod template applied, pods restart one at a time", r.ID))
			rolled = true
			continue
		}
		p := partition(o)
		if p == 0 && updated(o) {
			setPartition(d, 0)
			continue
		}
		// A rollout is under way on this rack.
		setPartition(d, p)
		if rolled {
			s.Waiting = append(s.Waiting, fmt.Sprintf("rack %d: waiting for the previous rack's rollout", r.ID))
			continue
		}
		rolled = true
		done := o.Status.UpdatedReplicas >= replicas-p
		switch {
		case !done:
			s.Waiting = append(s.Waiting, fmt.Sprintf("rack %d: restarting pod %d with the new template", r.ID, p))
		case !stable:
			s.Waiting = append(s.Waiting, fmt.Sprintf("rack %d: %d of %d pods updated; next pod after %s", r.ID, replicas-p, replicas, why))
		case p > 0:
			setPartition(d, p-1)
			s.Took = true
			s.Waiting = append(s.Waiting, fmt.Sprintf("rack %d: restarting pod %d of %d with the new template", r.ID, p-1, replicas))
		}
	}
	return rolled
}

// scale keeps replicas where they are unless the spec asks for more (added
// at once) or fewer (removed one node at a time across the cluster, only
// when safe is true).
func scale(racks []Rack, safe bool, why string, s *Step) {
	removed := false
	// Remove from the rack with the most nodes above its target first, so
	// racks stay balanced; ties go to the last rack.
	order := slices.Clone(racks)
	slices.SortStableFunc(order, func(a, b Rack) int { return int(excess(b) - excess(a)) })
	for _, r := range order {
		o, d := r.Observed, r.Desired
		if o == nil {
			continue
		}
		have, want := ptr.Deref(o.Spec.Replicas, 1), ptr.Deref(d.Spec.Replicas, 1)
		if want >= have {
			continue
		}
		next := have
		switch {
		case removed:
			s.Waiting = append(s.Waiting, fmt.Sprintf("rack %d: %d nodes to remove after the current one", r.ID, have-want))
		case !safe:
			if why == "" {
				why = "the rollout"
			}
			s.Waiting = append(s.Waiting, fmt.Sprintf("rack %d: removing a node waits for %s", r.ID, why))
		default:
			next, removed, s.Took = have-1, true, true
			s.Waiting = append(s.Waiting, fmt.Sprintf("rack %d: removing node %d, %d left to remove", r.ID, have-1, have-1-want))
		}
		d.Spec.Replicas = ptr.To(next)
		// The partition counts pods: keep it within the replicas.
		if p := partition(d); p > next {
			setPartition(d, next)
		}
	}
}

func excess(r Rack) int32 {
	if r.Observed == nil {
		return 0
	}
	return ptr.Deref(r.Observed.Spec.Replicas, 1) - ptr.Deref(r.Desired.Spec.Replicas, 1)
}

// sameTemplate compares what restarts a pod: its configuration hash and
// its server image.
func sameTemplate(o, d *appsv1.StatefulSet) bool {
	return o.Spec.Template.Annotations[names.AnnotationConfigHash] == d.Spec.Template.Annotations[names.AnnotationConfigHash] &&
		image(o) == image(d)
}

func image(s *appsv1.StatefulSet) string {
	for _, c := range s.Spec.Template.Spec.Containers {
		if c.Name == workload.ServerContainer {
			return c.Image
		}
	}
	return ""
}

// updated reports whether every pod the StatefulSet has runs its update
// revision. Pods a scale-up has yet to create do not count: the
// StatefulSet creates them on the update revision, so a scale-up is not a
// rollout (and must not read as one, holding other racks back).
func updated(o *appsv1.StatefulSet) bool {
	st := o.Status
	existing := min(ptr.Deref(o.Spec.Replicas, 1), st.Replicas)
	return st.UpdatedReplicas >= existing && (st.UpdateRevision == "" || st.CurrentRevision == st.UpdateRevision)
}

func partition(s *appsv1.StatefulSet) int32 {
	if ru := s.Spec.UpdateStrategy.RollingUpdate; ru != nil && ru.Partition != nil {
		return *ru.Partition
	}
	return 0
}

func setPartition(s *appsv1.StatefulSet, p int32) {
	if s.Spec.UpdateStrategy.RollingUpdate == nil {
		s.Spec.UpdateStrategy.RollingUpdate = &appsv1.RollingUpdateStatefulSetStrategy{}
	}
	s.Spec.UpdateStrategy.RollingUpdate.Partition = ptr.To(p)
}

// RackOf returns the rack ID of a StatefulSet from its labels.
func RackOf(s *appsv1.StatefulSet) int32 {
	n, _ := strconv.Atoi(s.Labels[names.LabelRack])
	return int32(n) //nolint:gosec // Rack IDs are at most 1000000.
}
