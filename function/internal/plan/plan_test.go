package plan

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/xp-aerospike/xp-aerospike/function/internal/names"
)

// sts builds a StatefulSet with replicas, a template hash and image, and a
// partition.
func sts(replicas int32, hash, image string, partition int32) *appsv1.StatefulSet {
	return &appsv1.StatefulSet{
		ObjectMeta: metav1.ObjectMeta{Generation: 4},
		Spec: appsv1.StatefulSetSpec{
			Replicas: ptr.To(replicas),
			UpdateStrategy: appsv1.StatefulSetUpdateStrategy{
				Type:          appsv1.RollingUpdateStatefulSetStrategyType,
				RollingUpdate: &appsv1.RollingUpdateStatefulSetStrategy{Partition: ptr.To(partition)},
			},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Annotations: map[string]string{names.AnnotationConfigHash: hash}},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: names.ServerContainer, Image: image}}},
			},
		},
	}
}

// running is an observed StatefulSet whose pods are all ready; updated of
// them run the current template.
func running(replicas int32, hash, image string, partition, updated int32) *appsv1.StatefulSet {
	s := sts(replicas, hash, image, partition)
	s.Status = appsv1.StatefulSetStatus{
		ObservedGeneration: 4, Replicas: replicas, ReadyReplicas: replicas, UpdatedReplicas: updated,
		CurrentRevision: "r1", UpdateRevision: "r1",
	}
	if updated < replicas {
		s.Status.UpdateRevision = "r2"
	}
	return s
}

// tmpl is a pod template of a configuration hash and a server image.
func tmpl(hash, image string) Template { return Template{ConfigHash: hash, Image: image} }

var (
	t0 = metav1.NewTime(time.Unix(1000, 0))
	t1 = metav1.NewTime(time.Unix(1060, 0))
)

func stable(size int32, at metav1.Time) *Cluster {
	return &Cluster{Stable: true, ClusterSize: size, ObservedTime: &at}
}

// result is what a test compares: each rack's replicas and partition, and
// whether the step restarts a pod or removes a node.
type result struct {
	Replicas   []int32
	Partitions []int32
	Took       bool
}

