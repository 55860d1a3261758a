package v1alpha1

import (
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
)

// The generated method sets make these kinds what crossplane-runtime's
// reconcilers expect.
var (
	_ resource.ModernManaged = &User{}
	_ resource.ModernManaged = &Role{}
	_ resource.ModernManaged = &NamespaceConfig{}
	_ resource.ModernManaged = &LogLevels{}
	_ resource.ModernManaged = &SecondaryIndex{}
	_ resource.ModernManaged = &UDF{}
	_ resource.ModernManaged = &ClusterStatus{}

	_ resource.ProviderConfig           = &ProviderConfig{}
	_ resource.ProviderConfig           = &ClusterProviderConfig{}
	_ resource.TypedProviderConfigUsage = &ProviderConfigUsage{}

	_ resource.ProviderConfigUsageList = &ProviderConfigUsageList{}
)
