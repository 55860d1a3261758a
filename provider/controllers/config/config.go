// Package config accounts for the users of ProviderConfigs and
// ClusterProviderConfigs and keeps a config from being deleted while a
// managed resource still uses it.
//
// Usages are ProviderConfigUsages in the managed resources' namespaces,
// labelled with the config's name and kind. A ClusterProviderConfig's users
// are counted across every namespace, a ProviderConfig's in its own only, and
// a ProviderConfig and a ClusterProviderConfig of the same name never count
// each other's users. (crossplane-runtime's reconciler matches on the kind of
// the object it reads, which a typed client leaves empty, so it counts no
// one.)
package config

import (
	"context"
	"time"

	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/crossplane/crossplane-runtime/v2/pkg/controller"
	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/logging"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/xp-aerospike/xp-aerospike/apis/provider/v1alpha1"
)

// Finalizer keeps a provider config until no managed resource uses it.
const Finalizer = "in-use.crossplane.io"

const shortWait = 30 * time.Second

// config is a ProviderConfig or a ClusterProviderConfig.
type config interface {
	resource.ProviderConfig
}

// Reconciler reconciles one kind of provider config.
type Reconciler struct {
	kube      client.Client
	kind      string
	newConfig func() config
	log       logging.Logger
}

// NewReconciler reconciles provider configs of kind (ProviderConfig or
// ClusterProviderConfig).
func NewReconciler(kube client.Client, kind string, log logging.Logger) *Reconciler {
	r := &Reconciler{kube: kube, kind: kind, log: log}
	switch kind {
	case v1alpha1.ClusterProviderConfigKind:
		r.newConfig = func() config { return &v1alpha1.ClusterProviderConfig{} }
	default:
		r.newConfig = func() config { return &v1alpha1.ProviderConfig{} }
	}
	return r
}

// Setup adds a controller for each kind of provider config.
func Setup(mgr ctrl.Manager, o controller.Options) error {
	for _, k := range []string{v1alpha1.ProviderConfigKind, v1alpha1.ClusterProviderConfigKind} {
		r := NewReconciler(mgr.GetClient(), k, o.Logger.WithValues("controller", "config/"+k))
		b := ctrl.NewControllerManagedBy(mgr).Named("config/" + k).WithOptions(o.ForControllerRuntime())
		b = b.For(r.newConfig())
		b = b.Watches(&v1alpha1.ProviderConfigUsage{}, handler.EnqueueRequestsFromMapFunc(r.usageOwner))
		if err := b.Complete(r); err != nil {
			return err
		}
	}
	return nil
}

// usageOwner maps a usage to the config it counts for, if it is of this
// reconciler's kind.
func (r *Reconciler) usageOwner(_ context.Context, o client.Object) []reconcile.Request {
	l := o.GetLabels()
	if l[xpv2.LabelKeyProviderKind] != r.kind || l[xpv2.LabelKeyProviderName] == "" {
		return nil
	}
	n := types.NamespacedName{Name: l[xpv2.LabelKeyProviderName]}
	if r.kind == v1alpha1.ProviderConfigKind {
		n.Namespace = o.GetNamespace()
	}
	return []reconcile.Request{{NamespacedName: n}}
}

// Reconcile counts a config's users, records them in its status, and
// removes its finalizer only when it is deleted and no one uses it.
func (r *Reconciler) Reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	pc := r.newConfig()
	if err := r.kube.Get(ctx, req.NamespacedName, pc); err != nil {
		return reconcile.Result{}, errors.Wrap(resource.IgnoreNotFound(err), "cannot get provider config")
	}
	users, err := r.users(ctx, pc)
	if err != nil {
		r.log.Debug("Cannot count provider config users", "error", err, "name", req.Name, "namespace", req.Namespace)
		return reconcile.Result{RequeueAfter: shortWait}, nil
	}

	if meta.WasDeleted(pc) {
		if users > 0 {
			pc.SetUsers(users)
			pc.SetConditions(xpv2.Deleting().WithMessage("deletion waits until no managed resource uses this config"))
			return reconcile.Result{}, errors.Wrap(r.kube.Status().Update(ctx, pc), "cannot update provider config status")
		}
		meta.RemoveFinalizer(pc, Finalizer)
		return reconcile.Result{}, errors.Wrap(r.kube.Update(ctx, pc), "cannot remove provider config finalizer")
	}

	if !meta.FinalizerExists(pc, Finalizer) {
		meta.AddFinalizer(pc, Finalizer)
		if err := r.kube.Update(ctx, pc); err != nil {
			return reconcile.Result{RequeueAfter: shortWait}, errors.Wrap(err, "cannot add provider config finalizer")
		}
	}
	pc.SetUsers(users)
	return reconcile.Result{}, errors.Wrap(r.kube.Status().Update(ctx, pc), "cannot update provider config status")
}

// users counts the usages of pc, deleting those without a controller: they
// were orphaned (say by a restore from backup) and are recreated when their
// managed resource next connects.
func (r *Reconciler) users(ctx context.Context, pc config) (int64, error) {
	l := &v1alpha1.ProviderConfigUsageList{}
	opts := []client.ListOption{client.MatchingLabels{
		xpv2.LabelKeyProviderName: pc.GetName(),
		xpv2.LabelKeyProviderKind: r.kind,
	}}
	if r.kind == v1alpha1.ProviderConfigKind {
		opts = append(opts, client.InNamespace(pc.GetNamespace()))
	}
	if err := r.kube.List(ctx, l, opts...); err != nil {
		return 0, errors.Wrap(err, "cannot list provider config usages")
	}
	var users int64
	for i := range l.Items {
		u := &l.Items[i]
		if len(u.GetOwnerReferences()) == 0 {
			if err := resource.IgnoreNotFound(r.kube.Delete(ctx, u)); err != nil {
				return 0, errors.Wrap(err, "cannot delete an orphaned provider config usage")
			}
			continue
		}
		users++
	}
	return users, nil
}
