package securityserver

import (
	"strings"
	"testing"

	as "github.com/aerospike/aerospike-client-go/v8"
	"github.com/aerospike/aerospike-client-go/v8/types"
	"github.com/google/go-cmp/cmp"
)

// TestRoleCommands drives every role command through the client, as the
// admin, and checks result codes and the roles that result (reference §4.1,
// §4.2, §4.3, §4.5 and §7(4)). Cases run in order against one server with
// quotas enabled.
func TestRoleCommands(t *testing.T) {
	t.Parallel()
	s := Start(t, WithQuotas(true))
	c := connect(t, s.Host(), "admin", "admin")
	readS1 := as.Privilege{Code: as.Read, Namespace: "test", SetName: "s1"}
	rwTest := as.Privilege{Code: as.ReadWrite, Namespace: "test"}

	cases := []struct {
		name   string
		reason string
		run    func() error
		want   types.ResultCode
		// role, when set, is what QueryRole must then report.
		role *as.Role
	}{
		{
			name: "CreateRoleOnePrivilegeOneWhitelist", reason: "the field-count bug case: one privilege, one entry (VERIFIED)",
			run:  func() error { return c.CreateRole(nil, "r1", []as.Privilege{readS1}, []string{"10.1.2.3"}, 0, 0) },
			role: &as.Role{Name: "r1", Privileges: []as.Privilege{readS1}, Whitelist: []string{"10.1.2.3"}},
		},
		{
			name: "CreateRoleFull", reason: "privileges, allow-list and quotas together",
			run: func() error {
				return c.CreateRole(nil, "r2", []as.Privilege{readS1, rwTest, {Code: as.SysAdmin}}, []string{"10.0.0.0/8", "::1"}, 100, 200)
			},
			role: &as.Role{
				Name:       "r2",
				Privileges: []as.Privilege{readS1, rwTest, {Code: as.SysAdmin}},
				Whitelist:  []string{"10.0.0.0/8", "::1"},
				ReadQuota:  100, WriteQuota: 200,
			},
		},
		{
			name: "CreateRoleEmpty", reason: "a role may start with nothing",
			run:  func() error { return c.CreateRole(nil, "r3", nil, nil, 0, 0) },
			role: &as.Role{Name: "r3", Privileges: []as.Privilege{}},
		},
		{
			name: "CreateRoleDuplicate", reason: "the same name again is ROLE_ALREADY_EXISTS",
			run:  func() error { return c.CreateRole(nil, "r1", nil, nil, 0, 0) },
			want: types.ROLE_ALREADY_EXISTS,
		},
		{
			name: "CreateRolePredefinedName", reason: "a predefined role cannot be redefined",
			run:  func() error { return c.CreateRole(nil, "read-write", []as.Privilege{readS1}, nil, 0, 0) },
			want: types.ROLE_ALREADY_EXISTS,
		},
		{
			name: "CreateRoleBadWhitelist", reason: "an allow-list entry that is no address or CIDR is INVALID_WHITELIST",
			run:  func() error { return c.CreateRole(nil, "r4", nil, []string{"10.0.0.1", "not-an-ip"}, 0, 0) },
			want: types.INVALID_WHITELIST,
		},
		{
			name: "CreateRoleLongNamespace", reason: "a namespace longer than 31 characters is INVALID_PRIVILEGE",
			run: func() error {
				return c.CreateRole(nil, "r5", []as.Privilege{{Code: as.Read, Namespace: strings.Repeat("n", 32)}}, nil, 0, 0)
			},
			want: types.INVALID_PRIVILEGE,
		},
		{
			name: "GrantPrivileges", reason: "granted privileges are appended in order, once each (VERIFIED)",
			run:  func() error { return c.GrantPrivileges(nil, "r3", []as.Privilege{rwTest, readS1, rwTest}) },
			role: &as.Role{Name: "r3", Privileges: []as.Privilege{rwTest, readS1}},
		},
		{
			name: "GrantPrivilegesUnknownRole", reason: "granting to a missing role is INVALID_ROLE",
			run:  func() error { return c.GrantPrivileges(nil, "ghost", []as.Privilege{rwTest}) },
			want: types.INVALID_ROLE,
		},
		{
			name: "GrantPrivilegesPredefined", reason: "a predefined role's privileges are fixed",
			run:  func() error { return c.GrantPrivileges(nil, "read", []as.Privilege{rwTest}) },
			want: types.INVALID_ROLE,
		},
		{
			name: "RevokePrivileges", reason: "revoked privileges leave the role; the scope must match",
			run:  func() error { return c.RevokePrivileges(nil, "r3", []as.Privilege{rwTest, {Code: as.Read}}) },
			role: &as.Role{Name: "r3", Privileges: []as.Privilege{readS1}},
		},
		{
			name: "RevokePrivilegesPredefined", reason: "a predefined role's privileges are fixed",
			run:  func() error { return c.RevokePrivileges(nil, "read", []as.Privilege{{Code: as.Read}}) },
			want: types.INVALID_ROLE,
		},
		{
			name: "SetWhitelist", reason: "the allow-list is replaced",
			run:  func() error { return c.SetWhitelist(nil, "r1", []string{"192.168.0.0/16", "10.9.9.9"}) },
			role: &as.Role{Name: "r1", Privileges: []as.Privilege{readS1}, Whitelist: []string{"192.168.0.0/16", "10.9.9.9"}},
		},
		{
			name: "SetWhitelistNil", reason: "no list clears it (VERIFIED)",
			run:  func() error { return c.SetWhitelist(nil, "r1", nil) },
			role: &as.Role{Name: "r1", Privileges: []as.Privilege{readS1}},
		},
		{
			name: "SetWhitelistBad", reason: "a bad entry is INVALID_WHITELIST",
			run:  func() error { return c.SetWhitelist(nil, "r1", []string{"10.0.0.0/33"}) },
			want: types.INVALID_WHITELIST,
		},
		{
			name: "SetWhitelistUnknownRole", reason: "a missing role is INVALID_ROLE",
			run:  func() error { return c.SetWhitelist(nil, "ghost", []string{"10.0.0.1"}) },
			want: types.INVALID_ROLE,
		},
		{
			name: "SetQuotas", reason: "quotas are replaced (VERIFIED)",
			run:  func() error { return c.SetQuotas(nil, "r3", 10, 20) },
			role: &as.Role{Name: "r3", Privileges: []as.Privilege{readS1}, ReadQuota: 10, WriteQuota: 20},
		},
		{
			name: "SetQuotasUnknownRole", reason: "a missing role is INVALID_ROLE",
			run:  func() error { return c.SetQuotas(nil, "ghost", 1, 1) },
			want: types.INVALID_ROLE,
		},
		{
			name: "QueryRoleMissing", reason: "querying a missing role is INVALID_ROLE (VERIFIED)",
			run:  func() error { _, err := c.QueryRole(nil, "ghost"); return err },
			want: types.INVALID_ROLE,
		},
		{
			name: "QueryRolePredefined", reason: "a predefined role holds the privilege of its name",
			run:  func() error { return nil },
			role: &as.Role{Name: "read-write-udf", Privileges: []as.Privilege{{Code: as.ReadWriteUDF}}},
		},
		{
			name: "DropRolePredefined", reason: "a predefined role cannot be dropped",
			run:  func() error { return c.DropRole(nil, "user-admin") },
			want: types.INVALID_ROLE,
		},
		{
			name: "DropRole", reason: "a dropped role is gone (VERIFIED)",
			run: func() error { return c.DropRole(nil, "r2") },
		},
		{
			name: "DropRoleMissing", reason: "dropping a missing role is INVALID_ROLE",
			run:  func() error { return c.DropRole(nil, "r2") },
			want: types.INVALID_ROLE,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := code(tc.run()); got != tc.want {
				t.Fatalf("%s: got %v, want %v", tc.reason, got, tc.want)
			}
			if tc.role == nil {
				return
			}
			got, err := c.QueryRole(nil, tc.role.Name)
			if err != nil {
				t.Fatalf("%s: cannot query %q: %v", tc.reason, tc.role.Name, err)
			}
			if diff := cmp.Diff(tc.role, got); diff != "" {
				t.Errorf("%s: role (-want +got):\n%s", tc.reason, diff)
			}
		})
	}

	t.Run("QueryRoles", func(t *testing.T) {
		got, err := c.QueryRoles(nil)
		if err != nil {
			t.Fatal(err)
		}
		names := make([]string, 0, len(got))
		for _, r := range got {
			names = append(names, r.Name)
		}
		want := []string{
			"data-admin", "masking-admin", "r1", "r3", "read", "read-masked", "read-write", "read-write-udf",
			"sindex-admin", "superuser", "sys-admin", "truncate", "udf-admin", "user-admin", "write", "write-masked",
		}
		if diff := cmp.Diff(want, names); diff != "" {
			t.Errorf("all roles, predefined included, sorted (-want +got):\n%s", diff)
		}
	})
}

