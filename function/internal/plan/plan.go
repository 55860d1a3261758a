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
//   - A rack the spec removes (or whose id changes) drains the same way,
//     from the rack furthest above its target first, with none of its pods
//     restarted; its StatefulSet goes only once it runs no pod.
//   - A new pod template (a static configuration change, a new version) is
//     applied to every rack at once with the rolling-update partition held at
//     the replica count, so no pod restarts; then one rack at a time, one pod
//     at a time, the partition is lowered whenever the cluster is stable
//     again. Configuration that changes live is not in the pod template's
//     hash and goes to the provider's NamespaceConfig (namespace settings)
//     or LogLevels (the console sink's levels) instead.
//   - No node is quiesced before it leaves or restarts: Community Edition
//     refuses quiesce as Enterprise-only (ERROR:25 on 8.0 and 8.1, see
//     test/aerospike's TestQuiesceEnterpriseOnly), so a Community node's
//     clients find its partitions moved only once it is gone.
//   - A change that loses data (removing a namespace, changing or shrinking
//     a namespace's storage, lowering a replication factor, changing
//     edition, deleting volumes with the database) is refused unless the
//     user confirms it by annotation.
//
// The plan is a pure function of each rack's final state and the observed
// one, and it returns data: how many pods each rack's StatefulSet runs and
// where its rolling-update partition stands. The builders render that; the
// plan never touches an object, so every step can be tested without a
// cluster.
package plan

import (
	"fmt"
	"slices"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	providerv1alpha1 "github.com/xp-aerospike/xp-aerospike/apis/provider/v1alpha1"
	"github.com/xp-aerospike/xp-aerospike/function/internal/names"
)

// Template is what restarts a pod when it changes: the hash of its
// configuration and its server image.
type Template struct {
	ConfigHash string
	Image      string
}

// TemplateOf returns the template an observed StatefulSet's pods run.
func TemplateOf(s *appsv1.StatefulSet) Template {
	t := Template{ConfigHash: s.Spec.Template.Annotations[names.AnnotationConfigHash]}
	for _, c := range s.Spec.Template.Spec.Containers {
		if c.Name == names.ServerContainer {
			t.Image = c.Image
		}
	}
	return t
}

// Rack is one rack as the spec finally asks for it, and its observed
// StatefulSet, if any.
type Rack struct {
	ID       int32
	Nodes    int32
	Template Template
	Observed *appsv1.StatefulSet

	// Leaving is true for a rack the spec removed: it drains to no node,
	// and none of its pods restarts on the way, whatever its template.
	Leaving bool
}

// Cluster is what the provider's ClusterStatus reports; nil when it has
// reported nothing yet.
type Cluster = providerv1alpha1.ClusterStatusObservation

// RackStep is what one rack's StatefulSet runs after the step.
type RackStep struct {
	ID int32

	// Replicas is the number of pods.
	Replicas int32

	// Partition is the rolling-update partition: pods from this ordinal
	// up run the rack's template, those below keep theirs.
	Partition int32
}

// Settled reports whether the rack runs its final number of pods with
// nothing held back.
func (s RackStep) Settled(r Rack) bool { return s.Replicas == r.Nodes && s.Partition == 0 }

// Plan is the next safe step.
type Plan struct {
	// Racks in the order of the racks planned.
	Racks []RackStep

	// Waiting says what the plan waits for before the next change; empty
	// when the database runs as its spec asks.
	Waiting []string

	// Took is true when this step restarts a pod or removes a node: the
	// next such step must wait for a cluster observation newer than this
	// one's.
	Took bool
}

// Rack returns the step of the rack with the given ID.
func (p Plan) Rack(id int32) RackStep {
	for _, s := range p.Racks {
		if s.ID == id {
			return s
		}
	}
	return RackStep{ID: id}
}

