package v1alpha1

import (
	"reflect"

	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/scheme"
)

// Package type metadata.
const (
	Group   = "aerospike.m.xp-aerospike.io"
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

// Kinds of this package, with their GroupVersionKinds.
var (
	UserKind                  = kind(User{})
	RoleKind                  = kind(Role{})
	NamespaceConfigKind       = kind(NamespaceConfig{})
	LogLevelsKind             = kind(LogLevels{})
	SecondaryIndexKind        = kind(SecondaryIndex{})
	UDFKind                   = kind(UDF{})
	ClusterStatusKind         = kind(ClusterStatus{})
	ProviderConfigKind        = kind(ProviderConfig{})
	ClusterProviderConfigKind = kind(ClusterProviderConfig{})
	ProviderConfigUsageKind   = kind(ProviderConfigUsage{})

	UserGroupVersionKind                    = SchemeGroupVersion.WithKind(UserKind)
	RoleGroupVersionKind                    = SchemeGroupVersion.WithKind(RoleKind)
	NamespaceConfigGroupVersionKind         = SchemeGroupVersion.WithKind(NamespaceConfigKind)
	LogLevelsGroupVersionKind               = SchemeGroupVersion.WithKind(LogLevelsKind)
	SecondaryIndexGroupVersionKind          = SchemeGroupVersion.WithKind(SecondaryIndexKind)
	UDFGroupVersionKind                     = SchemeGroupVersion.WithKind(UDFKind)
	ClusterStatusGroupVersionKind           = SchemeGroupVersion.WithKind(ClusterStatusKind)
	ProviderConfigGroupVersionKind          = SchemeGroupVersion.WithKind(ProviderConfigKind)
	ClusterProviderConfigGroupVersionKind   = SchemeGroupVersion.WithKind(ClusterProviderConfigKind)
	ProviderConfigUsageGroupVersionKind     = SchemeGroupVersion.WithKind(ProviderConfigUsageKind)
	ProviderConfigUsageListGroupVersionKind = SchemeGroupVersion.WithKind(kind(ProviderConfigUsageList{}))
)

func kind(v any) string { return reflect.TypeOf(v).Name() }

func init() {
	SchemeBuilder.Register(
		&User{}, &UserList{},
		&Role{}, &RoleList{},
		&NamespaceConfig{}, &NamespaceConfigList{},
		&LogLevels{}, &LogLevelsList{},
		&SecondaryIndex{}, &SecondaryIndexList{},
		&UDF{}, &UDFList{},
		&ClusterStatus{}, &ClusterStatusList{},
		&ProviderConfig{}, &ProviderConfigList{},
		&ClusterProviderConfig{}, &ClusterProviderConfigList{},
		&ProviderConfigUsage{}, &ProviderConfigUsageList{},
	)
}