// TestDroppedRoleLeavesUsers: a dropped role no longer appears among a
// user's roles.
func TestDroppedRoleLeavesUsers(t *testing.T) {
	t.Parallel()
	s := Start(t, WithRole(as.Role{Name: "r"}), WithUser("bob", "pw", "r", "read"))
	c := connect(t, s.Host(), "admin", "admin")
	if err := c.DropRole(nil, "r"); err != nil {
		t.Fatal(err)
	}
	got, err := c.QueryUser(nil, "bob")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"read"}, got.Roles); diff != "" {
		t.Errorf("bob's roles after dropping r (-want +got):\n%s", diff)
	}
}

// TestPredefinedRolesByBuild: the masking roles exist from 8.1.1 on, and
// their privileges are refused before (reference §4.2; the client's
// query_role_test.go).
func TestPredefinedRolesByBuild(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		reason  string
		build   string
		roles   int
		masking types.ResultCode
	}{
		"Build810": {
			reason: "8.1.0 has the eleven base roles and no masking privileges",
			build:  "8.1.0.0", roles: 11, masking: types.INVALID_PRIVILEGE,
		},
		"Build812": {
			reason: "8.1.2 adds masking-admin, read-masked and write-masked",
			build:  "8.1.2.0", roles: 14,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := Start(t, WithBuild(tc.build))
			c := connect(t, s.Host(), "admin", "admin")
			roles, err := c.QueryRoles(nil)
			if err != nil || len(roles) != tc.roles {
				t.Errorf("%s: got %d roles, %v; want %d", tc.reason, len(roles), err, tc.roles)
			}
			err = c.CreateRole(nil, "m", []as.Privilege{{Code: as.MaskingAdmin, Namespace: "test"}}, nil, 0, 0)
			if got := code(err); got != tc.masking {
				t.Errorf("%s: creating a masking role: got %v, want %v", tc.reason, got, tc.masking)
			}
		})
	}
}

