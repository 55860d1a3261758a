package securityserver

import (
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	as "github.com/aerospike/aerospike-client-go/v8"
	"github.com/aerospike/aerospike-client-go/v8/types"
	"github.com/google/go-cmp/cmp"
)

// A target is a server a parity case runs against, and a client of it:
// logged in on the fake, anonymous on Community, which has no security.
type target struct {
	name   string
	host   *as.Host
	client *as.Client
}

// A parityCase runs the same client calls against every target. Its result
// must equal want on each, which makes the targets agree and keeps the case
// meaningful when Community is not available.
type parityCase struct {
	name   string
	reason string
	run    func(t *testing.T, c *as.Client) any
	want   any
}

// runParity runs cases in order against each target.
func runParity(t *testing.T, targets []target, cases []parityCase) {
	t.Helper()
	for _, tg := range targets {
		t.Run(tg.name, func(t *testing.T) {
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					if diff := cmp.Diff(tc.want, tc.run(t, tg.client)); diff != "" {
						t.Errorf("%s (-want +got):\n%s", tc.reason, diff)
					}
				})
			}
		})
	}
}

// patient gives c's commands 10 s where the client's defaults give 1 s: a
// real server on a CI machine running every test package at once can take
// longer than a second to answer a UDF command, which the client then
// reports as a network error. The cases compare answers, not latency.
func patient(c *as.Client) *as.Client {
	const d = 10 * time.Second
	c.DefaultPolicy.TotalTimeout = d
	c.DefaultWritePolicy.TotalTimeout = d
	c.DefaultInfoPolicy.Timeout = d
	return c
}

// TestCommunityParity runs the behaviours a Community server can show
// against both the fake and a real Community 8.1.2.0 node: info answers the
// client depends on, secondary indexes, UDFs, truncate and key-value
// routing (reference §2.2, §5 and §6), and the answer to the security
// protocol of a server that has none (reference §3.4, §4.3). Without the
// Community binary the fake runs alone and a skipped subtest says how to
// enable the comparison.
func TestCommunityParity(t *testing.T) {
	t.Parallel()
	fake := Start(t, WithUser("rw", "pw", "read-write-udf", "sindex-admin", "udf-admin", "truncate"))
	fakeCE := Start(t, WithSecurity(SecurityNotSupported))
	secured := []target{{name: "Fake", host: fake.Host(), client: connect(t, fake.Host(), "rw", "pw")}}
	unsecured := []target{{name: "FakeAsCommunity", host: fakeCE.Host(), client: connect(t, fakeCE.Host(), "", "")}}
	if host := startCommunity(t); host != nil {
		c := patient(connect(t, host, "", ""))
		secured = append(secured, target{name: "Community", host: host, client: c})
		unsecured = append(unsecured, target{name: "Community", host: host, client: c})
	}
	t.Run("Info", func(t *testing.T) { runParity(t, secured, infoCases()) })
	t.Run("Catalog", func(t *testing.T) { runParity(t, secured, catalogCases()) })
	t.Run("Data", func(t *testing.T) { runParity(t, secured, dataCases()) })
	t.Run("NoSecurity", func(t *testing.T) {
		runParity(t, unsecured, noSecurityCases())
		for _, tg := range unsecured {
			_, err := dial(tg.host, "admin", "admin")
			wantCodes(t, tg.name+": a client with a user cannot connect", err,
				types.INVALID_NODE_ERROR, types.SECURITY_NOT_SUPPORTED)
		}
	})
}

// info asks the one node c knows for a single info value.
func info(t *testing.T, c *as.Client, cmd string) string {
	t.Helper()
	m, err := c.GetNodes()[0].RequestInfo(as.NewInfoPolicy(), cmd)
	if err != nil {
		t.Fatalf("info %q: %v", cmd, err)
	}
	return m[cmd]
}

func matches(re string) func(t *testing.T, c *as.Client, cmd string) any {
	return func(t *testing.T, c *as.Client, cmd string) any {
		return regexp.MustCompile(re).MatchString(info(t, c, cmd))
	}
}

