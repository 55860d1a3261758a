package securityserver

import (
	"sync"
	"time"
)

// A Scope selects the messages faults apply to. Scopes combine with |.
type Scope uint8

const (
	// ScopeAdmin is user and role management: every security message but
	// LOGIN and AUTHENTICATE. It is the default, because the client's tend
	// traffic (info, every second) would otherwise consume faults at
	// unpredictable moments.
	ScopeAdmin Scope = 1 << iota
	// ScopeLogin is LOGIN and AUTHENTICATE.
	ScopeLogin
	// ScopeInfo is info requests, the client's tend included.
	ScopeInfo
	// ScopeData is key-value commands.
	ScopeData
)

// A Cut is where CloseMidCommand closes a connection.
type Cut int

const (
	// CutAfterRequest reads the request and closes the connection without
	// acting on it: the command never happened.
	CutAfterRequest Cut = iota + 1
	// CutMidReply acts on the request, writes the first half of the reply
	// and closes the connection: the command happened, but the client
	// cannot know.
	CutMidReply
)

// faults holds the injected failures. Counted faults are consumed by the
// next matching messages, in arrival order, across all connections.
type faults struct {
	mu     sync.Mutex
	scope  Scope
	refuse bool
	delay  time.Duration
	drop   int
	cutN   int
	cutAt  Cut
}

// An action is what faults decided for one message.
type action struct {
	delay time.Duration
	drop  bool
	cut   Cut
}

func newFaults() *faults { return &faults{scope: ScopeAdmin} }

// take decides the fate of one message in scope sc, consuming counted
// faults. Cuts win over drops: a cut is the more drastic failure.
func (f *faults) take(sc Scope) action {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.scope&sc == 0 {
		return action{}
	}
	a := action{delay: f.delay}
	switch {
	case f.cutN > 0:
		f.cutN--
		a.cut = f.cutAt
	case f.drop > 0:
		f.drop--
		a.drop = true
	}
	return a
}

func (f *faults) refusing() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.refuse
}

// RefuseLogins makes LOGIN and AUTHENTICATE fail with INVALID_CREDENTIAL
// while refuse is true, as a server does whose credentials changed under a
// client. Connections already authenticated keep working.
func (s *Server) RefuseLogins(refuse bool) {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.refuse = refuse
}

// Delay holds every reply in the fault scope for d before writing it (0
// stops delaying). A delay beyond the client's timeout makes the command
// fail with TIMEOUT after it took effect. Beware: aerospike-client-go
// v8.6.0 keeps a connection whose read deadline passed, so the late reply
// is then read as the answer to the next command on it (see
// TestLateReplyMisread); until an error closes that connection, answers
// are off by one.
func (s *Server) Delay(d time.Duration) {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.delay = d
}

// DropReplies swallows the replies to the next n messages in the fault
// scope. Each command still takes effect; the client waits for a reply
// until its timeout, then keeps using the connection.
func (s *Server) DropReplies(n int) {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.drop = n
}

// CloseMidCommand closes the connections of the next n messages in the
// fault scope at the given point; see Cut.
func (s *Server) CloseMidCommand(n int, at Cut) {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.cutN, s.faults.cutAt = n, at
}

// SetFaultScope chooses the messages Delay, DropReplies and CloseMidCommand
// apply to (default ScopeAdmin).
func (s *Server) SetFaultScope(sc Scope) {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.scope = sc
}

// ClearFaults removes every injected fault and restores the default scope.
func (s *Server) ClearFaults() {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	f := s.faults
	f.scope, f.refuse, f.delay, f.drop, f.cutN, f.cutAt = ScopeAdmin, false, 0, 0, 0, 0
}
