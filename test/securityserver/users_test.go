package securityserver

import (
	"testing"

	as "github.com/aerospike/aerospike-client-go/v8"
	"github.com/aerospike/aerospike-client-go/v8/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// TestUserCommands drives every user command through the client, as the
// admin (user-admin), and checks result codes and the users that result
// (reference §4.1, §4.3, §4.5 and §7(4)). Cases run in order against one
// server; each uses its own user.
func TestUserCommands(t *testing.T) {
	t.Parallel()
	s := Start(t, WithUser("bob", "pw", "read"))
	c := connect(t, s.Host(), "admin", "admin")

	cases := []struct {
		name   string
		reason string
		run    func() error
		want   types.ResultCode
		// user, when set, is the state QueryUser must then report.
		user *as.UserRoles
	}{
		{
			name: "CreateUser", reason: "a new user with roles",
			run:  func() error { return c.CreateUser(nil, "u1", "pw", []string{"read", "write"}) },
			user: &as.UserRoles{User: "u1", Roles: []string{"read", "write"}},
		},
		{
			name: "CreateUserDuplicate", reason: "the same name again is USER_ALREADY_EXISTS (VERIFIED)",
			run:  func() error { return c.CreateUser(nil, "u1", "pw", []string{"read"}) },
			want: types.USER_ALREADY_EXISTS,
		},
		{
			name: "CreateUserUnknownRole", reason: "a role that does not exist is INVALID_ROLE",
			run:  func() error { return c.CreateUser(nil, "u2", "pw", []string{"nope"}) },
			want: types.INVALID_ROLE,
		},
		{
			name: "CreateUserEmptyName", reason: "an empty user name is INVALID_USER",
			run:  func() error { return c.CreateUser(nil, "", "pw", nil) },
			want: types.INVALID_USER,
		},
		{
			name: "CreateUserNoRoles", reason: "a user may start with no roles",
			run:  func() error { return c.CreateUser(nil, "u3", "pw", nil) },
			user: &as.UserRoles{User: "u3", Roles: []string{}},
		},
		{
			name: "GrantRoles", reason: "granted roles add to the user's, once each",
			run:  func() error { return c.GrantRoles(nil, "u1", []string{"sys-admin", "read"}) },
			user: &as.UserRoles{User: "u1", Roles: []string{"read", "sys-admin", "write"}},
		},
		{
			name: "GrantRolesUnknownUser", reason: "granting to a missing user is INVALID_USER",
			run:  func() error { return c.GrantRoles(nil, "ghost", []string{"read"}) },
			want: types.INVALID_USER,
		},
		{
			name: "GrantRolesUnknownRole", reason: "granting a missing role is INVALID_ROLE",
			run:  func() error { return c.GrantRoles(nil, "u1", []string{"nope"}) },
			want: types.INVALID_ROLE,
		},
		{
			name: "RevokeRoles", reason: "revoked roles leave the user",
			run:  func() error { return c.RevokeRoles(nil, "u1", []string{"sys-admin", "write"}) },
			user: &as.UserRoles{User: "u1", Roles: []string{"read"}},
		},
		{
			name: "RevokeRolesUnknownUser", reason: "revoking from a missing user is INVALID_USER",
			run:  func() error { return c.RevokeRoles(nil, "ghost", []string{"read"}) },
			want: types.INVALID_USER,
		},
		{
			name: "SetPassword", reason: "user-admin sets another user's password",
			run:  func() error { return c.ChangePassword(nil, "u3", "new") },
			user: &as.UserRoles{User: "u3", Roles: []string{}},
		},
		{
			name: "SetPasswordUnknownUser", reason: "setting a missing user's password is INVALID_USER",
			run:  func() error { return c.ChangePassword(nil, "ghost", "new") },
			want: types.INVALID_USER,
		},
		{
			name: "QueryUserMissing", reason: "querying a missing user is INVALID_USER (VERIFIED)",
			run:  func() error { _, err := c.QueryUser(nil, "ghost"); return err },
			want: types.INVALID_USER,
		},
		{
			name: "DropUser", reason: "a dropped user is gone (VERIFIED)",
			run: func() error { return c.DropUser(nil, "u3") },
		},
		{
			name: "DropUserMissing", reason: "dropping a missing user is INVALID_USER",
			run:  func() error { return c.DropUser(nil, "u3") },
			want: types.INVALID_USER,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := code(tc.run()); got != tc.want {
				t.Fatalf("%s: got %v, want %v", tc.reason, got, tc.want)
			}
			if tc.user == nil {
				return
			}
			got, err := c.QueryUser(nil, tc.user.User)
			if err != nil {
				t.Fatalf("%s: cannot query %q: %v", tc.reason, tc.user.User, err)
			}
			if diff := cmp.Diff(tc.user, got); diff != "" {
				t.Errorf("%s: user (-want +got):\n%s", tc.reason, diff)
			}
		})
	}

	t.Run("QueryUsers", func(t *testing.T) {
		got, err := c.QueryUsers(nil)
		if err != nil {
			t.Fatal(err)
		}
		want := []*as.UserRoles{
			{User: "admin", Roles: []string{"user-admin"}, ConnsInUse: 1},
			{User: "bob", Roles: []string{"read"}},
			{User: "u1", Roles: []string{"read"}},
		}
		// admin's connection count is the client's business (the tend
		// connection, maybe more); it is at least the one in use.
		if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(as.UserRoles{}, "ConnsInUse")); diff != "" || got[0].ConnsInUse < 1 {
			t.Errorf("all users, sorted (-want +got):\n%s\nadmin connections: %d", diff, got[0].ConnsInUse)
		}
	})
}