func TestNext(t *testing.T) {
	cases := map[string]struct {
		reason   string
		racks    []Rack
		cluster  *Cluster
		lastStep *metav1.Time
		want     result
		waiting  string // a fragment of the waiting message; "" for none
		never    string // a fragment the waiting message must not hold
	}{
		"Create": {
			reason: "a new database is created as the spec asks",
			racks:  []Rack{{ID: 1, Nodes: 3, Template: tmpl("h1", "v1")}},
			want:   result{Replicas: []int32{3}, Partitions: []int32{0}},
		},
		"Settled": {
			reason:  "nothing to do when the cluster runs the spec",
			racks:   []Rack{{ID: 1, Nodes: 3, Template: tmpl("h1", "v1"), Observed: running(3, "h1", "v1", 0, 3)}},
			cluster: stable(3, t0),
			want:    result{Replicas: []int32{3}, Partitions: []int32{0}},
		},
		"ScaleUpIsImmediate": {
			reason:  "nodes are added at once, even while the cluster migrates",
			racks:   []Rack{{ID: 1, Nodes: 6, Template: tmpl("h1", "v1"), Observed: running(3, "h1", "v1", 0, 3)}},
			cluster: &Cluster{Stable: false, ClusterSize: 3, ObservedTime: &t0},
			want:    result{Replicas: []int32{6}, Partitions: []int32{0}},
		},
		"ScaleUpUnderWayIsNoRollout": {
			reason: "pods a scale-up has yet to create are not pods to restart: the template is the same",
			racks: []Rack{{ID: 1, Nodes: 3, Template: tmpl("h1", "v1"), Observed: func() *appsv1.StatefulSet {
				o := running(3, "h1", "v1", 0, 2)
				o.Status.Replicas, o.Status.ReadyReplicas, o.Status.UpdateRevision = 2, 2, "r1"
				return o
			}()}},
			cluster: stable(2, t0),
			want:    result{Replicas: []int32{3}, Partitions: []int32{0}},
			never:   "restarting",
		},
		"ScaleDownOneNode": {
			reason:  "a stable cluster loses one node, not three",
			racks:   []Rack{{ID: 1, Nodes: 2, Template: tmpl("h1", "v1"), Observed: running(5, "h1", "v1", 0, 5)}},
			cluster: stable(5, t0),
			want:    result{Replicas: []int32{4}, Partitions: []int32{0}, Took: true},
			waiting: "removing node 4, 2 left to remove",
		},
		"ScaleDownWaitsForMigrations": {
			reason:  "no node leaves while partitions migrate",
			racks:   []Rack{{ID: 1, Nodes: 2, Template: tmpl("h1", "v1"), Observed: running(4, "h1", "v1", 0, 4)}},
			cluster: &Cluster{Stable: false, ClusterSize: 4, MigratePartitionsRemaining: 120, ObservedTime: &t0},
			want:    result{Replicas: []int32{4}, Partitions: []int32{0}},
			waiting: "120 partitions migrating",
		},
		"ScaleDownWaitsForStatus": {
			reason:  "no node leaves before the cluster's status is reported",
			racks:   []Rack{{ID: 1, Nodes: 2, Template: tmpl("h1", "v1"), Observed: running(3, "h1", "v1", 0, 3)}},
			cluster: nil,
			want:    result{Replicas: []int32{3}, Partitions: []int32{0}},
			waiting: "not reported yet",
		},
		"ScaleDownWaitsForNewerStatus": {
			reason:   "the status the last step relied on cannot justify the next",
			racks:    []Rack{{ID: 1, Nodes: 2, Template: tmpl("h1", "v1"), Observed: running(3, "h1", "v1", 0, 3)}},
			cluster:  stable(3, t0),
			lastStep: &t0,
			want:     result{Replicas: []int32{3}, Partitions: []int32{0}},
			waiting:  "observed after the last step",
		},
		"ScaleDownWaitsForSize": {
			reason:  "the cluster still counts the node removed last",
			racks:   []Rack{{ID: 1, Nodes: 2, Template: tmpl("h1", "v1"), Observed: running(3, "h1", "v1", 0, 3)}},
			cluster: stable(4, t1),
			want:    result{Replicas: []int32{3}, Partitions: []int32{0}},
			waiting: "the cluster has 4 nodes, the StatefulSets 3",
		},
		"ScaleDownWaitsForPods": {
			reason: "a pod not ready means a node's data may be elsewhere",
			racks: []Rack{{ID: 1, Nodes: 2, Template: tmpl("h1", "v1"), Observed: func() *appsv1.StatefulSet {
				s := running(3, "h1", "v1", 0, 3)
				s.Status.ReadyReplicas = 2
				return s
			}()}},
			cluster: stable(3, t0),
			want:    result{Replicas: []int32{3}, Partitions: []int32{0}},
			waiting: "2 of 3 pods ready",
		},
		"ScaleDownOneRackAtATime": {
			reason: "one node in the whole cluster, from the rack furthest above its target",
			racks: []Rack{
				{ID: 1, Nodes: 1, Template: tmpl("h1", "v1"), Observed: running(2, "h1", "v1", 0, 2)},
				{ID: 2, Nodes: 1, Template: tmpl("h1", "v1"), Observed: running(3, "h1", "v1", 0, 3)},
			},
			cluster: stable(5, t0),
			want:    result{Replicas: []int32{2, 2}, Partitions: []int32{0, 0}, Took: true},
		},
		"NewTemplateHeld": {
			reason:  "a new template reaches every rack with no pod restarted",
			racks:   []Rack{{ID: 1, Nodes: 3, Template: tmpl("h2", "v1"), Observed: running(3, "h1", "v1", 0, 3)}, {ID: 2, Nodes: 2, Template: tmpl("h2", "v1"), Observed: running(2, "h1", "v1", 0, 2)}},
			cluster: stable(5, t0),
			want:    result{Replicas: []int32{3, 2}, Partitions: []int32{3, 2}},
			waiting: "new pod template applied",
		},
		"RollOnePod": {
			reason:  "a stable cluster restarts its next pod",
			racks:   []Rack{{ID: 1, Nodes: 3, Template: tmpl("h2", "v1"), Observed: running(3, "h2", "v1", 3, 0)}},
			cluster: stable(3, t0),
			want:    result{Replicas: []int32{3}, Partitions: []int32{2}, Took: true},
		},
		"RollWaitsForRestart": {
			reason:  "the pod being restarted has not come back updated",
			racks:   []Rack{{ID: 1, Nodes: 3, Template: tmpl("h2", "v1"), Observed: running(3, "h2", "v1", 2, 0)}},
			cluster: stable(3, t1),
			want:    result{Replicas: []int32{3}, Partitions: []int32{2}},
			waiting: "restarting pod 2",
		},
		"RollWaitsForStability": {
			reason:  "the restarted node is back but its data is still migrating",
			racks:   []Rack{{ID: 1, Nodes: 3, Template: tmpl("h2", "v1"), Observed: running(3, "h2", "v1", 2, 1)}},
			cluster: &Cluster{Stable: false, ClusterSize: 3, MigratePartitionsRemaining: 7, ObservedTime: &t1},
			want:    result{Replicas: []int32{3}, Partitions: []int32{2}},
			waiting: "1 of 3 pods updated",
		},
		"RollOneRackAtATime": {
			reason: "the second rack waits while the first rolls",
			racks: []Rack{
				{ID: 1, Nodes: 2, Template: tmpl("h2", "v1"), Observed: running(2, "h2", "v1", 2, 0)},
				{ID: 2, Nodes: 2, Template: tmpl("h2", "v1"), Observed: running(2, "h2", "v1", 2, 0)},
			},
			cluster: stable(4, t0),
			want:    result{Replicas: []int32{2, 2}, Partitions: []int32{1, 2}, Took: true},
			waiting: "waiting for the previous rack's rollout",
		},
		"RollThenScaleDown": {
			reason:   "no node leaves while pods restart",
			racks:    []Rack{{ID: 1, Nodes: 2, Template: tmpl("h2", "v1"), Observed: running(3, "h2", "v1", 2, 1)}},
			cluster:  stable(3, t1),
			lastStep: &t0,
			want:     result{Replicas: []int32{3}, Partitions: []int32{1}, Took: true},
			waiting:  "removing a node waits for the rollout",
		},
		"Upgrade": {
			reason:  "a new image is a new template, held back then rolled",
			racks:   []Rack{{ID: 1, Nodes: 3, Template: tmpl("h1", "v2"), Observed: running(3, "h1", "v1", 0, 3)}},
			cluster: stable(3, t0),
			want:    result{Replicas: []int32{3}, Partitions: []int32{3}},
		},
		"RolloutDone": {
			reason:  "every pod updated: the partition returns to 0",
			racks:   []Rack{{ID: 1, Nodes: 3, Template: tmpl("h2", "v1"), Observed: running(3, "h2", "v1", 0, 3)}},
			cluster: stable(3, t0),
			want:    result{Replicas: []int32{3}, Partitions: []int32{0}},
		},
		"RackMissing": {
			reason: "a rack added to the spec is created while the others hold",
			racks: []Rack{
				{ID: 1, Nodes: 2, Template: tmpl("h1", "v1"), Observed: running(3, "h1", "v1", 0, 3)},
				{ID: 2, Nodes: 1, Template: tmpl("h1", "v1")},
			},
			cluster: stable(3, t0),
			want:    result{Replicas: []int32{3, 1}, Partitions: []int32{0, 0}},
			waiting: "rack 2 is being created",
		},
		"RackRemovedDrainsOneNode": {
			reason: "a rack the spec removed loses one node on a stable cluster, first of all racks, and its other pod is held from restarting on a template that changed",
			racks: []Rack{
				{ID: 1, Nodes: 3, Template: tmpl("h1", "v1"), Observed: running(2, "h1", "v1", 0, 2)},
				{ID: 2, Nodes: 3, Template: tmpl("h1", "v1"), Observed: running(2, "h1", "v1", 0, 2)},
				{ID: 3, Leaving: true, Template: tmpl("h0", "v1"), Observed: running(2, "h1", "v1", 0, 2)},
			},
			cluster: stable(6, t0),
			want:    result{Replicas: []int32{3, 3, 1}, Partitions: []int32{0, 0, 1}, Took: true},
			waiting: "rack 3: removing node 1, 1 left to remove",
		},
		"RackRemovedWaitsForStability": {
			reason:  "no node of a removed rack leaves while partitions migrate",
			racks:   []Rack{{ID: 1, Nodes: 2, Template: tmpl("h1", "v1"), Observed: running(2, "h1", "v1", 0, 2)}, {ID: 3, Leaving: true, Template: tmpl("h1", "v1"), Observed: running(2, "h1", "v1", 0, 2)}},
			cluster: &Cluster{Stable: false, ClusterSize: 4, MigratePartitionsRemaining: 40, ObservedTime: &t0},
			want:    result{Replicas: []int32{2, 2}, Partitions: []int32{0, 2}},
			waiting: "40 partitions migrating",
		},
		"RackIDChanged": {
			reason: "a rack whose id changes is a new rack created at once and an old one drained one node at a time",
			racks: []Rack{
				{ID: 1, Nodes: 2, Template: tmpl("h1", "v1"), Observed: running(2, "h1", "v1", 0, 2)},
				{ID: 4, Nodes: 2, Template: tmpl("h1", "v1")},
				{ID: 2, Leaving: true, Template: tmpl("h1", "v1"), Observed: running(2, "h1", "v1", 0, 2)},
			},
			cluster: stable(4, t0),
			want:    result{Replicas: []int32{2, 2, 2}, Partitions: []int32{0, 0, 2}},
			waiting: "rack 4 is being created",
		},
		"RackRemovedLastNode": {
			reason:  "the last node of a removed rack leaves like any other",
			racks:   []Rack{{ID: 1, Nodes: 2, Template: tmpl("h1", "v1"), Observed: running(2, "h1", "v1", 0, 2)}, {ID: 3, Leaving: true, Template: tmpl("h1", "v1"), Observed: running(1, "h1", "v1", 0, 1)}},
			cluster: stable(3, t1),
			want:    result{Replicas: []int32{2, 0}, Partitions: []int32{0, 0}, Took: true},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			s := Next(tc.racks, tc.cluster, tc.lastStep)
			got := result{Took: s.Took}
			for _, r := range s.Racks {
				got.Replicas = append(got.Replicas, r.Replicas)
				got.Partitions = append(got.Partitions, r.Partition)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s: -want +got:\n%s", tc.reason, diff)
			}
			w := strings.Join(s.Waiting, "; ")
			if tc.never != "" && strings.Contains(w, tc.never) {
				t.Errorf("%s: waiting %q, want nothing about %q", tc.reason, w, tc.never)
			}
			if tc.waiting != "" && !strings.Contains(w, tc.waiting) {
				t.Errorf("%s: waiting %q, want it to mention %q", tc.reason, w, tc.waiting)
			}
		})
	}
}
