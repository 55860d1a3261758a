package securityserver

import (
	"crypto/subtle"
	"slices"
	"sort"
	"strings"

	"github.com/aerospike/aerospike-client-go/v8/types"
)

// User commands on the security state. Each takes the lock, so it is atomic.

func validHash(h []byte) bool { return len(h) == 60 && strings.HasPrefix(string(h), "$2") }

func (st *state) createUser(name string, hash []byte, roles []string) types.ResultCode {
	st.mu.Lock()
	defer st.mu.Unlock()
	if name == "" || len(name) > maxUserName {
		return types.INVALID_USER
	}
	if _, ok := st.users[name]; ok {
		return types.USER_ALREADY_EXISTS
	}
	if !validHash(hash) {
		return types.INVALID_PASSWORD
	}
	for _, r := range roles {
		if !st.roleExistsLocked(r) {
			return types.INVALID_ROLE
		}
	}
	st.users[name] = &user{hash: hash, roles: dedupe(nil, roles)}
	return types.OK
}

func (st *state) dropUser(name string) types.ResultCode {
	st.mu.Lock()
	defer st.mu.Unlock()
	if _, ok := st.users[name]; !ok {
		return types.INVALID_USER
	}
	delete(st.users, name)
	for t, s := range st.sessions {
		if s.user == name {
			delete(st.sessions, t)
		}
	}
	return types.OK
}

// setPassword replaces a password. With old set (CHANGE_PASSWORD) the
// current hash must match it first.
func (st *state) setPassword(name string, old, hash []byte) types.ResultCode {
	st.mu.Lock()
	defer st.mu.Unlock()
	u, ok := st.users[name]
	if !ok {
		return types.INVALID_USER
	}
	if string(u.hash) == pkiHash {
		return types.FORBIDDEN_PASSWORD
	}
	if old != nil && subtle.ConstantTimeCompare(u.hash, old) != 1 {
		return types.INVALID_CREDENTIAL
	}
	if !validHash(hash) {
		return types.INVALID_PASSWORD
	}
	u.hash = hash
	return types.OK
}

func (st *state) grantRoles(name string, roles []string) types.ResultCode {
	st.mu.Lock()
	defer st.mu.Unlock()
	u, ok := st.users[name]
	if !ok {
		return types.INVALID_USER
	}
	for _, r := range roles {
		if !st.roleExistsLocked(r) {
			return types.INVALID_ROLE
		}
	}
	u.roles = dedupe(u.roles, roles)
	return types.OK
}

func (st *state) revokeRoles(name string, roles []string) types.ResultCode {
	st.mu.Lock()
	defer st.mu.Unlock()
	u, ok := st.users[name]
	if !ok {
		return types.INVALID_USER
	}
	for _, r := range roles {
		if !st.roleExistsLocked(r) {
			return types.INVALID_ROLE
		}
	}
	u.roles = slices.DeleteFunc(u.roles, func(r string) bool { return slices.Contains(roles, r) })
	return types.OK
}

// A userView is a copy of one user, safe to use without the lock.
type userView struct {
	name      string
	roles     []string
	conns     int
	readInfo  []uint32 // nil unless quotas are enabled
	writeInfo []uint32
}

// queryUsers returns one user (name set) or all of them, sorted by name.
func (st *state) queryUsers(name string) ([]userView, types.ResultCode) {
	st.mu.Lock()
	defer st.mu.Unlock()
	names := make([]string, 0, len(st.users))
	if name != "" {
		if _, ok := st.users[name]; !ok {
			return nil, types.INVALID_USER
		}
		names = append(names, name)
	} else {
		for n := range st.users {
			names = append(names, n)
		}
		sort.Strings(names)
	}
	out := make([]userView, 0, len(names))
	for _, n := range names {
		u := st.users[n]
		v := userView{name: n, roles: slices.Sorted(slices.Values(u.roles)), conns: st.conns[n]}
		if st.quotas {
			var rq, wq uint32
			for _, rn := range u.roles {
				if r, ok := st.roles[rn]; ok {
					rq, wq = max(rq, r.readQuota), max(wq, r.writeQuota)
				}
			}
			// [quota, single-record TPS, scan/query RPS, limitless scans]:
			// this server serves no data, so only the quota is non-zero.
			v.readInfo, v.writeInfo = []uint32{rq, 0, 0, 0}, []uint32{wq, 0, 0, 0}
		}
		out = append(out, v)
	}
	return out, types.OK
}

// dedupe appends the names in add that are not already in have.
func dedupe(have, add []string) []string {
	for _, a := range add {
		if !slices.Contains(have, a) {
			have = append(have, a)
		}
	}
	return have
}
