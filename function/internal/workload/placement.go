package workload

import (
	"maps"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/xp-aerospike/xp-aerospike/apis/aerospike/v1alpha1"
	"github.com/xp-aerospike/xp-aerospike/function/internal/database"
)

// Well-known node labels.
const (
	LabelZone     = "topology.kubernetes.io/zone"
	LabelHostname = "kubernetes.io/hostname"
)

// nodeSelector merges the database's node selector with its rack's; the
// rack's wins on a shared key.
func nodeSelector(p *v1alpha1.Placement, r database.Rack) map[string]string {
	var out map[string]string
	if p != nil && len(p.NodeSelector) > 0 {
		out = maps.Clone(p.NodeSelector)
	}
	if len(r.NodeSelector) > 0 {
		if out == nil {
			out = map[string]string{}
		}
		maps.Copy(out, r.NodeSelector)
	}
	return out
}

func tolerations(p *v1alpha1.Placement, r database.Rack) []corev1.Toleration {
	var out []corev1.Toleration
	if p != nil {
		out = append(out, p.Tolerations...)
	}
	return append(out, r.Tolerations...)
}

// affinity combines the user's affinity with the rack's zone and an
// anti-affinity that keeps two nodes of the database off one host, where a
// host failure would take several copies of the same records.
func affinity(d *database.Database, r database.Rack) *corev1.Affinity {
	a := &corev1.Affinity{}
	if d.Spec.Placement != nil && d.Spec.Placement.Affinity != nil {
		a = d.Spec.Placement.Affinity.DeepCopy()
	}
	if r.Zone != "" {
		zone := corev1.NodeSelectorRequirement{Key: LabelZone, Operator: corev1.NodeSelectorOpIn, Values: []string{r.Zone}}
		if a.NodeAffinity == nil {
			a.NodeAffinity = &corev1.NodeAffinity{}
		}
		req := a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution
		if req == nil || len(req.NodeSelectorTerms) == 0 {
			req = &corev1.NodeSelector{NodeSelectorTerms: []corev1.NodeSelectorTerm{{}}}
		}
		// Terms are ORed: the zone must hold in each of them.
		for i := range req.NodeSelectorTerms {
			req.NodeSelectorTerms[i].MatchExpressions = append(req.NodeSelectorTerms[i].MatchExpressions, zone)
		}
		a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution = req
	}
	term := corev1.PodAffinityTerm{
		LabelSelector: &metav1.LabelSelector{MatchLabels: d.Names.Selector()},
		TopologyKey:   LabelHostname,
	}
	if a.PodAntiAffinity == nil {
		a.PodAntiAffinity = &corev1.PodAntiAffinity{}
	}
	if d.Spec.Placement != nil && d.Spec.Placement.MultiPodPerHost {
		a.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution = append(a.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution,
			corev1.WeightedPodAffinityTerm{Weight: 100, PodAffinityTerm: term})
	} else {
		a.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution = append(a.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution, term)
	}
	return a
}
