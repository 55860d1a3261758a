// Package v1alpha1 holds the managed resources of the xp-aerospike provider:
// what lives inside an Aerospike cluster (users, roles, live namespace
// settings, secondary indexes, UDF modules), the observe-only ClusterStatus,
// and the ProviderConfigs that say how to reach a cluster.
//
// Every managed resource is namespaced, as Crossplane v2 expects; a
// ClusterProviderConfig lets a platform team share one connection across
// namespaces.
//
// +kubebuilder:object:generate=true
// +groupName=aerospike.m.xp-aerospike.io
// +versionName=v1alpha1
package v1alpha1
