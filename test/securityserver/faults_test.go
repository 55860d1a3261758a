package securityserver

import (
	"testing"
	"time"

	as "github.com/aerospike/aerospike-client-go/v8"
	"github.com/aerospike/aerospike-client-go/v8/types"
	"github.com/google/go-cmp/cmp"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// recoverWithin is how long a test lets the client reconnect after a fault.
const recoverWithin = 3 * time.Second

// TestReplyFaults: a reply that is late, lost or cut short makes the client
// fail the command with a timeout or network error; the next command works
// on a new connection. Whether the failed command took effect depends on
// where it failed, which is what a caller retrying it must cope with.
func TestReplyFaults(t *testing.T) {
	t.Parallel()
	// Timeouts are far from the delays in both directions, so that a
	// loaded machine does not change the outcome.
	cases := map[string]struct {
		reason  string
		inject  func(s *Server)
		timeout time.Duration
		want    types.ResultCode
		applied bool
	}{
		"DelayWithinTimeout": {
			reason:  "a reply slower than usual but within the timeout",
			inject:  func(s *Server) { s.Delay(50 * time.Millisecond) },
			timeout: 3 * time.Second,
			applied: true,
		},
		"DelayBeyondTimeout": {
			reason:  "a reply later than the timeout: the command ran, the client timed out",
			inject:  func(s *Server) { s.Delay(time.Second) },
			timeout: 200 * time.Millisecond,
			want:    types.TIMEOUT,
			applied: true,
		},
		"DropReply": {
			reason:  "a lost reply: the command ran, the client timed out",
			inject:  func(s *Server) { s.DropReplies(1) },
			timeout: 200 * time.Millisecond,
			want:    types.TIMEOUT,
			applied: true,
		},
		"CloseAfterRequest": {
			reason:  "the connection closed before the command ran",
			inject:  func(s *Server) { s.CloseMidCommand(1, CutAfterRequest) },
			timeout: 3 * time.Second,
			want:    types.NETWORK_ERROR,
		},
		"CloseMidReply": {
			reason:  "the connection closed halfway through the reply: the command ran",
			inject:  func(s *Server) { s.CloseMidCommand(1, CutMidReply) },
			timeout: 3 * time.Second,
			want:    types.NETWORK_ERROR,
			applied: true,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			// A server and client per case: after a timeout the client
			// keeps its connection (see TestLateReplyMisread), so cases
			// must not share one.
			s := Start(t)
			c := connect(t, s.Host(), "admin", "admin")
			tc.inject(s)
			err := c.CreateRole(admin(tc.timeout), "r", nil, nil, 0, 0)
			if got := code(err); got != tc.want {
				t.Errorf("%s: got %v (%v), want %v", tc.reason, got, err, tc.want)
			}
			s.ClearFaults()
			var rc types.ResultCode
			if err := eventually(recoverWithin, func() error {
				_, err := c.QueryRole(nil, "r")
				if rc = code(err); rc == types.INVALID_ROLE {
					return nil // an answer: the role is not there
				}
				return err
			}); err != nil {
				t.Fatalf("%s: the client did not recover: %v", tc.reason, err)
			}
			if applied := rc == types.OK; applied != tc.applied {
				t.Errorf("%s: role created %t, want %t", tc.reason, applied, tc.applied)
			}
		})
	}
}

// TestLateReplyMisread pins a hazard of aerospike-client-go v8.6.0 that
// Delay exposes: when an admin command times out on a read deadline, the
// client marks the tend connection salvageable and keeps it, so the late
// reply is read by the next command on it. Here a DropUser of a user that
// does not exist "succeeds" with the stale reply of a timed-out CreateUser.
// A caller must treat a timed-out admin command as in doubt and should not
// trust the next answer on the same client; re-reading state (QueryUser)
// before acting, or a new client, is safe.
func TestLateReplyMisread(t *testing.T) {
	t.Parallel()
	s := Start(t)
	c := connect(t, s.Host(), "admin", "admin")
	s.Delay(500 * time.Millisecond)
	wantCodes(t, "a reply later than the timeout", c.CreateRole(admin(100*time.Millisecond), "r", nil, nil, 0, 0), types.TIMEOUT)
	s.ClearFaults()
	time.Sleep(time.Second) // the late OK is now waiting in the client's socket
	wantCodes(t, "dropping a missing role reads the stale OK", c.DropRole(nil, "ghost"))
	// The client returned before the server even answered the DropRole.
	var got []Request
	_ = eventually(time.Second, func() error {
		if got = requests(s, CmdCreateRole, CmdDropRole); len(got) < 2 {
			return errors.New("the DropRole is not answered yet")
		}
		return nil
	})
	want := []Request{
		{Command: CmdCreateRole, User: "admin", Subject: "r"},
		{Command: CmdDropRole, User: "admin", Subject: "ghost", Result: types.INVALID_ROLE},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("what the server answered (-want +got):\n%s", diff)
	}
}

