package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
)

// NamespaceConfigParameters are namespace settings to hold on every node.
type NamespaceConfigParameters struct {
	// Namespace the settings apply to.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=31
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="namespace is immutable"
	Namespace string `json:"namespace"`

	// Settings by their aerospike.conf name, for example default-ttl: "3600".
	// Only settings the server can change live are accepted; one that needs
	// a restart is refused with a condition that says so.
	// +kubebuilder:validation:MinProperties=1
	Settings map[string]string `json:"settings"`
}

// NodeSettings are the settings one node reports.
type NodeSettings struct {
	// Node's id.
	Node string `json:"node"`

	// Settings the node reports for the managed keys.
	// +optional
	Settings map[string]string `json:"settings,omitempty"`
}

// NamespaceConfigObservation is the namespace's settings on every node.
type NamespaceConfigObservation struct {
	// Nodes and the values each reports.
	// +optional
	Nodes []NodeSettings `json:"nodes,omitempty"`
}

// NamespaceConfigSpec is the desired state of a NamespaceConfig.
type NamespaceConfigSpec struct {
	xpv2.ManagedResourceSpec `json:",inline"`
	ForProvider              NamespaceConfigParameters `json:"forProvider"`
}

// NamespaceConfigStatus is the observed state of a NamespaceConfig.
type NamespaceConfigStatus struct {
	xpv2.ManagedResourceStatus `json:",inline"`
	AtProvider                 NamespaceConfigObservation `json:"atProvider,omitempty"`
}

// A NamespaceConfig holds namespace settings that change live (set-config)
// on every node of a cluster, without a restart.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name="READY",type="string",JSONPath=".status.conditions[?(@.type=='Ready')].status"
// +kubebuilder:printcolumn:name="SYNCED",type="string",JSONPath=".status.conditions[?(@.type=='Synced')].status"
// +kubebuilder:printcolumn:name="NAMESPACE",type="string",JSONPath=".spec.forProvider.namespace"
// +kubebuilder:printcolumn:name="AGE",type="date",JSONPath=".metadata.creationTimestamp"
// +kubebuilder:resource:scope=Namespaced,categories={crossplane,managed,aerospike}
type NamespaceConfig struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   NamespaceConfigSpec   `json:"spec"`
	Status NamespaceConfigStatus `json:"status,omitempty"`
}

// NamespaceConfigList is a list of NamespaceConfigs.
//
// +kubebuilder:object:root=true
type NamespaceConfigList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []NamespaceConfig `json:"items"`
}

// IndexType is the type of the values a secondary index holds.
// +kubebuilder:validation:Enum=numeric;string;geo2dsphere;blob
type IndexType string

// IndexCollectionType says what of a collection bin is indexed.
// +kubebuilder:validation:Enum=default;list;mapkeys;mapvalues
type IndexCollectionType string

// SecondaryIndexParameters are the desired state of a secondary index. The
// index's name is the crossplane.io/external-name annotation, by default the
// object's name. Every field is immutable: Aerospike cannot change an index,
// only drop and create it.
//
// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="a secondary index cannot change; create a new one"
type SecondaryIndexParameters struct {
	// Namespace of the indexed records.
	// +kubebuilder:validation:MinLength=1
	Namespace string `json:"namespace"`

	// Set of the indexed records; empty indexes the whole namespace.
	// +optional
	Set string `json:"set,omitempty"`

	// Bin whose values are indexed.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=15
	Bin string `json:"bin"`

	// Type of the indexed values.
	Type IndexType `json:"type"`

	// CollectionType says what of a list or map bin is indexed.
	// +optional
	// +kubebuilder:default=default
	CollectionType IndexCollectionType `json:"collectionType,omitempty"`

	// Context is the base64 of a packed CDT context, to index a value
	// nested in the bin.
	// +optional
	Context string `json:"context,omitempty"`
}

// SecondaryIndexObservation is the index as the cluster reports it.
type SecondaryIndexObservation struct {
	// State of the index: building or ready.
	// +optional
	State string `json:"state,omitempty"`

	// LoadPercent is how much of the index is built, on the slowest node.
	// +optional
	LoadPercent int32 `json:"loadPercent,omitempty"`
}

