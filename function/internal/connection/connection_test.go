package connection

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/xp-aerospike/xp-aerospike/apis/aerospike/v1alpha1"
	"github.com/xp-aerospike/xp-aerospike/function/internal/dbtest"
)

func TestSecret(t *testing.T) {
	s := Secret(dbtest.New(t, nil, func(s *v1alpha1.AerospikeDatabaseSpec) { s.Size = 2 }))
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
