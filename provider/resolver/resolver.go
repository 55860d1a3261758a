// Package resolver sends the provider's DNS queries to one DNS server
// instead of the system's: for a provider running outside the cluster it
// manages, whose names, such as cache.team-a.svc.cluster.local, only the
// cluster's DNS knows.
//
// The Aerospike client resolves seed hosts with net.LookupHost and dials
// nodes with net.DialTimeout, both through net.DefaultResolver, so Use
// replaces that resolver for the whole process: everything else the
// provider resolves by name goes to the server too (after /etc/hosts), as
// it would inside the cluster.
package resolver

import (
	"context"
	"net"
	"net/netip"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// New returns a resolver that asks the DNS server at server (ip:port) over
// UDP, and over TCP for truncated answers. The server must be an IP
// address: a name would have to be resolved by the resolver it configures.
func New(server string) (*net.Resolver, error) {
	ap, err := netip.ParseAddrPort(server)
	if err != nil {
		return nil, errors.Wrapf(err, "cannot use DNS server %q: want an IP address and a port, such as 10.96.0.10:53", server)
	}
	addr := ap.String()
	return &net.Resolver{
		// Only Go's own resolver can be told where to send queries; the
		// C library's follows /etc/resolv.conf.
		PreferGo: true,
		// The address the resolver asks for is a server of
		// /etc/resolv.conf; every query goes to ours instead.
		Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		},
	}, nil
}

// Use makes the DNS server at server (ip:port) resolve every name the
// process looks up through net.DefaultResolver, which is what the
// Aerospike client uses. Call it before anything resolves a name.
func Use(server string) error {
	r, err := New(server)
	if err != nil {
		return err
	}
	net.DefaultResolver = r
	return nil
}
