package namespaceconfig

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/test"

	"github.com/xp-aerospike/xp-aerospike/apis/provider/v1alpha1"
)

type fakeNodes struct {
	config map[string]string // node -> get-config answer
	sent   []string
	answer string
	// refuse, when set, answers a set-config instead of answer.
	refuse func(cmd string) string
}

func (f *fakeNodes) InfoAll(cmds ...string) (map[string]map[string]string, error) {
	out := map[string]map[string]string{}
	for node, conf := range f.config {
		out[node] = map[string]string{"build": "8.1.2.0", cmds[1]: conf}
	}
	return out, nil
}

func (f *fakeNodes) Info(node string, cmds ...string) (map[string]string, error) {
	f.sent = append(f.sent, node+" "+cmds[0])
	if f.refuse != nil {
		return map[string]string{cmds[0]: f.refuse(cmds[0])}, nil
	}
	return map[string]string{cmds[0]: f.answer}, nil
}

func dynamic(_, k string) (bool, error) { return k != "replication-factor", nil }

func nc(settings map[string]string) *v1alpha1.NamespaceConfig {
	return &v1alpha1.NamespaceConfig{Spec: v1alpha1.NamespaceConfigSpec{ForProvider: v1alpha1.NamespaceConfigParameters{Namespace: "orders", Settings: settings}}}
}

func TestObserve(t *testing.T) {
	both := func(a, b string) map[string]string { return map[string]string{"A": a, "B": b} }
	cases := map[string]struct {
		reason   string
		config   map[string]string
		settings map[string]string
		upToDate bool
		err      error
	}{
		"UpToDate":   {reason: "every node has the values", config: both("default-ttl=60;storage-engine.defrag-lwm-pct=60", "default-ttl=60;storage-engine.defrag-lwm-pct=60"), settings: map[string]string{"default-ttl": "60", "storage-engine.defrag-lwm-pct": "60"}, upToDate: true},
		"OneNode":    {reason: "one node differs: set-config reached one node only", config: both("default-ttl=60", "default-ttl=0"), settings: map[string]string{"default-ttl": "60"}},
		"Static":     {reason: "a setting that needs a restart is refused", config: both("replication-factor=2", "replication-factor=2"), settings: map[string]string{"replication-factor": "3"}, err: errors.New(`"replication-factor" cannot change while server 8.1.2.0 runs: it needs a restart; set it in the AerospikeDatabase's spec.aerospikeConfig instead, which rolls the pods one at a time`)},
		"Unknown":    {reason: "a setting the server does not report", config: both("default-ttl=0", "default-ttl=0"), settings: map[string]string{"nope": "1"}, err: errors.New(`node A (server 8.1.2.0) reports no setting "nope" for namespace "orders"; check its name as get-config shows it, for example storage-engine.defrag-lwm-pct`)},
		"NoNamespce": {reason: "a namespace the cluster lacks", config: both("ERROR::namespace not found", "ERROR::namespace not found"), settings: map[string]string{"default-ttl": "1"}, err: errors.New(`node A has no namespace "orders": ERROR::namespace not found`)},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			n := nc(tc.settings)
			got, err := (&external{nodes: &fakeNodes{config: tc.config}, dynamic: dynamic}).Observe(context.Background(), n)
			if diff := cmp.Diff(tc.err, err, test.EquateErrors()); diff != "" {
				t.Fatalf("%s: Observe() error -want +got:\n%s", tc.reason, diff)
			}
			if tc.err != nil {
				return
			}
			if !got.ResourceExists || got.ResourceUpToDate != tc.upToDate {
				t.Errorf("%s: exists %v up to date %v, want true %v", tc.reason, got.ResourceExists, got.ResourceUpToDate, tc.upToDate)
			}
		})
	}
}

// TestUpdateSetsEachNodeThatDiffers: set-config goes to the nodes that need
// it, with the setting's set-config name.
func TestUpdateSetsEachNodeThatDiffers(t *testing.T) {
	f := &fakeNodes{config: map[string]string{"A": "default-ttl=60;storage-engine.defrag-lwm-pct=50", "B": "default-ttl=0;storage-engine.defrag-lwm-pct=60"}, answer: "ok"}
	e := &external{nodes: f, dynamic: dynamic}
	n := nc(map[string]string{"default-ttl": "60", "storage-engine.defrag-lwm-pct": "60"})
	if _, err := e.Observe(context.Background(), n); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Update(context.Background(), n); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"A set-config:context=namespace;id=orders;defrag-lwm-pct=60",
		"B set-config:context=namespace;id=orders;default-ttl=60",
	}
	if diff := cmp.Diff(want, f.sent); diff != "" {
		t.Errorf("Update(): -want +got:\n%s", diff)
	}
	f.answer = "ERROR:4:invalid set-config parameter"
	f.sent = nil
	if _, err := e.Update(context.Background(), n); err == nil || !strings.Contains(err.Error(), "refused") {
		t.Errorf("a refused set-config must be an error naming the node: %v", err)
	}
}

// TestUpdateOrdersDependentSettings: the server refuses a non-zero
// default-ttl while nsup-period is 0, and default-ttl sorts first; one
// Update still sets both, retrying what was refused once the other took.
func TestUpdateOrdersDependentSettings(t *testing.T) {
	nsup := false
	f := &fakeNodes{config: map[string]string{"A": "default-ttl=0;nsup-period=0"}, refuse: func(cmd string) string {
		switch {
		case strings.HasSuffix(cmd, "nsup-period=120"):
			nsup = true
		case strings.HasSuffix(cmd, "default-ttl=60") && !nsup:
			return "ERROR:4:invalid set-config parameter"
		}
		return "ok"
	}}
	e := &external{nodes: f, dynamic: dynamic}
	n := nc(map[string]string{"default-ttl": "60", "nsup-period": "120"})
	if _, err := e.Observe(context.Background(), n); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Update(context.Background(), n); err != nil {
		t.Fatalf("Update(): %v, want both settings set in one update", err)
	}
	want := []string{
		"A set-config:context=namespace;id=orders;default-ttl=60",
		"A set-config:context=namespace;id=orders;nsup-period=120",
		"A set-config:context=namespace;id=orders;default-ttl=60",
	}
	if diff := cmp.Diff(want, f.sent); diff != "" {
		t.Errorf("Update(): -want +got:\n%s", diff)
	}
}

func TestSchemaDynamic(t *testing.T) {
	cases := map[string]bool{"default-ttl": true, "replication-factor": false, "storage-engine.defrag-lwm-pct": true, "storage-engine.data-size": false, "no-such-thing": false}
	for setting, want := range cases {
		got, err := SchemaDynamic("8.1.2.0", setting)
		if err != nil || got != want {
			t.Errorf("SchemaDynamic(8.1.2.0, %q) = %v, %v; want %v", setting, got, err, want)
		}
	}
	if _, err := SchemaDynamic("6.4.0.0", "default-ttl"); err == nil {
		t.Error("a server older than the schemas must be an error")
	}
}
