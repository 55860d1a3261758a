package dashboard

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	as "github.com/aerospike/aerospike-client-go/v8"

	harness "github.com/xp-aerospike/xp-aerospike/test/aerospike"
)

// serverVersions are the Aerospike servers the project ships and tests.
var serverVersions = []string{"8.0.0.15", "8.1.2.0"}

// targetLabels are the labels Prometheus gives every series it scrapes from
// a pod through a ServiceMonitor or PodMonitor of the Prometheus operator,
// besides the exporter's own. (The exporter's service label collides with
// the target label service, so the dashboard uses neither; see
// TestDashboardQueriesExporterMetricsOnly.)
var targetLabels = []string{"namespace", "pod", "instance", "job", "container", "endpoint"}

// TestDashboardMatchesExporter boots a real server of every shipped
// version, with a memory and a file-backed namespace and some traffic,
// reads its statistics with the info commands the exporter sends, and
// checks that every metric the dashboard queries is one the exporter
// (mirrored in exporter_test.go) emits for that server: for each of its
// namespaces when the metric is per namespace, with the labels the query
// selects, groups by and names in its legend, and under rate() exactly
// when it is a counter.
func TestDashboardMatchesExporter(t *testing.T) {
	m := parseModel(t, []byte(JSON()))
	for _, v := range serverVersions {
		t.Run(v, func(t *testing.T) {
			t.Parallel()
			harness.RequireBinary(t, v)
			c := harness.Start(t, harness.Options{Version: v, Namespaces: []harness.Namespace{
				{Name: "mem", ReplicationFactor: 1},
				{Name: "disk", ReplicationFactor: 1, Persistent: true},
			}})
			info := exporterView(t, c)
			metrics := exporterMetrics(info)
			t.Logf("asd %s: the exporter would emit %d metric names", info[infoBuild], len(metrics))

			if problems := check(t, m, metrics, c.Namespaces()); len(problems) > 0 {
				t.Errorf("asd %s: the dashboard does not match what the exporter emits:\n%s", v, strings.Join(problems, "\n"))
			}

			// The check fails a dashboard that names a stat the server
			// does not have: memory_used_bytes, which 7.0 replaced by
			// data_used_bytes.
			sabotaged := parseModel(t, []byte(strings.ReplaceAll(JSON(), "aerospike_namespace_data_used_bytes", "aerospike_namespace_memory_used_bytes")))
			if problems := check(t, sabotaged, metrics, c.Namespaces()); !slices.ContainsFunc(problems, func(p string) bool {
				return strings.Contains(p, `"aerospike_namespace_memory_used_bytes" is not a metric`)
			}) {
				t.Errorf("a dashboard naming aerospike_namespace_memory_used_bytes passed the check; problems: %q", problems)
			}
		})
	}
}

// exporterView writes, reads, misses and deletes records in every
// namespace of c until the server's read and write latency histograms have
// data, then returns the node's answers to the info commands the exporter
// sends.
func exporterView(t *testing.T, c *harness.Cluster) map[string]string {
	t.Helper()
	n := c.Nodes()[0]
	shortenTicker(t, n)
	waitForLatencies(t, n, c.Client(), c.Namespaces())
	return exporterInfo(t, n)
}

// shortenTicker makes n's histograms gain data sooner: they do at the
// server's ticker (every 10 s by default), and the first tick after start
// is skipped.
func shortenTicker(t *testing.T, n *harness.Node) {
	t.Helper()
	const cmd = "set-config:context=service;ticker-interval=1"
	if res, err := n.Info(cmd); err != nil || !strings.HasPrefix(res[cmd], "ok") {
		t.Logf("cannot shorten ticker-interval (%v, %q): waiting for the default", err, res)
	}
}

