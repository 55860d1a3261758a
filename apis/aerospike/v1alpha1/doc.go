// Package v1alpha1 holds the v1alpha1 API of the aerospike.xp-aerospike.io
// group: the AerospikeDatabase composite resource an application team creates
// to get an Aerospike cluster.
//
// The Go types are the single source of truth for the API. The Crossplane
// CompositeResourceDefinition under package/ is generated from them (see
// apis/xrd), so the schema Crossplane serves and the types the function reads
// cannot drift apart.
//
// +kubebuilder:object:generate=true
// +groupName=aerospike.xp-aerospike.io
// +versionName=v1alpha1
package v1alpha1
