// Package sindex manages secondary indexes. Creating an index only starts
// its build; Observe reports the build's state on every node and the index
// becomes ready once every node has built it, so no worker ever waits on a
// build.
package sindex

import (
	"context"
	"fmt"
	"slices"

	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/crossplane/crossplane-runtime/v2/pkg/controller"
	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/xp-aerospike/xp-aerospike/apis/provider/v1alpha1"
	"github.com/xp-aerospike/xp-aerospike/provider/aerospike"
	"github.com/xp-aerospike/xp-aerospike/provider/controllers/connect"
)

// Indexes is what the controller needs of a cluster.
type Indexes interface {
	Indexes(namespace string) (map[string]map[string]aerospike.IndexState, error)
	CreateIndex(s aerospike.IndexSpec) error
	DropIndex(namespace, set, name string) error
}

// Setup adds a controller that reconciles SecondaryIndexes.
func Setup(mgr ctrl.Manager, o controller.Options, c *connect.Connector) error {
	k := connect.Kind[*v1alpha1.SecondaryIndex]{GVK: v1alpha1.SecondaryIndexGroupVersionKind, Object: &v1alpha1.SecondaryIndex{}, List: &v1alpha1.SecondaryIndexList{}}
	return connect.Setup(mgr, o, k, c,
		func(s *connect.Session) Indexes { return s.Client },
		func(ix Indexes) connect.External[*v1alpha1.SecondaryIndex] { return &external{indexes: ix} })
}

type external struct {
	indexes Indexes
}

// Index states reported in status.
const (
	StateBuilding = "building"
	StateReady    = "ready"
)

func (e *external) Observe(_ context.Context, si *v1alpha1.SecondaryIndex) (managed.ExternalObservation, error) {
	want := spec(si)
	nodes, err := e.indexes.Indexes(want.Namespace)
	if err != nil {
		return managed.ExternalObservation{}, err
	}
	found, ready := 0, 0
	names := make([]string, 0, len(nodes))
	for node := range nodes {
		names = append(names, node)
	}
	slices.Sort(names)
	for _, node := range names {
		have, ok := nodes[node][want.Name]
		if !ok {
			continue
		}
		found++
		if !same(have.Spec, want) {
			// Aerospike cannot change an index; the spec is immutable, so
			// this index was made by someone else.
			return managed.ExternalObservation{}, errors.Errorf("index %q exists on node %s with another definition (%s); delete it or choose another name", want.Name, node, describe(have.Spec))
		}
		if have.Ready {
			ready++
		}
	}
	if found == 0 {
		return managed.ExternalObservation{ResourceExists: false}, nil
	}
	if ready == len(nodes) {
		si.Status.AtProvider = v1alpha1.SecondaryIndexObservation{State: StateReady, LoadPercent: 100}
		si.SetConditions(xpv2.Available())
	} else {
		// Still building, or still reaching every node: not ready, and no
		// error, so the next poll looks again.
		si.Status.AtProvider = v1alpha1.SecondaryIndexObservation{State: StateBuilding}
		si.SetConditions(xpv2.Creating().WithMessage(fmt.Sprintf("built on %d of %d nodes", ready, len(nodes))))
	}
	return managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true}, nil
}

func (e *external) Create(_ context.Context, si *v1alpha1.SecondaryIndex) (managed.ExternalCreation, error) {
	return managed.ExternalCreation{}, e.indexes.CreateIndex(spec(si))
}

// Update has nothing to do: every field is immutable.
func (e *external) Update(context.Context, *v1alpha1.SecondaryIndex) (managed.ExternalUpdate, error) {
	return managed.ExternalUpdate{}, nil
}

func (e *external) Delete(_ context.Context, si *v1alpha1.SecondaryIndex) (managed.ExternalDelete, error) {
	s := spec(si)
	err := e.indexes.DropIndex(s.Namespace, s.Set, s.Name)
	if aerospike.IsNotFound(err) {
		return managed.ExternalDelete{}, nil
	}
	return managed.ExternalDelete{}, err
}

func spec(si *v1alpha1.SecondaryIndex) aerospike.IndexSpec {
	p := si.Spec.ForProvider
	ct := string(p.CollectionType)
	if ct == "" {
		ct = "default"
	}
	return aerospike.IndexSpec{
		Namespace: p.Namespace, Set: p.Set, Name: meta.GetExternalName(si), Bin: p.Bin,
		Type: string(p.Type), CollectionType: ct, Context: p.Context,
	}
}

func same(a, b aerospike.IndexSpec) bool {
	return a.Namespace == b.Namespace && a.Set == b.Set && a.Bin == b.Bin && a.Type == b.Type &&
		a.CollectionType == b.CollectionType && a.Context == b.Context
}

func describe(s aerospike.IndexSpec) string {
	return fmt.Sprintf("set %q, bin %q, type %s, collection %s", s.Set, s.Bin, s.Type, s.CollectionType)
}
