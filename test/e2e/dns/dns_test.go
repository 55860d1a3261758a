package dns

import (
	"context"
	"encoding/binary"
	"io"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/dns/dnsmessage"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"

	"github.com/xp-aerospike/xp-aerospike/provider/resolver"
)

// fakeLookup is a cluster of two Services: one with two ready pods, one
// without any; a name containing "broken" cannot be answered.
func fakeLookup(calls *atomic.Int32) Lookup {
	return func(_ context.Context, name string) ([]netip.Addr, bool, error) {
		calls.Add(1)
		switch {
		case strings.Contains(name, "broken"):
			return nil, false, errors.New("the API server is away")
		case name == "cache.team-a.svc.cluster.local":
			return []netip.Addr{netip.MustParseAddr("127.0.9.1"), netip.MustParseAddr("127.0.9.2")}, true, nil
		case name == "cache-0-1.cache-headless.team-a.svc.cluster.local":
			return []netip.Addr{netip.MustParseAddr("127.0.9.2")}, true, nil
		case name == "empty.team-a.svc.cluster.local":
			return nil, true, nil
		case strings.HasPrefix(name, "many."):
			var out []netip.Addr
			for i := range 100 {
				out = append(out, netip.AddrFrom4([4]byte{127, 0, 10, byte(i + 1)}))
			}
			return out, true, nil
		}
		return nil, false, nil
	}
}

func start(t *testing.T, l Lookup) *Server {
	t.Helper()
	s, err := Start(l, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	return s
}

// resolverFor is how the provider's --dns-server resolves.
func resolverFor(t *testing.T, addr string) *net.Resolver {
	t.Helper()
	r, err := resolver.New(addr)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestGoResolver(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	s := start(t, fakeLookup(&calls))
	r := resolverFor(t, s.Addr())
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()

	cases := map[string]struct {
		reason       string
		name         string
		want         []string
		wantNotFound bool
	}{
		"Service": {
			reason: "A Service's name answers with its ready pods' addresses.",
			name:   "cache.team-a.svc.cluster.local",
			want:   []string{"127.0.9.1", "127.0.9.2"},
		},
		"PodFQDN": {
			reason: "A pod's name under its headless Service answers, with the final dot and in any case.",
			name:   "Cache-0-1.cache-headless.team-a.svc.cluster.local.",
			want:   []string{"127.0.9.2"},
		},
		"Unknown": {
			reason:       "A name the lookup does not know does not exist.",
			name:         "nope.team-a.svc.cluster.local",
			wantNotFound: true,
		},
		"NoAddresses": {
			reason:       "A Service without ready pods has no address.",
			name:         "empty.team-a.svc.cluster.local",
			wantNotFound: true,
		},
		"OutsideTheZone": {
			reason:       "Names beyond svc.cluster.local are not the cluster's.",
			name:         "example.com.",
			wantNotFound: true,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := r.LookupHost(ctx, tc.name)
			if tc.wantNotFound {
				var de *net.DNSError
				if !errors.As(err, &de) || !de.IsNotFound {
					t.Errorf("%s\nLookupHost(%q) = %v, %v; want a not-found DNSError", tc.reason, tc.name, got, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("%s\nLookupHost(%q): %v", tc.reason, tc.name, err)
			}
			slices.Sort(got)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\nLookupHost(%q): -want, +got:\n%s", tc.reason, tc.name, diff)
			}
		})
	}
}

// exchange sends one A query over network and returns the response.
func exchange(t *testing.T, network, addr, name string, qtype dnsmessage.Type) (dnsmessage.Header, []dnsmessage.Resource) {
	t.Helper()
	b := dnsmessage.NewBuilder(nil, dnsmessage.Header{ID: 4711, RecursionDesired: true})
	if err := b.StartQuestions(); err != nil {
		t.Fatal(err)
	}
	if err := b.Question(dnsmessage.Question{Name: dnsmessage.MustNewName(name), Type: qtype, Class: dnsmessage.ClassINET}); err != nil {
		t.Fatal(err)
	}
	req, err := b.Finish()
	if err != nil {
		t.Fatal(err)
	}
	c, err := (&net.Dialer{Timeout: 5 * time.Second}).DialContext(t.Context(), network, addr)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = c.Close() }()
	if err := c.SetDeadline(time.Now().Add(5 * time.Second)); err != nil {
		t.Fatal(err)
	}
	resp := make([]byte, maxMessage)
	var n int
	if network == "udp" {
		if _, err := c.Write(req); err != nil {
			t.Fatal(err)
		}
		if n, err = c.Read(resp); err != nil {
			t.Fatal(err)
		}
	} else {
		if _, err := c.Write(append(binary.BigEndian.AppendUint16(nil, uint16(len(req))), req...)); err != nil {
			t.Fatal(err)
		}
		var size [2]byte
		if _, err := io.ReadFull(c, size[:]); err != nil {
			t.Fatal(err)
		}
		n = int(binary.BigEndian.Uint16(size[:]))
		if _, err := io.ReadFull(c, resp[:n]); err != nil {
			t.Fatal(err)
		}
	}
	var m dnsmessage.Message
	if err := m.Unpack(resp[:n]); err != nil {
		t.Fatal(err)
	}
	if m.ID != 4711 || len(m.Questions) != 1 || m.Questions[0].Name.String() != name {
		t.Fatalf("response %+v does not answer query 4711 for %s", m.Header, name)
	}
	return m.Header, m.Answers
}

func TestProtocol(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	s := start(t, fakeLookup(&calls))
	cases := map[string]struct {
		reason    string
		network   string
		name      string
		qtype     dnsmessage.Type
		wantRCode dnsmessage.RCode
		wantTC    bool
		wantA     int
	}{
		"UDP":      {reason: "A query over UDP is answered.", network: "udp", name: "cache.team-a.svc.cluster.local.", qtype: dnsmessage.TypeA, wantA: 2},
		"TCP":      {reason: "A query over TCP is answered.", network: "tcp", name: "cache.team-a.svc.cluster.local.", qtype: dnsmessage.TypeA, wantA: 2},
		"AAAA":     {reason: "A name that exists has no IPv6 records: NOERROR without answers.", network: "udp", name: "cache.team-a.svc.cluster.local.", qtype: dnsmessage.TypeAAAA},
		"NXDOMAIN": {reason: "A name nobody knows does not exist.", network: "udp", name: "nope.team-a.svc.cluster.local.", qtype: dnsmessage.TypeA, wantRCode: dnsmessage.RCodeNameError},
		"SERVFAIL": {reason: "A lookup that fails is a server failure, not a missing name.", network: "tcp", name: "broken.team-a.svc.cluster.local.", qtype: dnsmessage.TypeA, wantRCode: dnsmessage.RCodeServerFailure},
		"Truncated": {
			reason:  "An answer too long for UDP is truncated, so the client asks over TCP.",
			network: "udp", name: "many.team-a.svc.cluster.local.", qtype: dnsmessage.TypeA, wantTC: true,
		},
		"LongOverTCP": {reason: "Over TCP the long answer is whole.", network: "tcp", name: "many.team-a.svc.cluster.local.", qtype: dnsmessage.TypeA, wantA: 100},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			h, answers := exchange(t, tc.network, s.Addr(), tc.name, tc.qtype)
			if h.RCode != tc.wantRCode || h.Truncated != tc.wantTC || len(answers) != tc.wantA {
				t.Errorf("%s\n%s %s %v: rcode %v, truncated %v, %d answers; want %v, %v, %d", tc.reason, tc.network, tc.name, tc.qtype, h.RCode, h.Truncated, len(answers), tc.wantRCode, tc.wantTC, tc.wantA)
			}
			if !h.Response || !h.Authoritative || !h.RecursionAvailable {
				t.Errorf("%s\nheader %+v: want an authoritative response with recursion available, which Go's resolver requires", tc.reason, h)
			}
		})
	}
}

