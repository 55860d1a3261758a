package securityserver

import (
	as "github.com/aerospike/aerospike-client-go/v8"
)

// Privilege codes on the wire (aerospike-client-go privilege.go; the C
// client's as_privilege_code). Codes of 10 and above may carry a namespace
// and set scope; the lower ones are global.
const (
	privUserAdmin    byte = 0
	privSysAdmin     byte = 1
	privDataAdmin    byte = 2
	privUDFAdmin     byte = 3
	privSIndexAdmin  byte = 4
	privRead         byte = 10
	privReadWrite    byte = 11
	privReadWriteUDF byte = 12
	privWrite        byte = 13
	privTruncate     byte = 14
	privMaskingAdmin byte = 15
	privReadMasked   byte = 16
	privWriteMasked  byte = 17
)

// privTemplates maps wire codes to the client's privilege values. The
// client's code type is unexported, so a value of it can only be copied from
// one of its constants, never converted from a string.
var privTemplates = map[byte]as.Privilege{
	privUserAdmin:    {Code: as.UserAdmin},
	privSysAdmin:     {Code: as.SysAdmin},
	privDataAdmin:    {Code: as.DataAdmin},
	privUDFAdmin:     {Code: as.UDFAdmin},
	privSIndexAdmin:  {Code: as.SIndexAdmin},
	privRead:         {Code: as.Read},
	privReadWrite:    {Code: as.ReadWrite},
	privReadWriteUDF: {Code: as.ReadWriteUDF},
	privWrite:        {Code: as.Write},
	privTruncate:     {Code: as.Truncate},
	privMaskingAdmin: {Code: as.MaskingAdmin},
	privReadMasked:   {Code: as.ReadMasked},
	privWriteMasked:  {Code: as.WriteMasked},
}

// privCodes maps the client's privilege names to wire codes.
var privCodes = func() map[string]byte {
	m := make(map[string]byte, len(privTemplates))
	for c, p := range privTemplates {
		m[string(p.Code)] = c
	}
	return m
}()

// A privilege is one grant of a role: a code, scoped to a namespace and set
// when the code allows it.
type privilege struct {
	code byte
	ns   string
	set  string
}

// covers reports whether p grants code on ns/set: a global grant covers every
// namespace, a namespace grant every set in it.
func (p privilege) covers(code byte, ns, set string) bool {
	if p.code != code {
		return false
	}
	return p.ns == "" || (p.ns == ns && (p.set == "" || p.set == set))
}

// fromPublic converts a client privilege, as a test passes it to WithRole.
func fromPublic(p as.Privilege) (privilege, bool) {
	code, ok := privCodes[string(p.Code)]
	return privilege{code: code, ns: p.Namespace, set: p.SetName}, ok
}

// A predefinedRole is one of the roles every Enterprise server has.
type predefinedRole struct {
	name  string
	privs []privilege
	// masking roles exist from build 8.1.1 on.
	masking bool
}

// predefinedRoles are the built-in roles, each holding the privilege of the
// same name. The client's own Enterprise tests (query_role_test.go,
// security_test.go in aerospike-client-go v8.6.0) show QueryRoles lists
// them with exactly that one global privilege, and lists the masking roles
// from 8.1.1 on. superuser is not in those tests; its privileges here are an
// assumption (everything but the masking roles).
var predefinedRoles = []predefinedRole{
	{name: "user-admin", privs: []privilege{{code: privUserAdmin}}},
	{name: "sys-admin", privs: []privilege{{code: privSysAdmin}}},
	{name: "data-admin", privs: []privilege{{code: privDataAdmin}}},
	{name: "udf-admin", privs: []privilege{{code: privUDFAdmin}}},
	{name: "sindex-admin", privs: []privilege{{code: privSIndexAdmin}}},
	{name: "read", privs: []privilege{{code: privRead}}},
	{name: "read-write", privs: []privilege{{code: privReadWrite}}},
	{name: "read-write-udf", privs: []privilege{{code: privReadWriteUDF}}},
	{name: "write", privs: []privilege{{code: privWrite}}},
	{name: "truncate", privs: []privilege{{code: privTruncate}}},
	{name: "superuser", privs: []privilege{
		{code: privUserAdmin}, {code: privSysAdmin}, {code: privDataAdmin}, {code: privUDFAdmin},
		{code: privSIndexAdmin}, {code: privReadWriteUDF}, {code: privTruncate},
	}},
	{name: "masking-admin", privs: []privilege{{code: privMaskingAdmin}}, masking: true},
	{name: "read-masked", privs: []privilege{{code: privReadMasked}}, masking: true},
	{name: "write-masked", privs: []privilege{{code: privWriteMasked}}, masking: true},
}
