package plan

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"

	"github.com/xp-aerospike/xp-aerospike/apis/aerospike/v1alpha1"
)

// FuzzNext drives the plan over random sequences of specs and observed
// states and checks what must never happen, whatever they are: more than
// one node removed in a step, a node removed or a pod restarted while the
// cluster is not stable, a partition lowered by more than one pod, two
// racks rolling at once, or a pod of a removed rack restarted.
func FuzzNext(f *testing.F) {
	for _, seed := range []uint64{1, 2, 3, 42, 1 << 40} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, seed uint64) {
		r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
		for step := range 50 {
			racks, cluster, last := randomState(r)
			stable, _ := healthy(racks, cluster, last)
			s := Next(racks, cluster, last)
			removed, lowered := changes(t, step, racks, s)
			if removed > 1 {
				t.Fatalf("step %d: %d nodes removed in one step:\n%s", step, removed, describe(racks, s))
			}
			if removed == 1 && !stable {
				t.Fatalf("step %d: a node removed while the cluster is not stable:\n%s", step, describe(racks, s))
			}
			if lowered > 0 && !stable {
				t.Fatalf("step %d: a pod restarted while the cluster is not stable", step)
			}
			if lowered > 1 {
				t.Fatalf("step %d: %d racks rolled at once", step, lowered)
			}
			if (removed > 0 || lowered > 0) != s.Took {
				t.Fatalf("step %d: Took = %v, but removed %d and restarted %d", step, s.Took, removed, lowered)
			}
		}
	})
}

// changes counts the nodes the step s removes and the racks in which it
// restarts a pod, and fails t on a partition outside the replicas or
// lowered by more than one pod.
func changes(t *testing.T, step int, racks []Rack, s Plan) (removed int32, lowered int) {
	t.Helper()
	for i, rk := range racks {
		if rk.Observed == nil {
			continue
		}
		have, part := ptr.Deref(rk.Observed.Spec.Replicas, 1), Partition(rk.Observed)
		d, p := s.Racks[i].Replicas, s.Racks[i].Partition
		removed += max(have-d, 0)
		if p < 0 || p > d {
			t.Fatalf("step %d: rack %d partition %d outside 0..%d", step, rk.ID, p, d)
		}
		if rk.Leaving && p < d {
			t.Fatalf("step %d: removed rack %d restarts pods from %d of %d", step, rk.ID, p, d)
		}
		if p >= part || TemplateOf(rk.Observed) != rk.Template || part > have {
			continue
		}
		if part-p > 1 {
			t.Fatalf("step %d: rack %d partition lowered by %d pods at once", step, rk.ID, part-p)
		}
		if p < d { // a pod below the old partition restarts
			lowered++
		}
	}
	return removed, lowered
}

func randomState(r *rand.Rand) ([]Rack, *Cluster, *metav1.Time) {
	n := 1 + r.IntN(3)
	racks := make([]Rack, 0, n)
	var total int32
	for i := range n {
		want := int32(1 + r.IntN(6))
		hash := fmt.Sprint("h", r.IntN(2))
		rk := Rack{ID: int32(i + 1), Nodes: want, Template: tmpl(hash, "v1")}
		if r.IntN(8) > 0 {
			have := int32(1 + r.IntN(6))
			p := int32(r.IntN(int(have) + 1))
			o := running(have, fmt.Sprint("h", r.IntN(2)), "v1", p, int32(r.IntN(int(have)+1)))
			if r.IntN(4) == 0 {
				o.Status.ReadyReplicas = int32(r.IntN(int(have) + 1))
			}
			rk.Observed = o
			total += have
			if r.IntN(5) == 0 {
				// A rack the spec removed.
				rk.Nodes, rk.Leaving = 0, true
			}
		}
		racks = append(racks, rk)
	}
	if r.IntN(6) == 0 {
		return racks, nil, nil
	}
	at := metav1.NewTime(time.Unix(int64(1000+r.IntN(3)), 0))
	c := &Cluster{Stable: r.IntN(3) > 0, ClusterSize: total + int32(r.IntN(2)), ObservedTime: &at}
	var last *metav1.Time
	if r.IntN(2) == 0 {
		l := metav1.NewTime(time.Unix(int64(1000+r.IntN(3)), 0))
		last = &l
	}
	return racks, c, last
}

func describe(racks []Rack, p Plan) string {
	s := ""
	for i, rk := range racks {
		var have int32
		if rk.Observed != nil {
			have = ptr.Deref(rk.Observed.Spec.Replicas, 1)
		}
		s += fmt.Sprintf("rack %d: observed %d planned %d\n", rk.ID, have, p.Racks[i].Replicas)
	}
	return s
}

// FuzzGuard edits namespaces at random and checks that no namespace is
// dropped, changed in type or given fewer copies without its confirmation.
func FuzzGuard(f *testing.F) {
	f.Add(uint64(1))
	f.Add(uint64(7))
	f.Fuzz(func(t *testing.T, seed uint64) {
		r := rand.New(rand.NewPCG(seed, ^seed))
		old := spec()
		racks := observedFrom(old, "8.1.2.0")
		s, dropped := randomEdit(r)
		var confirmed []string
		if r.IntN(2) == 0 {
			confirmed = append(confirmed, "namespace/mem")
		}
		errs := Guard(racks, s, "8.1.2.0", confirmed).Errors
		refusedRemoval := slices.ContainsFunc(errs, func(e *field.Error) bool { return e.Field == "spec.namespaces" })
		for name := range dropped {
			if (name != "mem" || len(confirmed) == 0) && !refusedRemoval {
				t.Fatalf("namespace %q dropped without confirmation and not refused: %v", name, errs)
			}
		}
		for i, ns := range s.Namespaces {
			o := old.Namespaces[slices.IndexFunc(old.Namespaces, func(o v1alpha1.Namespace) bool { return o.Name == ns.Name })]
			if (ns.ReplicationFactor < o.ReplicationFactor || ns.Storage.Type != o.Storage.Type) && len(errs) == 0 {
				t.Fatalf("namespace %d %q lost copies or storage without a refusal", i, ns.Name)
			}
		}
	})
}

// randomEdit drops, lowers the replication factor of, or moves to other
// storage each namespace of spec() at random, and returns the spec and the
// namespaces it dropped.
func randomEdit(r *rand.Rand) (*v1alpha1.AerospikeDatabaseSpec, map[string]bool) {
	s := spec()
	kept := make([]v1alpha1.Namespace, 0, len(s.Namespaces))
	dropped := map[string]bool{}
	for _, ns := range s.Namespaces {
		switch r.IntN(4) {
		case 0:
			dropped[ns.Name] = true
			continue
		case 1:
			ns.ReplicationFactor = max(1, ns.ReplicationFactor-1)
		case 2:
			ns.Storage.Type = v1alpha1.StorageFile
			ns.Storage.Size = resource.MustParse("100Gi")
		}
		kept = append(kept, ns)
	}
	s.Namespaces = kept
	return s, dropped
}
