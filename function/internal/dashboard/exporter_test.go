package dashboard

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// This file mirrors how the Aerospike Prometheus exporter
// (github.com/aerospike/aerospike-prometheus-exporter, the sidecar's image
// aerospike/aerospike-prometheus-exporter:v1.16.1) turns a server's info
// answers into metrics, so that the tests can tell which metrics the
// exporter emits for a real server. The exporter cannot be imported (its
// packages are internal, and the Go module proxy does not serve the
// module), so its rules are restated here, each function naming the
// exporter function it mirrors. Files are named as in the exporter's tree
// around the v1.16 releases, which kept the stat contexts in
// internal/pkg/watchers, the Prometheus side (makePromMetric,
// NormalizeMetric, aerospike_node_up) in internal/pkg/processors (handlers
// in some commits) and helpers in internal/pkg/commons; later releases
// moved them to statprocessors and executors. The copies read were not
// pinned to the v1.16.1 tag, but every one, from before v1.16 to the
// latest, builds names the same way.
//
// With its default configuration the exporter has no metric allow- or
// blocklists (isMetricAllowed in watcher_utils.go allows every stat when
// both are empty), so every stat below is emitted. A deployment that sets
// *_METRICS_ALLOWLIST must keep the dashboard's metrics in it.

// Contexts: the second word of a metric's name (commons/constants.go,
// CTX_*), and the labels the exporter gives a context's metrics.
const (
	ctxNodeStats = "node_stats"
	ctxNamespace = "namespace"
	ctxLatencies = "latencies"
)

// The info commands the exporter sends for the contexts the dashboard uses
// (PassOneKeys and PassTwoKeys of watcher_node_stats.go,
// watcher_namespaces.go and watcher_latency.go; cluster-name,
// service-clear-std and build in watchers.go).
const (
	infoStatistics    = "statistics"
	infoServiceConfig = "get-config:context=service"
	infoNamespaces    = "namespaces"
	infoNamespace     = "namespace/" // + the namespace's name
	infoLatencies     = "latencies:"
	infoBuild         = "build"
	infoClusterName   = "cluster-name"
	infoService       = "service-clear-std"
)

// exporterInfoCommands are the info commands to send a node to learn what
// the exporter would emit for it; namespace/<ns> follows for every
// namespace the answer to namespaces lists.
var exporterInfoCommands = []string{infoBuild, infoClusterName, infoService, infoNamespaces, infoStatistics, infoServiceConfig, infoLatencies}

// An exporterMetric is one metric name the exporter emits.
type exporterMetric struct {
	// context is the metric's context, such as namespace.
	context string
	// stat is the server's name the metric comes from, such as
	// storage-engine.stop-writes-used-pct, or a synthetic name.
	stat string
	// labels are the labels the exporter sets on it.
	labels []string
	// gauge is the metric's type: a gauge, or else a counter.
	gauge bool
	// nss are the values of label ns among its series.
	nss map[string]bool
}

// nodeUp is the one metric the exporter makes up rather than derives from a
// stat: aerospike_node_up, 1 when the last scrape reached asd and 0 when
// not, a gauge labelled cluster_name, service and build (nodeActiveDesc in
// processors/asprom_impl.go, NewAsPromImpl and Collect). It exists
// whatever the server says, so the tests take it from the exporter's
// source, not from a server. aerospike_node_ticks, a counter of scrapes
// made there too, is left out: the dashboard has no use for it.
const nodeUp = "aerospike_node_up"

// exporterMetrics returns, by name, the metrics the exporter emits for a
// node whose answers to exporterInfoCommands (and namespace/<ns>) are info.
func exporterMetrics(info map[string]string) map[string]*exporterMetric {
	ms := metricSet{
		nodeUp: {context: "node", stat: "up", labels: []string{"cluster_name", "service", "build"}, gauge: true},
	}
	ms.addNodeStats(info)
	ms.addNamespaceStats(info)
	ms.addLatencies(info)
	return ms
}

// metricSet holds the exporter's metrics by name.
type metricSet map[string]*exporterMetric

// add records a series of stat in context, with labels, for namespace ns
// ("" for none).
func (ms metricSet) add(context, stat string, labels []string, ns string) {
	name := metricName(context, stat)
	if !validMetricName.MatchString(name) {
		// prometheus.MustNewConstMetric panics on such a name, and
		// PushToPrometheus recovers and drops the metric.
		return
	}
	m, ok := ms[name]
	if !ok {
		m = &exporterMetric{context: context, stat: stat, labels: labels, gauge: isGauge(context, stat), nss: map[string]bool{}}
		ms[name] = m
	}
	if ns != "" || slices.Contains(labels, "ns") {
		m.nss[ns] = true
	}
}

