package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
)

// CredentialsSource says where the provider finds the credentials it logs in
// with.
// +kubebuilder:validation:Enum=None;Secret
type CredentialsSource string

// Credentials sources.
const (
	// CredentialsNone connects without logging in: Community Edition, or
	// Enterprise Edition with security disabled.
	CredentialsNone CredentialsSource = "None"
	// CredentialsSecret logs in with a user and password from a Secret.
	CredentialsSecret CredentialsSource = "Secret"
)

// ProviderConfigSpec says how to reach and log in to an Aerospike cluster.
type ProviderConfigSpec struct {
	// Hosts are seed addresses of the cluster, as host or host:port. The
	// client discovers every other node from them.
	// +kubebuilder:validation:MinItems=1
	// +listType=atomic
	Hosts []string `json:"hosts"`

	// Port of hosts that name none.
	// +optional
	// +kubebuilder:default=3000
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=65535
	Port int32 `json:"port,omitempty"`

	// ClusterName, when set, makes the client refuse nodes of another
	// cluster.
	// +optional
	ClusterName string `json:"clusterName,omitempty"`

	// TLS to the cluster's client port.
	// +optional
	TLS *TLSConfig `json:"tls,omitempty"`

	// Credentials to log in with.
	Credentials ProviderCredentials `json:"credentials"`

	// ConnectionDetails are added to the connection Secret of every User
	// that writes one, for what applications need besides the seeds and
	// the user's credentials, such as the TLS name and port. They never
	// replace the keys the provider writes. Not for secrets: a
	// ProviderConfig is readable by whoever reads the namespace.
	// +optional
	// +kubebuilder:validation:MaxProperties=16
	ConnectionDetails map[string]string `json:"connectionDetails,omitempty"`

	// Timeouts of the connection to the cluster.
	// +optional
	Timeouts *Timeouts `json:"timeouts,omitempty"`
}

// TLSConfig is TLS to the cluster.
type TLSConfig struct {
	// Name the server's certificate must carry (Aerospike's tls-name).
	Name string `json:"name"`

	// CASecretRef selects the CA certificate (PEM) that signed the server's
	// certificate.
	// +optional
	CASecretRef *xpv2.SecretKeySelector `json:"caSecretRef,omitempty"`
}

// ProviderCredentials are the credentials the provider logs in with.
type ProviderCredentials struct {
	// Source of the credentials.
	// +kubebuilder:default=None
	Source CredentialsSource `json:"source"`

	// SecretRef names the Secret holding the credentials; its namespace is
	// the ProviderConfig's for a ProviderConfig, and required for a
	// ClusterProviderConfig.
	// +optional
	SecretRef *CredentialsSecretRef `json:"secretRef,omitempty"`
}

// CredentialsSecretRef selects a user name and password in a Secret.
type CredentialsSecretRef struct {
	// Name of the Secret.
	Name string `json:"name"`

	// Namespace of the Secret. Ignored by a ProviderConfig, which reads
	// Secrets in its own namespace only.
	// +optional
	Namespace string `json:"namespace,omitempty"`

	// UsernameKey is the key holding the user name.
	// +optional
	// +kubebuilder:default=username
	UsernameKey string `json:"usernameKey,omitempty"`

	// PasswordKey is the key holding the password.
	// +optional
	// +kubebuilder:default=password
	PasswordKey string `json:"passwordKey,omitempty"`
}

// Timeouts of the connection to the cluster.
type Timeouts struct {
	// Connect is how long to wait for the cluster when connecting.
	// +optional
	// +kubebuilder:default="10s"
	Connect *metav1.Duration `json:"connect,omitempty"`

	// Command is how long one command may take, retries included.
	// +optional
	// +kubebuilder:default="5s"
	Command *metav1.Duration `json:"command,omitempty"`
}

// ProviderConfigStatus is the observed state of a ProviderConfig.
type ProviderConfigStatus struct {
	xpv2.ProviderConfigStatus `json:",inline"`
}

// A ProviderConfig says how the managed resources in its namespace reach an
// Aerospike cluster.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name="HOSTS",type="string",JSONPath=".spec.hosts"
// +kubebuilder:printcolumn:name="USERS",type="integer",JSONPath=".status.users"
// +kubebuilder:printcolumn:name="AGE",type="date",JSONPath=".metadata.creationTimestamp"
// +kubebuilder:resource:scope=Namespaced,categories={crossplane,provider,aerospike}
type ProviderConfig struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   ProviderConfigSpec   `json:"spec"`
	Status ProviderConfigStatus `json:"status,omitempty"`
}

// ProviderConfigList is a list of ProviderConfigs.
//
// +kubebuilder:object:root=true
type ProviderConfigList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []ProviderConfig `json:"items"`
}

// A ClusterProviderConfig says how managed resources in any namespace reach
// an Aerospike cluster.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name="HOSTS",type="string",JSONPath=".spec.hosts"
// +kubebuilder:printcolumn:name="USERS",type="integer",JSONPath=".status.users"
// +kubebuilder:printcolumn:name="AGE",type="date",JSONPath=".metadata.creationTimestamp"
// +kubebuilder:resource:scope=Cluster,categories={crossplane,provider,aerospike}
type ClusterProviderConfig struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   ProviderConfigSpec   `json:"spec"`
	Status ProviderConfigStatus `json:"status,omitempty"`
}

// ClusterProviderConfigList is a list of ClusterProviderConfigs.
//
// +kubebuilder:object:root=true
type ClusterProviderConfigList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []ClusterProviderConfig `json:"items"`
}

// A ProviderConfigUsage records that a managed resource uses a
// ProviderConfig or a ClusterProviderConfig, so neither is deleted from under
// it. It lives in the managed resource's namespace and names the config's kind
// in a label.
//
// +kubebuilder:object:root=true
// +kubebuilder:printcolumn:name="CONFIG-NAME",type="string",JSONPath=".providerConfigRef.name"
// +kubebuilder:printcolumn:name="RESOURCE-KIND",type="string",JSONPath=".resourceRef.kind"
// +kubebuilder:printcolumn:name="RESOURCE-NAME",type="string",JSONPath=".resourceRef.name"
// +kubebuilder:printcolumn:name="AGE",type="date",JSONPath=".metadata.creationTimestamp"
// +kubebuilder:resource:scope=Namespaced,categories={crossplane,provider,aerospike}
type ProviderConfigUsage struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	xpv2.TypedProviderConfigUsage `json:",inline"`
}

// ProviderConfigUsageList is a list of ProviderConfigUsages.
//
// +kubebuilder:object:root=true
type ProviderConfigUsageList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []ProviderConfigUsage `json:"items"`
}
