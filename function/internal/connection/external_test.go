package connection

import (
	"bytes"
	"testing"

	"github.com/xp-aerospike/xp-aerospike/function/internal/dbtest"
)

func TestExternalSeeds(t *testing.T) {
	s := Secret(dbtest.New(t, nil, nil), nil)
	if _, ok := s.Data[KeyExternalSeeds]; ok {
		t.Errorf("no %s before any address is known", KeyExternalSeeds)
	}
	s = Secret(dbtest.New(t, nil, nil), []string{"203.0.113.10:3000", "lb.example.com:3000"})
	if got := string(s.Data[KeyExternalSeeds]); got != "203.0.113.10:3000,lb.example.com:3000" {
		t.Errorf("%s = %q", KeyExternalSeeds, got)
	}
	if bytes.Equal(s.Data[KeySeeds], s.Data[KeyExternalSeeds]) {
		t.Error("in-cluster seeds stay the pods' DNS names")
	}
}
