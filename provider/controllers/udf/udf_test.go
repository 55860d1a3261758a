package udf

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	"github.com/crossplane/crossplane-runtime/v2/pkg/test"

	"github.com/xp-aerospike/xp-aerospike/apis/provider/v1alpha1"
	"github.com/xp-aerospike/xp-aerospike/provider/aerospike"
)

var errBoom = errors.New("boom")

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
	exists := func(upToDate bool) managed.ExternalObservation {
		return managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: upToDate}
	}
	cases := map[string]struct {
		reason  string
		modules *fakeModules
		udf     *v1alpha1.UDF
		want    managed.ExternalObservation
		err     error
	}{
		"Missing":   {reason: "an unregistered module does not exist", modules: &fakeModules{err: missing()}, udf: udf(ptr.To("return 1"), nil)},
		"Same":      {reason: "identical code is up to date", modules: &fakeModules{code: []byte("return 1")}, udf: udf(ptr.To("return 1"), nil), want: exists(true)},
		"Changed":   {reason: "other code is drift", modules: &fakeModules{code: []byte("return 0")}, udf: udf(ptr.To("return 1"), nil), want: exists(false)},
		"ConfigMap": {reason: "code from a ConfigMap", modules: &fakeModules{code: []byte("return 2")}, udf: udf(nil, &v1alpha1.ConfigMapKeySelector{Name: "lua", Key: "orders.lua"}), want: exists(true)},
		"NoKey":     {reason: "a missing ConfigMap key is an error", modules: &fakeModules{code: []byte("x")}, udf: udf(nil, &v1alpha1.ConfigMapKeySelector{Name: "lua", Key: "nope"}), err: errors.New(`ConfigMap "lua" has no key "nope"`)},
		"Error":     {reason: "a server error is returned", modules: &fakeModules{err: errBoom}, udf: udf(ptr.To("x"), nil), err: errBoom},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := (&external{kube: kube, modules: tc.modules}).Observe(context.Background(), tc.udf)
			if diff := cmp.Diff(tc.err, err, test.EquateErrors()); diff != "" {
				t.Fatalf("%s: Observe() error -want +got:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s: Observe() -want +got:\n%s", tc.reason, diff)
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
