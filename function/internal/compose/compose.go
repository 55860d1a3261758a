// Package compose assembles every object composed for an AerospikeDatabase
// under its composition resource name, the stable key Crossplane tracks it by.
package compose

import (
	"maps"
	"strconv"
	"sync"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/crossplane/function-sdk-go/resource"
	"github.com/crossplane/function-sdk-go/resource/composed"

	providerv1alpha1 "github.com/xp-aerospike/xp-aerospike/apis/provider/v1alpha1"
	"github.com/xp-aerospike/xp-aerospike/function/internal/access"
	"github.com/xp-aerospike/xp-aerospike/function/internal/config"
	"github.com/xp-aerospike/xp-aerospike/function/internal/connection"
	"github.com/xp-aerospike/xp-aerospike/function/internal/dashboard"
	"github.com/xp-aerospike/xp-aerospike/function/internal/database"
	"github.com/xp-aerospike/xp-aerospike/function/internal/monitoring"
	"github.com/xp-aerospike/xp-aerospike/function/internal/network"
	"github.com/xp-aerospike/xp-aerospike/function/internal/plan"
	"github.com/xp-aerospike/xp-aerospike/function/internal/workload"
)

// Composition resource names. They must never change: Crossplane would
// delete the object composed under the old name and create a new one, which
// for a StatefulSet would restart its nodes.
const (
	NameConfigMap        resource.Name = "config"
	NameHeadlessService  resource.Name = "service-headless"
	NameClientService    resource.Name = "service-client"
	NamePDB              resource.Name = "pod-disruption-budget"
	NameConnectionSecret resource.Name = "connection-secret"
	NameProviderConfig   resource.Name = "provider-config"
	NameClusterStatus    resource.Name = "cluster-status"
	NameNetworkPolicy    resource.Name = "network-policy"
	NameMetricsService   resource.Name = "service-metrics"
	NameServiceMonitor   resource.Name = "service-monitor"
	NameDashboard        resource.Name = "grafana-dashboard"
	NameLogLevels        resource.Name = "log-levels"
)

// NameRole and NameUser are the composition resource names of a declared
// role's and user's objects.
func NameRole(name string) resource.Name { return resource.Name("role-" + name) }

// NameUser is the composition resource name of a declared user's object.
func NameUser(name string) resource.Name { return resource.Name("user-" + name) }

// NameNamespaceConfig is the composition resource name of a namespace's
// live settings.
func NameNamespaceConfig(namespace string) resource.Name {
	return resource.Name("namespace-config-" + namespace)
}

// NameStatefulSet is the composition resource name of a rack's StatefulSet.
func NameStatefulSet(rack int32) resource.Name {
	return resource.Name("statefulset-rack-" + strconv.Itoa(int(rack)))
}

// Resource is one composed object.
type Resource struct {
	Name   resource.Name
	Object runtime.Object
}

// Resources returns every object composed for d, in a fixed order, each as
// the spec finally asks for it; the plan then holds StatefulSets back to the
// next safe step. observed is the request's observed composed resources.
func Resources(d *database.Database, confs []config.Rack, observed map[string]*fnv1.Resource) []Resource {
	out := []Resource{
		{NameConfigMap, config.ConfigMap(d, confs)},
		{NameHeadlessService, network.HeadlessService(d)},
		{NameClientService, network.ClientService(d)},
		{NamePDB, workload.PodDisruptionBudget(d)},
	}
	if np := network.NetworkPolicy(d, workload.ExporterPort); np != nil {
		out = append(out, Resource{NameNetworkPolicy, np})
	}
	if d.Monitoring() {
		out = append(out,
			Resource{NameMetricsService, monitoring.MetricsService(d, workload.ExporterPort, workload.ExporterPortName)},
			Resource{NameDashboard, dashboard.ConfigMap(d.Names.Dashboard(), d.Namespace, d.Names.Labels("dashboard"))},
		)
		if d.ServiceMonitors {
			out = append(out, Resource{NameServiceMonitor, monitoring.ServiceMonitor(d, workload.ExporterPortName)})
		}
	}
	if !access.OwnsConnectionSecret(d) {
		out = append(out, Resource{NameConnectionSecret, connection.Secret(d)})
	}
	for i, sts := range workload.StatefulSets(d, confs) {
		// What the data depends on, for the plan to compare a later spec
		// with.
		sts.Annotations = plan.Signature(d.Spec, d.Version)
		out = append(out, Resource{NameStatefulSet(d.Racks[i].ID), sts})
	}
	out = append(out,
		Resource{NameProviderConfig, access.ProviderConfig(d)},
		Resource{NameClusterStatus, access.ClusterStatus(d)},
	)
	for _, nc := range access.NamespaceConfigs(d, confs[0].Live) {
		out = append(out, Resource{NameNamespaceConfig(nc.Spec.ForProvider.Namespace), nc})
	}
	// Levels other than the default go to the provider, to change live.
	// Once composed, the LogLevels stays with the default levels too, so
	// levels dropped from the spec are reset on the running nodes.
	if _, was := observed[string(NameLogLevels)]; was || !maps.Equal(confs[0].LogLevels, config.DefaultLogLevels) {
		out = append(out, Resource{NameLogLevels, access.LogLevels(d, confs[0].LogLevels)})
	}
	for _, r := range access.Roles(d) {
		out = append(out, Resource{NameRole(meta.GetExternalName(r)), r})
	}
	for _, u := range access.Users(d) {
		out = append(out, Resource{NameUser(meta.GetExternalName(u)), u})
	}
	return out
}

// scheme knows the kinds this package composes.
var scheme = sync.OnceValues(func() (*runtime.Scheme, error) {
	s := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{corev1.AddToScheme, appsv1.AddToScheme, policyv1.AddToScheme, networkingv1.AddToScheme, providerv1alpha1.AddToScheme} {
		if err := add(s); err != nil {
			return nil, err
		}
	}
	return s, nil
})

// Unstructured converts a composed object for the response, minimal: with
// Kubernetes' own JSON rules, zero values tagged omitempty are left out
// (function-sdk-go's converter would send every 0 and false, which server-side
// apply then records as our intent), and so are nulls and status, which is
// the API server's to write.
func Unstructured(o runtime.Object) (*composed.Unstructured, error) {
	s, err := scheme()
	if err != nil {
		return nil, err
	}
	gvks, _, err := s.ObjectKinds(o)
	if err != nil {
		return nil, err
	}
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(o)
	if err != nil {
		return nil, err
	}
	delete(m, "status")
	prune(m)
	m["apiVersion"], m["kind"] = gvks[0].GroupVersion().String(), gvks[0].Kind
	return &composed.Unstructured{Unstructured: unstructured.Unstructured{Object: m}}, nil
}

// prune removes nulls (creationTimestamp: null of embedded object metadata)
// and the status of embedded objects (a volume claim template's).
func prune(v any) {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			if e == nil {
				delete(t, k)
				continue
			}
			prune(e)
		}
		if _, ok := t["metadata"]; ok {
			delete(t, "status")
		}
	case []any:
		for _, e := range t {
			prune(e)
		}
	}
}