func infoCase(name, reason, cmd string, f func(t *testing.T, c *as.Client, cmd string) any, want any) parityCase {
	return parityCase{name: name, reason: reason, want: want, run: func(t *testing.T, c *as.Client) any { return f(t, c, cmd) }}
}

func value(t *testing.T, c *as.Client, cmd string) any { return info(t, c, cmd) }

func infoCases() []parityCase {
	return []parityCase{
		infoCase("Build", "build is a four-part version", "build", matches(`^\d+\.\d+\.\d+\.\d+$`), true),
		infoCase("Node", "node is an upper-case hex id", "node", matches(`^[0-9A-F]+$`), true),
		infoCase("PartitionGeneration", "partition-generation is a non-negative integer", "partition-generation", matches(`^\d+$`), true),
		infoCase("PeersGeneration", "peers-generation is a non-negative integer", "peers-generation", matches(`^\d+$`), true),
		infoCase("Peers", "a single node has no peers", "peers-clear-std", matches(`^\d+,\d*,\[\]$`), true),
		infoCase("Replicas", "one namespace, AP regime, one copy, every partition", "replicas", value, "test:0,1,"+allPartitions),
		infoCase("Namespaces", "the namespaces", "namespaces", value, "test"),
		infoCase("Unrecognized", "an unknown command", "no-such-command", value, errUnrecognized),
		infoCase("UserAgentAgain", "the client's connection has already set its user agent", "user-agent-set:value=MSxnbyx0ZXN0", value,
			"ERROR:4:already set"),
		infoCase("Edition", "the edition names the product", "edition", matches(`^Aerospike (Enterprise|Community) Edition$`), true),
		infoCase("Statistics", "statistics say one node", "statistics", matches(`(^|;)cluster_size=1(;|$)`), true),
		{
			name: "EmptyLine", reason: "an empty command line is echoed as unrecognized, in order",
			run: func(t *testing.T, c *as.Client) any {
				return rawInfo(t, c, []string{"namespaces", "", "build"})
			},
			want: []map[string]string{{"namespaces": "test", "": errUnrecognized, "build": "8.1.2.0"}},
		},
		{
			name: "UserAgentOnce", reason: "user-agent-set is accepted once per connection, if well-formed",
			run: func(t *testing.T, c *as.Client) any {
				const set = "user-agent-set:value=MSxnbyx0ZXN0"
				return rawInfo(t, c, []string{"user-agent-set", "user-agent-set:value=!!", set}, []string{set})
			},
			want: []map[string]string{
				{
					"user-agent-set":                    "ERROR:4:missing 'value'",
					"user-agent-set:value=!!":           "ERROR:4:'value' invalid base64",
					"user-agent-set:value=MSxnbyx0ZXN0": "ok",
				},
				{"user-agent-set:value=MSxnbyx0ZXN0": "ERROR:4:already set"},
			},
		},
	}
}

