package external

import (
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/xp-aerospike/xp-aerospike/apis/aerospike/v1alpha1"
)

// Validate checks spec.externalAccess (at p): the per-node Services' type
// and annotations, which the apiserver would refuse only when the composed
// Services are applied, far from the field.
func Validate(s *v1alpha1.AerospikeDatabaseSpec, p *field.Path) field.ErrorList {
	ea := s.ExternalAccess
	if ea == nil {
		return nil
	}
	var errs field.ErrorList
	switch ea.Type {
	case v1alpha1.ExternalAccessLoadBalancer, v1alpha1.ExternalAccessNodePort:
	default:
		errs = append(errs, field.NotSupported(p.Child("type"), ea.Type, []string{string(v1alpha1.ExternalAccessLoadBalancer), string(v1alpha1.ExternalAccessNodePort)}))
	}
	return append(errs, apivalidation.ValidateAnnotations(ea.Annotations, p.Child("annotations"))...)
}