// addNodeStats mirrors watcher_node_stats.go, Refresh and handleRefresh:
// the service config and the statistics, every value a number or a bool.
func (ms metricSet) addNodeStats(info map[string]string) {
	for _, cmd := range []string{infoServiceConfig, infoStatistics} {
		for stat, v := range parseStats(info[cmd], ";") {
			if tryConvert(v) {
				ms.add(ctxNodeStats, stat, []string{"cluster_name", "service"}, "")
			}
		}
	}
}

// addNamespaceStats mirrors watcher_namespaces.go, refreshNamespaceStats.
// (index-pressure is only asked of flash index namespaces, and
// roster:namespace= of strong-consistency ones: neither in community.)
func (ms metricSet) addNamespaceStats(info map[string]string) {
	for _, ns := range strings.Split(info[infoNamespaces], ";") {
		if ns == "" {
			continue
		}
		stats := parseStats(info[infoNamespace+ns], ";")
		for stat, v := range stats {
			if !tryConvert(v) {
				continue
			}
			if name, labels, ok := namespaceMetric(stat, stats); ok {
				ms.add(ctxNamespace, name, labels, ns)
			}
		}
	}
}

// namespaceMetric mirrors watcher_namespaces.go's handleArrayStats: the
// name and labels of the metric of stat in a namespace whose statistics
// are stats, and false when the exporter skips stat.
func namespaceMetric(stat string, stats map[string]string) (string, []string, bool) {
	name := stat
	labels := []string{"cluster_name", "service", "ns"}
	kind, array := persistenceType(stat)
	if array {
		g := arrayStat[kind].FindStringSubmatch(stat)
		if g == nil {
			return "", nil, false // handleArrayStats returns "" and the stat is skipped
		}
		name = kind + "_" + g[1] + "_" + g[3]
		labels = []string{"cluster_name", "service", "ns", g[1] + "_index", g[1]}
	}
	switch {
	case strings.HasPrefix(kind, "index-type") && stats["index-type"] != "":
		labels = append(labels, "index")
	case strings.HasPrefix(kind, "sindex-type") && stats["sindex-type"] != "":
		labels = append(labels, "sindex")
	case stats["storage-engine"] != "":
		labels = append(labels, "storage_engine")
	}
	return name, labels, true
}

// addLatencies mirrors watcher_latency.go, parseSingleLatenciesKey: per
// histogram <op>_<unit>_bucket (with le) and <op>_<unit>_count. Servers
// from 5.1 answer latencies:; the per-benchmark latencies:hist= commands
// only add histograms a namespace enables with enable-benchmarks-*. These
// metrics depend on traffic as well as on the exporter: a histogram has
// data only after the server's ticker has seen operations, and its unit is
// ms unless the server sets microsecond-histograms (then us).
func (ms metricSet) addLatencies(info map[string]string) {
	for _, h := range parseLatencies(info[infoLatencies]) {
		ms.add(ctxLatencies, h.op+"_"+h.unit+"_bucket", []string{"cluster_name", "service", "ns", "le"}, h.ns)
		ms.add(ctxLatencies, h.op+"_"+h.unit+"_count", []string{"cluster_name", "service", "ns"}, h.ns)
	}
}

// metricName is processors/asprom_impl.go's makePromMetric:
// QualifyMetricContext ("aerospike_" + context, commons/aerospike_stat.go)
// + "_" + NormalizeMetric(stat), which replaces '.', '-' and ' ' by '_'
// (processors/processors_utils.go).
func metricName(context, stat string) string {
	return "aerospike_" + context + "_" + strings.NewReplacer(".", "_", "-", "_", " ", "_").Replace(stat)
}

