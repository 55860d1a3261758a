package securityserver

import (
	"strings"

	"github.com/aerospike/aerospike-client-go/v8/types"
)

// admin answers one security message. Every reply but LOGIN's and the
// queries' is a bare 16-byte header carrying the result code.
func (s *Server) admin(c *conn, body []byte) []byte {
	req, err := decodeAdmin(body, s.cfg.trustCount)
	if err != nil {
		s.cfg.logf("securityserver: %v", err)
		s.record(c, CmdUnknown, "", types.INVALID_FIELD)
		return adminReply(types.INVALID_FIELD)
	}
	name, known := commandNames[req.command]
	if !known {
		name = CmdUnknown
	}
	subject := req.str(fieldUser)
	if req.has(fieldRole) {
		subject = req.str(fieldRole)
	}

	switch s.cfg.security {
	case SecurityNotSupported:
		s.record(c, name, subject, types.SECURITY_NOT_SUPPORTED)
		return adminReply(types.SECURITY_NOT_SUPPORTED)
	case SecurityDisabled:
		s.record(c, name, subject, types.SECURITY_NOT_ENABLED)
		return adminReply(types.SECURITY_NOT_ENABLED)
	}

	switch {
	case req.command == cmdLogin:
		return s.login(c, req)
	case req.command == cmdAuthenticate:
		return s.authenticate(c, req)
	case !s.authenticated(c):
		s.record(c, name, subject, types.NOT_AUTHENTICATED)
		return adminReply(types.NOT_AUTHENTICATED)
	case !known:
		s.cfg.logf("securityserver: unknown security command %d", req.command)
		s.record(c, name, subject, types.INVALID_COMMAND)
		return adminReply(types.INVALID_COMMAND)
	}

	switch req.command {
	case cmdQueryUsers:
		return s.queryUsers(c, req)
	case cmdQueryRoles:
		return s.queryRoles(c, req)
	}
	rc := s.manage(c, req)
	s.record(c, name, subject, rc)
	return adminReply(rc)
}

func (s *Server) record(c *conn, cmd Command, subject string, rc types.ResultCode) {
	s.log.add(Request{Command: cmd, User: c.user, Subject: subject, Result: rc})
}

// login checks a user's credential (the client's bcrypt hash of the
// password) and opens a session whose token later connections present to
// AUTHENTICATE.
func (s *Server) login(c *conn, req adminRequest) []byte {
	name := req.str(fieldUser)
	rc := types.INVALID_CREDENTIAL // also for PKI logins, which carry no user: there is no TLS here
	var token []byte
	if !s.faults.refusing() && req.has(fieldUser) {
		token, rc = s.state.login(name, req.fields[fieldCredential], s.cfg.sessionTTL, c.peer)
	}
	// A failed login leaves the connection unauthenticated; the client
	// closes it anyway.
	s.setUser(c, name, rc == types.OK)
	s.record(c, CmdLogin, name, rc)
	if rc != types.OK {
		return adminReply(rc)
	}
	return adminReply(types.OK,
		field(fieldSessionToken, token),
		uint32Field(fieldSessionTTL, uint32(s.cfg.sessionTTL.Seconds())))
}

// authenticate accepts a session token from an earlier LOGIN.
func (s *Server) authenticate(c *conn, req adminRequest) []byte {
	name := req.str(fieldUser)
	rc := types.INVALID_CREDENTIAL
	if !s.faults.refusing() {
		rc = s.state.authenticate(name, req.fields[fieldSessionToken], c.peer)
	}
	s.setUser(c, name, rc == types.OK)
	s.record(c, CmdAuthenticate, name, rc)
	return adminReply(rc)
}

// may reports whether the connection's user holds user-admin, the privilege
// every user and role command needs.
func (s *Server) may(c *conn) bool {
	return s.state.can(c.user, privUserAdmin, "", "")
}

// manage runs a user or role command and returns its result code. Privilege
// is checked before existence, so a user without user-admin learns nothing
// about other users and roles.
func (s *Server) manage(c *conn, req adminRequest) types.ResultCode {
	// A user may change their own password, proving the old one.
	if req.command == cmdChangePassword && req.str(fieldUser) == c.user {
		return s.changePassword(req)
	}
	if !s.may(c) {
		return types.ROLE_VIOLATION
	}
	userName, roleName := req.str(fieldUser), req.str(fieldRole)
	switch req.command {
	case cmdCreateUser:
		roles, ok := optionalRoles(req)
		if !ok {
			return types.INVALID_FIELD
		}
		return s.state.createUser(userName, req.fields[fieldPassword], roles)
	case cmdDropUser:
		return s.state.dropUser(userName)
	case cmdSetPassword:
		return s.state.setPassword(userName, nil, req.fields[fieldPassword])
	case cmdChangePassword:
		return s.changePassword(req)
	case cmdGrantRoles, cmdRevokeRoles:
		roles, ok := optionalRoles(req)
		if !ok {
			return types.INVALID_FIELD
		}
		if req.command == cmdGrantRoles {
			return s.state.grantRoles(userName, roles)
		}
		return s.state.revokeRoles(userName, roles)
	case cmdCreateRole:
		return s.createRole(req)
	case cmdDropRole:
		return s.state.dropRole(roleName)
	case cmdGrantPrivileges, cmdRevokePrivileges:
		privs, ok := decodePrivileges(req.fields[fieldPrivileges])
		if !ok {
			return types.INVALID_FIELD
		}
		if req.command == cmdGrantPrivileges {
			return s.state.grantPrivileges(roleName, privs)
		}
		return s.state.revokePrivileges(roleName, privs)
	case cmdSetWhitelist:
		return s.state.setWhitelist(roleName, decodeWhitelist(req.fields[fieldWhitelist]))
	case cmdSetQuotas:
		rq, okR := decodeUint32(req.fields[fieldReadQuota])
		wq, okW := decodeUint32(req.fields[fieldWriteQuota])
		if !okR || !okW {
			return types.INVALID_QUOTA
		}
		return s.state.setQuotas(roleName, rq, wq)
	}
	return types.INVALID_COMMAND
}

