package main

import (
	"strings"
	"testing"
	"time"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
)

// stableCluster is the provider's ClusterStatus reporting a stable cluster
// of size nodes, observed at.
func stableCluster(size int, at time.Time) map[string]any {
	return map[string]any{
		"apiVersion": "provider.aerospike.xp-aerospike.io/v1alpha1", "kind": "ClusterStatus",
		"status": map[string]any{
			"conditions": []any{map[string]any{"type": "Ready", "status": "True"}},
			"atProvider": map[string]any{"stable": true, "clusterSize": size, "observedTime": at.UTC().Format(time.RFC3339)},
		},
	}
}

// statefulSetOf returns a desired StatefulSet's replicas and partition, and
// whether it is desired at all.
func statefulSetOf(rsp *fnv1.RunFunctionResponse, name string) (replicas, partition any, ok bool) {
	r, ok := rsp.GetDesired().GetResources()[name]
	if !ok {
		return nil, nil, false
	}
	spec := r.GetResource().AsMap()["spec"].(map[string]any)
	return spec["replicas"], spec["updateStrategy"].(map[string]any)["rollingUpdate"].(map[string]any)["partition"], true
}

// scaleObserved makes an observed StatefulSet run n ready pods.
func scaleObserved(o map[string]any, n int) {
	o["spec"].(map[string]any)["replicas"] = n
	st := o["status"].(map[string]any)
	st["replicas"], st["readyReplicas"], st["updatedReplicas"] = n, n, n
}

// TestRemovedRackDrains: removing one of three racks drains its nodes
// through the plan, one at a time and each only on a stable cluster,
// restarting none of them, and its StatefulSet goes only once it runs no
// pod. Composing the spec at once would take every node of the rack away
// in one step.
func TestRemovedRackDrains(t *testing.T) {
	xr := exampleXR(t, "production-enterprise")
	observed := settled(t, xr)
	t0 := time.Unix(1000, 0)
	observed["cluster-status"] = stableCluster(6, t0)

	spec := xr["spec"].(map[string]any)
	spec["racks"] = spec["racks"].([]any)[:2]

	rsp := run(t, newRequest(t, xr, observed))
	if f := fatals(rsp); len(f) > 0 {
		t.Fatal(f)
	}
	replicas, partition, ok := statefulSetOf(rsp, "statefulset-rack-3")
	if !ok {
		t.Fatal("the removed rack's StatefulSet left the desired state at once: both its nodes would leave together")
	}
	if replicas != float64(1) || partition != float64(1) {
		t.Errorf("rack 3 on a stable cluster: replicas %v, partition %v; want one node removed (1) and the other held from restarting (partition 1)", replicas, partition)
	}
	if _, ok := rsp.GetDesired().GetResources()["config"].GetResource().AsMap()["data"].(map[string]any)["rack-3.conf"]; !ok {
		t.Error("the draining rack's configuration left the ConfigMap: a pod of it restarting would find none")
	}
	for _, rack := range []string{"statefulset-rack-1", "statefulset-rack-2"} {
		if r, _, _ := statefulSetOf(rsp, rack); r != float64(3) {
			t.Errorf("%s: replicas %v, want 3: the remaining racks take the nodes at once", rack, r)
		}
	}

	// The cluster is not stable yet: nothing more leaves.
	scaleObserved(observed["statefulset-rack-3"], 1)
	observed["cluster-status"]["status"].(map[string]any)["atProvider"].(map[string]any)["stable"] = false
	xr["status"] = map[string]any{"lastStepClusterTime": t0.UTC().Format(time.RFC3339)}
	rsp = run(t, newRequest(t, xr, observed))
	if replicas, _, _ := statefulSetOf(rsp, "statefulset-rack-3"); replicas != float64(1) {
		t.Errorf("rack 3 while the cluster migrates: replicas %v, want 1", replicas)
	}

	// Its last node leaves on a stable cluster observed after the last step.
	for _, rack := range []string{"statefulset-rack-1", "statefulset-rack-2"} {
		scaleObserved(observed[rack], 3)
	}
	observed["cluster-status"] = stableCluster(7, t0.Add(time.Minute))
	rsp = run(t, newRequest(t, xr, observed))
	if replicas, _, ok := statefulSetOf(rsp, "statefulset-rack-3"); !ok || replicas != float64(0) {
		t.Errorf("rack 3's last node on a stable cluster: replicas %v (desired %v), want 0, still desired", replicas, ok)
	}

	// Once it runs no pod, the StatefulSet goes.
	scaleObserved(observed["statefulset-rack-3"], 0)
	rsp = run(t, newRequest(t, xr, observed))
	if _, _, ok := statefulSetOf(rsp, "statefulset-rack-3"); ok {
		t.Error("the drained rack's StatefulSet is still desired")
	}
}

// TestUnreadableStatefulSetChangesNothing: an observed StatefulSet the
// function cannot read would look like a rack to create, whose replicas
// and partition the plan would set regardless of the pods it runs; the
// function refuses to compose instead.
func TestUnreadableStatefulSetChangesNothing(t *testing.T) {
	xr := exampleXR(t, "production-enterprise")
	observed := settled(t, xr)
	observed["statefulset-rack-2"]["status"].(map[string]any)["replicas"] = "two"
	rsp := run(t, newRequest(t, xr, observed))
	if f := fatals(rsp); len(f) != 1 || !strings.Contains(f[0], "statefulset-rack-2") {
		t.Errorf("fatals %q, want one naming statefulset-rack-2", f)
	}
	if n := len(rsp.GetDesired().GetResources()); n != 0 {
		t.Errorf("%d resources composed from a state that could not be read", n)
	}
}
