package securityserver

import (
	"context"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	as "github.com/aerospike/aerospike-client-go/v8"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// A Server is one Aerospike Enterprise node with security, served in-process
// on 127.0.0.1. It is safe for concurrent use.
type Server struct {
	cfg     *config
	state   *state
	catalog *catalog
	faults  *faults
	log     requestLog

	// life serialises Close and Restart.
	life sync.Mutex

	mu     sync.Mutex // guards the fields below
	addr   string     // fixed at New, kept across Restart
	ln     net.Listener
	conns  map[net.Conn]struct{}
	stop   chan struct{} // closed when the current listener stops
	closed bool

	wg sync.WaitGroup // the accept loop and every connection
}

// New starts a server on 127.0.0.1 at a free port. Close it when done.
func New(opts ...Option) (*Server, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		o(cfg)
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	s := &Server{
		cfg:     cfg,
		state:   newState(cfg),
		catalog: newCatalog(),
		faults:  newFaults(),
		conns:   map[net.Conn]struct{}{},
	}
	if err := s.seed(); err != nil {
		return nil, err
	}
	ln, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		return nil, errors.Wrap(err, "cannot listen on 127.0.0.1")
	}
	s.addr = ln.Addr().String()
	s.start(ln)
	return s, nil
}

// Start is New for tests: it fails t on error, logs protocol errors with
// t.Logf and closes the server when t ends.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s, err := New(append([]Option{WithLogf(t.Logf)}, opts...)...)
	if err != nil {
		t.Fatalf("cannot start security server: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}

// Addr is the server's host:port.
func (s *Server) Addr() string { return s.addr }

// Host is the server as a client seed.
func (s *Server) Host() *as.Host { return as.NewHost("127.0.0.1", s.Port()) }

// Port is the server's TCP port, the same across Restart.
func (s *Server) Port() int {
	_, p, _ := net.SplitHostPort(s.addr)
	n, _ := strconv.Atoi(p)
	return n
}

// NodeName is the node id the server reports in info "node".
func (s *Server) NodeName() string { return s.cfg.node }

// Close stops the server and waits for its connections to end. It is safe
// to call more than once.
func (s *Server) Close() {
	s.life.Lock()
	defer s.life.Unlock()
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.halt()
}

// Restart stops the server, dropping every connection and session, and
// starts it again on the same port. Users, roles, indexes, UDFs and faults
// are kept, as a real node keeps its system metadata across a restart.
// Clients see their connections fail, then re-authenticate: their session
// tokens are refused with INVALID_CREDENTIAL, and they log in again.
func (s *Server) Restart() error {
	s.life.Lock()
	defer s.life.Unlock()
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		return errors.New("cannot restart a closed server")
	}
	s.halt()
	s.state.dropSessions()
	var ln net.Listener
	var err error
	// The port was ours a moment ago; only a racing process could take it.
	for range 50 {
		if ln, err = (&net.ListenConfig{}).Listen(context.Background(), "tcp", s.addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		return errors.Wrapf(err, "cannot listen again on %s", s.addr)
	}
	s.start(ln)
	return nil
}

// CloseConnections closes every client connection, as a network blip would,
// and keeps serving. Clients reconnect with their session tokens.
func (s *Server) CloseConnections() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		_ = c.Close()
	}
}

// ExpireSessions ends every session now: AUTHENTICATE with an existing token
// answers EXPIRED_SESSION, and the client logs in again.
func (s *Server) ExpireSessions() { s.state.expireSessions() }

// Requests returns what the server has answered so far, oldest first (at
// most the latest few thousand).
func (s *Server) Requests() []Request { return s.log.all() }

func (s *Server) start(ln net.Listener) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ln, s.stop = ln, make(chan struct{})
	s.wg.Add(1)
	go s.accept(ln, s.stop)
}

// halt closes the listener and every connection and waits for their
// goroutines. The caller holds life.
func (s *Server) halt() {
	s.mu.Lock()
	if s.ln != nil {
		_ = s.ln.Close()
		close(s.stop)
		s.ln = nil
	}
	for c := range s.conns {
		_ = c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

func (s *Server) accept(ln net.Listener, stop chan struct{}) {
	defer s.wg.Done()
	for {
		nc, err := ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		select {
		case <-stop:
			s.mu.Unlock()
			_ = nc.Close()
			return
		default:
		}
		s.conns[nc] = struct{}{}
		s.wg.Add(1)
		s.mu.Unlock()
		go s.serve(nc, stop)
	}
}
