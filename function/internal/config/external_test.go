package config

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"

	"github.com/xp-aerospike/xp-aerospike/apis/aerospike/v1alpha1"
	"github.com/xp-aerospike/xp-aerospike/function/internal/dbtest"
	"github.com/xp-aerospike/xp-aerospike/function/internal/external"
	"github.com/xp-aerospike/xp-aerospike/internal/fieldtest"
)

func withExternal(typ v1alpha1.ExternalAccessType) func(s *v1alpha1.AerospikeDatabaseSpec) {
	return func(s *v1alpha1.AerospikeDatabaseSpec) { s.ExternalAccess = &v1alpha1.ExternalAccess{Type: typ} }
}

func TestExternalAccessConf(t *testing.T) {
	racks, res := Build(dbtest.New(t, nil, withExternal(v1alpha1.ExternalAccessLoadBalancer)))
	if res.Failed() {
		t.Fatal(res.Errors)
	}
	text := string(racks[0].Text)
	want := "\tservice {\n\t\talternate-access-address @EXTERNAL_ADDRESS@\n\t\talternate-access-port @EXTERNAL_PORT@\n\t\tport 3000\n\t}\n"
	if !strings.Contains(text, want) {
		t.Errorf("network.service must advertise the pod's external address through the placeholders, want\n%s\nin\n%s", want, text)
	}

	plain, res := Build(dbtest.New(t, nil, nil))
	if res.Failed() {
		t.Fatal(res.Errors)
	}
	if strings.Contains(string(plain[0].Text), "alternate-access") {
		t.Errorf("without external access nothing is advertised:\n%s", plain[0].Text)
	}
	if plain[0].Hash == racks[0].Hash {
		t.Error("turning external access on changes the configuration, so it must change the hash and restart each node once")
	}
}

// TestExternalAddressesChangeNoHash: the pods' addresses reach the
// ConfigMap under keys of their own, never a rack's configuration or its
// hash, so an address Kubernetes allocates late restarts no node.
func TestExternalAddressesChangeNoHash(t *testing.T) {
	d := dbtest.New(t, nil, withExternal(v1alpha1.ExternalAccessLoadBalancer))
	racks, res := Build(d)
	if res.Failed() {
		t.Fatal(res.Errors)
	}
	before := ConfigMap(d, racks, nil)
	text, hash := before.Data["rack-0.conf"], racks[0].Hash

	cm := ConfigMap(d, racks, map[string]external.Address{
		"db-0-0": {Host: "203.0.113.10", Port: 3000},
		"db-0-1": {Host: "lb-1.elb.example.com", Port: 3000},
		"db-0-2": {Port: 31234},
		"db-0-3": {Host: "2001:db8::1", Port: 3000},
		"bad-0":  {Host: "a b; rm -rf /", Port: 3000},
		"bad-1":  {Host: "203.0.113.11"},
	})
	want := map[string]string{
		"rack-0.conf":     text,
		"external-db-0-0": "203.0.113.10:3000",
		"external-db-0-1": "lb-1.elb.example.com:3000",
		"external-db-0-2": ":31234",
		"external-db-0-3": "2001:db8::1:3000",
	}
	if diff := cmp.Diff(want, cm.Data); diff != "" {
		t.Errorf("ConfigMap data: -want +got:\n%s", diff)
	}
	again, res := Build(d)
	if res.Failed() {
		t.Fatal(res.Errors)
	}
	if again[0].Hash != hash || string(again[0].Text) != text {
		t.Error("a rack's configuration and hash must not depend on the pods' addresses")
	}
	if _, ok := before.Data["external-db-0-0"]; ok {
		t.Error("ConfigMap must not hold addresses it was not given")
	}
}

func TestExternalAccessOwnsAlternateAccess(t *testing.T) {
	user := func(s *v1alpha1.AerospikeDatabaseSpec) {
		s.AerospikeConfig = &apiextensionsv1.JSON{Raw: []byte(`{"network":{"service":{"alternate-access-addresses":["198.51.100.1"],"alternate-access-port":4000}}}`)}
	}
	_, res := Build(dbtest.New(t, nil, func(s *v1alpha1.AerospikeDatabaseSpec) {
		user(s)
		withExternal(v1alpha1.ExternalAccessNodePort)(s)
	}))
	fieldtest.HavePrefixes(t, "with external access, the alternate address is each node's own", res.Errors, []string{
		"spec.aerospikeConfig.network.service.alternate-access-addresses: Forbidden: is managed by xp-aerospike",
		"spec.aerospikeConfig.network.service.alternate-access-port: Forbidden: is managed by xp-aerospike",
	})
	racks, res := Build(dbtest.New(t, nil, user))
	if res.Failed() {
		t.Fatalf("without external access a user may advertise an alternate address of their own: %v", res.Errors)
	}
	if !strings.Contains(string(racks[0].Text), "alternate-access-address 198.51.100.1") {
		t.Errorf("the user's alternate address is written:\n%s", racks[0].Text)
	}
}

func TestExternalAccessTLSConf(t *testing.T) {
	racks, res := Build(dbtest.New(t, nil, func(s *v1alpha1.AerospikeDatabaseSpec) {
		enterprise(s)
		s.TLS = &v1alpha1.TLS{SecretName: "db-tls"}
		withExternal(v1alpha1.ExternalAccessNodePort)(s)
	}))
	if res.Failed() {
		t.Fatal(res.Errors)
	}
	text := string(racks[0].Text)
	for _, want := range []string{"\t\ttls-alternate-access-address @EXTERNAL_ADDRESS@\n", "\t\ttls-alternate-access-port @EXTERNAL_PORT@\n"} {
		if !strings.Contains(text, want) {
			t.Errorf("with TLS, external clients are told the TLS port: want %q in\n%s", want, text)
		}
	}
	if strings.Contains(text, "\talternate-access") {
		t.Errorf("with TLS, no plain alternate address is advertised:\n%s", text)
	}
}