// TestQuotasNotEnabled: without WithQuotas, as on a server without
// enable-quotas, non-zero quotas are refused.
func TestQuotasNotEnabled(t *testing.T) {
	t.Parallel()
	s := Start(t)
	c := connect(t, s.Host(), "admin", "admin")
	wantCodes(t, "CreateRole with quotas", c.CreateRole(nil, "q", nil, nil, 10, 0), types.QUOTAS_NOT_ENABLED)
	if err := c.CreateRole(nil, "q", nil, nil, 0, 0); err != nil {
		t.Fatal(err)
	}
	wantCodes(t, "SetQuotas", c.SetQuotas(nil, "q", 1, 2), types.QUOTAS_NOT_ENABLED)
}

// TestCreateRoleFieldCount pins what aerospike-client-go v8.6.0 sends for
// CreateRole with exactly one privilege or one allow-list entry: n_fields
// one short per such field (reference §4.1, VERIFIED for v8.5.0, unchanged
// in v8.6.0). By default the server reads every field sent; with
// WithTrustedFieldCount it reads n_fields, as the real server is reported
// to, and loses the trailing fields. Creating the role empty and granting
// afterwards works either way: that is the provider's workaround.
func TestCreateRoleFieldCount(t *testing.T) {
	t.Parallel()
	one := []as.Privilege{{Code: as.Read, Namespace: "test"}}
	two := []as.Privilege{{Code: as.Read, Namespace: "test"}, {Code: as.Write, Namespace: "test"}}
	cases := map[string]struct {
		reason     string
		trust      bool
		privileges []as.Privilege
		whitelist  []string
		workaround bool
		want       *as.Role
	}{
		"OnePrivilege": {
			reason:     "a lone privilege is read despite the short count",
			privileges: one,
			want:       &as.Role{Name: "r", Privileges: one},
		},
		"OnePrivilegeTrustedCount": {
			reason:     "trusting n_fields=1 drops the privilege",
			trust:      true,
			privileges: one,
			want:       &as.Role{Name: "r", Privileges: []as.Privilege{}},
		},
		"TwoPrivilegesOneEntryTrustedCount": {
			reason:     "n_fields=2 keeps the privileges and drops the allow-list after them",
			trust:      true,
			privileges: two,
			whitelist:  []string{"127.0.0.1"},
			want:       &as.Role{Name: "r", Privileges: two},
		},
		"TwoEntriesTrustedCount": {
			reason:     "more than one of each is counted right",
			trust:      true,
			privileges: two,
			whitelist:  []string{"127.0.0.1", "10.0.0.1"},
			want:       &as.Role{Name: "r", Privileges: two, Whitelist: []string{"127.0.0.1", "10.0.0.1"}},
		},
		"WorkaroundTrustedCount": {
			reason:     "create empty, then grant and set the allow-list",
			trust:      true,
			privileges: one,
			whitelist:  []string{"127.0.0.1"},
			workaround: true,
			want:       &as.Role{Name: "r", Privileges: one, Whitelist: []string{"127.0.0.1"}},
		},
	}
	// One server per field-count mode; each case makes its own role.
	servers := map[bool]*as.Client{}
	for _, trust := range []bool{false, true} {
		opts := []Option{}
		if trust {
			opts = append(opts, WithTrustedFieldCount())
		}
		servers[trust] = connect(t, Start(t, opts...).Host(), "admin", "admin")
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			c := servers[tc.trust]
			var err error
			if tc.workaround {
				err = c.CreateRole(nil, name, nil, nil, 0, 0)
				if err == nil {
					err = c.GrantPrivileges(nil, name, tc.privileges)
				}
				if err == nil {
					err = c.SetWhitelist(nil, name, tc.whitelist)
				}
			} else {
				err = c.CreateRole(nil, name, tc.privileges, tc.whitelist, 0, 0)
			}
			if err != nil {
				t.Fatalf("%s: %v", tc.reason, err)
			}
			got, err := c.QueryRole(nil, name)
			if err != nil {
				t.Fatal(err)
			}
			want := *tc.want
			want.Name = name
			if diff := cmp.Diff(&want, got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tc.reason, diff)
			}
		})
	}
}

