package securityserver

import (
	"net"
	"slices"
	"sort"

	"github.com/aerospike/aerospike-client-go/v8/types"
)

// Role commands on the security state. Each takes the lock, so it is atomic.

// checkPrivileges validates privileges as the server would before storing.
func (st *state) checkPrivileges(privs []privilege) types.ResultCode {
	for _, p := range privs {
		if _, ok := privTemplates[p.code]; !ok || (p.code >= privMaskingAdmin && !st.masking) {
			return types.INVALID_PRIVILEGE
		}
		if p.code < privRead && (p.ns != "" || p.set != "") {
			return types.INVALID_PRIVILEGE
		}
		if (p.set != "" && p.ns == "") || len(p.ns) > maxNsName || len(p.set) > maxSetName {
			return types.INVALID_PRIVILEGE
		}
	}
	return types.OK
}

func checkWhitelist(list []string) types.ResultCode {
	for _, a := range list {
		if _, _, err := net.ParseCIDR(a); err == nil {
			continue
		}
		if net.ParseIP(a) == nil {
			return types.INVALID_WHITELIST
		}
	}
	return types.OK
}

func (st *state) createRole(name string, privs []privilege, whitelist []string, rq, wq uint32) types.ResultCode {
	st.mu.Lock()
	defer st.mu.Unlock()
	if name == "" || len(name) > maxRoleName {
		return types.INVALID_ROLE
	}
	if st.roleExistsLocked(name) {
		return types.ROLE_ALREADY_EXISTS
	}
	if rc := st.checkPrivileges(privs); rc != types.OK {
		return rc
	}
	if rc := checkWhitelist(whitelist); rc != types.OK {
		return rc
	}
	if (rq > 0 || wq > 0) && !st.quotas {
		return types.QUOTAS_NOT_ENABLED
	}
	st.roles[name] = &role{privs: addPrivileges(nil, privs), whitelist: whitelist, readQuota: rq, writeQuota: wq}
	return types.OK
}

// userRoleLocked finds a role that admin commands may change: predefined
// roles are fixed.
func (st *state) userRoleLocked(name string) (*role, types.ResultCode) {
	if r, ok := st.roles[name]; ok {
		return r, types.OK
	}
	return nil, types.INVALID_ROLE
}

func (st *state) dropRole(name string) types.ResultCode {
	st.mu.Lock()
	defer st.mu.Unlock()
	if _, rc := st.userRoleLocked(name); rc != types.OK {
		return rc
	}
	delete(st.roles, name)
	// A dropped role leaves every user that held it, as on a real server.
	for _, u := range st.users {
		u.roles = slices.DeleteFunc(u.roles, func(r string) bool { return r == name })
	}
	return types.OK
}

func (st *state) grantPrivileges(name string, privs []privilege) types.ResultCode {
	st.mu.Lock()
	defer st.mu.Unlock()
	r, rc := st.userRoleLocked(name)
	if rc != types.OK {
		return rc
	}
	if rc := st.checkPrivileges(privs); rc != types.OK {
		return rc
	}
	r.privs = addPrivileges(r.privs, privs)
	return types.OK
}

func (st *state) revokePrivileges(name string, privs []privilege) types.ResultCode {
	st.mu.Lock()
	defer st.mu.Unlock()
	r, rc := st.userRoleLocked(name)
	if rc != types.OK {
		return rc
	}
	if rc := st.checkPrivileges(privs); rc != types.OK {
		return rc
	}
	r.privs = slices.DeleteFunc(r.privs, func(p privilege) bool { return slices.Contains(privs, p) })
	return types.OK
}

func (st *state) setWhitelist(name string, list []string) types.ResultCode {
	st.mu.Lock()
	defer st.mu.Unlock()
	r, rc := st.userRoleLocked(name)
	if rc != types.OK {
		return rc
	}
	if rc := checkWhitelist(list); rc != types.OK {
		return rc
	}
	r.whitelist = list
	return types.OK
}

func (st *state) setQuotas(name string, rq, wq uint32) types.ResultCode {
	st.mu.Lock()
	defer st.mu.Unlock()
	r, rc := st.userRoleLocked(name)
	if rc != types.OK {
		return rc
	}
	if !st.quotas {
		return types.QUOTAS_NOT_ENABLED
	}
	r.readQuota, r.writeQuota = rq, wq
	return types.OK
}

// A roleView is a copy of one role, safe to use without the lock.
type roleView struct {
	name       string
	privs      []privilege
	whitelist  []string
	readQuota  uint32
	writeQuota uint32
}

// queryRoles returns one role (name set) or all of them, predefined ones
// included, sorted by name.
func (st *state) queryRoles(name string) ([]roleView, types.ResultCode) {
	st.mu.Lock()
	defer st.mu.Unlock()
	var names []string
	if name != "" {
		if !st.roleExistsLocked(name) {
			return nil, types.INVALID_ROLE
		}
		names = append(names, name)
	} else {
		for n := range st.predefined {
			names = append(names, n)
		}
		for n := range st.roles {
			names = append(names, n)
		}
		sort.Strings(names)
	}
	out := make([]roleView, 0, len(names))
	for _, n := range names {
		v := roleView{name: n, privs: slices.Clone(st.privilegesLocked(n))}
		if r, ok := st.roles[n]; ok {
			v.whitelist = slices.Clone(r.whitelist)
			v.readQuota, v.writeQuota = r.readQuota, r.writeQuota
		}
		out = append(out, v)
	}
	return out, types.OK
}

// addPrivileges appends the privileges in add not already granted, keeping
// grant order: that is the order QueryRole reports them in.
func addPrivileges(have, add []privilege) []privilege {
	for _, p := range add {
		if !slices.Contains(have, p) {
			have = append(have, p)
		}
	}
	return have
}
