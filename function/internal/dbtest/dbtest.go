// Package dbtest builds resolved databases for the builders' tests: a
// three-node Community Edition database with one memory namespace, which a
// test edits, defaults and resolves as RunFunction would.
package dbtest

import (
	"testing"

	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/xp-aerospike/xp-aerospike/apis/aerospike/v1alpha1"
	"github.com/xp-aerospike/xp-aerospike/function/input/v1beta1"
	"github.com/xp-aerospike/xp-aerospike/function/internal/database"
	"github.com/xp-aerospike/xp-aerospike/function/internal/xr"
)

// Name and Namespace of the database New builds.
const (
	Name      = "db"
	Namespace = "team"
)

// New returns the database edit makes of the default one, resolved with in
// (which may be nil). It fails t if the result does not resolve.
func New(t testing.TB, in *v1beta1.Input, edit func(s *v1alpha1.AerospikeDatabaseSpec)) *database.Database {
	t.Helper()
	x := &v1alpha1.AerospikeDatabase{
		ObjectMeta: metav1.ObjectMeta{Name: Name, Namespace: Namespace},
		Spec: v1alpha1.AerospikeDatabaseSpec{
			Size:    3,
			Version: "8.1.2.0",
			Namespaces: []v1alpha1.Namespace{{
				Name:    "mem",
				Storage: v1alpha1.NamespaceStorage{Type: v1alpha1.StorageMemory, Size: resource.MustParse("1Gi")},
			}},
		},
	}
	if edit != nil {
		edit(&x.Spec)
	}
	xr.Default(&x.Spec)
	d, r := database.New(x, in)
	if r.Failed() {
		t.Fatal(r.Errors.ToAggregate())
	}
	return d
}