// TestPrivilegeEnforcement: user and role commands need user-admin, except
// that users may change their own password and see themselves and the roles
// they hold. Privilege is checked before existence.
func TestPrivilegeEnforcement(t *testing.T) {
	t.Parallel()
	s := Start(t, WithRole(as.Role{Name: "mine", Privileges: []as.Privilege{{Code: as.Read}}}),
		WithUser("bob", "pw", "read", "mine"))
	bc := connect(t, s.Host(), "bob", "pw")
	cases := map[string]struct {
		reason string
		run    func() error
		want   types.ResultCode
	}{
		"CreateUser":       {reason: "creating users", run: func() error { return bc.CreateUser(nil, "x", "pw", nil) }, want: types.ROLE_VIOLATION},
		"DropUserMissing":  {reason: "before existence", run: func() error { return bc.DropUser(nil, "ghost") }, want: types.ROLE_VIOLATION},
		"SetPassword":      {reason: "another user's password", run: func() error { return bc.ChangePassword(nil, "admin", "x") }, want: types.ROLE_VIOLATION},
		"GrantRoles":       {reason: "granting himself more", run: func() error { return bc.GrantRoles(nil, "bob", []string{"user-admin"}) }, want: types.ROLE_VIOLATION},
		"RevokeRoles":      {reason: "revoking", run: func() error { return bc.RevokeRoles(nil, "admin", []string{"user-admin"}) }, want: types.ROLE_VIOLATION},
		"QueryUsers":       {reason: "listing users", run: func() error { _, err := bc.QueryUsers(nil); return err }, want: types.ROLE_VIOLATION},
		"QueryOtherUser":   {reason: "another user", run: func() error { _, err := bc.QueryUser(nil, "admin"); return err }, want: types.ROLE_VIOLATION},
		"QuerySelf":        {reason: "himself", run: func() error { _, err := bc.QueryUser(nil, "bob"); return err }},
		"CreateRole":       {reason: "creating roles", run: func() error { return bc.CreateRole(nil, "x", nil, nil, 0, 0) }, want: types.ROLE_VIOLATION},
		"DropRole":         {reason: "dropping roles", run: func() error { return bc.DropRole(nil, "mine") }, want: types.ROLE_VIOLATION},
		"GrantPrivileges":  {reason: "granting privileges", run: func() error { return bc.GrantPrivileges(nil, "mine", []as.Privilege{{Code: as.UserAdmin}}) }, want: types.ROLE_VIOLATION},
		"RevokePrivileges": {reason: "revoking privileges", run: func() error { return bc.RevokePrivileges(nil, "mine", []as.Privilege{{Code: as.Read}}) }, want: types.ROLE_VIOLATION},
		"SetWhitelist":     {reason: "allow-lists", run: func() error { return bc.SetWhitelist(nil, "mine", nil) }, want: types.ROLE_VIOLATION},
		"SetQuotas":        {reason: "quotas", run: func() error { return bc.SetQuotas(nil, "mine", 0, 0) }, want: types.ROLE_VIOLATION},
		"QueryRoles":       {reason: "listing roles", run: func() error { _, err := bc.QueryRoles(nil); return err }, want: types.ROLE_VIOLATION},
		"QueryOtherRole":   {reason: "a role he lacks", run: func() error { _, err := bc.QueryRole(nil, "user-admin"); return err }, want: types.ROLE_VIOLATION},
		"QueryOwnRole":     {reason: "a role he holds", run: func() error { _, err := bc.QueryRole(nil, "mine"); return err }},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := code(tc.run()); got != tc.want {
				t.Errorf("bob (read, mine) %s: got %v, want %v", tc.reason, got, tc.want)
			}
		})
	}
}
