package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
)

// LogLevel is the level a logging context logs at, from the least to the
// most verbose.
// +kubebuilder:validation:Enum=critical;warning;info;debug;detail
type LogLevel string

// LogLevelsParameters are the levels to hold on one logging sink of every
// node.
type LogLevelsParameters struct {
	// Sink whose levels are held: console (the server's stdout and stderr)
	// or the path of a file sink, as aerospike.conf names it.
	// +kubebuilder:default=console
	// +kubebuilder:validation:MinLength=1
	// +optional
	Sink string `json:"sink,omitempty"`

	// Levels by logging context, for example migrate: debug. The context
	// any sets every context the others do not name.
	// +kubebuilder:validation:MinProperties=1
	Levels map[string]LogLevel `json:"levels"`
}

// NodeLogLevels are the levels one node reports.
type NodeLogLevels struct {
	// Node's id.
	Node string `json:"node"`

	// SinkID is the node's id of the sink, as its logs info command lists
	// it.
	SinkID int32 `json:"sinkID"`

	// Levels the node reports for the contexts the spec names, and, when it
	// names any, for every other context that logs at another level.
	// +optional
	Levels map[string]string `json:"levels,omitempty"`
}

// LogLevelsObservation is the sink's levels on every node.
type LogLevelsObservation struct {
	// Nodes and the levels each reports.
	// +optional
	Nodes []NodeLogLevels `json:"nodes,omitempty"`
}

// LogLevelsSpec is the desired state of a LogLevels.
type LogLevelsSpec struct {
	xpv2.ManagedResourceSpec `json:",inline"`
	ForProvider              LogLevelsParameters `json:"forProvider"`
}

// LogLevelsStatus is the observed state of a LogLevels.
type LogLevelsStatus struct {
	xpv2.ManagedResourceStatus `json:",inline"`
	AtProvider                 LogLevelsObservation `json:"atProvider,omitempty"`
}

// A LogLevels holds the levels of a logging sink's contexts on every node of
// a cluster with log-set, which changes a running server without a restart.
// Deleting it leaves the levels as they are until a node restarts with its
// configuration file's.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name="READY",type="string",JSONPath=".status.conditions[?(@.type=='Ready')].status"
// +kubebuilder:printcolumn:name="SYNCED",type="string",JSONPath=".status.conditions[?(@.type=='Synced')].status"
// +kubebuilder:printcolumn:name="SINK",type="string",JSONPath=".spec.forProvider.sink"
// +kubebuilder:printcolumn:name="AGE",type="date",JSONPath=".metadata.creationTimestamp"
// +kubebuilder:resource:scope=Namespaced,path=loglevels,categories={crossplane,managed,aerospike}
type LogLevels struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   LogLevelsSpec   `json:"spec"`
	Status LogLevelsStatus `json:"status,omitempty"`
}

// LogLevelsList is a list of LogLevels.
//
// +kubebuilder:object:root=true
type LogLevelsList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []LogLevels `json:"items"`
}
