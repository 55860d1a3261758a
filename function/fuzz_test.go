package main

import (
	"encoding/json"
	"testing"
)

// FuzzRunFunction runs the function over arbitrary specs: it must never
// panic, and whatever it composes from a spec it accepts must be a valid
// object of its kind, with exactly spec.size nodes across the StatefulSets.
func FuzzRunFunction(f *testing.F) {
	for _, example := range []string{"minimal-community", "production-enterprise"} {
		spec, err := json.Marshal(exampleXR(f, example)["spec"])
		if err != nil {
			f.Fatal(err)
		}
		f.Add(spec)
	}
	f.Add([]byte(`{"size": 1, "version": "7.0.0.0", "namespaces": [{"name": "a", "storage": {"type": "file", "size": "300Mi"}}]}`))
	f.Add([]byte(`{"size": 256, "edition": "enterprise", "image": "x/y:8.0.0.1", "featureKeySecretRef": {"name": "k"}, "racks": [{"id": 7}], "namespaces": [{"name": "A_b", "replicationFactor": 3, "storage": {"type": "device", "size": 1}}]}`))
	f.Add([]byte(`{"size": 2, "version": "8.0.0.15", "externalAccess": {"type": "NodePort", "annotations": {"a": "b"}}, "networkPolicy": {"enabled": true}, "namespaces": [{"name": "a", "storage": {"type": "memory", "size": "1Gi"}}]}`))
	f.Add([]byte(`{"size": -1, "namespaces": [{"storage": {"size": "1e400"}}], "aerospikeConfig": {"namespaces": [1]}}`))

	f.Fuzz(func(t *testing.T, spec []byte) {
		var s any
		if err := json.Unmarshal(spec, &s); err != nil {
			t.Skip()
		}
		xr := map[string]any{
			"apiVersion": "aerospike.xp-aerospike.io/v1alpha1",
			"kind":       "AerospikeDatabase",
			"metadata":   map[string]any{"name": "fuzz", "namespace": "ns"},
			"spec":       s,
		}
		rsp := run(t, newRequest(t, xr, nil))
		if len(fatals(rsp)) > 0 {
			if n := len(rsp.GetDesired().GetResources()); n > 0 {
				t.Fatalf("%d resources composed despite a fatal result", n)
			}
			return
		}
		var nodes, size float64
		size, _ = s.(map[string]any)["size"].(float64)
		for name, r := range rsp.GetDesired().GetResources() {
			checkObject(t, name, r.GetResource())
			if r.GetResource().GetFields()["kind"].GetStringValue() == "StatefulSet" {
				nodes += r.GetResource().GetFields()["spec"].GetStructValue().GetFields()["replicas"].GetNumberValue()
			}
		}
		if nodes != size {
			t.Fatalf("StatefulSets hold %v nodes, spec.size is %v", nodes, size)
		}
		if rsp.GetDesired().GetComposite() == nil {
			t.Fatal("no desired composite")
		}
	})
}
