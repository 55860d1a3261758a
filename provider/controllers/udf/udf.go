// Package udf manages Lua modules of user-defined functions. Observe reads
// the registered code back and compares it byte for byte with the desired
// code, so a module changed behind the provider's back is put right.
package udf

import (
	"bytes"
	"context"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/controller"
	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/xp-aerospike/xp-aerospike/apis/provider/v1alpha1"
	"github.com/xp-aerospike/xp-aerospike/provider/aerospike"
	"github.com/xp-aerospike/xp-aerospike/provider/controllers/connect"
)

// Modules is what the controller needs of a cluster.
type Modules interface {
	UDF(name string) ([]byte, error)
	RegisterUDF(name string, code []byte) error
	RemoveUDF(name string) error
}

// Setup adds a controller that reconciles UDFs.
func Setup(mgr ctrl.Manager, o controller.Options, c *connect.Connector) error {
	k := connect.Kind[*v1alpha1.UDF]{GVK: v1alpha1.UDFGroupVersionKind, Object: &v1alpha1.UDF{}, List: &v1alpha1.UDFList{}}
	return connect.Setup(mgr, o, k, c,
		func(s *connect.Session) Modules { return s.Client },
		func(m Modules) connect.External[*v1alpha1.UDF] { return &external{kube: mgr.GetClient(), modules: m} })
}

type external struct {
	kube    client.Reader
	modules Modules
}

func (e *external) Observe(ctx context.Context, u *v1alpha1.UDF) (managed.ExternalObservation, error) {
	have, err := e.modules.UDF(meta.GetExternalName(u))
	if aerospike.IsNotFound(err) {
		return managed.ExternalObservation{ResourceExists: false}, nil
	}
	if err != nil {
		return managed.ExternalObservation{}, err
	}
	want, err := e.source(ctx, u)
	if err != nil {
		return managed.ExternalObservation{}, err
	}
	u.Status.AtProvider.Hash = Hash(have)
	u.SetConditions(xpv2.Available())
	return managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: bytes.Equal(have, want)}, nil
}

func (e *external) Create(ctx context.Context, u *v1alpha1.UDF) (managed.ExternalCreation, error) {
	return managed.ExternalCreation{}, e.register(ctx, u)
}

func (e *external) Update(ctx context.Context, u *v1alpha1.UDF) (managed.ExternalUpdate, error) {
	return managed.ExternalUpdate{}, e.register(ctx, u)
}

func (e *external) register(ctx context.Context, u *v1alpha1.UDF) error {
	code, err := e.source(ctx, u)
	if err != nil {
		return err
	}
	return e.modules.RegisterUDF(meta.GetExternalName(u), code)
}

func (e *external) Delete(_ context.Context, u *v1alpha1.UDF) (managed.ExternalDelete, error) {
	err := e.modules.RemoveUDF(meta.GetExternalName(u))
	if aerospike.IsNotFound(err) {
		return managed.ExternalDelete{}, nil
	}
	return managed.ExternalDelete{}, err
}

// source returns the module's desired code: inline, or from its ConfigMap.
func (e *external) source(ctx context.Context, u *v1alpha1.UDF) ([]byte, error) {
	p := u.Spec.ForProvider
	switch {
	case p.Source != nil:
		return []byte(*p.Source), nil
	case p.ConfigMapRef != nil:
		cm := &corev1.ConfigMap{}
		if err := e.kube.Get(ctx, types.NamespacedName{Namespace: u.GetNamespace(), Name: p.ConfigMapRef.Name}, cm); err != nil {
			return nil, errors.Wrapf(err, "cannot get ConfigMap %q", p.ConfigMapRef.Name)
		}
		code, ok := cm.Data[p.ConfigMapRef.Key]
		if !ok {
			return nil, errors.Errorf("ConfigMap %q has no key %q", p.ConfigMapRef.Name, p.ConfigMapRef.Key)
		}
		return []byte(code), nil
	default:
		return nil, errors.New("set spec.forProvider.source or spec.forProvider.configMapRef")
	}
}
