package securityserver

import (
	"slices"
	"strings"
	"testing"

	as "github.com/aerospike/aerospike-client-go/v8"
	"github.com/aerospike/aerospike-client-go/v8/types"
	"github.com/google/go-cmp/cmp"
)

// TestCatalogSyntaxByBuild: the client words sindex commands by the node's
// build, and the server understands both forms (reference §5.1 and §5.2,
// VERIFIED request strings). TestCommunityParity covers the 8.1 behaviour
// against a real node.
func TestCatalogSyntaxByBuild(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		reason string
		build  string
		want   []string
	}{
		"Build72": {
			reason: "before 8.1: ns=, indexdata=bin,TYPE and sindex/<ns>/<name>",
			build:  "7.2.0.6",
			want: []string{
				"sindex-create:ns=test;set=s1;indexname=idx1;indexdata=bin1,NUMERIC",
				"sindex/test/idx1",
				"sindex-delete:ns=test;set=s1;indexname=idx1",
				"sindex-exists:ns=test;indexname=idx1",
			},
		},
		"Build81": {
			reason: "from 8.1: namespace=, bin= with type= and sindex-stat",
			build:  "8.1.0.0",
			want: []string{
				"sindex-create:namespace=test;set=s1;indexname=idx1;bin=bin1;type=NUMERIC",
				"sindex-stat:namespace=test;indexname=idx1",
				"sindex-delete:namespace=test;set=s1;indexname=idx1",
				"sindex-exists:namespace=test;indexname=idx1",
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := Start(t, WithBuild(tc.build), WithUser("dba", "pw", "sindex-admin"))
			c := connect(t, s.Host(), "dba", "pw")
			task, err := c.CreateIndex(nil, "test", "s1", "idx1", "bin1", as.NUMERIC)
			if err != nil {
				t.Fatal(err)
			}
			if err := <-task.OnComplete(); err != nil {
				t.Fatal(err)
			}
			if err := c.DropIndex(nil, "test", "s1", "idx1"); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range requests(s, CmdInfo) {
				if strings.HasPrefix(r.Subject, "sindex") && !slices.Contains(got, r.Subject) {
					got = append(got, r.Subject)
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tc.reason, diff)
			}
		})
	}
}

// TestCatalogPrivileges: sindex, UDF and truncate commands need their admin
// privilege (or data-admin); truncate's may be scoped to a set. A violation
// comes back as ERROR:81, which the client reports as ROLE_VIOLATION.
func TestCatalogPrivileges(t *testing.T) {
	t.Parallel()
	s := Start(t,
		WithRole(as.Role{Name: "trunc-s1", Privileges: []as.Privilege{{Code: as.Truncate, Namespace: "test", SetName: "s1"}}}),
		WithUser("reader", "pw", "read"),
		WithUser("data", "pw", "data-admin"),
		WithUser("trunc", "pw", "trunc-s1"),
	)
	clients := map[string]*as.Client{}
	for _, u := range []string{"reader", "data", "trunc"} {
		clients[u] = connect(t, s.Host(), u, "pw")
	}
	index := func(c *as.Client) error { _, err := c.CreateIndex(nil, "test", "s1", "i", "b", as.STRING); return err }
	udf := func(c *as.Client) error {
		_, err := c.RegisterUDF(nil, []byte("return 1"), "m.lua", as.LUA)
		return err
	}
	cases := map[string]struct {
		reason string
		user   string
		run    func(*as.Client) error
		want   types.ResultCode
	}{
		"ReaderIndex":    {reason: "read cannot create indexes", user: "reader", run: index, want: types.ROLE_VIOLATION},
		"ReaderUDF":      {reason: "read cannot register UDFs", user: "reader", run: udf, want: types.ROLE_VIOLATION},
		"ReaderTruncate": {reason: "read cannot truncate", user: "reader", run: func(c *as.Client) error { return c.Truncate(nil, "test", "s1", nil) }, want: types.ROLE_VIOLATION},
		"DataIndex":      {reason: "data-admin creates indexes", user: "data", run: index},
		"DataUDF":        {reason: "data-admin registers UDFs", user: "data", run: udf},
		"DataTruncate":   {reason: "data-admin truncates", user: "data", run: func(c *as.Client) error { return c.Truncate(nil, "test", "", nil) }},
		"TruncateInSet":  {reason: "truncate on test/s1 truncates s1", user: "trunc", run: func(c *as.Client) error { return c.Truncate(nil, "test", "s1", nil) }},
		"TruncateOther":  {reason: "but not s2", user: "trunc", run: func(c *as.Client) error { return c.Truncate(nil, "test", "s2", nil) }, want: types.ROLE_VIOLATION},
		"TruncateNs":     {reason: "nor the whole namespace", user: "trunc", run: func(c *as.Client) error { return c.Truncate(nil, "test", "", nil) }, want: types.ROLE_VIOLATION},
		"ReaderListsUDF": {reason: "listing needs no admin privilege", user: "reader", run: func(c *as.Client) error { _, err := c.ListUDF(nil); return err }},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := code(tc.run(clients[tc.user])); got != tc.want {
				t.Errorf("%s: got %v, want %v", tc.reason, got, tc.want)
			}
		})
	}
}
