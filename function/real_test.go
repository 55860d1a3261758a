package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	as "github.com/aerospike/aerospike-client-go/v8"
	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/runtime"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"

	providerv1alpha1 "github.com/xp-aerospike/xp-aerospike/apis/provider/v1alpha1"
	"github.com/xp-aerospike/xp-aerospike/function/internal/workload"
	"github.com/xp-aerospike/xp-aerospike/provider/aerospike"
	"github.com/xp-aerospike/xp-aerospike/provider/controllers/loglevels"
	"github.com/xp-aerospike/xp-aerospike/provider/controllers/namespaceconfig"
	harness "github.com/xp-aerospike/xp-aerospike/test/aerospike"
	"github.com/xp-aerospike/xp-aerospike/test/realtest"
	"github.com/xp-aerospike/xp-aerospike/test/testenv"
)

// TestRealLiveSettingRestartsNothing: a default-ttl edit on a running
// database goes from the function, through the NamespaceConfig it
// composes, to every real node with set-config; no process restarts, the
// cluster never changes membership, the pod templates stay as they were,
// and records written before keep their data.
func TestRealLiveSettingRestartsNothing(t *testing.T) {
	const nodes = 2
	xr := exampleXR(t, "minimal-community")
	spec := xr["spec"].(map[string]any)
	spec["size"] = nodes
	ns := spec["namespaces"].([]any)[0].(map[string]any)
	ns["defaultTTL"] = "90d"
	namespace := ns["name"].(string)

	observed := settled(t, xr)
	c := harness.BootCluster(t, []byte(onlyConf(t, observed)), spec["version"].(string), nodes)

	keys := make([]*as.Key, 500)
	for i := range keys {
		keys[i], _ = as.NewKey(namespace, "live", i)
		if err := c.Client().Put(nil, keys[i], as.BinMap{"v": i}); err != nil {
			t.Fatal(err)
		}
	}
	pids, clusterKey := processes(t, c)

	ns["defaultTTL"] = "30d"
	rsp := restartsNothing(t, xr, observed, "a live setting")

	// What the provider does with the composed NamespaceConfig: observe
	// every node, set what differs, until every node holds it.
	nc := composedNamespaceConfig(t, rsp, namespace)
	if got := nc.Spec.ForProvider.Settings["default-ttl"]; got != "2592000" {
		t.Fatalf("the NamespaceConfig sets default-ttl %q, want 2592000 (30d)", got)
	}
	e := namespaceconfig.NewExternal(realtest.Dial(t, c), namespaceconfig.SchemaDynamic, func() {})
	realtest.Converge(t, 30*time.Second, e, nc)

	for _, n := range c.Nodes() {
		st, err := n.Info("get-config:context=namespace;id=" + namespace)
		if err != nil {
			t.Fatal(err)
		}
		got := aerospike.ParseStats(st["get-config:context=namespace;id="+namespace])["default-ttl"]
		if got != "2592000" {
			t.Errorf("node %s reports default-ttl=%s, want 2592000", n.Name(), got)
		}
	}
	afterPIDs, afterKey := processes(t, c)
	if diff := cmp.Diff(pids, afterPIDs); diff != "" {
		t.Errorf("a live setting restarted a node (process ids -before +after):\n%s", diff)
	}
	if afterKey != clusterKey {
		t.Errorf("cluster_key changed from %s to %s: a node left or joined during a live change", clusterKey, afterKey)
	}
	recs, err := c.Client().BatchGet(nil, keys)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range recs {
		if r == nil || r.Bins["v"] != i {
			t.Fatalf("record %d lost after a live change: %v", i, r)
		}
	}
}

// restartsNothing renders xr over observed and fails t, naming the change
// as what, when a StatefulSet's spec differs from the observed one: that
// would restart pods.
func restartsNothing(t *testing.T, xr map[string]any, observed map[string]map[string]any, what string) *fnv1.RunFunctionResponse {
	t.Helper()
	rsp := run(t, newRequest(t, xr, observed))
	if f := fatals(rsp); len(f) > 0 {
		t.Fatal(f)
	}
	for name, r := range rsp.GetDesired().GetResources() {
		if o := r.GetResource().AsMap(); o["kind"] == "StatefulSet" {
			if diff := cmp.Diff(observed[name]["spec"], o["spec"]); diff != "" {
				t.Errorf("%s: %s changed the StatefulSet, which restarts pods -observed +desired:\n%s", name, what, diff)
			}
		}
	}
	return rsp
}

// onlyConf returns the aerospike.conf of a database with one rack.
func onlyConf(t *testing.T, observed map[string]map[string]any) string {
	t.Helper()
	for _, o := range observed {
		if o["kind"] != "ConfigMap" {
			continue
		}
		data := o["data"].(map[string]any)
		if len(data) != 1 {
			t.Fatalf("want one aerospike.conf, the ConfigMap holds %d", len(data))
		}
		for _, conf := range data {
			return conf.(string)
		}
	}
	t.Fatal("no ConfigMap composed")
	return ""
}

