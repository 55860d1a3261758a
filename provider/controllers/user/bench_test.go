package user

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/xp-aerospike/xp-aerospike/provider/aerospike"
	"github.com/xp-aerospike/xp-aerospike/test/securityserver"
)

// BenchmarkConverge1000Users creates 1000 Users against the Enterprise
// security test server through one pooled client, then observes them all
// once more, as a steady-state poll does. It reports the clients opened
// (the pool's, so connections are reused) and the admin round trips per
// user for converging and for a steady-state Observe.
func BenchmarkConverge1000Users(b *testing.B) {
	const users = 1000
	s := securityserver.Start(b)
	h := s.Host()
	cfg := aerospike.Config{
		Hosts: []aerospike.Host{{Name: h.Name, Port: h.Port}}, User: "admin", Password: "admin",
		ConnectTimeout: 10 * time.Second, CommandTimeout: 5 * time.Second,
	}
	pool := aerospike.NewPool(aerospike.Dial)
	b.Cleanup(pool.Close)
	k := kube(b, "s3cret")
	ctx := context.Background()

	trips := 0
	reconcile := func(name string, converge bool) {
		cl, release, err := pool.Acquire("pc", cfg)
		if err != nil {
			b.Fatal(err)
		}
		defer release()
		e := &external{kube: k, s: &Session{Users: counting{Users: cl, n: &trips}, Secret: []byte("k")}}
		u := user("", nil, "read")
		u.Annotations["crossplane.io/external-name"] = name
		o, err := e.Observe(ctx, u)
		if err != nil {
			b.Fatal(err)
		}
		if converge && !o.ResourceExists {
			if _, err := e.Create(ctx, u); err != nil {
				b.Fatal(err)
			}
		}
	}

	var convergeTrips, steadyTrips int
	for i := 0; b.Loop(); i++ {
		trips = 0
		for j := range users {
			reconcile(fmt.Sprintf("u%d-%d", i, j), true)
		}
		convergeTrips, trips = trips, 0
		for j := range users {
			reconcile(fmt.Sprintf("u%d-%d", i, j), false)
		}
		steadyTrips = trips
	}
	b.ReportMetric(float64(pool.Opened()), "clients-opened")
	b.ReportMetric(float64(convergeTrips)/users, "trips/user-converge")
	b.ReportMetric(float64(steadyTrips)/users, "trips/user-observe")
}

// counting counts the commands sent to the cluster: one round trip each.
type counting struct {
	Users
	n *int
}

func (c counting) QueryUser(name string) (*aerospike.User, error) {
	*c.n++
	return c.Users.QueryUser(name)
}

func (c counting) CreateUser(name, password string, roles []string) error {
	*c.n++
	return c.Users.CreateUser(name, password, roles)
}

// BenchmarkObserveUser is one steady-state Observe of an existing user: one
// QueryUser over a pooled connection, the password fingerprint, no client
// opened.
func BenchmarkObserveUser(b *testing.B) {
	s := securityserver.Start(b)
	h := s.Host()
	cl, err := aerospike.Dial(aerospike.Config{Hosts: []aerospike.Host{{Name: h.Name, Port: h.Port}}, User: "admin", Password: "admin"})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(cl.Close)
	e := &external{kube: kube(b, "s3cret"), s: &Session{Users: cl, Secret: []byte("k")}}
	u := user("", nil, "read")
	if _, err := e.Create(context.Background(), u); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if o, err := e.Observe(context.Background(), u); err != nil || !o.ResourceUpToDate {
			b.Fatalf("Observe() = %+v, %v", o, err)
		}
	}
}
