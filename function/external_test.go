package main

import (
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"

	"github.com/xp-aerospike/xp-aerospike/function/internal/connection"
	"github.com/xp-aerospike/xp-aerospike/function/internal/external"
	"github.com/xp-aerospike/xp-aerospike/function/internal/layout"
	"github.com/xp-aerospike/xp-aerospike/function/internal/names"
	harness "github.com/xp-aerospike/xp-aerospike/test/aerospike"
)

// externalXR is the minimal example with two nodes and a load balancer per
// node.
func externalXR(t *testing.T) map[string]any {
	t.Helper()
	xr := exampleXR(t, "minimal-community")
	spec := xr["spec"].(map[string]any)
	spec["size"] = 2
	spec["externalAccess"] = map[string]any{"type": "LoadBalancer"}
	return xr
}

// allocate gives each pod's observed Service the load balancer address a
// cloud would, by pod.
func allocate(observed map[string]map[string]any, ips map[string]string) {
	for pod, ip := range ips {
		o := observed[string(names.ResourceExternalService(pod))]
		o["status"] = map[string]any{"loadBalancer": map[string]any{"ingress": []any{map[string]any{"ip": ip}}}}
	}
}

// desiredOf returns the desired object composed under name.
func desiredOf(t *testing.T, rsp *fnv1.RunFunctionResponse, name string) map[string]any {
	t.Helper()
	r, ok := rsp.GetDesired().GetResources()[name]
	if !ok {
		t.Fatalf("nothing composed as %s", name)
	}
	return r.GetResource().AsMap()
}

// TestExternalAddressesArriveWithoutRestart: the function composes a
// Service per pod; once their load balancers have addresses, the next run
// writes each into the ConfigMap, the connection Secret and the status,
// and leaves the StatefulSet as it was: no pod restarts for it.
func TestExternalAddressesArriveWithoutRestart(t *testing.T) {
	xr := externalXR(t)
	observed := settled(t, xr)
	for _, pod := range []string{"cache-0-0", "cache-0-1"} {
		svc := observed[string(names.ResourceExternalService(pod))]
		if svc == nil || svc["spec"].(map[string]any)["type"] != "LoadBalancer" {
			t.Fatalf("no load balancer composed for pod %s: %v", pod, svc)
		}
	}

	pending := run(t, newRequest(t, xr, observed))
	status := pending.GetDesired().GetComposite().GetResource().AsMap()["status"].(map[string]any)
	if diff := cmp.Diff([]any{"external addresses of pods cache-0-0, cache-0-1: their LoadBalancer Services have none yet"}, status["waiting"]); diff != "" {
		t.Errorf("status.waiting before the load balancers have addresses -want +got:\n%s", diff)
	}

	allocate(observed, map[string]string{"cache-0-0": "203.0.113.10", "cache-0-1": "203.0.113.11"})
	rsp := run(t, newRequest(t, xr, observed))
	if f := fatals(rsp); len(f) > 0 {
		t.Fatal(f)
	}

	data := desiredOf(t, rsp, string(names.ResourceConfigMap))["data"].(map[string]any)
	if got := []any{data[external.Key("cache-0-0")], data[external.Key("cache-0-1")]}; !cmp.Equal(got, []any{"203.0.113.10:3000", "203.0.113.11:3000"}) {
		t.Errorf("ConfigMap entries of the pods: %v", got)
	}
	if data["rack-0.conf"] != observed[string(names.ResourceConfigMap)]["data"].(map[string]any)["rack-0.conf"] {
		t.Error("the rack's aerospike.conf changed with the pods' addresses")
	}
	secret := desiredOf(t, rsp, string(names.ResourceConnectionSecret))["data"].(map[string]any)
	seeds, _ := base64.StdEncoding.DecodeString(secret[connection.KeyExternalSeeds].(string))
	if got, want := string(seeds), "203.0.113.10:3000,203.0.113.11:3000"; got != want {
		t.Errorf("%s = %q, want %q", connection.KeyExternalSeeds, got, want)
	}
	status = rsp.GetDesired().GetComposite().GetResource().AsMap()["status"].(map[string]any)
	if diff := cmp.Diff([]any{"203.0.113.10:3000", "203.0.113.11:3000"}, status["externalSeeds"]); diff != "" {
		t.Errorf("status.externalSeeds -want +got:\n%s", diff)
	}
	if w, ok := status["waiting"]; ok {
		t.Errorf("status.waiting = %v once every pod has its address", w)
	}
	sts := string(names.ResourceStatefulSet(0))
	if diff := cmp.Diff(observed[sts]["spec"], desiredOf(t, rsp, sts)["spec"]); diff != "" {
		t.Errorf("the pods' addresses changed the StatefulSet, which restarts pods -observed +desired:\n%s", diff)
	}
}

