package workload

import (
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	"github.com/xp-aerospike/xp-aerospike/function/internal/database"
)

// PodDisruptionBudget lets voluntary disruptions (node drains, cluster
// upgrades) take fewer nodes at once than the smallest replication factor,
// so every record keeps a copy.
func PodDisruptionBudget(d *database.Database) *policyv1.PodDisruptionBudget {
	return &policyv1.PodDisruptionBudget{
		ObjectMeta: metav1.ObjectMeta{
			Name:      d.Names.PodDisruptionBudget(),
			Namespace: d.Namespace,
			Labels:    d.Names.Labels("database"),
		},
		Spec: policyv1.PodDisruptionBudgetSpec{
			Selector:       &metav1.LabelSelector{MatchLabels: d.Names.Selector()},
			MaxUnavailable: ptr.To(intstr.FromInt32(d.MaxUnavailable)),
		},
	}
}
