package connection

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/xp-aerospike/xp-aerospike/apis/aerospike/v1alpha1"
	"github.com/xp-aerospike/xp-aerospike/function/internal/dbtest"
)

func TestSecret(t *testing.T) {
	s := Secret(dbtest.New(t, nil, func(s *v1alpha1.AerospikeDatabaseSpec) { s.Size = 2 }), nil)
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

// TestSecretWithTLS: the Secret tells applications the TLS name to verify
// and the TLS port, beside what it always says.
func TestSecretWithTLS(t *testing.T) {
	s := Secret(dbtest.New(t, nil, func(s *v1alpha1.AerospikeDatabaseSpec) {
		s.Edition = v1alpha1.EditionEnterprise
		s.FeatureKeySecretRef = &v1alpha1.SecretKeyRef{Name: "key"}
		s.TLS = &v1alpha1.TLS{SecretName: "db-tls", Name: "aerospike.example.com"}
	}), nil)
	if got := string(s.Data[KeyTLSName]); got != "aerospike.example.com" {
		t.Errorf("%s = %q, want the spec's TLS name", KeyTLSName, got)
	}
	if got := string(s.Data[KeyTLSPort]); got != "4333" {
		t.Errorf("%s = %q, want 4333", KeyTLSPort, got)
	}
	if got := string(s.Data[KeyPort]); got != "3000" {
		t.Errorf("%s = %q: the plain port is still the plain port", KeyPort, got)
	}
	plain := Secret(dbtest.New(t, nil, nil), nil)
	for _, k := range []string{KeyTLSName, KeyTLSPort} {
		if v, ok := plain.Data[k]; ok {
			t.Errorf("without TLS, no %s: %q", k, v)
		}
	}
}
