package plan

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/xp-aerospike/xp-aerospike/apis/aerospike/v1alpha1"
)

// FuzzNext drives the plan over random sequences of specs and observed
// states and checks what must never happen, whatever they are: more than
// one node removed in a step, a node removed or a pod restarted while the
// cluster is not stable, a partition lowered by more than one pod, or two
// racks rolling at once.
func FuzzNext(f *testing.F) {
	for _, seed := range []uint64{1, 2, 3, 42, 1 << 40} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, seed uint64) {
		r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
		for step := range 50 {
			racks, cluster, last := randomState(r)
			obs := make([]int32, len(racks))
			obsPart := make([]int32, len(racks))
			for i, rk := range racks {
				if rk.Observed != nil {
					obs[i] = ptr.Deref(rk.Observed.Spec.Replicas, 1)
					obsPart[i] = Partition(rk.Observed)
				}
			}
			stable, _ := healthy(racks, cluster, last)
			s := Next(racks, cluster, last)

			var removed int32
			lowered := 0
			for i, rk := range racks {
				if rk.Observed == nil {
					continue
				}
				d := s.Racks[i].Replicas
				if d < obs[i] {
					removed += obs[i] - d
				}
				p := s.Racks[i].Partition
				if p < 0 || p > d {
					t.Fatalf("step %d: rack %d partition %d outside 0..%d", step, rk.ID, p, d)
				}
				if p < obsPart[i] && TemplateOf(rk.Observed) == rk.Template && obsPart[i] <= obs[i] {
					if obsPart[i]-p > 1 {
						t.Fatalf("step %d: rack %d partition lowered by %d pods at once", step, rk.ID, obsPart[i]-p)
					}
					if p < d { // a pod below the old partition restarts
						lowered++
					}
				}
			}
			if removed > 1 {
				t.Fatalf("step %d: %d nodes removed in one step:\n%s", step, removed, describe(racks, obs, s))
			}
			if removed == 1 && !stable {
				t.Fatalf("step %d: a node removed while the cluster is not stable:\n%s", step, describe(racks, obs, s))
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

func randomState(r *rand.Rand) ([]Rack, *Cluster, *metav1.Time) {
	n := 1 + r.IntN(3)
	var racks []Rack
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

func describe(racks []Rack, obs []int32, p Plan) string {
	s := ""
	for i, rk := range racks {
		s += fmt.Sprintf("rack %d: observed %d planned %d\n", rk.ID, obs[i], p.Racks[i].Replicas)
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
		s := spec()
		var kept []v1alpha1.Namespace
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
		var confirmed []string
		if r.IntN(2) == 0 {
			confirmed = append(confirmed, "namespace/mem")
		}
		errs := Guard(racks, s, "8.1.2.0", confirmed).Errors
		for name := range dropped {
			if name == "mem" && len(confirmed) > 0 {
				continue
			}
			found := false
			for _, e := range errs {
				if e.Field == "spec.namespaces" {
					found = true
				}
			}
			if !found {
				t.Fatalf("namespace %q dropped without confirmation and not refused: %v", name, errs)
			}
		}
		for i, ns := range kept {
			for _, o := range old.Namespaces {
				if o.Name != ns.Name {
					continue
				}
				if (ns.ReplicationFactor < o.ReplicationFactor || ns.Storage.Type != o.Storage.Type) && len(errs) == 0 {
					t.Fatalf("namespace %d %q lost copies or storage without a refusal", i, ns.Name)
				}
			}
		}
	})
}
