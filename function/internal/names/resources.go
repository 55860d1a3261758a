package names

import (
	"strconv"
	"strings"

	"github.com/crossplane/function-sdk-go/resource"
)

// Composition resource names: the stable keys Crossplane tracks composed
// objects by. They must never change: Crossplane would delete the object
// composed under the old name and create a new one, which for a StatefulSet
// would restart its nodes.
const (
	ResourceConfigMap        resource.Name = "config"
	ResourceHeadlessService  resource.Name = "service-headless"
	ResourceClientService    resource.Name = "service-client"
	ResourcePDB              resource.Name = "pod-disruption-budget"
	ResourceConnectionSecret resource.Name = "connection-secret"
	ResourceProviderConfig   resource.Name = "provider-config"
	ResourceClusterStatus    resource.Name = "cluster-status"
	ResourceNetworkPolicy    resource.Name = "network-policy"
	ResourceMetricsService   resource.Name = "service-metrics"
	ResourceServiceMonitor   resource.Name = "service-monitor"
	ResourceDashboard        resource.Name = "grafana-dashboard"
	ResourceLogLevels        resource.Name = "log-levels"
)

const (
	statefulSetPrefix     = "statefulset-rack-"
	externalServicePrefix = "service-external-"
)

// ResourceRole is the composition resource name of a declared role's object.
func ResourceRole(name string) resource.Name { return resource.Name("role-" + name) }

// ResourceUser is the composition resource name of a declared user's object.
func ResourceUser(name string) resource.Name { return resource.Name("user-" + name) }

// ResourceNamespaceConfig is the composition resource name of a namespace's
// live settings.
func ResourceNamespaceConfig(namespace string) resource.Name {
	return resource.Name("namespace-config-" + namespace)
}

// ResourceStatefulSet is the composition resource name of a rack's
// StatefulSet.
func ResourceStatefulSet(rack int32) resource.Name {
	return resource.Name(statefulSetPrefix + strconv.Itoa(int(rack)))
}

// StatefulSetRack returns the rack of a StatefulSet's composition resource
// name, and false for any other name.
func StatefulSetRack(n resource.Name) (int32, bool) {
	s, ok := strings.CutPrefix(string(n), statefulSetPrefix)
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseInt(s, 10, 32)
	return int32(id), err == nil
}

// ResourceExternalService is the composition resource name of a pod's
// external Service. It follows the pod's name, which is stable.
func ResourceExternalService(pod string) resource.Name {
	return resource.Name(externalServicePrefix + pod)
}

// ExternalServicePod returns the pod of an external Service's composition
// resource name, and false for any other name.
func ExternalServicePod(n resource.Name) (string, bool) {
	return strings.CutPrefix(string(n), externalServicePrefix)
}
