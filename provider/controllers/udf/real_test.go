package udf

import (
	"context"
	"testing"
	"time"

	as "github.com/aerospike/aerospike-client-go/v8"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"

	"github.com/xp-aerospike/xp-aerospike/apis/provider/v1alpha1"
	"github.com/xp-aerospike/xp-aerospike/provider/controllers/connect"
	harness "github.com/xp-aerospike/xp-aerospike/test/aerospike"
	"github.com/xp-aerospike/xp-aerospike/test/realtest"
)

// TestRealUDF registers a module on a real cluster, runs it, replaces it,
// notices when it is changed behind the provider's back, and removes it.
func TestRealUDF(t *testing.T) {
	c := harness.Start(t, harness.Options{Nodes: 2})
	e := connect.Releasing[*v1alpha1.UDF](&external{modules: realtest.Dial(t, c)}, func() {})
	ctx := context.Background()
	u := &v1alpha1.UDF{ObjectMeta: metav1.ObjectMeta{Name: "calc"}, Spec: v1alpha1.UDFSpec{ForProvider: v1alpha1.UDFParameters{
		Source: ptr.To("function answer(r)\n  return 42\nend\n"),
	}}}
	meta.SetExternalName(u, "calc.lua")

	if o, err := e.Observe(ctx, u); err != nil || o.ResourceExists {
		t.Fatalf("before registering: exists %v, error %v", o.ResourceExists, err)
	}
	realtest.Converge(t, 30*time.Second, e, u)
	key, _ := as.NewKey(harness.DefaultNamespace, "s", 1)
	if err := c.Client().Put(nil, key, as.BinMap{"v": 1}); err != nil {
		t.Fatal(err)
	}
	got, err := c.Client().Execute(nil, key, "calc", "answer")
	if err != nil || got != 42 {
		t.Fatalf("running the registered module: %v, %v; want 42", got, err)
	}

	// Someone registers other code under the same name.
	if task, err := c.Client().RegisterUDF(nil, []byte("function answer(r)\n  return 0\nend\n"), "calc.lua", as.LUA); err != nil {
		t.Fatal(err)
	} else if err := <-task.OnComplete(); err != nil {
		t.Fatal(err)
	}
	if o, err := e.Observe(ctx, u); err != nil || o.ResourceUpToDate {
		t.Fatalf("changed behind our back: up to date %v, error %v; want drift", o.ResourceUpToDate, err)
	}
	realtest.Converge(t, 30*time.Second, e, u)

	realtest.Remove(t, 30*time.Second, e, u)
	if _, err := e.Delete(ctx, u); err != nil {
		t.Errorf("removing a module already gone: %v", err)
	}
}
