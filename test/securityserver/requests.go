package securityserver

import (
	"sync"

	"github.com/aerospike/aerospike-client-go/v8/types"
)

// A Command names the kind of a Request.
type Command string

// Commands a Request can record. The security ones are named as in the
// client's admin_command.go.
const (
	CmdLogin            Command = "login"
	CmdAuthenticate     Command = "authenticate"
	CmdCreateUser       Command = "create-user"
	CmdDropUser         Command = "drop-user"
	CmdSetPassword      Command = "set-password"
	CmdChangePassword   Command = "change-password"
	CmdGrantRoles       Command = "grant-roles"
	CmdRevokeRoles      Command = "revoke-roles"
	CmdQueryUsers       Command = "query-users"
	CmdCreateRole       Command = "create-role"
	CmdDropRole         Command = "drop-role"
	CmdGrantPrivileges  Command = "grant-privileges"
	CmdRevokePrivileges Command = "revoke-privileges"
	CmdSetWhitelist     Command = "set-whitelist"
	CmdSetQuotas        Command = "set-quotas"
	CmdQueryRoles       Command = "query-roles"
	// CmdInfo is one info command; Subject is the command line as sent.
	CmdInfo Command = "info"
	// CmdData is a key-value command; Subject is "namespace/set".
	CmdData Command = "data"
	// CmdUnknown is a security message with an unknown command id.
	CmdUnknown Command = "unknown"
)

var commandNames = map[byte]Command{
	cmdAuthenticate: CmdAuthenticate, cmdCreateUser: CmdCreateUser, cmdDropUser: CmdDropUser,
	cmdSetPassword: CmdSetPassword, cmdChangePassword: CmdChangePassword, cmdGrantRoles: CmdGrantRoles,
	cmdRevokeRoles: CmdRevokeRoles, cmdQueryUsers: CmdQueryUsers, cmdCreateRole: CmdCreateRole,
	cmdDropRole: CmdDropRole, cmdGrantPrivileges: CmdGrantPrivileges, cmdRevokePrivileges: CmdRevokePrivileges,
	cmdSetWhitelist: CmdSetWhitelist, cmdSetQuotas: CmdSetQuotas, cmdQueryRoles: CmdQueryRoles, cmdLogin: CmdLogin,
}

// A Request is one message the server answered, for tests that assert what
// a client sent. It never holds a password, hash or session token.
type Request struct {
	Command Command
	// User is who the connection was authenticated as ("" before that).
	User string
	// Subject is the user or role a security command names, the command
	// line of an info request, or namespace/set of a data command.
	Subject string
	// Result is the result code answered (for info, the code of an ERROR
	// reply, else OK).
	Result types.ResultCode
}

// maxRequests bounds the log: the client's tend adds a few info requests a
// second for as long as it is connected.
const maxRequests = 4096

type requestLog struct {
	mu   sync.Mutex
	reqs []Request
}

func (l *requestLog) add(r Request) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.reqs) == maxRequests {
		l.reqs = append(l.reqs[:0], l.reqs[maxRequests/2:]...)
	}
	l.reqs = append(l.reqs, r)
}

func (l *requestLog) all() []Request {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]Request(nil), l.reqs...)
}