// Next returns the next safe step from each rack's observed StatefulSet
// towards its final state. A rack without an observed StatefulSet is new
// and is created as the spec asks. lastStep is the time of the cluster
// observation the previous step relied on, if any.
func Next(racks []Rack, cluster *Cluster, lastStep *metav1.Time) Plan {
	p := Plan{Racks: make([]RackStep, len(racks))}
	for i, r := range racks {
		p.Racks[i] = RackStep{ID: r.ID, Replicas: r.Nodes}
	}
	stable, why := healthy(racks, cluster, lastStep)

	// Roll before scaling down: a pod restarting while another node leaves
	// could take both copies of a record.
	rolling := rollout(racks, stable, why, &p)
	scale(racks, stable && !rolling, why, &p)
	return p
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
func rollout(racks []Rack, stable bool, why string, p *Plan) bool {
	rolled := false // one rack at a time
	for i, r := range racks {
		o, s := r.Observed, &p.Racks[i]
		if o == nil {
			continue
		}
		replicas := ptr.Deref(o.Spec.Replicas, 1)
		if r.Leaving {
			// Its pods only leave: a restart would cost a migration
			// for a node about to go.
			s.Partition = replicas
			continue
		}
		if TemplateOf(o) != r.Template {
			// New template: apply it, restarting nobody yet.
			s.Partition = replicas
			p.Waiting = append(p.Waiting, fmt.Sprintf("rack %d: new pod template applied, pods restart one at a time", r.ID))
			rolled = true
			continue
		}
		part := Partition(o)
		if part == 0 && updated(o) {
			continue
		}
		// A rollout is under way on this rack.
		s.Partition = part
		if rolled {
			p.Waiting = append(p.Waiting, fmt.Sprintf("rack %d: waiting for the previous rack's rollout", r.ID))
			continue
		}
		rolled = true
		done := o.Status.UpdatedReplicas >= replicas-part
		switch {
		case !done:
			p.Waiting = append(p.Waiting, fmt.Sprintf("rack %d: restarting pod %d with the new template", r.ID, part))
		case !stable:
			p.Waiting = append(p.Waiting, fmt.Sprintf("rack %d: %d of %d pods updated; next pod after %s", r.ID, replicas-part, replicas, why))
		case part > 0:
			s.Partition = part - 1
			p.Took = true
			p.Waiting = append(p.Waiting, fmt.Sprintf("rack %d: restarting pod %d of %d with the new template", r.ID, part-1, replicas))
		}
	}
	return rolled
}

// scale keeps replicas where they are unless the spec asks for more (added
// at once) or fewer (removed one node at a time across the cluster, only
// when safe is true).
func scale(racks []Rack, safe bool, why string, p *Plan) {
	removed := false
	// Remove from the rack with the most nodes above its target first, so
	// racks stay balanced; ties go to the last rack.
	order := make([]int, len(racks))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return int(excess(racks[b]) - excess(racks[a])) })
	for _, i := range order {
		r, s := racks[i], &p.Racks[i]
		o := r.Observed
		if o == nil {
			continue
		}
		have, want := ptr.Deref(o.Spec.Replicas, 1), r.Nodes
		if want >= have {
			continue
		}
		next := have
		switch {
		case removed:
			p.Waiting = append(p.Waiting, fmt.Sprintf("rack %d: %d nodes to remove after the current one", r.ID, have-want))
		case !safe:
			if why == "" {
				why = "the rollout"
			}
			p.Waiting = append(p.Waiting, fmt.Sprintf("rack %d: removing a node waits for %s", r.ID, why))
		default:
			next, removed, p.Took = have-1, true, true
			p.Waiting = append(p.Waiting, fmt.Sprintf("rack %d: removing node %d, %d left to remove", r.ID, have-1, have-1-want))
		}
		s.Replicas = next
		// The partition counts pods: keep it within the replicas.
		s.Partition = min(s.Partition, next)
	}
}

func excess(r Rack) int32 {
	if r.Observed == nil {
		return 0
	}
	return ptr.Deref(r.Observed.Spec.Replicas, 1) - r.Nodes
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

// Partition returns a StatefulSet's rolling-update partition.
func Partition(s *appsv1.StatefulSet) int32 {
	if ru := s.Spec.UpdateStrategy.RollingUpdate; ru != nil && ru.Partition != nil {
		return *ru.Partition
	}
	return 0
}