// TestChangeOwnPassword: a user without user-admin changes their own
// password; the client then swaps its stored hash, so new connections log
// in with the new password (reference §4.1, VERIFIED for ChangePassword).
func TestChangeOwnPassword(t *testing.T) {
	t.Parallel()
	s := Start(t, WithUser("bob", "old", "read"))
	bc := connect(t, s.Host(), "bob", "old")
	if err := bc.ChangePassword(nil, "bob", "new"); err != nil {
		t.Fatalf("bob cannot change his own password: %v", err)
	}
	if got := requests(s, CmdChangePassword); len(got) != 1 || got[0].Result != types.OK {
		t.Errorf("want one successful CHANGE_PASSWORD, got %+v", got)
	}
	// Force a fresh LOGIN: with the session gone the client must use the
	// hash it swapped in.
	s.ExpireSessions()
	s.CloseConnections()
	if err := eventually(2*policy("", "").LoginTimeout, func() error { _, err := bc.QueryUser(nil, "bob"); return err }); err != nil {
		t.Errorf("bob's client cannot log in again with the new password: %v", err)
	}
	_, err := dial(s.Host(), "bob", "old")
	wantCodes(t, "the old password no longer works", err, types.INVALID_NODE_ERROR, types.INVALID_CREDENTIAL)

	// The client sends its current hash as the old password: if someone
	// else changed the password meanwhile, the change is refused.
	ac := connect(t, s.Host(), "admin", "admin")
	if err := ac.ChangePassword(nil, "bob", "reset"); err != nil {
		t.Fatal(err)
	}
	wantCodes(t, "a stale old password", bc.ChangePassword(nil, "bob", "newer"), types.INVALID_CREDENTIAL)
}

// TestPKIUserPassword: a PKI user's password cannot be set; the client
// rewrites the message of FORBIDDEN_PASSWORD.
func TestPKIUserPassword(t *testing.T) {
	t.Parallel()
	s := Start(t)
	c := connect(t, s.Host(), "admin", "admin")
	if err := c.CreatePKIUser(nil, "pki", []string{"read"}); err != nil {
		t.Fatal(err)
	}
	err := c.ChangePassword(nil, "pki", "pw")
	wantCodes(t, "setting a PKI user's password", err, types.FORBIDDEN_PASSWORD)
}
