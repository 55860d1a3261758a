package securityserver

import (
	"encoding/base64"
	"slices"
	"strings"
	"testing"

	as "github.com/aerospike/aerospike-client-go/v8"
	"github.com/aerospike/aerospike-client-go/v8/types"
	"github.com/google/go-cmp/cmp"
)

// TestConnect covers how the real client accepts (or refuses) the server as
// a node: reference §2.1, §2.3 and §7(4).
func TestConnect(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		reason string
		opts   []Option
		user   string
		mods   []func(*as.ClientPolicy)
		seed   func(s *Server) *as.Host
		want   []types.ResultCode
		// message, when set, must appear in the error.
		message string
	}{
		"SecurityEnabledAdmin": {
			reason: "the default admin/admin logs in and the node becomes routable",
			user:   "admin",
		},
		"SecurityEnabledNoUser": {
			reason: "without credentials the first info answer is ERROR:80 and NewClient fails fast",
			want:   []types.ResultCode{types.INVALID_NODE_ERROR, types.NOT_AUTHENTICATED},
		},
		"SecurityDisabledNoUser": {
			reason: "a server without security serves a client without credentials",
			opts:   []Option{WithSecurity(SecurityDisabled)},
		},
		"SecurityDisabledWithUser": {
			reason: "LOGIN answered SECURITY_NOT_ENABLED counts as success",
			opts:   []Option{WithSecurity(SecurityDisabled)},
			user:   "admin",
		},
		"Build7": {
			reason: "a pre-8.1 build is accepted (and gets no user-agent-set)",
			opts:   []Option{WithBuild("7.2.0.6")},
			user:   "admin",
		},
		"BuildTooOld": {
			reason: "the client refuses nodes older than 4.9.0.3",
			opts:   []Option{WithBuild("4.8.0.0")},
			user:   "admin",
			want:   []types.ResultCode{types.INVALID_NODE_ERROR, types.INVALID_NODE_ERROR},
		},
		"ClusterNameMatches": {
			reason: "a client naming the node's cluster connects",
			opts:   []Option{WithClusterName("c1")},
			user:   "admin",
			mods:   []func(*as.ClientPolicy){func(p *as.ClientPolicy) { p.ClusterName = "c1" }},
		},
		"ClusterNameMismatch": {
			reason:  "a client naming another cluster refuses the node, saying what it got",
			opts:    []Option{WithClusterName("c1")},
			user:    "admin",
			mods:    []func(*as.ClientPolicy){func(p *as.ClientPolicy) { p.ClusterName = "c2" }},
			want:    []types.ResultCode{types.INVALID_NODE_ERROR, types.CLUSTER_NAME_MISMATCH_ERROR},
			message: "but received `c1`",
		},
		"LocalhostSeed": {
			reason: "a host name seed is resolved to 127.0.0.1 first",
			user:   "admin",
			seed:   func(s *Server) *as.Host { return as.NewHost("localhost", s.Port()) },
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := Start(t, tc.opts...)
			host := s.Host()
			if tc.seed != nil {
				host = tc.seed(s)
			}
			pw := ""
			if tc.user != "" {
				pw = "admin"
			}
			c, err := dial(host, tc.user, pw, tc.mods...)
			wantCodes(t, tc.reason, err, tc.want...)
			if err != nil {
				if !strings.Contains(err.Error(), tc.message) {
					t.Errorf("%s: want %q in the error, got %v", tc.reason, tc.message, err)
				}
				return
			}
			defer c.Close()
			if !c.IsConnected() || len(c.GetNodes()) != 1 || c.GetNodes()[0].GetName() != s.NodeName() {
				t.Errorf("%s: want one node named %s, got %v", tc.reason, s.NodeName(), c.GetNodes())
			}
		})
	}
}

