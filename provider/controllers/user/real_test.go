package user

import (
	"context"
	"testing"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	harness "github.com/xp-aerospike/xp-aerospike/test/aerospike"
	"github.com/xp-aerospike/xp-aerospike/test/realtest"
)

// TestRealCommunityEdition: a User on a real Community Edition cluster gets
// a condition saying Enterprise Edition is needed, not an error to retry,
// and deleting it succeeds.
func TestRealCommunityEdition(t *testing.T) {
	c := harness.Start(t, harness.Options{})
	cl := realtest.Dial(t, c)
	e := &external{kube: kube(t, "s3cret"), s: &Session{Users: cl, Secret: []byte("k")}}
	u := user("", nil, "read")
	o, err := e.Observe(context.Background(), u)
	if err != nil {
		t.Fatalf("Observe() on Community Edition: %v; want a condition, not an error", err)
	}
	if !o.ResourceExists || !o.ResourceUpToDate {
		t.Errorf("Observe() = %+v; want nothing to do", o)
	}
	if c := u.GetCondition(xpv2.TypeReady); c.Reason != xpv2.ReasonUnavailable || c.Message != RequiresEnterprise {
		t.Errorf("Ready condition %+v, want Unavailable: %s", c, RequiresEnterprise)
	}
	if _, err := e.Delete(context.Background(), u); err != nil {
		t.Errorf("Delete() on Community Edition: %v", err)
	}
}
