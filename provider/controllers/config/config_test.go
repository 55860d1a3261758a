package config

import (
	"context"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/crossplane/crossplane-runtime/v2/pkg/logging"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/xp-aerospike/xp-aerospike/apis/provider/v1alpha1"
)

func usage(ns, name, kind string, owned bool) *v1alpha1.ProviderConfigUsage {
	u := &v1alpha1.ProviderConfigUsage{ObjectMeta: metav1.ObjectMeta{
		Namespace: ns, Name: name,
		Labels: map[string]string{xpv2.LabelKeyProviderName: "default", xpv2.LabelKeyProviderKind: kind},
	}}
	if owned {
		u.OwnerReferences = []metav1.OwnerReference{{APIVersion: "v1", Kind: "User", Name: name, UID: types.UID(name), Controller: ptrTrue()}}
	}
	return u
}

func ptrTrue() *bool { t := true; return &t }

func kube(t *testing.T, objs ...client.Object) client.Client {
	t.Helper()
	s := runtime.NewScheme()
	if err := v1alpha1.AddToScheme(s); err != nil {
		t.Fatal(err)
	}
	return fake.NewClientBuilder().WithScheme(s).WithObjects(objs...).
		WithStatusSubresource(&v1alpha1.ProviderConfig{}, &v1alpha1.ClusterProviderConfig{}).Build()
}

// TestCountsEachKindsUsers: a ProviderConfig and a ClusterProviderConfig of
// the same name count only their own users; a cluster-wide config counts
// users in every namespace; orphaned usages are removed, not counted.
func TestCountsEachKindsUsers(t *testing.T) {
	k := kube(t,
		&v1alpha1.ProviderConfig{ObjectMeta: metav1.ObjectMeta{Namespace: "team", Name: "default"}},
		&v1alpha1.ClusterProviderConfig{ObjectMeta: metav1.ObjectMeta{Name: "default"}},
		usage("team", "u1", v1alpha1.ProviderConfigKind, true),
		usage("team", "u2", v1alpha1.ProviderConfigKind, false),
		usage("other", "u3", v1alpha1.ProviderConfigKind, true),
		usage("team", "u4", v1alpha1.ClusterProviderConfigKind, true),
		usage("other", "u5", v1alpha1.ClusterProviderConfigKind, true),
	)
	ctx := context.Background()
	pc := NewReconciler(k, v1alpha1.ProviderConfigKind, logging.NewNopLogger())
	if _, err := pc.Reconcile(ctx, reconcile.Request{NamespacedName: types.NamespacedName{Namespace: "team", Name: "default"}}); err != nil {
		t.Fatal(err)
	}
	cpc := NewReconciler(k, v1alpha1.ClusterProviderConfigKind, logging.NewNopLogger())
	if _, err := cpc.Reconcile(ctx, reconcile.Request{NamespacedName: types.NamespacedName{Name: "default"}}); err != nil {
		t.Fatal(err)
	}
	gotPC := &v1alpha1.ProviderConfig{}
	_ = k.Get(ctx, types.NamespacedName{Namespace: "team", Name: "default"}, gotPC)
	if gotPC.Status.Users != 1 {
		t.Errorf("ProviderConfig team/default has %d users, want 1 (u1; u2 is orphaned, u3 is another namespace's)", gotPC.Status.Users)
	}
	if !meta.FinalizerExists(gotPC, Finalizer) {
		t.Error("a provider config in use must carry the finalizer")
	}
	gotCPC := &v1alpha1.ClusterProviderConfig{}
	_ = k.Get(ctx, types.NamespacedName{Name: "default"}, gotCPC)
	if gotCPC.Status.Users != 2 {
		t.Errorf("ClusterProviderConfig default has %d users, want 2 (u4 and u5)", gotCPC.Status.Users)
	}
	if err := k.Get(ctx, types.NamespacedName{Namespace: "team", Name: "u2"}, &v1alpha1.ProviderConfigUsage{}); err == nil {
		t.Error("the orphaned usage was not removed")
	}

	// Mapping a usage to its config respects kinds and namespaces.
	if got := pc.usageOwner(ctx, usage("team", "x", v1alpha1.ClusterProviderConfigKind, true)); len(got) != 0 {
		t.Errorf("a ClusterProviderConfig's usage enqueued a ProviderConfig: %v", got)
	}
	if got := cpc.usageOwner(ctx, usage("team", "x", v1alpha1.ClusterProviderConfigKind, true)); len(got) != 1 || got[0].Namespace != "" {
		t.Errorf("a ClusterProviderConfig's usage must enqueue it cluster-wide: %v", got)
	}
}

func TestDeletionWaitsForUsers(t *testing.T) {
	now := metav1.Now()
	pc := &v1alpha1.ProviderConfig{ObjectMeta: metav1.ObjectMeta{Namespace: "team", Name: "default", Finalizers: []string{Finalizer}, DeletionTimestamp: &now}}
	k := kube(t, pc, usage("team", "u1", v1alpha1.ProviderConfigKind, true))
	ctx := context.Background()
	r := NewReconciler(k, v1alpha1.ProviderConfigKind, logging.NewNopLogger())
	req := reconcile.Request{NamespacedName: types.NamespacedName{Namespace: "team", Name: "default"}}
	if _, err := r.Reconcile(ctx, req); err != nil {
		t.Fatal(err)
	}
	got := &v1alpha1.ProviderConfig{}
	if err := k.Get(ctx, req.NamespacedName, got); err != nil || !meta.FinalizerExists(got, Finalizer) {
		t.Fatalf("a config in use lost its finalizer: %v", err)
	}
	if err := k.Delete(ctx, usage("team", "u1", v1alpha1.ProviderConfigKind, true)); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Reconcile(ctx, req); err != nil {
		t.Fatal(err)
	}
	if err := k.Get(ctx, req.NamespacedName, got); err == nil {
		t.Error("an unused config being deleted must lose its finalizer and go")
	}
}
