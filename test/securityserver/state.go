package securityserver

import (
	"crypto/rand"
	"crypto/subtle"
	"net"
	"slices"
	"sync"
	"time"

	"github.com/aerospike/aerospike-client-go/v8/types"
)

// Name limits of the C client (AS_USER_SIZE, AS_ROLE_SIZE, AS_NAMESPACE_MAX_SIZE
// and AS_SET_MAX_SIZE, each counting a terminating NUL).
const (
	maxUserName = 63
	maxRoleName = 63
	maxNsName   = 31
	maxSetName  = 63
)

type user struct {
	hash  []byte // the bcrypt hash the client sent; compared byte for byte with LOGIN credentials
	roles []string
}

type role struct {
	privs      []privilege
	whitelist  []string
	readQuota  uint32
	writeQuota uint32
}

type session struct {
	user    string
	expires time.Time
}

// state is the security database: users, roles, sessions. Every method takes
// the lock, so each admin command is atomic, as it is on a real node.
type state struct {
	mu         sync.Mutex
	users      map[string]*user
	roles      map[string]*role // user-defined roles only
	predefined map[string][]privilege
	sessions   map[string]session // by token
	conns      map[string]int     // authenticated connections per user
	quotas     bool
	masking    bool // whether masking privilege codes exist (build >= 8.1.1)
}

func newState(cfg *config) *state {
	st := &state{
		users:      map[string]*user{},
		roles:      map[string]*role{},
		predefined: map[string][]privilege{},
		sessions:   map[string]session{},
		conns:      map[string]int{},
		quotas:     cfg.quotas,
		masking:    cfg.build.atLeast(version{8, 1, 1, 0}),
	}
	for _, r := range predefinedRoles {
		if !r.masking || st.masking {
			st.predefined[r.name] = r.privs
		}
	}
	return st
}

// --- sessions and authentication ---

// login checks credentials and opens a session.
func (st *state) login(name string, credential []byte, ttl time.Duration, peer net.IP) (token []byte, rc types.ResultCode) {
	st.mu.Lock()
	defer st.mu.Unlock()
	u, ok := st.users[name]
	if !ok {
		return nil, types.INVALID_USER
	}
	if string(u.hash) == pkiHash || subtle.ConstantTimeCompare(u.hash, credential) != 1 {
		return nil, types.INVALID_CREDENTIAL
	}
	if !st.whitelistedLocked(u, peer) {
		return nil, types.NOT_WHITELISTED
	}
	token = make([]byte, 32)
	_, _ = rand.Read(token) // Since Go 1.24 crypto/rand.Read never returns an error.
	st.sessions[string(token)] = session{user: name, expires: time.Now().Add(ttl)}
	return token, types.OK
}

// authenticate checks a session token from an earlier LOGIN. The client
// answers INVALID_CREDENTIAL and EXPIRED_SESSION alike by logging in again.
func (st *state) authenticate(name string, token []byte, peer net.IP) types.ResultCode {
	st.mu.Lock()
	defer st.mu.Unlock()
	s, ok := st.sessions[string(token)]
	if !ok || s.user != name {
		return types.INVALID_CREDENTIAL
	}
	if !time.Now().Before(s.expires) {
		return types.EXPIRED_SESSION
	}
	u, ok := st.users[name]
	if !ok {
		return types.INVALID_CREDENTIAL
	}
	if !st.whitelistedLocked(u, peer) {
		return types.NOT_WHITELISTED
	}
	return types.OK
}

// whitelistedLocked reports whether peer may connect as u: the union of the
// allow-lists of u's roles, and no restriction when none of them has one.
func (st *state) whitelistedLocked(u *user, peer net.IP) bool {
	var list []string
	for _, rn := range u.roles {
		if r, ok := st.roles[rn]; ok {
			list = append(list, r.whitelist...)
		}
	}
	if len(list) == 0 {
		return true
	}
	for _, a := range list {
		if _, n, err := net.ParseCIDR(a); err == nil && n.Contains(peer) {
			return true
		}
		if ip := net.ParseIP(a); ip != nil && ip.Equal(peer) {
			return true
		}
	}
	return false
}

func (st *state) expireSessions() {
	st.mu.Lock()
	defer st.mu.Unlock()
	for t, s := range st.sessions {
		s.expires = time.Time{}
		st.sessions[t] = s
	}
}

func (st *state) dropSessions() {
	st.mu.Lock()
	defer st.mu.Unlock()
	clear(st.sessions)
}

// bind and unbind count a connection's authenticated user, for the
// CONNECTIONS field of QUERY_USERS.
func (st *state) bind(name string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.conns[name]++
}

func (st *state) unbind(name string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.conns[name]--
	if st.conns[name] <= 0 {
		delete(st.conns, name)
	}
}

// --- privileges ---

// exists reports whether the user is still there: a dropped user's
// connections stop being authenticated.
func (st *state) exists(name string) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	_, ok := st.users[name]
	return ok
}

// can reports whether the user holds code on ns/set through any role.
func (st *state) can(name string, code byte, ns, set string) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	u, ok := st.users[name]
	if !ok {
		return false
	}
	for _, rn := range u.roles {
		for _, p := range st.privilegesLocked(rn) {
			if p.covers(code, ns, set) {
				return true
			}
		}
	}
	return false
}

func (st *state) holdsRole(name, roleName string) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	u, ok := st.users[name]
	return ok && slices.Contains(u.roles, roleName)
}

func (st *state) privilegesLocked(roleName string) []privilege {
	if p, ok := st.predefined[roleName]; ok {
		return p
	}
	if r, ok := st.roles[roleName]; ok {
		return r.privs
	}
	return nil
}

func (st *state) roleExistsLocked(name string) bool {
	_, pre := st.predefined[name]
	_, def := st.roles[name]
	return pre || def
}