// TestConversation checks the start-up conversation of reference §2.3
// (VERIFIED): LOGIN and node validation on a first connection, then
// AUTHENTICATE with the session token on the tend connection, the
// user-agent, the node and partition checks.
func TestConversation(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		reason string
		opts   []Option
		user   string
		want   []Request
	}{
		"SecurityEnabledBuild81": {
			reason: "LOGIN, validation, AUTHENTICATE with the token, user-agent-set, tend",
			user:   "admin",
			want: []Request{
				{Command: CmdLogin, User: "admin", Subject: "admin"},
				{Command: CmdInfo, User: "admin", Subject: "build"},
				{Command: CmdInfo, User: "admin", Subject: "node"},
				{Command: CmdInfo, User: "admin", Subject: "partition-generation"},
				{Command: CmdInfo, User: "admin", Subject: "build"},
				{Command: CmdAuthenticate, User: "admin", Subject: "admin"},
				{Command: CmdInfo, User: "admin", Subject: "user-agent-set:value=" + userAgent("admin")},
				{Command: CmdInfo, User: "admin", Subject: "node"},
				{Command: CmdInfo, User: "admin", Subject: "peers-generation"},
				{Command: CmdInfo, User: "admin", Subject: "partition-generation"},
				{Command: CmdInfo, User: "admin", Subject: "peers-clear-std"},
				{Command: CmdInfo, User: "admin", Subject: "partition-generation"},
				{Command: CmdInfo, User: "admin", Subject: "replicas"},
			},
		},
		"SecurityEnabledBuild72": {
			reason: "before 8.1 the client sends no user-agent-set",
			opts:   []Option{WithBuild("7.2.0.6")},
			user:   "admin",
			want: []Request{
				{Command: CmdLogin, User: "admin", Subject: "admin"},
				{Command: CmdInfo, User: "admin", Subject: "build"},
				{Command: CmdInfo, User: "admin", Subject: "node"},
				{Command: CmdInfo, User: "admin", Subject: "partition-generation"},
				{Command: CmdInfo, User: "admin", Subject: "build"},
				{Command: CmdAuthenticate, User: "admin", Subject: "admin"},
				{Command: CmdInfo, User: "admin", Subject: "node"},
				{Command: CmdInfo, User: "admin", Subject: "peers-generation"},
				{Command: CmdInfo, User: "admin", Subject: "partition-generation"},
				{Command: CmdInfo, User: "admin", Subject: "peers-clear-std"},
				{Command: CmdInfo, User: "admin", Subject: "partition-generation"},
				{Command: CmdInfo, User: "admin", Subject: "replicas"},
			},
		},
		"SecurityDisabledNoUser": {
			reason: "with no user in the policy there is neither LOGIN nor AUTHENTICATE",
			opts:   []Option{WithSecurity(SecurityDisabled)},
			want: []Request{
				{Command: CmdInfo, Subject: "build"},
				{Command: CmdInfo, Subject: "node"},
				{Command: CmdInfo, Subject: "partition-generation"},
				{Command: CmdInfo, Subject: "build"},
				{Command: CmdInfo, Subject: "user-agent-set:value=" + userAgent("")},
				{Command: CmdInfo, Subject: "node"},
				{Command: CmdInfo, Subject: "peers-generation"},
				{Command: CmdInfo, Subject: "partition-generation"},
				{Command: CmdInfo, Subject: "peers-clear-std"},
				{Command: CmdInfo, Subject: "partition-generation"},
				{Command: CmdInfo, Subject: "replicas"},
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := Start(t, tc.opts...)
			pw := ""
			if tc.user != "" {
				pw = "admin"
			}
			connect(t, s.Host(), tc.user, pw)
			got := s.Requests()
			if len(got) > len(tc.want) {
				got = got[:len(tc.want)]
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s: first requests (-want +got):\n%s", tc.reason, diff)
			}
		})
	}
}

// userAgent is the value the client sends in user-agent-set: base64 of
// "1,go-<module version>,<app id or user or not-set>". Tests run the client
// from the module cache, whose version the client reads as "(devel)".
func userAgent(user string) string {
	if user == "" {
		user = "not-set"
	}
	return base64.StdEncoding.EncodeToString([]byte("1,go-(devel)," + user))
}

// TestInfoUnauthenticated: an info request on a socket that has not logged
// in gets the single line ERROR:80, with no echo (reference §1.2).
func TestInfoUnauthenticated(t *testing.T) {
	t.Parallel()
	s := Start(t)
	conn, err := as.NewConnection(policy("", ""), s.Host())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	got, err := conn.RequestInfo("build", "node")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"ERROR:80:not authenticated": ""}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("info before login (-want +got):\n%s", diff)
	}
	if err := conn.Login(policy("admin", "admin")); err != nil {
		t.Fatalf("cannot log in on the same connection: %v", err)
	}
	got, err = conn.RequestInfo("build")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]string{"build": "8.1.2.0"}, got); diff != "" {
		t.Errorf("info after login (-want +got):\n%s", diff)
	}
}

// TestNodeNameStable: the node keeps its name across Restart, since the
// client compares it on every tend.
func TestNodeNameStable(t *testing.T) {
	t.Parallel()
	s := Start(t, WithNodeName("A1"))
	c := connect(t, s.Host(), "admin", "admin")
	if err := s.Restart(); err != nil {
		t.Fatal(err)
	}
	var got map[string]string
	err := eventually(policy("", "").Timeout, func() error {
		var err error
		got, err = c.GetNodes()[0].RequestInfo(as.NewInfoPolicy(), "node")
		return err
	})
	if err != nil || got["node"] != "A1" {
		t.Errorf("node after restart: got %v, %v; want A1", got, err)
	}
	if !slices.Equal([]string{"A1"}, []string{c.GetNodes()[0].GetName()}) {
		t.Errorf("client lost the node: %v", c.GetNodes())
	}
}
