package udf

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"

	"github.com/xp-aerospike/xp-aerospike/apis/provider/v1alpha1"
	"github.com/xp-aerospike/xp-aerospike/provider/aerospike"
)

type fakeModules struct {
	code       []byte
	err        error
	registered []byte
	removed    string
}

func (f *fakeModules) UDF(string) ([]byte, error) { return f.code, f.err }
func (f *fakeModules) RegisterUDF(_ string, code []byte) error {
	f.registered = code
	return f.err
}
func (f *fakeModules) RemoveUDF(name string) error { f.removed = name; return f.err }

func udf(src *string, cm *v1alpha1.ConfigMapKeySelector) *v1alpha1.UDF {
	u := &v1alpha1.UDF{ObjectMeta: metav1.ObjectMeta{Namespace: "team", Name: "orders"}, Spec: v1alpha1.UDFSpec{ForProvider: v1alpha1.UDFParameters{Source: src, ConfigMapRef: cm}}}
	meta.SetExternalName(u, "orders.lua")
	return u
}

func TestObserve(t *testing.T) {
	s := runtime.NewScheme()
	_ = corev1.AddToScheme(s)
	kube := fake.NewClientBuilder().WithScheme(s).WithObjects(&corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Namespace: "team", Name: "lua"}, Data: map[string]string{"orders.lua": "return 2"},
	}).Build()
	cases := map[string]struct {
		reason               string
		modules              *fakeModules
		udf                  *v1alpha1.UDF
		wantExists, upToDate bool
		wantErr              bool
	}{
		"Missing":   {reason: "an unregistered module does not exist", modules: &fakeModules{err: missing()}, udf: udf(ptr.To("return 1"), nil)},
		"Same":      {reason: "identical code is up to date", modules: &fakeModules{code: []byte("return 1")}, udf: udf(ptr.To("return 1"), nil), wantExists: true, upToDate: true},
		"Changed":   {reason: "other code is drift", modules: &fakeModules{code: []byte("return 0")}, udf: udf(ptr.To("return 1"), nil), wantExists: true},
		"ConfigMap": {reason: "code from a ConfigMap", modules: &fakeModules{code: []byte("return 2")}, udf: udf(nil, &v1alpha1.ConfigMapKeySelector{Name: "lua", Key: "orders.lua"}), wantExists: true, upToDate: true},
		"NoKey":     {reason: "a missing ConfigMap key is an error", modules: &fakeModules{code: []byte("x")}, udf: udf(nil, &v1alpha1.ConfigMapKeySelector{Name: "lua", Key: "nope"}), wantErr: true},
		"Error":     {reason: "a server error is returned", modules: &fakeModules{err: errors.New("boom")}, udf: udf(ptr.To("x"), nil), wantErr: true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := (&external{kube: kube, modules: tc.modules}).Observe(context.Background(), tc.udf)
			if (err != nil) != tc.wantErr {
				t.Fatalf("%s: error = %v", tc.reason, err)
			}
			if got.ResourceExists != tc.wantExists || got.ResourceUpToDate != tc.upToDate {
				t.Errorf("%s: exists %v up to date %v, want %v %v", tc.reason, got.ResourceExists, got.ResourceUpToDate, tc.wantExists, tc.upToDate)
			}
		})
	}
}

func TestRegisterAndRemove(t *testing.T) {
	f := &fakeModules{}
	e := &external{modules: f}
	if _, err := e.Update(context.Background(), udf(ptr.To("return 3"), nil)); err != nil {
		t.Fatal(err)
	}
	if string(f.registered) != "return 3" {
		t.Errorf("registered %q", f.registered)
	}
	f.err = missing()
	if _, err := e.Delete(context.Background(), udf(ptr.To("x"), nil)); err != nil || f.removed != "orders.lua" {
		t.Errorf("Delete() = %v, removed %q; a module already gone is deleted", err, f.removed)
	}
}

// missing is the error the client returns for a module that does not exist.
func missing() error { return aerospike.NotFound("no UDF module") }
