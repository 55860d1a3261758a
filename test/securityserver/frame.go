package securityserver

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"io"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// Proto message types (aerospike-server as/include/base/proto.h).
const (
	typeInfo       byte = 1
	typeAdmin      byte = 2
	typeData       byte = 3
	typeCompressed byte = 4
)

const (
	protoVersion = 2
	// maxBody bounds what a peer can make us allocate. The client's own cap
	// on replies is 64 MiB; requests a test sends are far smaller.
	maxBody = 64 << 20
)

// frame wraps body in the 8-byte proto header [version][type][48-bit length].
func frame(typ byte, body []byte) []byte {
	b := make([]byte, 8+len(body))
	binary.BigEndian.PutUint64(b, protoVersion<<56|uint64(typ)<<48|uint64(len(body)))
	copy(b[8:], body)
	return b
}

// readFrame reads one proto message. It does not check the version byte:
// neither does the client for info replies, and a server that is stricter
// than its peers only makes tests fail for the wrong reason.
func readFrame(r io.Reader) (byte, []byte, error) {
	var hdr [8]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return 0, nil, err
	}
	v := binary.BigEndian.Uint64(hdr[:])
	typ, size := byte(v>>48), v&0xFFFFFFFFFFFF
	if size > maxBody {
		return 0, nil, errors.Errorf("cannot accept a %d byte message", size)
	}
	body := make([]byte, size)
	if _, err := io.ReadFull(r, body); err != nil {
		return 0, nil, errors.Wrap(err, "cannot read message body")
	}
	return typ, body, nil
}

// inflate unpacks a type-4 body, [uncompressed size: uint64][zlib stream of a
// whole type-3 frame], into the type-3 body it carries.
func inflate(body []byte) ([]byte, error) {
	if len(body) < 8 {
		return nil, errors.New("cannot inflate a compressed message shorter than its size prefix")
	}
	zr, err := zlib.NewReader(bytes.NewReader(body[8:]))
	if err != nil {
		return nil, errors.Wrap(err, "cannot open compressed message")
	}
	defer func() { _ = zr.Close() }() // A reader has nothing to flush.
	typ, inner, err := readFrame(zr)
	if err != nil {
		return nil, errors.Wrap(err, "cannot read compressed message")
	}
	if typ != typeData {
		return nil, errors.Errorf("cannot handle compressed message of type %d", typ)
	}
	return inner, nil
}