// waitForLatencies sends traffic to every namespace of nss until n's read
// and write latency histograms of each have data.
func waitForLatencies(t *testing.T, n *harness.Node, cl *as.Client, nss []string) {
	t.Helper()
	want := map[histogram]bool{}
	for _, ns := range nss {
		want[histogram{ns: ns, op: "read", unit: "ms"}] = true
		want[histogram{ns: ns, op: "write", unit: "ms"}] = true
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		for _, ns := range nss {
			traffic(t, cl, ns)
		}
		res, err := n.Info(infoLatencies)
		if err != nil {
			t.Fatal(err)
		}
		missing := maps.Clone(want)
		for _, h := range parseLatencies(res[infoLatencies]) {
			delete(missing, h)
		}
		if len(missing) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no latency data after 60 s of traffic for %v; latencies: %q", slices.Collect(maps.Keys(missing)), res[infoLatencies])
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// traffic writes, reads, misses and deletes records in namespace ns.
func traffic(t *testing.T, cl *as.Client, ns string) {
	t.Helper()
	for i := range 20 {
		k, err := as.NewKey(ns, "dashboard", i)
		if err != nil {
			t.Fatal(err)
		}
		if err := cl.Put(nil, k, as.BinMap{"v": i}); err != nil {
			t.Fatalf("cannot write to %s: %v", ns, err)
		}
		if _, err := cl.Get(nil, k); err != nil {
			t.Fatalf("cannot read from %s: %v", ns, err)
		}
	}
	missing, _ := as.NewKey(ns, "dashboard", "missing")
	if _, err := cl.Get(nil, missing); err == nil {
		t.Fatalf("%s: a record never written was found", ns)
	}
	gone, _ := as.NewKey(ns, "dashboard", 0)
	if _, err := cl.Delete(nil, gone); err != nil {
		t.Fatalf("cannot delete from %s: %v", ns, err)
	}
}

// exporterInfo returns n's answers to the info commands the exporter
// sends, namespace/<ns> for each of its namespaces included.
func exporterInfo(t *testing.T, n *harness.Node) map[string]string {
	t.Helper()
	info, err := n.Info(exporterInfoCommands...)
	if err != nil {
		t.Fatal(err)
	}
	var nsCmds []string
	for ns := range strings.SplitSeq(info[infoNamespaces], ";") {
		nsCmds = append(nsCmds, infoNamespace+ns)
	}
	nsInfo, err := n.Info(nsCmds...)
	if err != nil {
		t.Fatal(err)
	}
	maps.Copy(info, nsInfo)
	for cmd, v := range info {
		if strings.HasPrefix(v, "ERROR") || (v == "" && cmd != infoLatencies) {
			t.Fatalf("info %q answered %q", cmd, v)
		}
	}
	return info
}

// check returns what is wrong with m's queries for a server whose exporter
// emits metrics and which has the namespaces nss, one line per problem,
// sorted.
func check(t *testing.T, m model, metrics map[string]*exporterMetric, nss []string) []string {
	t.Helper()
	var problems []string
	for _, q := range m.queries(t) {
		r := readPromQL(q.expr)
		for _, name := range r.metrics {
			var ps []string
			if em, ok := metrics[name]; ok {
				ps = metricProblems(q, r, name, em, nss)
			} else {
				ps = []string{fmt.Sprintf("%q is not a metric the exporter emits for this server", name)}
			}
			for _, p := range ps {
				problems = append(problems, q.where+": "+p)
			}
		}
	}
	slices.Sort(problems)
	return slices.Compact(problems)
}

// metricProblems returns what is wrong with query q, read as r, using
// metric name, which the exporter emits as em.
func metricProblems(q query, r reading, name string, em *exporterMetric, nss []string) []string {
	var ps []string
	if slices.Contains(em.labels, "ns") {
		for _, ns := range nss {
			if !em.nss[ns] {
				ps = append(ps, fmt.Sprintf("%q: the exporter emits no series for namespace %q", name, ns))
			}
		}
	}
	ps = append(ps, labelProblems(q, r, name, em)...)
	switch {
	case em.gauge && r.rated[name]:
		ps = append(ps, fmt.Sprintf("%q is a gauge (from %q): rate() of it means nothing", name, em.stat))
	case !em.gauge && !r.rated[name]:
		ps = append(ps, fmt.Sprintf("%q is a counter (from %q): use rate() or increase(), or, if the exporter's gauge_stats_list.toml lists it, add it to gaugeStats", name, em.stat))
	}
	return ps
}

// labelProblems returns the labels q, read as r, selects on, groups by or
// names in its legend that metric name, emitted as em, lacks.
func labelProblems(q query, r reading, name string, em *exporterMetric) []string {
	has := func(l string) bool { return slices.Contains(em.labels, l) || slices.Contains(targetLabels, l) }
	var ps []string
	for _, l := range r.matched[name] {
		if !has(l) {
			ps = append(ps, fmt.Sprintf("%q has no label %q to select on (it has %v and the target labels)", name, l, em.labels))
		}
	}
	for _, l := range r.grouped {
		if !has(l) {
			ps = append(ps, fmt.Sprintf("%q has no label %q to group by (it has %v and the target labels)", name, l, em.labels))
		}
	}
	for _, l := range q.labels {
		if !has(l) || (len(r.grouped) > 0 && !slices.Contains(r.grouped, l)) {
			ps = append(ps, fmt.Sprintf("the result has no label %q for the legend or variable", l))
		}
	}
	return ps
}
