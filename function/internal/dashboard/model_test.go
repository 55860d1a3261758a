package dashboard

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The parts of Grafana's dashboard JSON model the tests check.
type model struct {
	UID           string `json:"uid"`
	Title         string `json:"title"`
	SchemaVersion int    `json:"schemaVersion"`
	Panels        []panel
	Templating    struct {
		List []variable `json:"list"`
	} `json:"templating"`
}

type panel struct {
	ID         int         `json:"id"`
	Type       string      `json:"type"`
	Title      string      `json:"title"`
	Datasource *datasource `json:"datasource"`
	Targets    []target    `json:"targets"`
	// Panels are those of a collapsed row.
	Panels []panel `json:"panels"`
}

type target struct {
	Datasource   *datasource `json:"datasource"`
	Expr         string      `json:"expr"`
	LegendFormat string      `json:"legendFormat"`
	RefID        string      `json:"refId"`
}

type datasource struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

type variable struct {
	Name       string          `json:"name"`
	Type       string          `json:"type"`
	Datasource *datasource     `json:"datasource"`
	Query      json.RawMessage `json:"query"`
}

// datasourceVariable is the template variable every panel and query must
// use, so that one dashboard works with whichever Prometheus a user picks.
const datasourceVariable = "datasource"

func parseModel(t *testing.T, b []byte) model {
	t.Helper()
	var m model
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("cannot parse the dashboard JSON: %v", err)
	}
	return m
}

// allPanels returns every panel, those inside collapsed rows too.
func (m model) allPanels() []panel {
	var out []panel
	var walk func(ps []panel)
	walk = func(ps []panel) {
		for _, p := range ps {
			out = append(out, p)
			walk(p.Panels)
		}
	}
	walk(m.Panels)
	return out
}

// A query is one PromQL expression of the dashboard and the labels its
// result must carry: a legend's {{label}}s, or the label a label_values
// variable lists.
type query struct {
	where  string
	expr   string
	labels []string
}

var (
	legendLabel = regexp.MustCompile(`\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}`)
	labelValues = regexp.MustCompile(`^label_values\((.*),\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\)$`)
)

// queries returns every PromQL expression of the dashboard: the panels'
// targets and the query variables' label_values.
func (m model) queries(t *testing.T) []query {
	t.Helper()
	var qs []query
	for _, p := range m.allPanels() {
		for _, tg := range p.Targets {
			var ls []string
			for _, g := range legendLabel.FindAllStringSubmatch(tg.LegendFormat, -1) {
				ls = append(ls, g[1])
			}
			qs = append(qs, query{where: fmt.Sprintf("panel %d %q target %s", p.ID, p.Title, tg.RefID), expr: tg.Expr, labels: ls})
		}
	}
	for _, v := range m.Templating.List {
		if v.Type != "query" {
			continue
		}
		var q struct {
			Query string `json:"query"`
		}
		if err := json.Unmarshal(v.Query, &q); err != nil {
			t.Fatalf("variable %q: cannot parse its query: %v", v.Name, err)
		}
		g := labelValues.FindStringSubmatch(strings.TrimSpace(q.Query))
		if g == nil {
			t.Fatalf("variable %q: query %q is not label_values(<selector>, <label>)", v.Name, q.Query)
		}
		qs = append(qs, query{where: fmt.Sprintf("variable %q", v.Name), expr: g[1], labels: []string{g[2]}})
	}
	return qs
}

// A small reading of PromQL, enough for the dashboard's expressions: which
// metrics they name, with which label matchers, grouped by which labels,
// and which metrics sit directly inside rate() or increase(). It is not a
// parser (github.com/prometheus/prometheus would be a heavy dependency for
// one test); TestReadPromQL pins what it understands.
var (
	stringLiteral = regexp.MustCompile(`"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|` + "`[^`]*`")
	matchers      = regexp.MustCompile(`\{[^}]*\}`)
	rangeOrSub    = regexp.MustCompile(`\[[^\]]*\]`)
	grouping      = regexp.MustCompile(`\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)`)
	identifier    = regexp.MustCompile(`[a-zA-Z_:][a-zA-Z0-9_:]*`)
	number        = regexp.MustCompile(`\b\d+(?:\.\d+)?(?:e[+-]?\d+)?\b`)
	matcherLabel  = regexp.MustCompile(`([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)`)
	selector      = regexp.MustCompile(`([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\{[^}]*\})`)
	counterFunc   = regexp.MustCompile(`\b(?:rate|irate|increase)\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)`)
)

// promqlWords are PromQL's functions, aggregations and keywords: every
// other identifier outside braces, brackets and strings is a metric name.
var promqlWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`
		sum min max avg count group stddev stdvar topk bottomk quantile count_values limitk limit_ratio
		by without on ignoring group_left group_right and or unless bool offset atan2
		abs absent absent_over_time ceil changes clamp clamp_max clamp_min day_of_month day_of_week
		days_in_month delta deriv exp floor histogram_quantile holt_winters hour idelta increase irate
		label_join label_replace ln log2 log10 minute month predict_linear rate resets round scalar sgn
		sort sort_desc sqrt time timestamp vector year avg_over_time min_over_time max_over_time
		sum_over_time count_over_time quantile_over_time stddev_over_time stdvar_over_time
		last_over_time present_over_time inf nan`) {
		promqlWords[w] = true
	}
}

// A reading of one expression.
type reading struct {
	// metrics are the metric names, sorted, without duplicates.
	metrics []string
	// matched are, by metric, the label names its matchers use.
	matched map[string][]string
	// grouped are the labels of by(), without(), on() and ignoring().
	grouped []string
	// rated are the metrics directly inside rate(), irate() or increase().
	rated map[string]bool
}

func readPromQL(expr string) reading {
	r := reading{matched: map[string][]string{}, rated: map[string]bool{}}
	for _, g := range selector.FindAllStringSubmatch(expr, -1) {
		for _, l := range matcherLabel.FindAllStringSubmatch(stringLiteral.ReplaceAllString(g[2], `""`), -1) {
			r.matched[g[1]] = append(r.matched[g[1]], l[1])
		}
	}
	for _, g := range counterFunc.FindAllStringSubmatch(expr, -1) {
		r.rated[g[1]] = true
	}
	rest := stringLiteral.ReplaceAllString(expr, " ")
	rest = matchers.ReplaceAllString(rest, " ")
	rest = rangeOrSub.ReplaceAllString(rest, " ")
	for _, g := range grouping.FindAllStringSubmatch(rest, -1) {
		r.grouped = append(r.grouped, identifier.FindAllString(g[1], -1)...)
	}
	rest = grouping.ReplaceAllString(rest, " ")
	rest = number.ReplaceAllString(rest, " ")
	for _, id := range identifier.FindAllString(rest, -1) {
		if !promqlWords[id] && !slices.Contains(r.metrics, id) {
			r.metrics = append(r.metrics, id)
		}
	}
	slices.Sort(r.metrics)
	return r
}