func composedNamespaceConfig(t *testing.T, rsp *fnv1.RunFunctionResponse, namespace string) *providerv1alpha1.NamespaceConfig {
	t.Helper()
	for _, r := range rsp.GetDesired().GetResources() {
		o := r.GetResource().AsMap()
		if o["kind"] != "NamespaceConfig" {
			continue
		}
		nc := &providerv1alpha1.NamespaceConfig{}
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(o, nc); err != nil {
			t.Fatal(err)
		}
		if nc.Spec.ForProvider.Namespace == namespace {
			return nc
		}
	}
	t.Fatalf("no NamespaceConfig composed for namespace %s", namespace)
	return nil
}

// processes returns each node's process id and the cluster's key, which
// changes whenever a node leaves or joins.
func processes(t *testing.T, c *harness.Cluster) (map[string]int, string) {
	t.Helper()
	pids := map[string]int{}
	keys := map[string]bool{}
	for _, n := range c.Nodes() {
		pids[n.Name()] = n.PID()
		st, err := n.Stats()
		if err != nil {
			t.Fatal(err)
		}
		keys[st["cluster_key"]] = true
	}
	if len(keys) != 1 {
		t.Fatalf("nodes disagree on the cluster key: %v", keys)
	}
	for k := range keys {
		return pids, k
	}
	return pids, ""
}

// TestRealLogLevelsFromSpec: per-context log levels set in the spec's
// aerospikeConfig reach the console sink (the pod's stdout, which log
// shippers collect) of every real node started from the rendered
// configuration; a changed level goes, through the LogLevels the function
// composes and the provider's client, to every running node with no process
// restarted, no membership change and no StatefulSet touched; a level the
// server does not know is refused naming the field.
func TestRealLogLevelsFromSpec(t *testing.T) {
	const nodes = 2
	xr := exampleXR(t, "minimal-community")
	spec := xr["spec"].(map[string]any)
	spec["size"] = nodes
	spec["aerospikeConfig"] = map[string]any{"logging": []any{map[string]any{"name": "console", "migrate": "debug", "namespace": "warning"}}}
	observed := settled(t, xr)
	c := harness.BootCluster(t, []byte(onlyConf(t, observed)), spec["version"].(string), nodes)
	checkLevels := func(want map[string]string) {
		t.Helper()
		for _, n := range c.Nodes() {
			st, err := n.Info("log/0")
			if err != nil {
				t.Fatal(err)
			}
			levels := map[string]string{}
			for _, kv := range strings.Split(st["log/0"], ";") {
				if k, v, ok := strings.Cut(kv, ":"); ok {
					levels[k] = v
				}
			}
			for ctx, want := range want {
				if got := levels[ctx]; got != want {
					t.Errorf("node %s: the console sink logs context %s at %q, want %s", n.Name(), ctx, got, want)
				}
			}
		}
	}
	checkLevels(map[string]string{"migrate": "DEBUG", "namespace": "WARNING", "drv_ssd": "INFO"})
	pids, clusterKey := processes(t, c)

	spec["aerospikeConfig"] = map[string]any{"logging": []any{map[string]any{"name": "console", "migrate": "info", "namespace": "detail"}}}
	rsp := restartsNothing(t, xr, observed, "a log level")
	// What the provider does with the composed LogLevels: observe every
	// node, log-set what differs, until every node reports it.
	ll := &providerv1alpha1.LogLevels{}
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(rsp.GetDesired().GetResources()["log-levels"].GetResource().AsMap(), ll); err != nil {
		t.Fatal(err)
	}
	realtest.Converge(t, 30*time.Second, loglevels.NewExternal(realtest.Dial(t, c), func() {}), ll)
	checkLevels(map[string]string{"migrate": "INFO", "namespace": "DETAIL", "drv_ssd": "INFO"})
	afterPIDs, afterKey := processes(t, c)
	if diff := cmp.Diff(pids, afterPIDs); diff != "" {
		t.Errorf("a log level change restarted a node (process ids -before +after):\n%s", diff)
	}
	if afterKey != clusterKey {
		t.Errorf("cluster_key changed from %s to %s: a node left or joined during a log level change", clusterKey, afterKey)
	}

	spec["aerospikeConfig"] = map[string]any{"logging": []any{map[string]any{"name": "console", "migrate": "verbose"}}}
	f := fatals(run(t, newRequest(t, xr, nil)))
	if len(f) == 0 || !strings.Contains(strings.Join(f, "\n"), "spec.aerospikeConfig.logging") {
		t.Errorf("an unknown log level must be refused naming spec.aerospikeConfig.logging, got %q", f)
	}
}

