package securityserver

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"strings"
	"time"

	as "github.com/aerospike/aerospike-client-go/v8"
	"github.com/aerospike/aerospike-client-go/v8/types"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// Security is how a server answers the security protocol.
type Security int

const (
	// SecurityEnabled is an Enterprise server with a security stanza: every
	// connection must LOGIN or AUTHENTICATE before anything else.
	SecurityEnabled Security = iota
	// SecurityDisabled is an Enterprise server without one: LOGIN answers
	// SECURITY_NOT_ENABLED (52), which the client takes as success, and
	// every other admin command answers the same code as an error.
	SecurityDisabled
	// SecurityNotSupported is a Community server: every admin message,
	// LOGIN included, answers SECURITY_NOT_SUPPORTED (51), so a client
	// configured with a user cannot connect at all.
	SecurityNotSupported
)

// An Option configures a Server.
type Option func(*config)

// seedUser is a user to create at start-up; password is hashed once in New
// and never kept.
type seedUser struct {
	name, password string
	roles          []string
}

type config struct {
	build      version
	buildStr   string
	node       string
	cluster    string
	namespaces []string
	sessionTTL time.Duration
	quotas     bool
	security   Security
	trustCount bool
	users      []seedUser
	roles      []as.Role
	logf       func(format string, args ...any)
}

func defaultConfig() *config {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return &config{
		buildStr:   "8.1.2.0",
		build:      version{8, 1, 2, 0},
		node:       fmt.Sprintf("BB9%013X", binary.BigEndian.Uint64(b[:])&(1<<52-1)),
		namespaces: []string{"test"},
		sessionTTL: 24 * time.Hour,
		users:      []seedUser{{name: "admin", password: "admin", roles: []string{"user-admin"}}},
		logf:       func(string, ...any) {},
	}
}

// WithBuild sets the version the node reports in info "build" (default
// 8.1.2.0, the Community binary the tests compare against). The client
// changes its syntax on it: from 8.1.0.0 it sends user-agent-set and the
// "namespace=" forms of the sindex commands; from 8.1.1 the masking roles
// and privileges exist.
func WithBuild(v string) Option {
	return func(c *config) { c.buildStr = v }
}

// WithNodeName sets the node id of info "node" (default BB9 and 13 random
// hex digits). The client compares it on every tend, so it never changes,
// not even across Restart.
func WithNodeName(name string) Option {
	return func(c *config) { c.node = name }
}

// WithClusterName sets info "cluster-name" (default "null", what a real
// node says when none is configured). A client whose policy names another
// cluster refuses the node with CLUSTER_NAME_MISMATCH_ERROR.
func WithClusterName(name string) Option {
	return func(c *config) { c.cluster = name }
}

// WithNamespaces sets the namespaces the node owns every partition of
// (default "test"). Key commands to other namespaces fail client-side.
func WithNamespaces(ns ...string) Option {
	return func(c *config) { c.namespaces = ns }
}

// WithSessionTTL sets the session lifetime LOGIN grants (default 24h, the
// Enterprise default). The client subtracts 60 s and ignores a TTL of 60 s
// or less, logging in on every connection instead of authenticating.
func WithSessionTTL(d time.Duration) Option {
	return func(c *config) { c.sessionTTL = d }
}

// WithQuotas enables rate quotas, as "enable-quotas true" does. Off by
// default, as on a real server: non-zero quotas then fail with
// QUOTAS_NOT_ENABLED.
func WithQuotas(enabled bool) Option {
	return func(c *config) { c.quotas = enabled }
}

// WithSecurity sets how the node answers the security protocol (default
// SecurityEnabled).
func WithSecurity(s Security) Option {
	return func(c *config) { c.security = s }
}

// WithUser creates a user at start-up, replacing one of the same name.
// Without it the server has the Enterprise default, admin/admin with the
// user-admin role; WithUser("admin", ...) changes that user.
func WithUser(name, password string, roles ...string) Option {
	return func(c *config) {
		for i, u := range c.users {
			if u.name == name {
				c.users[i] = seedUser{name: name, password: password, roles: roles}
				return
			}
		}
		c.users = append(c.users, seedUser{name: name, password: password, roles: roles})
	}
}

// WithRole creates a user-defined role at start-up, before the seed users,
// so that WithUser may name it.
func WithRole(r as.Role) Option {
	return func(c *config) { c.roles = append(c.roles, r) }
}

// WithTrustedFieldCount makes the server read only as many fields as the
// security header's n_fields says. aerospike-client-go v8.5.0 and v8.6.0
// undercount CREATE_ROLE with exactly one privilege or one allow-list entry,
// so that field is then lost: use this to test a workaround against the
// behaviour upstream calls "garbled roles". By default every field sent is
// read.
func WithTrustedFieldCount() Option {
	return func(c *config) { c.trustCount = true }
}

// WithLogf receives protocol errors (malformed messages, unknown commands).
// Credentials never reach it. Start wires it to t.Logf.
func WithLogf(logf func(format string, args ...any)) Option {
	return func(c *config) { c.logf = logf }
}

func (c *config) validate() error {
	v, err := parseVersion(c.buildStr)
	if err != nil {
		return err
	}
	c.build = v
	if c.node == "" || strings.ContainsAny(c.node, "\t\n") {
		return errors.Errorf("cannot use node name %q: want a non-empty id without tabs or newlines", c.node)
	}
	if strings.ContainsAny(c.cluster, "\t\n") {
		return errors.Errorf("cannot use cluster name %q: it contains a tab or newline", c.cluster)
	}
	if len(c.namespaces) == 0 {
		return errors.New("cannot serve no namespaces: the client needs at least one to route to")
	}
	for _, ns := range c.namespaces {
		if ns == "" || len(ns) > maxNsName || strings.ContainsAny(ns, ":;,\t\n") {
			return errors.Errorf("cannot serve namespace %q: want 1-31 characters without : ; , tab or newline", ns)
		}
	}
	if c.sessionTTL < time.Second || c.sessionTTL/time.Second > 1<<32-1 {
		return errors.Errorf("cannot use session TTL %s: want 1s to 136 years", c.sessionTTL)
	}
	return nil
}

// seed creates the configured roles, then users.
func (s *Server) seed() error {
	for _, r := range s.cfg.roles {
		privs := make([]privilege, 0, len(r.Privileges))
		for _, p := range r.Privileges {
			pp, ok := fromPublic(p)
			if !ok {
				return errors.Errorf("cannot seed role %q: unknown privilege %q", r.Name, p.Code)
			}
			privs = append(privs, pp)
		}
		if rc := s.state.createRole(r.Name, privs, r.Whitelist, r.ReadQuota, r.WriteQuota); rc != types.OK {
			return errors.Errorf("cannot seed role %q: %s", r.Name, types.ResultCodeToString(rc))
		}
	}
	for _, u := range s.cfg.users {
		h, err := hashPassword(u.password)
		if err != nil {
			return errors.Wrapf(err, "cannot seed user %q", u.name)
		}
		if rc := s.state.createUser(u.name, h, u.roles); rc != types.OK {
			return errors.Errorf("cannot seed user %q: %s", u.name, types.ResultCodeToString(rc))
		}
	}
	return nil
}
