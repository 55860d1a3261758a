// Package dashboard ships the Grafana dashboard for AerospikeDatabases with
// spec.monitoring.enabled, as a ConfigMap that the Grafana Helm chart's
// dashboard sidecar discovers by its label:
//
//	cm := dashboard.ConfigMap(name, namespace, labels)
//
// The ConfigMap holds the dashboard's JSON under Key, carries every label
// the caller passes plus LabelKey: LabelValue (grafana_dashboard: "1", the
// sidecar's default), and is the same bytes on every call.
//
// The panels query what the Aerospike Prometheus exporter sidecar
// (aerospike/aerospike-prometheus-exporter v1.16.x) emits with its default
// configuration (no metric allow- or blocklists): aerospike_node_up, and
// aerospike_<context>_<stat> for the server's node statistics and service
// configuration (node_stats), namespace statistics and configuration
// (namespace) and latency histograms (latencies). They select on the labels
// the exporter sets (cluster_name, ns, le) and on those Prometheus adds to
// a scraped pod (namespace, pod); never on the exporter's own service
// label, which a ServiceMonitor without honorLabels renames to
// exported_service. The package's tests check every metric a panel names
// against what the exporter would emit for a real server of each version
// the project ships.
package dashboard

import (
	"maps"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	_ "embed" // for the dashboard's JSON
)

// The label by which the Grafana Helm chart's dashboard sidecar finds
// dashboards in ConfigMaps, and its default value
// (sidecar.dashboards.label and labelValue in the chart's values).
const (
	LabelKey   = "grafana_dashboard"
	LabelValue = "1"
)

// Key is the ConfigMap key that holds the dashboard; the sidecar writes it
// to a file of that name.
const Key = "aerospike.json"

//go:embed dashboard.json
var dashboardJSON string

// JSON returns the dashboard's JSON model.
func JSON() string { return dashboardJSON }

// ConfigMap returns a ConfigMap named name in namespace that holds the
// dashboard under Key. Its labels are a copy of labels plus LabelKey:
// LabelValue, which wins over a caller's label of the same key.
func ConfigMap(name, namespace string, labels map[string]string) *corev1.ConfigMap {
	l := make(map[string]string, len(labels)+1)
	maps.Copy(l, labels)
	l[LabelKey] = LabelValue
	return &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace, Labels: l},
		Data:       map[string]string{Key: dashboardJSON},
	}
}
