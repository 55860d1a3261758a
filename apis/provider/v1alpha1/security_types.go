package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
)

// Keys of a User's connection Secret: environment variable names, so an
// application can take them all with envFrom. An AerospikeDatabase's own
// connection Secret uses the same keys.
const (
	// ConnectionKeyHost is a host to reach the cluster at.
	ConnectionKeyHost = "AEROSPIKE_HOST"
	// ConnectionKeyPort is the client port.
	ConnectionKeyPort = "AEROSPIKE_PORT"
	// ConnectionKeySeeds lists seed nodes as host:port, comma-separated.
	ConnectionKeySeeds = "AEROSPIKE_SEEDS"
	// ConnectionKeyUser is the user name to log in with.
	ConnectionKeyUser = "AEROSPIKE_USER"
	// ConnectionKeyPassword is the password to log in with.
	ConnectionKeyPassword = "AEROSPIKE_PASSWORD"
	// ConnectionKeyTLSName is the name the servers' certificates carry.
	ConnectionKeyTLSName = "AEROSPIKE_TLS_NAME"
	// ConnectionKeyTLSPort is the client TLS port.
	ConnectionKeyTLSPort = "AEROSPIKE_TLS_PORT"
)

// UserParameters are the desired state of a database user. The user's name
// is the crossplane.io/external-name annotation, by default the object's
// name.
type UserParameters struct {
	// Roles granted to the user: roles of this cluster or Aerospike's
	// predefined ones.
	// +listType=set
	// +kubebuilder:validation:MaxItems=256
	Roles []string `json:"roles"`

	// PasswordSecretRef selects the user's password in a Secret of this
	// namespace. The password is never copied into this object's status.
	PasswordSecretRef xpv2.LocalSecretKeySelector `json:"passwordSecretRef"`
}

// UserObservation is the user as the cluster reports it.
type UserObservation struct {
	// Roles the user has.
	// +optional
	Roles []string `json:"roles,omitempty"`

	// PasswordFingerprint identifies the password last set, without
	// revealing it: a keyed hash that changes when the Secret's password
	// does, so a rotation is detected without reading the password back.
	// +optional
	PasswordFingerprint string `json:"passwordFingerprint,omitempty"`
}

// UserSpec is the desired state of a User.
type UserSpec struct {
	xpv2.ManagedResourceSpec `json:",inline"`
	ForProvider              UserParameters `json:"forProvider"`
}

// UserStatus is the observed state of a User.
type UserStatus struct {
	xpv2.ManagedResourceStatus `json:",inline"`
	AtProvider                 UserObservation `json:"atProvider,omitempty"`
}

// A User is a database user of an Aerospike Enterprise Edition cluster. Its
// connection Secret, when requested, holds the hosts, port, user name and
// password an application connects with.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name="READY",type="string",JSONPath=".status.conditions[?(@.type=='Ready')].status"
// +kubebuilder:printcolumn:name="SYNCED",type="string",JSONPath=".status.conditions[?(@.type=='Synced')].status"
// +kubebuilder:printcolumn:name="EXTERNAL-NAME",type="string",JSONPath=".metadata.annotations.crossplane\\.io/external-name"
// +kubebuilder:printcolumn:name="AGE",type="date",JSONPath=".metadata.creationTimestamp"
// +kubebuilder:resource:scope=Namespaced,categories={crossplane,managed,aerospike}
type User struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   UserSpec   `json:"spec"`
	Status UserStatus `json:"status,omitempty"`
}

// UserList is a list of Users.
//
// +kubebuilder:object:root=true
type UserList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []User `json:"items"`
}

// PrivilegeCode is an Aerospike privilege.
// +kubebuilder:validation:Enum=read;read-write;read-write-udf;write;truncate;sindex-admin;udf-admin;data-admin;user-admin;sys-admin
type PrivilegeCode string

// Privilege grants one privilege code, optionally scoped to a namespace and
// set.
//
// +kubebuilder:validation:XValidation:rule="!has(self.set) || has(self.namespace)",message="a privilege scoped to a set also needs its namespace"
type Privilege struct {
	// Code of the privilege.
	Code PrivilegeCode `json:"code"`

	// Namespace the privilege is limited to; empty means every namespace.
	// +optional
	Namespace string `json:"namespace,omitempty"`

	// Set the privilege is limited to within the namespace.
	// +optional
	Set string `json:"set,omitempty"`
}

// RoleParameters are the desired state of a role. The role's name is the
// crossplane.io/external-name annotation, by default the object's name.
type RoleParameters struct {
	// Privileges the role grants.
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=128
	Privileges []Privilege `json:"privileges"`

	// Whitelist is the client addresses or CIDRs the role may connect
	// from; empty allows all.
	// +optional
	// +listType=set
	Whitelist []string `json:"whitelist,omitempty"`

	// ReadQuota is the most reads per second the role allows; 0 is no
	// limit. Needs enable-quotas in the cluster's security configuration.
	// +optional
	// +kubebuilder:validation:Minimum=0
	ReadQuota int32 `json:"readQuota,omitempty"`

	// WriteQuota is the most writes per second the role allows; 0 is no
	// limit.
	// +optional
	// +kubebuilder:validation:Minimum=0
	WriteQuota int32 `json:"writeQuota,omitempty"`
}

// RoleObservation is the role as the cluster reports it.
type RoleObservation struct {
	// Privileges the role grants.
	// +optional
	Privileges []Privilege `json:"privileges,omitempty"`

	// Whitelist of the role.
	// +optional
	Whitelist []string `json:"whitelist,omitempty"`

	// ReadQuota of the role.
	// +optional
	ReadQuota int32 `json:"readQuota,omitempty"`

	// WriteQuota of the role.
	// +optional
	WriteQuota int32 `json:"writeQuota,omitempty"`
}

// RoleSpec is the desired state of a Role.
type RoleSpec struct {
	xpv2.ManagedResourceSpec `json:",inline"`
	ForProvider              RoleParameters `json:"forProvider"`
}

// RoleStatus is the observed state of a Role.
type RoleStatus struct {
	xpv2.ManagedResourceStatus `json:",inline"`
	AtProvider                 RoleObservation `json:"atProvider,omitempty"`
}

// A Role is a named set of privileges in an Aerospike Enterprise Edition
// cluster. Aerospike's predefined roles cannot be managed.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name="READY",type="string",JSONPath=".status.conditions[?(@.type=='Ready')].status"
// +kubebuilder:printcolumn:name="SYNCED",type="string",JSONPath=".status.conditions[?(@.type=='Synced')].status"
// +kubebuilder:printcolumn:name="EXTERNAL-NAME",type="string",JSONPath=".metadata.annotations.crossplane\\.io/external-name"
// +kubebuilder:printcolumn:name="AGE",type="date",JSONPath=".metadata.creationTimestamp"
// +kubebuilder:resource:scope=Namespaced,categories={crossplane,managed,aerospike}
type Role struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   RoleSpec   `json:"spec"`
	Status RoleStatus `json:"status,omitempty"`
}

// RoleList is a list of Roles.
//
// +kubebuilder:object:root=true
type RoleList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Role `json:"items"`
}
