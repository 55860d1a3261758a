package securityserver

import (
	"encoding/binary"
	"strings"

	"github.com/aerospike/aerospike-client-go/v8/types"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// Admin command ids (aerospike-client-go admin_command.go).
const (
	cmdAuthenticate     byte = 0
	cmdCreateUser       byte = 1
	cmdDropUser         byte = 2
	cmdSetPassword      byte = 3
	cmdChangePassword   byte = 4
	cmdGrantRoles       byte = 5
	cmdRevokeRoles      byte = 6
	cmdQueryUsers       byte = 9
	cmdCreateRole       byte = 10
	cmdDropRole         byte = 11
	cmdGrantPrivileges  byte = 12
	cmdRevokePrivileges byte = 13
	cmdSetWhitelist     byte = 14
	cmdSetQuotas        byte = 15
	cmdQueryRoles       byte = 16
	cmdLogin            byte = 20
)

// Admin field ids.
const (
	fieldUser         byte = 0
	fieldPassword     byte = 1
	fieldOldPassword  byte = 2
	fieldCredential   byte = 3
	fieldSessionToken byte = 5
	fieldSessionTTL   byte = 6
	fieldRoles        byte = 10
	fieldRole         byte = 11
	fieldPrivileges   byte = 12
	fieldWhitelist    byte = 13
	fieldReadQuota    byte = 14
	fieldWriteQuota   byte = 15
	fieldReadInfo     byte = 16
	fieldWriteInfo    byte = 17
	fieldConnections  byte = 18
)

// adminHeaderSize is the security message header after the proto header:
// [scheme][result][command][n_fields][12 unused].
const adminHeaderSize = 16

// An adminRequest is a decoded security message.
type adminRequest struct {
	command byte
	fields  map[byte][]byte
}

func (r adminRequest) has(id byte) bool { _, ok := r.fields[id]; return ok }

func (r adminRequest) str(id byte) string { return string(r.fields[id]) }

// decodeAdmin splits a security message body into its fields.
//
// The header's n_fields is not trusted by default: aerospike-client-go up to
// at least v8.6.0 sends CREATE_ROLE with n_fields one short for each of
// "exactly one privilege" and "exactly one whitelist entry", but writes every
// field. Walking to the end of the body reads what the client meant. With
// trustCount set the server reads only n_fields fields, which is what the
// upstream fix's title ("garbled roles") says the real server does.
func decodeAdmin(body []byte, trustCount bool) (adminRequest, error) {
	if len(body) < adminHeaderSize {
		return adminRequest{}, errors.Errorf("cannot decode a %d byte security message", len(body))
	}
	req := adminRequest{command: body[2], fields: map[byte][]byte{}}
	n := int(body[3])
	off := adminHeaderSize
	for i := 0; off < len(body) && (!trustCount || i < n); i++ {
		if off+5 > len(body) {
			return adminRequest{}, errors.Errorf("cannot decode field %d: truncated header", i)
		}
		size := int(binary.BigEndian.Uint32(body[off:]))
		if size < 1 || off+4+size > len(body) {
			return adminRequest{}, errors.Errorf("cannot decode field %d: length %d overruns the message", i, size)
		}
		req.fields[body[off+4]] = body[off+5 : off+4+size]
		off += 4 + size
	}
	return req, nil
}

// decodeRoles reads a ROLES field: [count] then count × [len][name].
func decodeRoles(b []byte) ([]string, bool) {
	if len(b) < 1 {
		return nil, false
	}
	n, off := int(b[0]), 1
	roles := make([]string, 0, n)
	for range n {
		if off >= len(b) || off+1+int(b[off]) > len(b) {
			return nil, false
		}
		roles = append(roles, string(b[off+1:off+1+int(b[off])]))
		off += 1 + int(b[off])
	}
	return roles, off == len(b)
}

// decodePrivileges reads a PRIVILEGES field: [count] then per privilege
// [code], followed for scopable codes by [ns len][ns][set len][set].
// Unknown codes are kept so the caller can answer INVALID_PRIVILEGE.
func decodePrivileges(b []byte) ([]privilege, bool) {
	if len(b) < 1 {
		return nil, false
	}
	n, off := int(b[0]), 1
	privs := make([]privilege, 0, n)
	for range n {
		if off >= len(b) {
			return nil, false
		}
		p := privilege{code: b[off]}
		off++
		if p.code >= privRead {
			var ok bool
			if p.ns, off, ok = lenString(b, off); !ok {
				return nil, false
			}
			if p.set, off, ok = lenString(b, off); !ok {
				return nil, false
			}
		}
		privs = append(privs, p)
	}
	return privs, off == len(b)
}

func lenString(b []byte, off int) (string, int, bool) {
	if off >= len(b) || off+1+int(b[off]) > len(b) {
		return "", off, false
	}
	return string(b[off+1 : off+1+int(b[off])]), off + 1 + int(b[off]), true
}

// decodeWhitelist splits a WHITELIST field, one comma-joined string, the way
// the client's parser does: empty entries vanish.
func decodeWhitelist(b []byte) []string {
	var out []string
	for _, a := range strings.Split(string(b), ",") {
		if a != "" {
			out = append(out, a)
		}
	}
	return out
}

func decodeUint32(b []byte) (uint32, bool) {
	if len(b) != 4 {
		return 0, false
	}
	return binary.BigEndian.Uint32(b), true
}

// adminMessage encodes one security record: a header carrying rc and the
// field count, then the fields. Replies to everything but LOGIN and the
// queries must be exactly one such record with no fields, 24 bytes framed:
// the client reads no more.
func adminMessage(rc types.ResultCode, fields ...[]byte) []byte {
	size := adminHeaderSize
	for _, f := range fields {
		size += len(f)
	}
	b := make([]byte, adminHeaderSize, size)
	b[1] = byte(rc)
	b[3] = byte(len(fields))
	for _, f := range fields {
		b = append(b, f...)
	}
	return b
}

// adminReply frames a single-record reply.
func adminReply(rc types.ResultCode, fields ...[]byte) []byte {
	return frame(typeAdmin, adminMessage(rc, fields...))
}

func field(id byte, data []byte) []byte {
	b := make([]byte, 5, 5+len(data))
	binary.BigEndian.PutUint32(b, uint32(1+len(data)))
	b[4] = id
	return append(b, data...)
}

func uint32Field(id byte, v uint32) []byte {
	return field(id, binary.BigEndian.AppendUint32(nil, v))
}

func rolesField(roles []string) []byte {
	b := []byte{byte(len(roles))}
	for _, r := range roles {
		b = append(b, byte(len(r)))
		b = append(b, r...)
	}
	return field(fieldRoles, b)
}

func privilegesField(privs []privilege) []byte {
	b := []byte{byte(len(privs))}
	for _, p := range privs {
		b = append(b, p.code)
		if p.code >= privRead {
			b = append(b, byte(len(p.ns)))
			b = append(b, p.ns...)
			b = append(b, byte(len(p.set)))
			b = append(b, p.set...)
		}
	}
	return field(fieldPrivileges, b)
}

func infoField(id byte, vals []uint32) []byte {
	b := []byte{byte(len(vals))}
	for _, v := range vals {
		b = binary.BigEndian.AppendUint32(b, v)
	}
	return field(id, b)
}

// queryReply frames the records of a query, then a separate frame holding
// only QUERY_END. The separate frame matters: the client drops every record
// that shares a frame with the terminator (reference §4.5).
func queryReply(records [][]byte) []byte {
	var body []byte
	for _, r := range records {
		body = append(body, r...)
	}
	var out []byte
	if len(body) > 0 {
		out = frame(typeAdmin, body)
	}
	return append(out, adminReply(types.QUERY_END)...)
}
