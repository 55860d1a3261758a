// Package securityserver is an Aerospike Enterprise node with security, in
// process, for tests: the real aerospike-client-go connects to it over TCP,
// logs in, and manages users and roles as it would on a real cluster.
// Aerospike Community Edition has no security at all, and Enterprise is not
// available to these tests, so this is where the provider's user and role
// code meets a server that enforces what Enterprise enforces.
//
// # Use
//
//	s := securityserver.Start(t)                    // admin/admin, security on
//	p := as.NewClientPolicy()
//	p.User, p.Password = "admin", "admin"
//	c, err := as.NewClientWithPolicyAndHost(p, s.Host())
//	err = c.CreateRole(nil, "app", []as.Privilege{{Code: as.ReadWrite, Namespace: "test"}}, nil, 0, 0)
//	err = c.CreateUser(nil, "app", "pw", []string{"app"}) // s.Requests() shows both
//
// Options seed users and roles, pick the build the node reports (which
// changes the client's syntax), enable quotas, or turn security off
// (Enterprise without security) or away (Community). Methods inject
// faults: RefuseLogins, Delay, DropReplies, CloseMidCommand,
// CloseConnections, ExpireSessions and Restart.
//
// # A fake node, not a proxy in front of Community
//
// A proxy would add the security layer in front of a real Community node
// and forward everything else. It was rejected, for four reasons:
//
//   - The layer would be the whole job anyway. Community answers every
//     security message with SECURITY_NOT_SUPPORTED, so a proxy would
//     implement all of LOGIN, sessions, users, roles and privileges itself,
//     exactly as this package does, and forward only what the provider
//     does not use: record reads and writes.
//   - A proxy must also rewrite, not just forward. The client discovers
//     nodes through info (node, peers-clear-std, service-clear-std) and
//     would connect straight to the Community node behind it, bypassing
//     security. Authentication is per connection, so the proxy would gate
//     every forwarded frame on its own state; and an unauthenticated info
//     request must get ERROR:80, which Community never says.
//   - Every test would need a Community binary (linux/amd64 only, about
//     270 MB of memory and a second of start-up per node) where an
//     in-process server starts in microseconds on any platform, and many
//     tests run in parallel.
//   - Faults are only deterministic when the server is ours: a reply can
//     be delayed, dropped or cut at an exact point, and Restart keeps the
//     port and the security state, which a proxy could only approximate
//     around a process it does not control.
//
// What a proxy would have given for free is record storage. This server
// stores nothing: writes succeed, reads find nothing, but data commands
// still enforce privileges (ROLE_VIOLATION outside a role's namespace and
// set). Secondary index, UDF and truncate info commands are served from
// an in-memory catalog, because the client's tasks poll them.
//
// Faithfulness is shown rather than assumed: the tests drive the server only
// through the real client over TCP, cover every behaviour that
// shared/reference/aerospike-wire-protocol.md marks VERIFIED, and run every
// case a Community node can also answer (info shapes, indexes, UDFs,
// truncate, key-value routing, and a server without security) against
// both, requiring the same answers. Writing those comparisons found a
// difference that is now fixed here: user-agent-set is accepted once per
// connection.
//
// # Semantics and their sources
//
// Wire formats, LOGIN and AUTHENTICATE, the query reply layout and the
// INVALID_USER, USER_ALREADY_EXISTS, INVALID_CREDENTIAL and INVALID_ROLE
// codes follow the reference (VERIFIED there). That QUERY_ROLES lists the
// predefined roles, each with the one privilege of its name, and the
// masking roles from build 8.1.1, comes from the client's own Enterprise
// tests. Enterprise's security module is closed source, so these are
// choices, each documented where it is made:
//
//   - admin starts with the user-admin role only, as Enterprise's default
//     user does; the "superuser" role holds every non-masking privilege.
//   - An unknown user logging in is INVALID_USER; a wrong password, a PKI
//     user using a password, or a refused login is INVALID_CREDENTIAL.
//   - User and role commands need user-admin, checked before existence
//     (ROLE_VIOLATION). Anyone may change their own password (proving the
//     old one; a stale one is INVALID_CREDENTIAL) and query themselves and
//     the roles they hold.
//   - Predefined roles cannot be created (ROLE_ALREADY_EXISTS), dropped or
//     changed (INVALID_ROLE). CreateUser and GrantRoles with an unknown role
//     are INVALID_ROLE. An allow-list entry that is no IP address or CIDR is
//     INVALID_WHITELIST; quotas without WithQuotas are QUOTAS_NOT_ENABLED.
//   - A login is NOT_WHITELISTED unless the address is in the union of the
//     allow-lists of the user's roles (no allow-list: no restriction).
//   - Dropping a user ends their sessions and their connections'
//     authentication; dropping a role removes it from every user.
//
// # Client facts this server accommodates
//
// aerospike-client-go v8.6.0 still sends CREATE_ROLE with n_fields one short
// for exactly one privilege and for exactly one allow-list entry (the
// upstream fix, PR #651, is not in v8.6.0). The server reads every field
// sent, so such roles come out right; WithTrustedFieldCount reads n_fields
// like the real server instead, to test a workaround (create the role
// empty, then GrantPrivileges and SetWhitelist). After an admin command
// times out, v8.6.0 keeps the connection, and a late reply is read by the
// next command; see Server.Delay.
//
// Passwords never leave the client as plain text: the server stores and
// compares the client's bcrypt hashes, and neither logs nor records them.
package securityserver