// SecondaryIndexSpec is the desired state of a SecondaryIndex.
type SecondaryIndexSpec struct {
	xpv2.ManagedResourceSpec `json:",inline"`
	ForProvider              SecondaryIndexParameters `json:"forProvider"`
}

// SecondaryIndexStatus is the observed state of a SecondaryIndex.
type SecondaryIndexStatus struct {
	xpv2.ManagedResourceStatus `json:",inline"`
	AtProvider                 SecondaryIndexObservation `json:"atProvider,omitempty"`
}

// A SecondaryIndex indexes a bin of a namespace or set. It is ready once
// every node has built it.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name="READY",type="string",JSONPath=".status.conditions[?(@.type=='Ready')].status"
// +kubebuilder:printcolumn:name="SYNCED",type="string",JSONPath=".status.conditions[?(@.type=='Synced')].status"
// +kubebuilder:printcolumn:name="STATE",type="string",JSONPath=".status.atProvider.state"
// +kubebuilder:printcolumn:name="AGE",type="date",JSONPath=".metadata.creationTimestamp"
// +kubebuilder:resource:scope=Namespaced,path=secondaryindexes,categories={crossplane,managed,aerospike}
type SecondaryIndex struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   SecondaryIndexSpec   `json:"spec"`
	Status SecondaryIndexStatus `json:"status,omitempty"`
}

// SecondaryIndexList is a list of SecondaryIndexes.
//
// +kubebuilder:object:root=true
type SecondaryIndexList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []SecondaryIndex `json:"items"`
}

// ConfigMapKeySelector selects a key of a ConfigMap in the object's
// namespace.
type ConfigMapKeySelector struct {
	// Name of the ConfigMap.
	Name string `json:"name"`

	// Key within the ConfigMap.
	Key string `json:"key"`
}

// UDFParameters are the desired state of a UDF module. The module's file
// name (for example orders.lua) is the crossplane.io/external-name
// annotation, by default the object's name.
//
// +kubebuilder:validation:XValidation:rule="has(self.source) != has(self.configMapRef)",message="set exactly one of source and configMapRef"
type UDFParameters struct {
	// Source is the module's Lua code.
	// +optional
	Source *string `json:"source,omitempty"`

	// ConfigMapRef selects the module's Lua code in a ConfigMap.
	// +optional
	ConfigMapRef *ConfigMapKeySelector `json:"configMapRef,omitempty"`
}

// UDFObservation is the module as the cluster reports it.
type UDFObservation struct {
	// Hash the cluster reports for the registered code.
	// +optional
	Hash string `json:"hash,omitempty"`
}

// UDFSpec is the desired state of a UDF.
type UDFSpec struct {
	xpv2.ManagedResourceSpec `json:",inline"`
	ForProvider              UDFParameters `json:"forProvider"`
}

// UDFStatus is the observed state of a UDF.
type UDFStatus struct {
	xpv2.ManagedResourceStatus `json:",inline"`
	AtProvider                 UDFObservation `json:"atProvider,omitempty"`
}

// A UDF is a Lua module of user-defined functions registered in a cluster.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name="READY",type="string",JSONPath=".status.conditions[?(@.type=='Ready')].status"
// +kubebuilder:printcolumn:name="SYNCED",type="string",JSONPath=".status.conditions[?(@.type=='Synced')].status"
// +kubebuilder:printcolumn:name="EXTERNAL-NAME",type="string",JSONPath=".metadata.annotations.crossplane\\.io/external-name"
// +kubebuilder:printcolumn:name="AGE",type="date",JSONPath=".metadata.creationTimestamp"
// +kubebuilder:resource:scope=Namespaced,categories={crossplane,managed,aerospike}
type UDF struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   UDFSpec   `json:"spec"`
	Status UDFStatus `json:"status,omitempty"`
}

// UDFList is a list of UDFs.
//
// +kubebuilder:object:root=true
type UDFList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []UDF `json:"items"`
}
