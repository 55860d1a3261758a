package connect

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/crossplane/crossplane-runtime/v2/pkg/controller"
	"github.com/crossplane/crossplane-runtime/v2/pkg/event"
	"github.com/crossplane/crossplane-runtime/v2/pkg/logging"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/xp-aerospike/xp-aerospike/apis/provider/v1alpha1"
	"github.com/xp-aerospike/xp-aerospike/provider/aerospike"
)

// mgr is just enough of a manager for crossplane-runtime's reconciler.
type mgr struct {
	manager.Manager
	c client.Client
	s *runtime.Scheme
}

func (m mgr) GetClient() client.Client   { return m.c }
func (m mgr) GetScheme() *runtime.Scheme { return m.s }

type tracker struct{}

func (tracker) Track(context.Context, resource.ModernManaged) error { return nil }

// available is a UDF that exists and is as its spec says.
type available struct{ External[*v1alpha1.UDF] }

func (available) Observe(_ context.Context, u *v1alpha1.UDF) (managed.ExternalObservation, error) {
	u.SetConditions(xpv2.Available())
	return managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true}, nil
}

// TestReconcileRecordsMetrics runs crossplane-runtime's real managed
// reconciler, built as Setup builds it, over a UDF whose external client
// reports it ready, and reads the managed resource metrics back from the
// registry they were registered with.
func TestReconcileRecordsMetrics(t *testing.T) {
	s := runtime.NewScheme()
	if err := v1alpha1.AddToScheme(s); err != nil {
		t.Fatal(err)
	}
	u := &v1alpha1.UDF{
		ObjectMeta: metav1.ObjectMeta{Namespace: "team", Name: "orders", CreationTimestamp: metav1.Now()},
		Spec: v1alpha1.UDFSpec{
			ManagedResourceSpec: xpv2.ManagedResourceSpec{
				ProviderConfigReference: &xpv2.ProviderConfigReference{Kind: v1alpha1.ClusterProviderConfigKind, Name: "open"},
				// The CRD's default, which the fake client does not apply.
				ManagementPolicies: xpv2.ManagementPolicies{xpv2.ManagementActionAll},
			},
			ForProvider: v1alpha1.UDFParameters{Source: ptr.To("return 1")},
		},
	}
	kube := fake.NewClientBuilder().WithScheme(s).WithObjects(u,
		&v1alpha1.ClusterProviderConfig{ObjectMeta: metav1.ObjectMeta{Name: "open"}, Spec: v1alpha1.ProviderConfigSpec{Hosts: []string{"open.svc"}}},
	).WithStatusSubresource(&v1alpha1.UDF{}).Build()
	pool := aerospike.NewPool(func(aerospike.Config) (*aerospike.Client, error) { return &aerospike.Client{}, nil })

	reg := prometheus.NewRegistry()
	mo, err := NewMetricOptions(reg, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	o := controller.Options{Logger: logging.NewNopLogger(), PollInterval: time.Minute, MetricOptions: mo}
	c := connector(NewConnector(kube, tracker{}, pool),
		func(s *Session) *aerospike.Client { return s.Client },
		func(*aerospike.Client) External[*v1alpha1.UDF] { return available{} })
	r := newReconciler(mgr{c: kube, s: s}, o, v1alpha1.UDFGroupVersionKind, c, managed.WithRecorder(event.NewNopRecorder()))

	// The first reconciles add the finalizer and the external name; by the
	// third the UDF is observed ready.
	req := reconcile.Request{NamespacedName: types.NamespacedName{Namespace: "team", Name: "orders"}}
	for range 3 {
		if _, err := r.Reconcile(context.Background(), req); err != nil {
			t.Fatalf("Reconcile(): %v", err)
		}
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	// Observations per histogram; the state metrics are gauges, set only
	// when their recorder runs.
	got := map[string]uint64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			if h := m.GetHistogram(); h != nil {
				got[mf.GetName()] += h.GetSampleCount()
			}
		}
	}
	want := map[string]uint64{
		"crossplane_managed_resource_first_time_to_reconcile_seconds": 1,
		"crossplane_managed_resource_first_time_to_readiness_seconds": 1,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("a UDF reconciled until ready: observations -want +got:\n%s", diff)
	}
}
