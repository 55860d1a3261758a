package securityserver

import (
	"encoding/binary"

	"github.com/aerospike/aerospike-client-go/v8/types"
)

// AS_MSG layout (aerospike-client-go command.go, record_parser.go).
const (
	msgHeaderSize = 22
	info2Write    = 1 << 0
	info2Delete   = 1 << 1
	info3Last     = 1 << 0
	fieldNs       = 0
	fieldSet      = 1
	fieldUDFFile  = 30
)

// Privileges that allow reading, writing and running UDFs on a record.
var (
	readPrivs  = []byte{privRead, privReadWrite, privReadWriteUDF}
	writePrivs = []byte{privWrite, privReadWrite, privReadWriteUDF}
	udfPrivs   = []byte{privReadWriteUDF}
)

// data answers a key-value command. The server stores nothing: writes
// succeed, reads and deletes find no record. What it does enforce is who
// may: a write needs write, read-write or read-write-udf on the record's
// namespace and set, a read needs read, read-write or read-write-udf, a UDF
// call read-write-udf; otherwise ROLE_VIOLATION. Only single-record
// commands get a meaningful answer; batches, scans and queries end empty.
func (s *Server) data(c *conn, body []byte) []byte {
	if len(body) < msgHeaderSize {
		s.cfg.logf("securityserver: cannot decode a %d byte data message", len(body))
		return dataReply(types.PARAMETER_ERROR)
	}
	fields := dataFields(body)
	ns, set := string(fields[fieldNs]), string(fields[fieldSet])
	rc := s.dataResult(c, body[2], ns, set, fields)
	s.record(c, CmdData, ns+"/"+set, rc)
	return dataReply(rc)
}

func (s *Server) dataResult(c *conn, info2 byte, ns, set string, fields map[byte][]byte) types.ResultCode {
	if !s.authenticated(c) {
		return types.NOT_AUTHENTICATED
	}
	write := info2&info2Write != 0
	need := readPrivs
	switch _, udf := fields[fieldUDFFile]; {
	case udf:
		need = udfPrivs
	case write:
		need = writePrivs
	}
	if s.cfg.security == SecurityEnabled && !s.holdsAny(c, need, ns, set) {
		return types.ROLE_VIOLATION
	}
	if write && info2&info2Delete == 0 {
		return types.OK
	}
	return types.KEY_NOT_FOUND_ERROR
}

func (s *Server) holdsAny(c *conn, codes []byte, ns, set string) bool {
	for _, code := range codes {
		if s.state.can(c.user, code, ns, set) {
			return true
		}
	}
	return false
}

// dataFields reads the fields that follow the AS_MSG header:
// [size: uint32][type: byte][data: size-1 bytes].
func dataFields(body []byte) map[byte][]byte {
	n := int(binary.BigEndian.Uint16(body[18:]))
	fields := map[byte][]byte{}
	off := msgHeaderSize
	for range n {
		if off+5 > len(body) {
			break
		}
		size := int(binary.BigEndian.Uint32(body[off:]))
		if size < 1 || off+4+size > len(body) {
			break
		}
		fields[body[off+4]] = body[off+5 : off+4+size]
		off += 4 + size
	}
	return fields
}

// dataReply is an AS_MSG header with no fields or bins, flagged last so
// that multi-record readers stop too.
func dataReply(rc types.ResultCode) []byte {
	b := make([]byte, msgHeaderSize)
	b[0] = msgHeaderSize
	b[3] = info3Last
	b[5] = byte(rc)
	return frame(typeData, b)
}
