package packages

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

func TestRegistry(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	reg, err := StartRegistry(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(reg.Host(), "127.0.0.1:") || reg.Host() == "127.0.0.1:0" {
		t.Fatalf("Host() = %q, want 127.0.0.1 and a real port", reg.Host())
	}

	// A reference parsed as core parses it resolves to plain HTTP, and
	// what is pushed there can be listed and pulled back.
	ref, err := name.NewTag(reg.Mirror()+"/function-aerospike:v1.0.0", name.StrictValidation)
	if err != nil {
		t.Fatal(err)
	}
	if s := ref.Context().Scheme(); s != "http" {
		t.Fatalf("%s resolves to %s; core would not reach a plain HTTP loopback registry", ref, s)
	}
	if err := remote.Write(ref, empty.Image, remote.WithContext(t.Context())); err != nil {
		t.Fatal(err)
	}
	tags, err := remote.List(ref.Context(), remote.WithContext(t.Context()))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"v1.0.0"}, tags); diff != "" {
		t.Errorf("tags, which core resolves versions from: -want +got:\n%s", diff)
	}

	// Ending the context stops the registry, and Close then reports
	// the same clean stop.
	cancel()
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get("http://" + reg.Host() + "/v2/") //nolint:noctx // A bounded probe loop.
		if err != nil {
			break
		}
		_ = resp.Body.Close()
		if time.Now().After(deadline) {
			t.Fatal("the registry still serves after its context ended")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := reg.Close(); err != nil {
		t.Errorf("Close after the context ended: %v", err)
	}
	if err := reg.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}
