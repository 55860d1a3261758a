// Package v1beta1 holds the input of the AerospikeDatabase composition
// function: the defaults a platform team sets once, in its Composition, for
// every database it serves.
//
// +kubebuilder:object:generate=true
// +groupName=aerospike.fn.xp-aerospike.io
// +versionName=v1beta1
package v1beta1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Input is the function's input. Every field is optional.
//
// +kubebuilder:object:root=true
// +kubebuilder:storageversion
// +kubebuilder:resource:categories=crossplane
type Input struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Registry the Aerospike images are pulled from, for example a mirror
	// such as registry.example.com/dockerhub. Defaults to docker.io.
	// Ignored for databases that set spec.image.
	// +optional
	Registry string `json:"registry,omitempty"`

	// StorageClassName of data volumes whose namespace names none. The
	// cluster's default StorageClass is used when this is empty too.
	// +optional
	StorageClassName string `json:"storageClassName,omitempty"`

	// ClusterDomain is the DNS domain of the Kubernetes cluster; the nodes
	// find each other by their pods' DNS names under it. Defaults to
	// cluster.local.
	// +optional
	ClusterDomain string `json:"clusterDomain,omitempty"`

	// ProviderNamespace is where the provider runs; a database's
	// NetworkPolicy admits it to the client port. Defaults to
	// crossplane-system.
	// +optional
	ProviderNamespace string `json:"providerNamespace,omitempty"`

	// DefaultVersion is the server version of databases that set neither
	// spec.version nor spec.image. Changing it upgrades them, one pod at a
	// time, as safely as an edit of their spec would.
	// +optional
	// +kubebuilder:validation:Pattern=`^[0-9]+\.[0-9]+\.[0-9]+(\.[0-9]+)?(_[0-9]+)?$`
	DefaultVersion string `json:"defaultVersion,omitempty"`

	// ExporterImage is the Aerospike Prometheus exporter image added to
	// databases with monitoring enabled.
	// +optional
	ExporterImage string `json:"exporterImage,omitempty"`

	// PrometheusOperator says the cluster runs the Prometheus Operator:
	// databases with monitoring enabled then get a ServiceMonitor. The
	// function still checks that the ServiceMonitor CRD is installed, and
	// composes everything else with a Warning when it is not.
	// +optional
	PrometheusOperator bool `json:"prometheusOperator,omitempty"`
}
