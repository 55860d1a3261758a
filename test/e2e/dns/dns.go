// Package dns serves the cluster's DNS names for end-to-end tests that run
// without a cluster DNS: a small server on 127.0.0.1, over UDP and TCP on a
// free port, that answers A queries for names under svc.<cluster domain>
// from a lookup function, such as the stand-in kubelet's, and NXDOMAIN for
// every other name. A provider running outside the cluster resolves the
// cluster's Services through it (its --dns-server flag).
package dns

import (
	"context"
	"encoding/binary"
	"io"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/dns/dnsmessage"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// A Lookup answers a name under svc.<domain>, such as
// cache.team-a.svc.cluster.local, given in lower case without the final
// dot: its IPv4 addresses; none for a name that exists without any (the
// server answers NOERROR with no records); found false for a name that does
// not exist (NXDOMAIN); an error when it cannot tell (SERVFAIL), so that a
// client retries rather than believing the name is gone.
type Lookup func(ctx context.Context, name string) (addrs []netip.Addr, found bool, err error)

// Options configure a Server.
type Options struct {
	// Domain is the cluster domain; empty means cluster.local.
	Domain string
	// Timeout bounds one lookup; zero means 5 s.
	Timeout time.Duration
}

// Limits of the protocol and of the server.
const (
	// maxUDPSize is what a UDP answer may take without EDNS; a longer one
	// is truncated, and the client asks again over TCP.
	maxUDPSize = 512
	// maxMessage is the largest DNS message.
	maxMessage = 65535
	// tcpIdle bounds how long a TCP connection may wait for a query.
	tcpIdle = 10 * time.Second
	// listenAttempts bounds the search for a port free for UDP and TCP.
	listenAttempts = 20
)

// A Server answers DNS queries on 127.0.0.1 until Close.
type Server struct {
	lookup  Lookup
	zone    string
	timeout time.Duration

	udp net.PacketConn
	tcp net.Listener

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu    sync.Mutex
	conns map[net.Conn]bool
}

// Start listens on a free port of 127.0.0.1, the same for UDP and TCP, and
// serves queries until Close.
func Start(lookup Lookup, o Options) (*Server, error) {
	domain := strings.Trim(strings.ToLower(o.Domain), ".")
	if domain == "" {
		domain = "cluster.local"
	}
	timeout := o.Timeout
	if timeout == 0 {
		timeout = 5 * time.Second
	}
	udp, tcp, err := listen()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{
		lookup: lookup, zone: "svc." + domain, timeout: timeout,
		udp: udp, tcp: tcp, ctx: ctx, cancel: cancel, conns: map[net.Conn]bool{},
	}
	s.wg.Go(s.serveUDP)
	s.wg.Go(s.serveTCP)
	return s, nil
}

// listen finds a port on which both a UDP and a TCP listener can be
// opened: resolvers send the same address both ways.
func listen() (net.PacketConn, net.Listener, error) {
	var last error
	for range listenAttempts {
		tcp, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", "127.0.0.1:0")
		if err != nil {
			return nil, nil, errors.Wrap(err, "cannot listen on 127.0.0.1 for DNS over TCP")
		}
		a, ok := tcp.Addr().(*net.TCPAddr)
		if !ok {
			_ = tcp.Close()
			return nil, nil, errors.Errorf("a TCP listener has a %T address", tcp.Addr())
		}
		port := a.Port
		udp, err := (&net.ListenConfig{}).ListenPacket(context.Background(), "udp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err == nil {
			return udp, tcp, nil
		}
		last = err
		_ = tcp.Close()
	}
	return nil, nil, errors.Wrapf(last, "cannot find a port of 127.0.0.1 free for both UDP and TCP in %d attempts", listenAttempts)
}

// Addr is the server's address, 127.0.0.1:port, for UDP and TCP.
func (s *Server) Addr() string { return s.tcp.Addr().String() }

// Close stops the server and waits until no query is being answered.
func (s *Server) Close() error {
	s.cancel()
	err := errors.Join(s.udp.Close(), s.tcp.Close())
	s.mu.Lock()
	for c := range s.conns {
		_ = c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
	return errors.Wrap(err, "cannot close the DNS server")
}

func (s *Server) serveUDP() {
	buf := make([]byte, maxMessage)
	for {
		n, from, err := s.udp.ReadFrom(buf)
		if err != nil {
			if s.ctx.Err() != nil {
				return
			}
			continue
		}
		req := append([]byte(nil), buf[:n]...)
		// A slow lookup must not hold up the queries behind it.
		s.wg.Go(func() {
			if resp := s.answer(req, true); resp != nil {
				_, _ = s.udp.WriteTo(resp, from)
			}
		})
	}
}

func (s *Server) serveTCP() {
	for {
		c, err := s.tcp.Accept()
		if err != nil {
			if s.ctx.Err() != nil {
				return
			}
			continue
		}
		s.mu.Lock()
		if s.ctx.Err() != nil {
			s.mu.Unlock()
			_ = c.Close()
			return
		}
		s.conns[c] = true
		s.mu.Unlock()
		s.wg.Go(func() {
			defer func() {
				s.mu.Lock()
				delete(s.conns, c)
				s.mu.Unlock()
				_ = c.Close()
			}()
			s.serveConn(c)
		})
	}
}

// serveConn answers the queries of one TCP connection, each prefixed by
// its length in two bytes, until the client closes it or idles.
func (s *Server) serveConn(c net.Conn) {
	var size [2]byte
	for {
		if err := c.SetDeadline(time.Now().Add(tcpIdle)); err != nil {
			return
		}
		if _, err := io.ReadFull(c, size[:]); err != nil {
			return
		}
		req := make([]byte, binary.BigEndian.Uint16(size[:]))
		if _, err := io.ReadFull(c, req); err != nil {
			return
		}
		resp := s.answer(req, false)
		if resp == nil {
			return
		}
		out := binary.BigEndian.AppendUint16(nil, uint16(len(resp))) //nolint:gosec // A built message is at most 65535 bytes.
		if _, err := c.Write(append(out, resp...)); err != nil {
			return
		}
	}
}

// answer builds the response to one query, or nil for a message too broken
// to answer: without a header there is no ID to answer to.
func (s *Server) answer(req []byte, udp bool) []byte {
	var p dnsmessage.Parser
	h, err := p.Start(req)
	if err != nil || h.Response {
		return nil
	}
	rh := dnsmessage.Header{
		ID:                 h.ID,
		Response:           true,
		OpCode:             h.OpCode,
		Authoritative:      true,
		RecursionDesired:   h.RecursionDesired,
		RecursionAvailable: true,
	}
	q, err := p.Question()
	if err != nil {
		rh.RCode = dnsmessage.RCodeFormatError
		return build(rh, nil, nil)
	}
	var addrs []netip.Addr
	rh.RCode, addrs = s.resolve(h, q)
	resp := build(rh, &q, addrs)
	if udp && len(resp) > maxUDPSize {
		rh.Truncated = true
		resp = build(rh, &q, nil)
	}
	return resp
}

// resolve decides the answer to question q: its response code and the
// addresses to answer with.
func (s *Server) resolve(h dnsmessage.Header, q dnsmessage.Question) (dnsmessage.RCode, []netip.Addr) {
	if h.OpCode != 0 {
		return dnsmessage.RCodeNotImplemented, nil
	}
	if q.Class != dnsmessage.ClassINET && q.Class != dnsmessage.ClassANY {
		return dnsmessage.RCodeRefused, nil
	}
	name := strings.ToLower(strings.TrimSuffix(q.Name.String(), "."))
	if !strings.HasSuffix(name, "."+s.zone) {
		return dnsmessage.RCodeNameError, nil
	}
	ctx, cancel := context.WithTimeout(s.ctx, s.timeout)
	defer cancel()
	addrs, found, err := s.lookup(ctx, name)
	switch {
	case err != nil:
		return dnsmessage.RCodeServerFailure, nil
	case !found:
		return dnsmessage.RCodeNameError, nil
	case q.Type != dnsmessage.TypeA && q.Type != dnsmessage.TypeALL:
		// The name exists, with no records of this type (NODATA): a
		// resolver asking for A and AAAA at once keeps the A answer.
		return dnsmessage.RCodeSuccess, nil
	}
	return dnsmessage.RCodeSuccess, addrs
}

// build writes a response with the question, if any, and an A record per
// IPv4 address. The records live zero seconds: pods come and go.
func build(h dnsmessage.Header, q *dnsmessage.Question, addrs []netip.Addr) []byte {
	b := dnsmessage.NewBuilder(make([]byte, 0, maxUDPSize), h)
	b.EnableCompression()
	// Errors below mean a bug in what is built, not bad input: the
	// question was parsed by the same package.
	if err := b.StartQuestions(); err != nil {
		return nil
	}
	if q != nil {
		if err := b.Question(*q); err != nil {
			return nil
		}
	}
	if err := b.StartAnswers(); err != nil {
		return nil
	}
	for _, a := range addrs {
		if a = a.Unmap(); !a.Is4() {
			continue
		}
		rh := dnsmessage.ResourceHeader{Name: q.Name, Type: dnsmessage.TypeA, Class: dnsmessage.ClassINET}
		if err := b.AResource(rh, dnsmessage.AResource{A: a.As4()}); err != nil {
			return nil
		}
	}
	out, err := b.Finish()
	if err != nil {
		return nil
	}
	return out
}