// TestFaultScope: faults hit only messages in their scope, so the tend's
// info traffic does not eat an admin fault, and info or login faults can be
// aimed at on purpose.
func TestFaultScope(t *testing.T) {
	t.Parallel()
	t.Run("Info", func(t *testing.T) {
		t.Parallel()
		s := Start(t)
		c := connect(t, s.Host(), "admin", "admin")
		s.SetFaultScope(ScopeInfo)
		s.CloseMidCommand(1, CutAfterRequest)
		if _, err := c.QueryUsers(nil); err != nil {
			t.Errorf("an admin command outside the scope failed: %v", err)
		}
		node := c.GetNodes()[0]
		_, err := node.RequestInfo(as.NewInfoPolicy(), "build")
		wantCodes(t, "an info request whose connection closes", err, types.NETWORK_ERROR, types.NETWORK_ERROR)
		if _, err := node.RequestInfo(as.NewInfoPolicy(), "build"); err != nil {
			t.Errorf("the next info request failed: %v", err)
		}
	})
	t.Run("Login", func(t *testing.T) {
		t.Parallel()
		s := Start(t)
		s.SetFaultScope(ScopeLogin)
		s.DropReplies(1)
		// The seed's LOGIN times out; the client's start-up tends try the
		// seed twice, and the second LOGIN works. LoginTimeout also bounds
		// the info requests after LOGIN on that connection, so it is not
		// cut fine.
		c := connect(t, s.Host(), "admin", "admin", func(p *as.ClientPolicy) { p.LoginTimeout = time.Second })
		if _, err := c.QueryUsers(nil); err != nil {
			t.Errorf("the client is not usable: %v", err)
		}
		if got := requests(s, CmdLogin); len(got) < 2 {
			t.Errorf("want the dropped LOGIN and at least one more, got %+v", got)
		}
		s.DropReplies(1000)
		_, err := dial(s.Host(), "admin", "admin", func(p *as.ClientPolicy) { p.LoginTimeout = 200 * time.Millisecond })
		wantCodes(t, "no LOGIN ever answered", err, types.INVALID_NODE_ERROR, types.TIMEOUT)
	})
	t.Run("Several", func(t *testing.T) {
		t.Parallel()
		s := Start(t)
		c := connect(t, s.Host(), "admin", "admin")
		s.DropReplies(2)
		for range 2 {
			_, err := c.QueryUsers(admin(100 * time.Millisecond))
			wantCodes(t, "a dropped reply", err, types.TIMEOUT)
		}
		if err := eventually(recoverWithin, func() error { _, err := c.QueryUsers(nil); return err }); err != nil {
			t.Errorf("a third command failed: %v", err)
		}
	})
}

// TestRefuseLogins: while logins are refused, new clients and new
// connections fail with INVALID_CREDENTIAL and connections already
// authenticated keep working; afterwards everything recovers.
func TestRefuseLogins(t *testing.T) {
	t.Parallel()
	s := Start(t)
	c := connect(t, s.Host(), "admin", "admin")
	s.RefuseLogins(true)

	_, err := dial(s.Host(), "admin", "admin")
	wantCodes(t, "a new client", err, types.INVALID_NODE_ERROR, types.INVALID_CREDENTIAL)
	if _, err := c.QueryUsers(nil); err != nil {
		t.Errorf("an authenticated connection stopped working: %v", err)
	}
	s.CloseConnections()
	err = eventually(recoverWithin, func() error {
		_, err := c.QueryUsers(nil)
		if code(err) == types.INVALID_CREDENTIAL {
			return nil
		}
		return err
	})
	if err != nil {
		t.Errorf("a new connection of an existing client: want INVALID_CREDENTIAL, got %v", err)
	}

	s.RefuseLogins(false)
	if err := eventually(recoverWithin, func() error { _, err := c.QueryUsers(nil); return err }); err != nil {
		t.Errorf("the client did not recover: %v", err)
	}
}

// TestRestart: a restart keeps the port, users and roles, and drops
// connections and sessions; the client reconnects, its token is refused
// and it logs in again.
func TestRestart(t *testing.T) {
	t.Parallel()
	s := Start(t)
	c := connect(t, s.Host(), "admin", "admin")
	if err := c.CreateUser(nil, "kept", "pw", []string{"read"}); err != nil {
		t.Fatal(err)
	}
	before := len(requests(s, CmdLogin, CmdAuthenticate))
	addr := s.Addr()
	if err := s.Restart(); err != nil {
		t.Fatal(err)
	}
	if s.Addr() != addr {
		t.Errorf("address changed across restart: %s, then %s", addr, s.Addr())
	}
	var got *as.UserRoles
	if err := eventually(recoverWithin, func() error {
		var err error
		got, err = c.QueryUser(nil, "kept")
		return err
	}); err != nil {
		t.Fatalf("the client did not recover: %v", err)
	}
	if diff := cmp.Diff(&as.UserRoles{User: "kept", Roles: []string{"read"}}, got); diff != "" {
		t.Errorf("user after restart (-want +got):\n%s", diff)
	}
	want := []Request{
		{Command: CmdAuthenticate, Subject: "admin", Result: types.INVALID_CREDENTIAL},
		{Command: CmdLogin, User: "admin", Subject: "admin"},
	}
	if diff := cmp.Diff(want, requests(s, CmdLogin, CmdAuthenticate)[before:]); diff != "" {
		t.Errorf("re-authentication after restart (-want +got):\n%s", diff)
	}
}

// TestCloseIsFinal: a closed server refuses connections and cannot restart.
func TestCloseIsFinal(t *testing.T) {
	t.Parallel()
	s, err := New()
	if err != nil {
		t.Fatal(err)
	}
	c := connect(t, s.Host(), "admin", "admin")
	s.Close()
	s.Close()
	if err := s.Restart(); err == nil {
		t.Error("a closed server restarted")
	}
	if _, err := c.QueryUsers(admin(200 * time.Millisecond)); err == nil {
		t.Error("a closed server answered")
	}
}