// TestRealServerRunsRestricted boots the real server from the function's
// rendered configuration under what the StatefulSet asks of the runtime: no
// capabilities in any set, no privilege escalation, and, with
// spec.podSecurity.runAsNonRoot, the non-root user whose group owns the
// volumes (the wrapper gives the node's directories to that user, as the
// kubelet does for fsGroup). The node must start, write to file storage and
// read back.
func TestRealServerRunsRestricted(t *testing.T) {
	setpriv, err := exec.LookPath("setpriv")
	if err != nil {
		testenv.Unavailable(t, "no setpriv (util-linux), which drops capabilities and switches users here as the container runtime does")
	}
	const version = "8.1.2.0"
	asd := harness.RequireBinary(t, version).Path

	cases := map[string]struct {
		nonRoot bool
		// wantUID is the process's real, effective and saved user ID.
		wantUID string
	}{
		"ImageUser": {wantUID: "0\t0\t0"},
		"NonRoot":   {nonRoot: true, wantUID: fmt.Sprintf("%d\t%d\t%d", workload.DefaultNonRootUser, workload.DefaultNonRootUser, workload.DefaultNonRootUser)},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			xr := exampleXR(t, "minimal-community")
			spec := xr["spec"].(map[string]any)
			spec["size"], spec["version"] = 1, version
			spec["namespaces"].([]any)[0].(map[string]any)["storage"] = map[string]any{"type": "file", "size": "1Gi"}
			if tc.nonRoot {
				spec["podSecurity"] = map[string]any{"runAsNonRoot": true}
			}
			observed := settled(t, xr)
			user := ""
			for _, o := range observed {
				if o["kind"] != "StatefulSet" {
					continue
				}
				pod := o["spec"].(map[string]any)["template"].(map[string]any)["spec"].(map[string]any)
				sc := pod["containers"].([]any)[0].(map[string]any)["securityContext"]
				if fmt.Sprint(sc) != "map[allowPrivilegeEscalation:false capabilities:map[drop:[ALL]]]" {
					t.Fatalf("the server container's security context is %v; this test runs asd under drop ALL and no privilege escalation", sc)
				}
				if u, ok := pod["securityContext"].(map[string]any)["runAsUser"]; ok {
					user = fmt.Sprint(u)
				}
			}
			if tc.nonRoot != (user != "") {
				t.Fatalf("the pod runs as user %q; want a user exactly when non-root is asked for", user)
			}

			// The wrapper plays the runtime: for a non-root pod, the
			// node's directories go to the pod's user (fsGroup), then asd
			// runs with every capability dropped, as that user.
			var script strings.Builder
			script.WriteString("#!/bin/sh\nset -e\n")
			ids := ""
			if user != "" {
				script.WriteString("prev=\nfor a in \"$@\"; do [ \"$prev\" = --config-file ] && conf=$a; prev=$a; done\n")
				script.WriteString("dir=$(dirname \"$conf\")\nchown -R " + user + ":" + user + " \"$dir\"\n")
				script.WriteString("d=$dir; while [ \"$d\" != / ]; do chmod o+x \"$d\"; d=$(dirname \"$d\"); done\n")
				ids = "--reuid " + user + " --regid " + user + " --clear-groups "
			}
			fmt.Fprintf(&script, "exec %s %s--bounding-set=-all --inh-caps=-all --no-new-privs %s \"$@\"\n", setpriv, ids, asd)
			wrapper := filepath.Join(t.TempDir(), "asd")
			if err := os.WriteFile(wrapper, []byte(script.String()), 0o755); err != nil {
				t.Fatal(err)
			}

			n := harness.BootBinary(t, []byte(onlyConf(t, observed)), harness.Binary{Path: wrapper, Version: version})
			status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", n.PID()))
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"CapBnd:\t0000000000000000", "CapEff:\t0000000000000000", "NoNewPrivs:\t1", "Uid:\t" + tc.wantUID + "\t"} {
				if !strings.Contains(string(status), want) {
					t.Fatalf("asd does not run as the pod asks: /proc status lacks %q:\n%s", want, status)
				}
			}
			policy := as.NewClientPolicy()
			policy.ClusterName = xr["metadata"].(map[string]any)["name"].(string)
			// A lone node takes a few seconds to form its cluster of one,
			// before which a client finds no node to talk to.
			var c *as.Client
			realtest.Eventually(t, 30*time.Second, "a client connects", func() error {
				var err error
				c, err = as.NewClientWithPolicyAndHost(policy, n.Host())
				return err
			})
			defer c.Close()
			k, _ := as.NewKey("cache", "restricted", 1)
			if err := c.Put(nil, k, as.BinMap{"v": 1}); err != nil {
				t.Fatalf("cannot write to file storage: %v", err)
			}
			if r, err := c.Get(nil, k); err != nil || r.Bins["v"] != 1 {
				t.Fatalf("cannot read the record back: %v %v", r, err)
			}
		})
	}
}
