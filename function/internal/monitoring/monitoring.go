// Package monitoring composes what Prometheus needs to find the exporters
// running next to an AerospikeDatabase's nodes: a Service selecting every
// node's exporter port and, where the platform runs the Prometheus Operator,
// a ServiceMonitor scraping that Service.
package monitoring

import (
	"maps"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/xp-aerospike/xp-aerospike/function/internal/database"
	"github.com/xp-aerospike/xp-aerospike/function/internal/names"
)

// ServiceMonitorKind is the Prometheus Operator's kind, and
// ServiceMonitorCRD the name of its CustomResourceDefinition, whose
// presence tells whether the cluster can take one.
var ServiceMonitorKind = schema.GroupVersionKind{Group: "monitoring.coreos.com", Version: "v1", Kind: "ServiceMonitor"}

// ServiceMonitorCRD is the name of the ServiceMonitor's CRD.
const ServiceMonitorCRD = "servicemonitors.monitoring.coreos.com"

// componentMetrics labels the metrics Service; the ServiceMonitor selects
// it by that label, so it never scrapes the client or headless Service.
const componentMetrics = "metrics"

// MetricsService lists every node's exporter, ready or not: a node that is
// still loading its data is exactly the one worth watching.
func MetricsService(d *database.Database, port int32, portName string) *corev1.Service {
	return &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{
			Name:      d.Names.MetricsService(),
			Namespace: d.Namespace,
			Labels:    d.Names.Labels(componentMetrics),
		},
		Spec: corev1.ServiceSpec{
			ClusterIP:                corev1.ClusterIPNone,
			PublishNotReadyAddresses: true,
			Selector:                 d.Names.Selector(),
			Ports: []corev1.ServicePort{{
				Name:       portName,
				Port:       port,
				TargetPort: intstr.FromString(portName),
				Protocol:   corev1.ProtocolTCP,
			}},
		},
	}
}

// ServiceMonitor scrapes the metrics Service's port every
// spec.monitoring.scrapeInterval (Prometheus's own interval when unset),
// labelled with spec.monitoring.serviceMonitorLabels for a Prometheus
// that selects ServiceMonitors by label. It is built as unstructured
// content: the Prometheus Operator's Go types would bring a large module
// for one small object; the tests decode it against the real CRD instead.
//
// The pod's Kubernetes namespace and name become the series' namespace and
// pod labels; the dashboard's variables select by them.
func ServiceMonitor(d *database.Database, portName string) *unstructured.Unstructured {
	l := d.Names.Labels(componentMetrics)
	maps.Copy(l, d.Spec.Monitoring.ServiceMonitorLabels)
	endpoint := map[string]any{"port": portName, "path": "/metrics", "scheme": "http"}
	if iv := d.Spec.Monitoring.ScrapeInterval; iv != "" {
		endpoint["interval"] = iv
	}
	u := &unstructured.Unstructured{Object: map[string]any{
		"metadata": map[string]any{
			"name":      d.Names.ServiceMonitor(),
			"namespace": d.Namespace,
			"labels":    stringMap(l),
		},
		"spec": map[string]any{
			"selector":  map[string]any{"matchLabels": stringMap(selector(d))},
			"endpoints": []any{endpoint},
			// The database's name as a label on every series, so one
			// Prometheus can tell many databases apart.
			"targetLabels": []any{names.LabelInstance},
		},
	}}
	u.SetGroupVersionKind(ServiceMonitorKind)
	return u
}

// selector selects the metrics Service only.
func selector(d *database.Database) map[string]string {
	s := d.Names.Selector()
	s[names.LabelComponent] = componentMetrics
	return s
}

func stringMap(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
