// Package build builds every object composed for an AerospikeDatabase, once,
// from the resolved database, the plan's next step and the external access
// resolved for it, each under its composition resource name. The builders
// it calls only render: nothing built here is changed afterwards.
package build

import (
	"maps"
	"sync"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/function-sdk-go/resource"
	"github.com/crossplane/function-sdk-go/resource/composed"

	providerv1alpha1 "github.com/xp-aerospike/xp-aerospike/apis/provider/v1alpha1"
	"github.com/xp-aerospike/xp-aerospike/function/internal/access"
	"github.com/xp-aerospike/xp-aerospike/function/internal/config"
	"github.com/xp-aerospike/xp-aerospike/function/internal/connection"
	"github.com/xp-aerospike/xp-aerospike/function/internal/dashboard"
	"github.com/xp-aerospike/xp-aerospike/function/internal/external"
	"github.com/xp-aerospike/xp-aerospike/function/internal/monitoring"
	"github.com/xp-aerospike/xp-aerospike/function/internal/names"
	"github.com/xp-aerospike/xp-aerospike/function/internal/network"
	"github.com/xp-aerospike/xp-aerospike/function/internal/observe"
	"github.com/xp-aerospike/xp-aerospike/function/internal/plan"
	"github.com/xp-aerospike/xp-aerospike/function/internal/resolve"
	"github.com/xp-aerospike/xp-aerospike/function/internal/workload"
)

// Resource is one composed object.
type Resource struct {
	Name   resource.Name
	Object runtime.Object
}

// Resources returns every object composed for r, in a fixed order, for the
// step p with external access ext. obs tells which objects exist already.
func Resources(r *resolve.Resolved, p plan.Plan, ext external.Access, obs *observe.State) []Resource {
	d, confs := r.Database, r.Racks
	out := []Resource{
		{names.ResourceConfigMap, config.ConfigMap(d, confs, ext.Addresses)},
		{names.ResourceHeadlessService, network.HeadlessService(d)},
		{names.ResourceClientService, network.ClientService(d)},
		{names.ResourcePDB, workload.PodDisruptionBudget(d)},
	}
	if np := network.Policy(d, workload.ExporterPort, external.Clients(d)...); np != nil {
		out = append(out, Resource{names.ResourceNetworkPolicy, np})
	}
	if d.Monitoring() {
		out = append(out,
			Resource{names.ResourceMetricsService, monitoring.MetricsService(d, workload.ExporterPort, workload.ExporterPortName)},
			Resource{names.ResourceDashboard, dashboard.ConfigMap(d.Names.Dashboard(), d.Namespace, d.Names.Labels("dashboard"))},
		)
		if d.ServiceMonitors {
			out = append(out, Resource{names.ResourceServiceMonitor, monitoring.ServiceMonitor(d, workload.ExporterPortName)})
		}
	}
	if !access.OwnsConnectionSecret(d) {
		out = append(out, Resource{names.ResourceConnectionSecret, connection.Secret(d, ext.Seeds)})
	}
	for i, sts := range workload.StatefulSets(d, confs, p) {
		out = append(out, Resource{names.ResourceStatefulSet(d.Racks[i].ID), sts})
	}
	out = append(out,
		Resource{names.ResourceProviderConfig, access.ProviderConfig(d, ext.Seeds)},
		Resource{names.ResourceClusterStatus, access.ClusterStatus(d)},
	)
	for _, nc := range access.NamespaceConfigs(d, confs[0].Live) {
		out = append(out, Resource{names.ResourceNamespaceConfig(nc.Spec.ForProvider.Namespace), nc})
	}
	// Levels other than the default go to the provider, to change live.
	// Once composed, the LogLevels stays with the default levels too, so
	// levels dropped from the spec are reset on the running nodes.
	if obs.Exists(names.ResourceLogLevels) || !maps.Equal(confs[0].LogLevels, config.DefaultLogLevels) {
		out = append(out, Resource{names.ResourceLogLevels, access.LogLevels(d, confs[0].LogLevels)})
	}
	for _, role := range access.Roles(d) {
		out = append(out, Resource{names.ResourceRole(meta.GetExternalName(role)), role})
	}
	for _, u := range access.Users(d) {
		out = append(out, Resource{names.ResourceUser(meta.GetExternalName(u)), u})
	}
	for _, pod := range ext.Pods {
		out = append(out, Resource{names.ResourceExternalService(pod), external.Service(d, pod)})
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

// Desired returns res as the response's desired composed resources, each
// with its readiness.
func Desired(res []Resource, ready map[resource.Name]resource.Ready) (map[resource.Name]*resource.DesiredComposed, error) {
	out := make(map[resource.Name]*resource.DesiredComposed, len(res))
	for _, r := range res {
		u, err := Unstructured(r.Object)
		if err != nil {
			return nil, errors.Wrapf(err, "cannot convert %q", r.Name)
		}
		out[r.Name] = &resource.DesiredComposed{Resource: u, Ready: ready[r.Name]}
	}
	return out, nil
}