// validMetricName is the metric name rule of the Prometheus client the
// exporter is built with (client_golang's legacy validation, model.IsValidMetricName).
var validMetricName = regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*$`)

// parseStats is commons/utils.go's ParseStats: k=v pairs split by sep, a
// value keeping any further '='.
func parseStats(s, sep string) map[string]string {
	stats := map[string]string{}
	for _, kv := range strings.Split(s, sep) {
		if k, v, ok := strings.Cut(kv, "="); ok {
			stats[k] = v
		}
	}
	return stats
}

// tryConvert reports whether commons/utils.go's TryConvert takes s: a
// float or a bool makes a metric; anything else does not. The value is of
// no use here, only which stats become metrics.
func tryConvert(s string) bool {
	if _, err := strconv.ParseFloat(s, 64); err == nil {
		return true
	}
	_, err := strconv.ParseBool(s)
	return err == nil
}

// arrayStat is watcher_namespaces.go's regexToExtractArrayStats.
var arrayStat = map[string]*regexp.Regexp{
	"storage-engine": regexp.MustCompile(`storage\-engine\.(?P<type>file|device|stripe)\[(?P<idx>\d+)\]\.(?P<metric>.+)`),
	"index-type":     regexp.MustCompile(`index\-type\.(?P<type>mount)\[(?P<idx>\d+)\]\.(?P<metric>.+)`),
	"sindex-type":    regexp.MustCompile(`sindex\-type\.(?P<type>mount)\[(?P<idx>\d+)\]\.(?P<metric>.+)`),
}

// persistenceType is watcher_namespaces.go's checkStatPersistanceType.
func persistenceType(stat string) (string, bool) {
	for _, kind := range []string{"index-type", "sindex-type", "storage-engine"} {
		if strings.HasPrefix(stat, kind) {
			return kind, strings.Contains(stat, "[")
		}
	}
	return "", false
}

// isGauge is watcher_utils.go's GetMetricType: latencies (and users) are
// gauges; so is a stat with a '-' once "storage-engine" is cut out (a
// configuration value), and one the exporter's configs/gauge_stats_list.toml
// lists for its context; every other stat is a counter.
func isGauge(context, stat string) bool {
	if context == ctxLatencies {
		return true
	}
	if strings.Contains(strings.ReplaceAll(stat, "storage-engine", ""), "-") {
		return true
	}
	return gaugeStats[context][stat]
}

// gaugeStats are the stats the dashboard uses that the exporter's
// configs/gauge_stats_list.toml (node_gauge_stats, namespace_gauge_stats)
// lists as gauges; it is not the whole list. A stat missing here counts
// as a counter, so a new panel's gauge fails the rate() check in
// TestDashboardMatchesExporter until it is added here, after a look at
// that file.
var gaugeStats = map[string]map[string]bool{
	ctxNodeStats: setOf(
		"client_connections", "cluster_integrity", "cluster_size", "heap_efficiency_pct",
		"migrate_partitions_remaining", "process_cpu_pct", "system_free_mem_pct",
		"system_total_cpu_pct", "uptime",
	),
	ctxNamespace: setOf(
		"clock_skew_stop_writes", "data_avail_pct", "data_total_bytes", "data_used_bytes",
		"data_used_pct", "dead_partitions", "hwm_breached", "index_used_bytes", "master_objects",
		"migrate_rx_partitions_remaining", "migrate_tx_partitions_remaining", "objects",
		"prole_objects", "sindex_used_bytes", "stop_writes", "unavailable_partitions",
	),
}

func setOf(s ...string) map[string]bool {
	m := make(map[string]bool, len(s))
	for _, x := range s {
		m[x] = true
	}
	return m
}

// A histogram is one section of a latencies: answer that has data.
type histogram struct {
	ns, op, unit string
}

// parseLatencies is watcher_latency.go / latency_info_parser.go's
// parseLatencyInfo with readNamespaceAndOperation: sections split by ';',
// each "{ns}-op:unit,values..." or "op:unit,values..." (batch-index, no
// namespace); a section without data ("{ns}-op:") yields no metric, and
// the unit loses "ec" (msec → ms, usec → us).
func parseLatencies(s string) []histogram {
	var hs []histogram
	for _, sec := range strings.Split(s, ";") {
		head, data, ok := strings.Cut(sec, ":")
		if !ok || data == "" {
			continue
		}
		var h histogram
		if rest, ok := strings.CutPrefix(head, "{"); ok {
			ns, op, ok := strings.Cut(rest, "}-")
			if !ok {
				continue
			}
			h.ns, h.op = ns, op
		} else if strings.HasPrefix(head, "batch-index") {
			h.op = head
		} else {
			continue
		}
		unit, values, ok := strings.Cut(data, ",")
		if !ok {
			continue
		}
		if _, err := strconv.ParseFloat(strings.Split(values, ",")[0], 64); err != nil {
			continue // parseLatencyInfo stops on an unparsable ops/sec
		}
		h.unit = strings.TrimSuffix(unit, "ec")
		hs = append(hs, h)
	}
	return hs
}
