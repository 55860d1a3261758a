package connection

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/xp-aerospike/xp-aerospike/apis/aerospike/v1alpha1"
	"github.com/xp-aerospike/xp-aerospike/function/internal/database"
	"github.com/xp-aerospike/xp-aerospike/function/internal/xr"
)

func TestSecret(t *testing.T) {
	x := &v1alpha1.AerospikeDatabase{
		ObjectMeta: metav1.ObjectMeta{Name: "db", Namespace: "team"},
		Spec: v1alpha1.AerospikeDatabaseSpec{
			Size: 2, Version: "8.1.0.0",
			Namespaces: []v1alpha1.Namespace{{Name: "a", Storage: v1alpha1.NamespaceStorage{Type: v1alpha1.StorageMemory, Size: resource.MustParse("1Gi")}}},
		},
	}
	xr.Default(&x.Spec)
	d, errs := database.New(x, nil)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	s := Secret(d)
	got := map[string]string{}
	for k, v := range s.Data {
		got[k] = string(v)
	}
	want := map[string]string{
		KeyHost:        "db.team.svc.cluster.local",
		KeyPort:        "3000",
		KeySeeds:       "db-0-0.db-headless.team.svc.cluster.local:3000,db-0-1.db-headless.team.svc.cluster.local:3000",
		KeyClusterName: "db",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Secret data: -want +got:\n%s", diff)
	}
	if s.Name != "db-connection" || s.Namespace != "team" {
		t.Errorf("Secret %s/%s", s.Namespace, s.Name)
	}
}
