package securityserver

import (
	"testing"

	as "github.com/aerospike/aerospike-client-go/v8"
	"github.com/aerospike/aerospike-client-go/v8/types"
)

// TestDataPrivileges: key-value commands route to the node (reference §6
// and §7(4), VERIFIED for Put) and need a data privilege on the record's
// namespace and set. The server stores nothing: writes succeed, reads find
// no record.
func TestDataPrivileges(t *testing.T) {
	t.Parallel()
	s := Start(t,
		WithRole(as.Role{Name: "rw-s1", Privileges: []as.Privilege{{Code: as.ReadWrite, Namespace: "test", SetName: "s1"}}}),
		WithUser("writer", "pw", "rw-s1"),
		WithUser("reader", "pw", "read"),
	)
	clients := map[string]*as.Client{
		"admin":  connect(t, s.Host(), "admin", "admin"),
		"writer": connect(t, s.Host(), "writer", "pw"),
		"reader": connect(t, s.Host(), "reader", "pw"),
	}
	key := func(set string) *as.Key {
		k, err := as.NewKey("test", set, "k")
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	put := func(c *as.Client, set string) error { return c.Put(nil, key(set), as.BinMap{"b": 1}) }
	get := func(c *as.Client, set string) error { _, err := c.Get(nil, key(set)); return err }
	cases := map[string]struct {
		reason string
		user   string
		run    func(*as.Client) error
		want   types.ResultCode
	}{
		"WriterPutsInScope":     {reason: "read-write on test/s1 allows a write there", user: "writer", run: func(c *as.Client) error { return put(c, "s1") }},
		"WriterPutsOutOfScope":  {reason: "but not in another set", user: "writer", run: func(c *as.Client) error { return put(c, "s2") }, want: types.ROLE_VIOLATION},
		"WriterGetsInScope":     {reason: "a read in scope finds nothing stored", user: "writer", run: func(c *as.Client) error { return get(c, "s1") }, want: types.KEY_NOT_FOUND_ERROR},
		"ReaderGets":            {reason: "global read allows reads anywhere", user: "reader", run: func(c *as.Client) error { return get(c, "s9") }, want: types.KEY_NOT_FOUND_ERROR},
		"ReaderPuts":            {reason: "read does not allow writes", user: "reader", run: func(c *as.Client) error { return put(c, "s1") }, want: types.ROLE_VIOLATION},
		"ReaderDeletesNotFound": {reason: "a delete is a write", user: "reader", run: func(c *as.Client) error { _, err := c.Delete(nil, key("s1")); return err }, want: types.ROLE_VIOLATION},
		"AdminPuts":             {reason: "user-admin holds no data privilege", user: "admin", run: func(c *as.Client) error { return put(c, "s1") }, want: types.ROLE_VIOLATION},
		"WriterExists": {reason: "exists is a read; nothing exists", user: "writer", run: func(c *as.Client) error {
			ok, err := c.Exists(nil, key("s1"))
			if ok {
				t.Error("a record exists on a server that stores nothing")
			}
			return err
		}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := code(tc.run(clients[tc.user])); got != tc.want {
				t.Errorf("%s: got %v, want %v", tc.reason, got, tc.want)
			}
		})
	}
}
