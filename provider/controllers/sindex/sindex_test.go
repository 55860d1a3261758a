package sindex

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/test"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/xp-aerospike/xp-aerospike/apis/provider/v1alpha1"
	"github.com/xp-aerospike/xp-aerospike/provider/aerospike"
)

type fakeIndexes struct {
	nodes   map[string]map[string]aerospike.IndexState
	created *aerospike.IndexSpec
	dropErr error
}

func (f *fakeIndexes) Indexes(string) (map[string]map[string]aerospike.IndexState, error) {
	return f.nodes, nil
}
func (f *fakeIndexes) CreateIndex(s aerospike.IndexSpec) error { f.created = &s; return nil }
func (f *fakeIndexes) DropIndex(string, string, string) error  { return f.dropErr }

func index() *v1alpha1.SecondaryIndex {
	si := &v1alpha1.SecondaryIndex{
		ObjectMeta: metav1.ObjectMeta{Namespace: "team", Name: "by-age"},
		Spec: v1alpha1.SecondaryIndexSpec{ForProvider: v1alpha1.SecondaryIndexParameters{
			Namespace: "orders", Set: "people", Bin: "age", Type: "numeric", CollectionType: "list",
		}},
	}
	meta.SetExternalName(si, "idx_age")
	return si
}

func state(ready bool, bin string) map[string]aerospike.IndexState {
	return map[string]aerospike.IndexState{"idx_age": {
		Spec:  aerospike.IndexSpec{Namespace: "orders", Set: "people", Name: "idx_age", Bin: bin, Type: "numeric", CollectionType: "list"},
		Ready: ready,
	}}
}

func TestObserve(t *testing.T) {
	cases := map[string]struct {
		reason     string
		nodes      map[string]map[string]aerospike.IndexState
		wantExists bool
		err        error
		wantReason xpv2.ConditionReason
		wantState  string
	}{
		"Missing":     {reason: "no node has it", nodes: map[string]map[string]aerospike.IndexState{"A": {}, "B": {}}},
		"Ready":       {reason: "built everywhere", nodes: map[string]map[string]aerospike.IndexState{"A": state(true, "age"), "B": state(true, "age")}, wantExists: true, wantReason: xpv2.ReasonAvailable, wantState: StateReady},
		"Building":    {reason: "one node still builds", nodes: map[string]map[string]aerospike.IndexState{"A": state(true, "age"), "B": state(false, "age")}, wantExists: true, wantReason: xpv2.ReasonCreating, wantState: StateBuilding},
		"Propagating": {reason: "one node does not know it yet", nodes: map[string]map[string]aerospike.IndexState{"A": state(true, "age"), "B": {}}, wantExists: true, wantReason: xpv2.ReasonCreating, wantState: StateBuilding},
		"Foreign":     {reason: "another definition under the name", nodes: map[string]map[string]aerospike.IndexState{"A": state(true, "name")}, err: errors.New(`index "idx_age" exists on node A with another definition (set "people", bin "name", type numeric, collection list); delete it or choose another name`)},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			si := index()
			got, err := (&external{indexes: &fakeIndexes{nodes: tc.nodes}}).Observe(context.Background(), si)
			if diff := cmp.Diff(tc.err, err, test.EquateErrors()); diff != "" {
				t.Fatalf("%s: Observe() error -want +got:\n%s", tc.reason, diff)
			}
			if got.ResourceExists != tc.wantExists {
				t.Errorf("%s: exists = %v", tc.reason, got.ResourceExists)
			}
			if tc.wantReason != "" && si.GetCondition(xpv2.TypeReady).Reason != tc.wantReason {
				t.Errorf("%s: Ready reason %q, want %q", tc.reason, si.GetCondition(xpv2.TypeReady).Reason, tc.wantReason)
			}
			if si.Status.AtProvider.State != tc.wantState {
				t.Errorf("%s: state %q, want %q", tc.reason, si.Status.AtProvider.State, tc.wantState)
			}
		})
	}
}

func TestCreateDelete(t *testing.T) {
	f := &fakeIndexes{}
	e := &external{indexes: f}
	if _, err := e.Create(context.Background(), index()); err != nil {
		t.Fatal(err)
	}
	if f.created == nil || f.created.Name != "idx_age" || f.created.CollectionType != "list" {
		t.Errorf("created %+v", f.created)
	}
	f.dropErr = aerospike.NotFound("gone")
	if _, err := e.Delete(context.Background(), index()); err != nil {
		t.Errorf("dropping an index already gone must succeed: %v", err)
	}
}
