package dashboard

import (
	"bytes"
	"encoding/json"
	"flag"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite dashboard.json in canonical form (sorted keys, two-space indent)")

// TestDashboardJSONCanonical keeps dashboard.json in one form, so that a
// dashboard exported from Grafana and pasted in diffs only where it
// changed. To rewrite it: go test ./function/internal/dashboard -run Canonical -update
func TestDashboardJSONCanonical(t *testing.T) {
	var v any
	d := json.NewDecoder(strings.NewReader(JSON()))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		t.Fatalf("dashboard.json is not JSON: %v", err)
	}
	var want bytes.Buffer
	e := json.NewEncoder(&want)
	e.SetEscapeHTML(false)
	e.SetIndent("", "  ")
	if err := e.Encode(v); err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile("dashboard.json", want.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if want.String() != JSON() {
		t.Error("dashboard.json is not in canonical form (sorted keys, two-space indent); rewrite it with -update")
	}
}

func TestDashboardJSON(t *testing.T) {
	m := parseModel(t, []byte(JSON()))

	if m.UID == "" || m.Title == "" {
		t.Errorf("uid %q, title %q: a provisioned dashboard needs both", m.UID, m.Title)
	}
	if m.SchemaVersion < 36 {
		t.Errorf("schemaVersion %d: want 36 or later, where a panel's datasource is a {type, uid} reference", m.SchemaVersion)
	}

	var dsVars []variable
	for _, v := range m.Templating.List {
		if v.Name == datasourceVariable {
			dsVars = append(dsVars, v)
		}
	}
	if len(dsVars) != 1 {
		t.Fatalf("want one template variable %q, have %d", datasourceVariable, len(dsVars))
	}
	var plugin string
	if err := json.Unmarshal(dsVars[0].Query, &plugin); err != nil || dsVars[0].Type != "datasource" || plugin != "prometheus" {
		t.Errorf("variable %q: type %q query %s, want a datasource variable of the prometheus plugin", datasourceVariable, dsVars[0].Type, dsVars[0].Query)
	}
	wantDS := datasource{Type: "prometheus", UID: "${" + datasourceVariable + "}"}
	for _, v := range m.Templating.List {
		if v.Type == "query" && (v.Datasource == nil || *v.Datasource != wantDS) {
			t.Errorf("variable %q: datasource %+v, want %+v", v.Name, v.Datasource, wantDS)
		}
	}

	ids := map[int]string{}
	targets := 0
	for _, p := range m.allPanels() {
		if p.ID <= 0 {
			t.Errorf("panel %q: id %d, want a positive id", p.Title, p.ID)
		}
		if other, dup := ids[p.ID]; dup {
			t.Errorf("panel %q: id %d is also panel %q's", p.Title, p.ID, other)
		}
		ids[p.ID] = p.Title
		if p.Type == "row" {
			continue
		}
		if p.Datasource == nil || *p.Datasource != wantDS {
			t.Errorf("panel %d %q: datasource %+v, want %+v", p.ID, p.Title, p.Datasource, wantDS)
		}
		if len(p.Targets) == 0 {
			t.Errorf("panel %d %q has no query", p.ID, p.Title)
		}
		refs := map[string]bool{}
		for _, tg := range p.Targets {
			targets++
			if tg.Datasource == nil || *tg.Datasource != wantDS {
				t.Errorf("panel %d %q target %s: datasource %+v, want %+v", p.ID, p.Title, tg.RefID, tg.Datasource, wantDS)
			}
			if tg.RefID == "" || refs[tg.RefID] {
				t.Errorf("panel %d %q: refId %q is empty or repeated", p.ID, p.Title, tg.RefID)
			}
			refs[tg.RefID] = true
			if strings.TrimSpace(tg.Expr) == "" {
				t.Errorf("panel %d %q target %s has no expression", p.ID, p.Title, tg.RefID)
			}
		}
	}
	if targets == 0 {
		t.Fatal("the dashboard has no queries")
	}
}

// TestDashboardQueriesExporterMetricsOnly: every query names metrics of the
// exporter only, and no query selects on the exporter's service label,
// which a ServiceMonitor without honorLabels renames to exported_service
// (Prometheus' own service target label, the Kubernetes Service's name,
// takes its place). Which metrics exist is TestDashboardMatchesExporter's
// question.
func TestDashboardQueriesExporterMetricsOnly(t *testing.T) {
	m := parseModel(t, []byte(JSON()))
	for _, q := range m.queries(t) {
		r := readPromQL(q.expr)
		if len(r.metrics) == 0 {
			t.Errorf("%s: %q names no metric", q.where, q.expr)
		}
		for _, name := range r.metrics {
			if !strings.HasPrefix(name, "aerospike_") {
				t.Errorf("%s: %q is not a metric of the Aerospike exporter", q.where, name)
			}
		}
		for _, ls := range r.matched {
			if slices.Contains(ls, "service") {
				t.Errorf("%s: %q selects on label service, which a ServiceMonitor renames; use pod", q.where, q.expr)
			}
		}
	}
}

func TestConfigMap(t *testing.T) {
	labels := map[string]string{"app.kubernetes.io/name": "aerospike", LabelKey: "0"}
	cm := ConfigMap("orders-dashboard", "team-a", labels)

	if cm.Name != "orders-dashboard" || cm.Namespace != "team-a" {
		t.Errorf("name %s/%s, want team-a/orders-dashboard", cm.Namespace, cm.Name)
	}
	want := map[string]string{"app.kubernetes.io/name": "aerospike", "grafana_dashboard": "1"}
	if diff := cmp.Diff(want, cm.Labels); diff != "" {
		t.Errorf("labels: the discovery label must be set and win -want +got:\n%s", diff)
	}
	if labels[LabelKey] != "0" {
		t.Error("ConfigMap changed the caller's labels map")
	}
	if diff := cmp.Diff([]string{"aerospike.json"}, slices.Sorted(maps.Keys(cm.Data))); diff != "" {
		t.Errorf("data keys -want +got:\n%s", diff)
	}
	if cm.Data[Key] != JSON() {
		t.Error("the ConfigMap's dashboard differs from the embedded dashboard.json")
	}
	if again := ConfigMap("orders-dashboard", "team-a", labels); !cmp.Equal(cm, again) {
		t.Error("two calls with the same arguments returned different ConfigMaps")
	}
	if bare := ConfigMap("d", "ns", nil); bare.Labels[LabelKey] != LabelValue {
		t.Errorf("with nil labels: labels %v, want the discovery label", bare.Labels)
	}
}

func TestReadPromQL(t *testing.T) {
	cases := map[string]struct {
		reason string
		expr   string
		want   reading
	}{
		"Selector": {
			reason: "A metric with matchers: the labels the matchers use, none of their values.",
			expr:   `aerospike_node_stats_client_connections{namespace=~"$namespace",pod!="a,b=c"}`,
			want: reading{
				metrics: []string{"aerospike_node_stats_client_connections"},
				matched: map[string][]string{"aerospike_node_stats_client_connections": {"namespace", "pod"}},
				rated:   map[string]bool{},
			},
		},
		"RateGrouped": {
			reason: "An aggregation by labels of a rate over a Grafana range variable.",
			expr:   `sum by (ns) (rate(aerospike_namespace_client_read_success{ns=~"$ns"}[$__rate_interval]))`,
			want: reading{
				metrics: []string{"aerospike_namespace_client_read_success"},
				matched: map[string][]string{"aerospike_namespace_client_read_success": {"ns"}},
				grouped: []string{"ns"},
				rated:   map[string]bool{"aerospike_namespace_client_read_success": true},
			},
		},
		"Quantile": {
			reason: "histogram_quantile's number is no metric; by (ns, le) groups two labels.",
			expr:   `histogram_quantile(0.99, sum by (ns, le) (aerospike_latencies_read_ms_bucket))`,
			want: reading{
				metrics: []string{"aerospike_latencies_read_ms_bucket"},
				matched: map[string][]string{},
				grouped: []string{"ns", "le"},
				rated:   map[string]bool{},
			},
		},
		"Arithmetic": {
			reason: "Both sides of a binary operation are read; a bare metric has no matchers.",
			expr:   `100 - max(aerospike_namespace_stop_writes_sys_memory_pct) / aerospike_node_up`,
			want: reading{
				metrics: []string{"aerospike_namespace_stop_writes_sys_memory_pct", "aerospike_node_up"},
				matched: map[string][]string{},
				rated:   map[string]bool{},
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := readPromQL(tc.expr)
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(reading{})); diff != "" {
				t.Errorf("%s\nreadPromQL(%q) -want +got:\n%s", tc.reason, tc.expr, diff)
			}
		})
	}
}
