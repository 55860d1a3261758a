package connect

import (
	"context"

	"k8s.io/apimachinery/pkg/runtime/schema"
	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/crossplane/crossplane-runtime/v2/pkg/controller"
	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/event"
	"github.com/crossplane/crossplane-runtime/v2/pkg/ratelimiter"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	"github.com/crossplane/crossplane-runtime/v2/pkg/statemetrics"
)

// Kind is a managed resource kind of the provider.
type Kind[T resource.ModernManaged] struct {
	GVK schema.GroupVersionKind

	// Object is an empty managed resource of the kind, for the watch.
	Object T

	// List is an empty list of the kind, for the state metrics.
	List resource.ManagedList
}

// External observes and changes one managed resource in its cluster. It is
// a managed.TypedExternalClient without Disconnect: Setup disconnects by
// releasing the pooled client, which is all any controller has to do.
type External[T resource.Managed] interface {
	Observe(ctx context.Context, mg T) (managed.ExternalObservation, error)
	Create(ctx context.Context, mg T) (managed.ExternalCreation, error)
	Update(ctx context.Context, mg T) (managed.ExternalUpdate, error)
	Delete(ctx context.Context, mg T) (managed.ExternalDelete, error)
}

// Setup adds the controller of kind k. Each reconcile connects through c,
// which tracks the provider config's usage and acquires its pooled client;
// pick narrows the session to what the controller needs, newExternal
// builds the external client from that, and Disconnect releases the pooled
// client. Tests build a controller's external from a fake C instead.
func Setup[T resource.ModernManaged, C any](mgr ctrl.Manager, o controller.Options, k Kind[T], c *Connector, pick func(*Session) C, newExternal func(C) External[T]) error {
	name := managed.ControllerName(k.GVK.Kind)
	if m := o.MetricOptions; m != nil && m.MRStateMetrics != nil {
		sr := statemetrics.NewMRStateRecorder(mgr.GetClient(), o.Logger, m.MRStateMetrics, k.List, m.PollStateMetricInterval)
		if err := mgr.Add(sr); err != nil {
			return errors.Wrapf(err, "cannot add the state metrics recorder of %s", k.GVK.Kind)
		}
	}
	rec := mgr.GetEventRecorderFor(name) //nolint:staticcheck // crossplane-runtime v2.4's NewAPIRecorder takes only the old API's record.EventRecorder.
	r := newReconciler(mgr, o, k.GVK, connector(c, pick, newExternal), managed.WithRecorder(event.NewAPIRecorder(rec)))
	return ctrl.NewControllerManagedBy(mgr).
		Named(name).
		WithOptions(o.ForControllerRuntime()).
		For(k.Object).
		Complete(ratelimiter.NewReconciler(name, r, o.GlobalRateLimiter))
}

// newReconciler returns the reconciler of the managed resources of kind gvk:
// every managed kind of the provider is reconciled the same way, with the
// provider's logger, poll interval, management policies and metrics.
func newReconciler[T resource.Managed](mgr ctrl.Manager, o controller.Options, gvk schema.GroupVersionKind, c managed.TypedExternalConnector[T], opts ...managed.ReconcilerOption) *managed.Reconciler {
	opts = append([]managed.ReconcilerOption{
		managed.WithTypedExternalConnector[T](c),
		managed.WithLogger(o.Logger.WithValues("controller", managed.ControllerName(gvk.Kind))),
		managed.WithPollInterval(o.PollInterval),
		managed.WithManagementPolicies(),
	}, opts...)
	if o.MetricOptions != nil && o.MetricOptions.MRMetrics != nil {
		opts = append(opts, managed.WithMetricRecorder(o.MetricOptions.MRMetrics))
	}
	return managed.NewReconciler(mgr, resource.ManagedKind(gvk), opts...)
}

// connector connects a managed resource through c and builds its external
// client from the part of the session pick chooses.
func connector[T resource.ModernManaged, C any](c *Connector, pick func(*Session) C, newExternal func(C) External[T]) managed.TypedExternalConnector[T] {
	return managed.TypedExternalConnectorFn[T](func(ctx context.Context, mg T) (managed.TypedExternalClient[T], error) {
		s, err := c.Connect(ctx, mg)
		if err != nil {
			return nil, err
		}
		return Releasing(newExternal(pick(s)), s.Release), nil
	})
}

// Releasing returns e as a managed.TypedExternalClient whose Disconnect
// calls release.
func Releasing[T resource.Managed](e External[T], release func()) managed.TypedExternalClient[T] {
	return &releasing[T]{External: e, release: release}
}

type releasing[T resource.Managed] struct {
	External[T]

	release func()
}

// Disconnect gives the pooled client back; it stays open for the other
// resources of the same provider config.
func (r *releasing[T]) Disconnect(context.Context) error {
	r.release()
	return nil
}
