package v1alpha1

import (
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/scheme"
)

// Package type metadata.
const (
	Group   = "aerospike.xp-aerospike.io"
	Version = "v1alpha1"
)

var (
	// SchemeGroupVersion is the group version of this package's types.
	SchemeGroupVersion = schema.GroupVersion{Group: Group, Version: Version}

	// SchemeBuilder registers this package's types with a scheme.
	SchemeBuilder = &scheme.Builder{GroupVersion: SchemeGroupVersion}

	// AddToScheme adds this package's types to a scheme.
	AddToScheme = SchemeBuilder.AddToScheme
)

// AerospikeDatabase type metadata.
var (
	AerospikeDatabaseKind             = "AerospikeDatabase"
	AerospikeDatabaseGroupVersionKind = SchemeGroupVersion.WithKind(AerospikeDatabaseKind)
)

// The claims flavour (package/configuration-claims) serves the same spec and
// status as a Crossplane 1.x style API: a cluster-scoped composite
// XAerospikeDatabase that an application team claims with a namespaced
// AerospikeDatabase.
//
// It has a group of its own because Crossplane names a claim's CRD
// <plural of the claim kind>.<group>: in Group the claim's CRD would be
// aerospikedatabases.aerospike.xp-aerospike.io, the CRD of the namespaced
// XR, and the second flavour installed would fail. In ClaimsGroup both
// flavours can be installed side by side.
const (
	ClaimsGroup   = "claims.aerospike.xp-aerospike.io"
	CompositeKind = "XAerospikeDatabase"
)

func init() {
	SchemeBuilder.Register(&AerospikeDatabase{}, &AerospikeDatabaseList{})
}

// Resource takes an unqualified resource and returns a Group qualified
// GroupResource.
func Resource(resource string) schema.GroupResource {
	return SchemeGroupVersion.WithResource(resource).GroupResource()
}

var _ runtime.Object = &AerospikeDatabase{}