// changePassword is CHANGE_PASSWORD: the client sends its current hash as
// OLD_PASSWORD, and a mismatch is refused.
func (s *Server) changePassword(req adminRequest) types.ResultCode {
	old, ok := req.fields[fieldOldPassword]
	if !ok {
		return types.INVALID_FIELD
	}
	return s.state.setPassword(req.str(fieldUser), old, req.fields[fieldPassword])
}

func (s *Server) createRole(req adminRequest) types.ResultCode {
	var privs []privilege
	if req.has(fieldPrivileges) {
		var ok bool
		if privs, ok = decodePrivileges(req.fields[fieldPrivileges]); !ok {
			return types.INVALID_FIELD
		}
	}
	var rq, wq uint32
	for id, q := range map[byte]*uint32{fieldReadQuota: &rq, fieldWriteQuota: &wq} {
		if b, ok := req.fields[id]; ok {
			v, ok := decodeUint32(b)
			if !ok {
				return types.INVALID_QUOTA
			}
			*q = v
		}
	}
	return s.state.createRole(req.str(fieldRole), privs, decodeWhitelist(req.fields[fieldWhitelist]), rq, wq)
}

// optionalRoles decodes a ROLES field; a missing one is an empty list.
func optionalRoles(req adminRequest) ([]string, bool) {
	if !req.has(fieldRoles) {
		return nil, true
	}
	return decodeRoles(req.fields[fieldRoles])
}

// queryUsers answers QUERY_USERS. A user may always see themselves;
// anything else needs user-admin.
func (s *Server) queryUsers(c *conn, req adminRequest) []byte {
	name := req.str(fieldUser)
	self := req.has(fieldUser) && name == c.user
	if !self && !s.may(c) {
		s.record(c, CmdQueryUsers, name, types.ROLE_VIOLATION)
		return adminReply(types.ROLE_VIOLATION)
	}
	if req.has(fieldUser) && name == "" {
		s.record(c, CmdQueryUsers, name, types.INVALID_USER)
		return adminReply(types.INVALID_USER)
	}
	users, rc := s.state.queryUsers(name)
	s.record(c, CmdQueryUsers, name, rc)
	if rc != types.OK {
		return adminReply(rc)
	}
	records := make([][]byte, 0, len(users))
	for _, u := range users {
		fields := [][]byte{field(fieldUser, []byte(u.name)), rolesField(u.roles)}
		if u.readInfo != nil {
			fields = append(fields, infoField(fieldReadInfo, u.readInfo), infoField(fieldWriteInfo, u.writeInfo))
		}
		fields = append(fields, uint32Field(fieldConnections, uint32(u.conns)))
		records = append(records, adminMessage(types.OK, fields...))
	}
	return queryReply(records)
}

// queryRoles answers QUERY_ROLES. A user may see the roles they hold;
// anything else needs user-admin.
func (s *Server) queryRoles(c *conn, req adminRequest) []byte {
	name := req.str(fieldRole)
	held := req.has(fieldRole) && s.state.holdsRole(c.user, name)
	if !held && !s.may(c) {
		s.record(c, CmdQueryRoles, name, types.ROLE_VIOLATION)
		return adminReply(types.ROLE_VIOLATION)
	}
	if req.has(fieldRole) && name == "" {
		s.record(c, CmdQueryRoles, name, types.INVALID_ROLE)
		return adminReply(types.INVALID_ROLE)
	}
	roles, rc := s.state.queryRoles(name)
	s.record(c, CmdQueryRoles, name, rc)
	if rc != types.OK {
		return adminReply(rc)
	}
	records := make([][]byte, 0, len(roles))
	for _, r := range roles {
		fields := [][]byte{field(fieldRole, []byte(r.name)), privilegesField(r.privs)}
		if len(r.whitelist) > 0 {
			fields = append(fields, field(fieldWhitelist, []byte(strings.Join(r.whitelist, ","))))
		}
		if r.readQuota > 0 {
			fields = append(fields, uint32Field(fieldReadQuota, r.readQuota))
		}
		if r.writeQuota > 0 {
			fields = append(fields, uint32Field(fieldWriteQuota, r.writeQuota))
		}
		records = append(records, adminMessage(types.OK, fields...))
	}
	return queryReply(records)
}