// TestOutsideTheZoneIsNotLookedUp: names beyond svc.<domain> never reach
// the lookup, so a kubelet is not asked about the internet.
func TestOutsideTheZoneIsNotLookedUp(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	s := start(t, fakeLookup(&calls))
	for _, name := range []string{"example.com.", "cluster.local.", "svc.cluster.local.", "cache.team-a.svc.other.local."} {
		h, _ := exchange(t, "udp", s.Addr(), name, dnsmessage.TypeA)
		if h.RCode != dnsmessage.RCodeNameError {
			t.Errorf("%s: rcode %v, want NXDOMAIN", name, h.RCode)
		}
	}
	if n := calls.Load(); n != 0 {
		t.Errorf("the lookup was called %d times for names outside svc.cluster.local, want 0", n)
	}
}

// TestClose: Close ends the server, and nothing answers on its port.
func TestClose(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	s, err := Start(fakeLookup(&calls), Options{Domain: "example.internal"})
	if err != nil {
		t.Fatal(err)
	}
	h, answers := exchange(t, "tcp", s.Addr(), "cache.team-a.svc.example.internal.", dnsmessage.TypeA)
	if h.RCode != dnsmessage.RCodeNameError || len(answers) != 0 {
		t.Errorf("cache.team-a.svc.example.internal: rcode %v with %d answers, want NXDOMAIN: the fake knows cluster.local names only", h.RCode, len(answers))
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("the lookup was called %d times for a name under svc.example.internal, want once: Domain sets the zone", n)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if c, err := (&net.Dialer{Timeout: time.Second}).DialContext(t.Context(), "tcp", s.Addr()); err == nil {
		_ = c.Close()
		t.Errorf("%s still accepts connections after Close", s.Addr())
	}
}