// rawInfo sends info requests on one connection of the client's pool (one
// that, unlike the tend connection, has not set its user agent) and
// returns the answers.
func rawInfo(t *testing.T, c *as.Client, requests ...[]string) []map[string]string {
	t.Helper()
	node := c.GetNodes()[0]
	conn, err := node.GetConnection(time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer node.InvalidateConnection(conn)
	out := make([]map[string]string, 0, len(requests))
	for _, cmds := range requests {
		m, err := conn.RequestInfo(cmds...)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

func catalogCases() []parityCase {
	const lua = "function f(rec)\n  return 1\nend\n"
	index := func(c *as.Client, bin string) error {
		task, err := c.CreateIndex(nil, "test", "s1", "par_idx", bin, as.NUMERIC)
		if err != nil {
			return err
		}
		return <-task.OnComplete()
	}
	udfs := func(t *testing.T, c *as.Client) []string {
		list, err := c.ListUDF(nil)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, u := range list {
			if strings.HasPrefix(u.Filename, "par_") && len(u.Hash) == 40 {
				out = append(out, u.Filename+":"+string(u.Language))
			}
		}
		return out
	}
	return []parityCase{
		{
			name: "CreateIndex", reason: "an index is created and its task completes (VERIFIED)",
			run:  func(_ *testing.T, c *as.Client) any { return code(index(c, "b1")) },
			want: types.OK,
		},
		{
			name: "CreateIndexSame", reason: "the same definition again is fine",
			run:  func(_ *testing.T, c *as.Client) any { return code(index(c, "b1")) },
			want: types.OK,
		},
		{
			name: "CreateIndexDifferent", reason: "the same name with another definition is INDEX_FOUND (VERIFIED)",
			run:  func(_ *testing.T, c *as.Client) any { return code(index(c, "b2")) },
			want: types.INDEX_FOUND,
		},
		infoCase("IndexExists", "sindex-exists finds it", "sindex-exists:namespace=test;indexname=par_idx", value, "true"),
		infoCase("IndexList", "sindex-list describes it", "sindex-list:namespace=test", value,
			"ns=test:indexname=par_idx:set=s1:bin=b1:type=numeric:indextype=default:context=null:exp=null:state=RW"),
		infoCase("IndexStatMissing", "sindex-stat of a missing index", "sindex-stat:namespace=test;indexname=par_none", value, "ERROR:201:no index"),
		infoCase("IndexExistsNoNamespace", "sindex-exists in an unknown namespace", "sindex-exists:namespace=nope;indexname=x", value,
			"ERROR:20:namespace not found on node"),
		{
			name: "DropIndex", reason: "DropIndex returns once sindex-exists says false (VERIFIED)",
			run:  func(_ *testing.T, c *as.Client) any { return code(c.DropIndex(nil, "test", "s1", "par_idx")) },
			want: types.OK,
		},
		{
			name: "DropIndexMissing", reason: "dropping a missing index succeeds",
			run:  func(_ *testing.T, c *as.Client) any { return code(c.DropIndex(nil, "test", "s1", "par_idx")) },
			want: types.OK,
		},
		{
			name: "RegisterUDF", reason: "a UDF registers and its task sees it in udf-list (VERIFIED)",
			run: func(_ *testing.T, c *as.Client) any {
				task, err := c.RegisterUDF(nil, []byte(lua), "par_m1.lua", as.LUA)
				if err != nil {
					return code(err)
				}
				return code(<-task.OnComplete())
			},
			want: types.OK,
		},
		{
			name: "ListUDF", reason: "ListUDF reports it with a 40-hex hash (VERIFIED)",
			run:  func(t *testing.T, c *as.Client) any { return udfs(t, c) },
			want: []string{"par_m1.lua:LUA"},
		},
		{
			name: "RegisterUDFBadName", reason: "a file name without extension is refused",
			run: func(_ *testing.T, c *as.Client) any {
				_, err := c.RegisterUDF(nil, []byte(lua), "par_m2", as.LUA)
				return code(err)
			},
			want: types.SERVER_ERROR,
		},
		{
			name: "RemoveUDF", reason: "a UDF is removed and its task sees it gone (VERIFIED)",
			run: func(t *testing.T, c *as.Client) any {
				task, err := c.RemoveUDF(nil, "par_m1.lua")
				if err != nil {
					return code(err)
				}
				if err := <-task.OnComplete(); err != nil {
					return code(err)
				}
				return udfs(t, c)
			},
			want: []string(nil),
		},
		{
			name: "RemoveUDFMissing", reason: "removing a missing UDF succeeds",
			run: func(_ *testing.T, c *as.Client) any {
				_, err := c.RemoveUDF(nil, "par_none.lua")
				return code(err)
			},
			want: types.OK,
		},
		{
			name: "TruncateSet", reason: "truncating a set (VERIFIED)",
			run:  func(_ *testing.T, c *as.Client) any { return code(c.Truncate(nil, "test", "s1", nil)) },
			want: types.OK,
		},
		{
			name: "TruncateNamespace", reason: "truncating a namespace",
			run:  func(_ *testing.T, c *as.Client) any { return code(c.Truncate(nil, "test", "", nil)) },
			want: types.OK,
		},
		{
			name: "TruncateFuture", reason: "a cut-off in the future is refused",
			run: func(_ *testing.T, c *as.Client) any {
				future := time.Now().Add(time.Hour)
				return code(c.Truncate(nil, "test", "s1", &future))
			},
			want: types.PARAMETER_ERROR,
		},
	}
}

func dataCases() []parityCase {
	key := func(t *testing.T, k string) *as.Key {
		key, err := as.NewKey("test", "par", k)
		if err != nil {
			t.Fatal(err)
		}
		return key
	}
	return []parityCase{
		{
			name: "Put", reason: "a write routes to the node and succeeds (VERIFIED)",
			run:  func(t *testing.T, c *as.Client) any { return code(c.Put(nil, key(t, "put"), as.BinMap{"b": 1})) },
			want: types.OK,
		},
		{
			name: "GetMissing", reason: "reading a record that was never written",
			run:  func(t *testing.T, c *as.Client) any { _, err := c.Get(nil, key(t, "missing")); return code(err) },
			want: types.KEY_NOT_FOUND_ERROR,
		},
		{
			name: "ExistsMissing", reason: "a record that was never written does not exist",
			run: func(t *testing.T, c *as.Client) any {
				ok, err := c.Exists(nil, key(t, "missing"))
				return []any{ok, code(err)}
			},
			want: []any{false, types.OK},
		},
		{
			name: "DeleteMissing", reason: "deleting a record that was never written",
			run: func(t *testing.T, c *as.Client) any {
				ok, err := c.Delete(nil, key(t, "missing"))
				return []any{ok, code(err)}
			},
			want: []any{false, types.OK},
		},
	}
}

// noSecurityCases: every security command on a server without security
// support answers SECURITY_NOT_SUPPORTED.
func noSecurityCases() []parityCase {
	priv := []as.Privilege{{Code: as.Read}}
	calls := map[string]func(c *as.Client) error{
		"CreateUser":       func(c *as.Client) error { return c.CreateUser(nil, "u", "p", []string{"read"}) },
		"DropUser":         func(c *as.Client) error { return c.DropUser(nil, "u") },
		"SetPassword":      func(c *as.Client) error { return c.ChangePassword(nil, "u", "p") },
		"GrantRoles":       func(c *as.Client) error { return c.GrantRoles(nil, "u", []string{"read"}) },
		"RevokeRoles":      func(c *as.Client) error { return c.RevokeRoles(nil, "u", []string{"read"}) },
		"QueryUser":        func(c *as.Client) error { _, err := c.QueryUser(nil, "u"); return err },
		"QueryUsers":       func(c *as.Client) error { _, err := c.QueryUsers(nil); return err },
		"CreateRole":       func(c *as.Client) error { return c.CreateRole(nil, "r", priv, nil, 0, 0) },
		"DropRole":         func(c *as.Client) error { return c.DropRole(nil, "r") },
		"GrantPrivileges":  func(c *as.Client) error { return c.GrantPrivileges(nil, "r", priv) },
		"RevokePrivileges": func(c *as.Client) error { return c.RevokePrivileges(nil, "r", priv) },
		"SetWhitelist":     func(c *as.Client) error { return c.SetWhitelist(nil, "r", []string{"10.0.0.1"}) },
		"SetQuotas":        func(c *as.Client) error { return c.SetQuotas(nil, "r", 1, 1) },
		"QueryRole":        func(c *as.Client) error { _, err := c.QueryRole(nil, "r"); return err },
		"QueryRoles":       func(c *as.Client) error { _, err := c.QueryRoles(nil); return err },
	}
	var cases []parityCase
	for _, name := range slices.Sorted(maps.Keys(calls)) {
		call := calls[name]
		cases = append(cases, parityCase{
			name: name, reason: name + " without security support",
			run:  func(_ *testing.T, c *as.Client) any { return codes(call(c)) },
			want: []types.ResultCode{types.SECURITY_NOT_SUPPORTED},
		})
	}
	return append(cases, infoCase("Edition", "the edition", "edition", value, "Aerospike Community Edition"))
}
