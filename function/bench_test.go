package main

import (
	"context"
	"fmt"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/crossplane/function-sdk-go/logging"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
)

// BenchmarkRunFunction composes the production example, with its own output
// observed as if every pod were up: the steady-state reconcile.
func BenchmarkRunFunction(b *testing.B) {
	req := steadyState(b, exampleXR(b, "production-enterprise"))
	fn := NewFunction(logging.NewNopLogger())
	b.ReportAllocs()
	for b.Loop() {
		if _, err := fn.RunFunction(context.Background(), req); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkProtoRoundTrip is the floor RunFunction is measured against: only
// marshalling and unmarshalling the same request and response, which gRPC
// does for every call anyway.
func BenchmarkProtoRoundTrip(b *testing.B) {
	req := steadyState(b, exampleXR(b, "production-enterprise"))
	rsp := run(b, req)
	b.ReportAllocs()
	for b.Loop() {
		for _, m := range []proto.Message{req, rsp} {
			raw, err := proto.Marshal(m)
			if err != nil {
				b.Fatal(err)
			}
			out := m.ProtoReflect().New().Interface()
			if err := proto.Unmarshal(raw, out); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkRunFunctionSize shows how RunFunction grows with the number of
// nodes: the seed list and the connection Secret list every node. 256 is the
// largest cluster Aerospike forms.
func BenchmarkRunFunctionSize(b *testing.B) {
	for _, size := range []int{3, 30, 100, 256} {
		b.Run(fmt.Sprintf("nodes=%d", size), func(b *testing.B) {
			xr := exampleXR(b, "production-enterprise")
			xr["spec"].(map[string]any)["size"] = size
			req := steadyState(b, xr)
			fn := NewFunction(logging.NewNopLogger())
			b.ReportAllocs()
			for b.Loop() {
				if _, err := fn.RunFunction(context.Background(), req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// steadyState returns a request whose observed state is the function's own
// desired state.
func steadyState(b testing.TB, xr map[string]any) *fnv1.RunFunctionRequest {
	first := run(b, newRequest(b, xr, nil))
	if f := fatals(first); len(f) > 0 {
		b.Fatalf("fatal: %q", f)
	}
	observed := map[string]map[string]any{}
	for name, r := range first.GetDesired().GetResources() {
		observed[name] = r.GetResource().AsMap()
	}
	return newRequest(b, xr, observed)
}
