package securityserver

import (
	"testing"
	"time"

	as "github.com/aerospike/aerospike-client-go/v8"
	"github.com/aerospike/aerospike-client-go/v8/types"
	"github.com/google/go-cmp/cmp"
)

// TestLogin covers LOGIN as the client's node validator sends it
// (reference §3.4): who may log in, and the exact result codes of those who
// may not. NewClient wraps the cause in INVALID_NODE_ERROR.
func TestLogin(t *testing.T) {
	t.Parallel()
	s := Start(t,
		WithRole(as.Role{Name: "office", Privileges: []as.Privilege{{Code: as.Read}}, Whitelist: []string{"10.0.0.0/8"}}),
		WithRole(as.Role{Name: "local", Privileges: []as.Privilege{{Code: as.Read}}, Whitelist: []string{"10.1.2.3", "127.0.0.0/8"}}),
		WithUser("password", "password", "read"),
		WithUser("remote", "pw", "office"),
		WithUser("nearby", "pw", "office", "local"),
	)
	ac := connect(t, s.Host(), "admin", "admin")
	if err := ac.CreatePKIUser(nil, "pki", []string{"read"}); err != nil {
		t.Fatalf("cannot create a PKI user: %v", err)
	}
	cases := map[string]struct {
		reason   string
		user, pw string
		want     []types.ResultCode
	}{
		"SeededUser": {
			reason: "a user seeded with WithUser logs in with its password",
			user:   "password", pw: "password",
		},
		"WrongPassword": {
			reason: "a wrong password is INVALID_CREDENTIAL (VERIFIED)",
			user:   "admin", pw: "nimda",
			want: []types.ResultCode{types.INVALID_NODE_ERROR, types.INVALID_CREDENTIAL},
		},
		"UnknownUser": {
			reason: "an unknown user is INVALID_USER",
			user:   "ghost", pw: "admin",
			want: []types.ResultCode{types.INVALID_NODE_ERROR, types.INVALID_USER},
		},
		"PKIUserWithPassword": {
			reason: "a PKI-only user cannot log in with a password, not even the placeholder",
			user:   "pki", pw: "nopassword",
			want: []types.ResultCode{types.INVALID_NODE_ERROR, types.INVALID_CREDENTIAL},
		},
		"NotWhitelisted": {
			reason: "a user whose roles allow only other addresses is NOT_WHITELISTED",
			user:   "remote", pw: "pw",
			want: []types.ResultCode{types.INVALID_NODE_ERROR, types.NOT_WHITELISTED},
		},
		"WhitelistUnion": {
			reason: "the allow-lists of a user's roles add up",
			user:   "nearby", pw: "pw",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			c, err := dial(s.Host(), tc.user, tc.pw)
			wantCodes(t, tc.reason, err, tc.want...)
			if err == nil {
				c.Close()
			}
		})
	}
}

// TestCreatedUserLogsIn: a user made with CreateUser logs in with the
// password given, and not with another (reference §7(4), VERIFIED).
func TestCreatedUserLogsIn(t *testing.T) {
	t.Parallel()
	s := Start(t)
	ac := connect(t, s.Host(), "admin", "admin")
	if err := ac.CreateUser(nil, "alice", "s3cret", []string{"read"}); err != nil {
		t.Fatal(err)
	}
	_, err := dial(s.Host(), "alice", "wrong")
	wantCodes(t, "wrong password for a created user", err, types.INVALID_NODE_ERROR, types.INVALID_CREDENTIAL)
	c := connect(t, s.Host(), "alice", "s3cret")
	u, err := c.QueryUser(nil, "alice")
	if err != nil {
		t.Fatalf("a user cannot query themselves: %v", err)
	}
	if diff := cmp.Diff(&as.UserRoles{User: "alice", Roles: []string{"read"}, ConnsInUse: u.ConnsInUse}, u); diff != "" || u.ConnsInUse < 1 {
		t.Errorf("alice querying herself (-want +got):\n%s (connections %d, want at least 1)", diff, u.ConnsInUse)
	}
}

// TestSessions covers the session token: later connections AUTHENTICATE
// with it, an expired one answers EXPIRED_SESSION and the client logs in
// again, and a dropped user's token stops working.
func TestSessions(t *testing.T) {
	t.Parallel()
	s := Start(t)
	c := connect(t, s.Host(), "admin", "admin")

	// New connections authenticate with the token rather than the password.
	s.CloseConnections()
	if err := eventually(2*time.Second, func() error { _, err := c.QueryUsers(nil); return err }); err != nil {
		t.Fatalf("no recovery after the connections closed: %v", err)
	}
	got := requests(s, CmdLogin, CmdAuthenticate)
	want := []Request{
		{Command: CmdLogin, User: "admin", Subject: "admin"},
		{Command: CmdAuthenticate, User: "admin", Subject: "admin"},
		{Command: CmdAuthenticate, User: "admin", Subject: "admin"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("reconnecting with a live session (-want +got):\n%s", diff)
	}

	// An expired session makes AUTHENTICATE fail; the client logs in again.
	s.ExpireSessions()
	s.CloseConnections()
	if err := eventually(2*time.Second, func() error { _, err := c.QueryUsers(nil); return err }); err != nil {
		t.Fatalf("no recovery after the session expired: %v", err)
	}
	got = requests(s, CmdLogin, CmdAuthenticate)[len(want):]
	want = []Request{
		{Command: CmdAuthenticate, Subject: "admin", Result: types.EXPIRED_SESSION},
		{Command: CmdLogin, User: "admin", Subject: "admin"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("reconnecting with an expired session (-want +got):\n%s", diff)
	}
}

// TestShortSessionTTL: a TTL of 60 s or less is one the client will not
// use, so every connection logs in with the password.
func TestShortSessionTTL(t *testing.T) {
	t.Parallel()
	s := Start(t, WithSessionTTL(time.Minute))
	connect(t, s.Host(), "admin", "admin")
	for _, r := range requests(s, CmdLogin, CmdAuthenticate) {
		if r.Command != CmdLogin || r.Result != types.OK {
			t.Errorf("with a 60 s TTL want only successful logins, got %+v", r)
		}
	}
}

// TestDroppedUser: dropping a user ends their sessions and their
// connections' authentication.
func TestDroppedUser(t *testing.T) {
	t.Parallel()
	s := Start(t, WithUser("bob", "pw", "read"))
	ac := connect(t, s.Host(), "admin", "admin")
	bc := connect(t, s.Host(), "bob", "pw")
	if _, err := bc.QueryUser(nil, "bob"); err != nil {
		t.Fatalf("bob cannot see himself: %v", err)
	}
	if err := ac.DropUser(nil, "bob"); err != nil {
		t.Fatal(err)
	}
	_, err := bc.QueryUser(nil, "bob")
	wantCodes(t, "a dropped user's open connection", err, types.NOT_AUTHENTICATED)
}