// TestRealNodeAdvertisesExternalAddress boots real nodes from the
// configuration the pod's init container writes, from the function's
// ConfigMap, and asks them what they tell clients that want alternate
// addresses: each advertises its load balancer, while in-cluster clients
// are still told the node's own address.
func TestRealNodeAdvertisesExternalAddress(t *testing.T) {
	const pod, ip = "cache-0-0", "203.0.113.10"
	xr := externalXR(t)
	observed := settled(t, xr)
	allocate(observed, map[string]string{pod: ip, "cache-0-1": "203.0.113.11"})
	rsp := run(t, newRequest(t, xr, observed))
	if f := fatals(rsp); len(f) > 0 {
		t.Fatal(f)
	}
	data := desiredOf(t, rsp, string(names.ResourceConfigMap))["data"].(map[string]any)
	conf := initContainer(t, data, pod)
	if !strings.Contains(conf, "alternate-access-address "+ip+"\n") || !strings.Contains(conf, "alternate-access-port 3000\n") {
		t.Fatalf("the init container did not write the pod's address:\n%s", conf)
	}

	c := harness.BootCluster(t, []byte(conf), xr["spec"].(map[string]any)["version"].(string), 2)
	for _, n := range c.Nodes() {
		info, err := n.Info("service-clear-alt", "service-clear-std", "peers-clear-alt")
		if err != nil {
			t.Fatal(err)
		}
		if got, want := info["service-clear-alt"], ip+":3000"; got != want {
			t.Errorf("node %s advertises %q to external clients, want %q", n.Name(), got, want)
		}
		if got := info["service-clear-std"]; strings.Contains(got, ip) {
			t.Errorf("node %s tells in-cluster clients the external address %q", n.Name(), got)
		}
		// The peers a client outside the cluster discovers: every node
		// here shares the one pod's configuration, so the peer has the
		// same address.
		if got := info["peers-clear-alt"]; !strings.Contains(got, ip) {
			t.Errorf("node %s lists its peer's alternate addresses as %q, want %s", n.Name(), got, ip)
		}
	}
}

// initContainer runs the external-address init container's script, as the
// pod would, over the ConfigMap's data, and returns the aerospike.conf it
// writes for pod.
func initContainer(t *testing.T, data map[string]any, pod string) string {
	t.Helper()
	dir := t.TempDir()
	cm, conf := filepath.Join(dir, "configmap"), filepath.Join(dir, "conf")
	for _, d := range []string{cm, conf} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for k, v := range data {
		if err := os.WriteFile(filepath.Join(cm, k), []byte(v.(string)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	script := strings.NewReplacer(external.ConfigMapDir, cm, layout.ConfDir, conf).Replace(external.Script("rack-0.conf"))
	cmd := exec.CommandContext(t.Context(), "/bin/sh", "-c", script)
	cmd.Env = append(os.Environ(), "POD_NAME="+pod, "HOST_IP=192.0.2.1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("init container script: %v\n%s", err, out)
	}
	b, err := os.ReadFile(filepath.Join(conf, layout.ConfFile))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
