package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
)

// ClusterStatusParameters are empty: a ClusterStatus only observes.
type ClusterStatusParameters struct{}

// NodeStatus is one node as it reports itself.
type NodeStatus struct {
	// Name is the node's id.
	Name string `json:"name"`

	// Address the client reaches the node at.
	Address string `json:"address"`

	// Build is the server version the node runs.
	Build string `json:"build"`

	// Edition of the server, such as "Aerospike Community Edition".
	// +optional
	Edition string `json:"edition,omitempty"`

	// ClusterSize the node sees.
	ClusterSize int32 `json:"clusterSize"`

	// ClusterKey the node has; every node of a settled cluster has the
	// same.
	ClusterKey string `json:"clusterKey"`

	// MigratePartitionsRemaining is how many partitions the node still has
	// to send or receive.
	MigratePartitionsRemaining int64 `json:"migratePartitionsRemaining"`
}

// NamespaceStatus is one namespace across the cluster.
type NamespaceStatus struct {
	// Name of the namespace.
	Name string `json:"name"`

	// ReplicationFactor in effect.
	ReplicationFactor int32 `json:"replicationFactor"`

	// Objects is the number of master records.
	Objects int64 `json:"objects"`

	// UnavailablePartitions and DeadPartitions are partitions the cluster
	// cannot serve; both are 0 when every record is available.
	UnavailablePartitions int64 `json:"unavailablePartitions"`
	DeadPartitions        int64 `json:"deadPartitions"`

	// StopWrites is true on any node that refuses writes, for example
	// because storage is full.
	StopWrites bool `json:"stopWrites"`

	// DataUsedPercent is the highest data storage use of any node.
	DataUsedPercent int32 `json:"dataUsedPercent"`
}

// ClusterStatusObservation is the cluster as Aerospike sees it.
type ClusterStatusObservation struct {
	// ObservedTime is when the provider made this observation. A day-2
	// step waits for an observation newer than its previous step, so it
	// never acts on what the cluster looked like before that step.
	// +optional
	ObservedTime *metav1.Time `json:"observedTime,omitempty"`

	// Nodes of the cluster, by name.
	// +optional
	Nodes []NodeStatus `json:"nodes,omitempty"`

	// ClusterSize is the number of nodes the client sees.
	ClusterSize int32 `json:"clusterSize"`

	// Stable is true when every node reports the same cluster key and size
	// and no partition is migrating: it is safe to take the next day-2 step.
	Stable bool `json:"stable"`

	// MigratePartitionsRemaining over every node.
	MigratePartitionsRemaining int64 `json:"migratePartitionsRemaining"`

	// Namespaces and their availability.
	// +optional
	Namespaces []NamespaceStatus `json:"namespaces,omitempty"`
}

// ClusterStatusSpec is the desired state of a ClusterStatus.
type ClusterStatusSpec struct {
	xpv2.ManagedResourceSpec `json:",inline"`
	ForProvider              ClusterStatusParameters `json:"forProvider,omitempty"`
}

// ClusterStatusStatus is the observed state of a ClusterStatus.
type ClusterStatusStatus struct {
	xpv2.ManagedResourceStatus `json:",inline"`
	AtProvider                 ClusterStatusObservation `json:"atProvider,omitempty"`
}

// A ClusterStatus observes a cluster: its nodes, versions, stability,
// migrations and namespaces. It changes nothing; the function's day-2 plan
// reads it before every step that could put data at risk.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name="READY",type="string",JSONPath=".status.conditions[?(@.type=='Ready')].status"
// +kubebuilder:printcolumn:name="NODES",type="integer",JSONPath=".status.atProvider.clusterSize"
// +kubebuilder:printcolumn:name="STABLE",type="boolean",JSONPath=".status.atProvider.stable"
// +kubebuilder:printcolumn:name="MIGRATIONS",type="integer",JSONPath=".status.atProvider.migratePartitionsRemaining"
// +kubebuilder:printcolumn:name="AGE",type="date",JSONPath=".metadata.creationTimestamp"
// +kubebuilder:resource:scope=Namespaced,categories={crossplane,managed,aerospike}
type ClusterStatus struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   ClusterStatusSpec   `json:"spec"`
	Status ClusterStatusStatus `json:"status,omitempty"`
}

// ClusterStatusList is a list of ClusterStatuses.
//
// +kubebuilder:object:root=true
type ClusterStatusList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []ClusterStatus `json:"items"`
}
