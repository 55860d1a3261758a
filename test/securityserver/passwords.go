package securityserver

import (
	"sync"

	"github.com/aerospike/aerospike-client-go/v8/pkg/bcrypt"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// Hashes the client computes with its fixed salt (admin_command.go
// hashPassword). Precomputed because bcrypt at cost 10 takes tens of
// milliseconds, and every server starts with the admin user.
const (
	adminHash = "$2a$10$7EqJtq98hPqEX7fNZaFWoO1mVO/4MLpGzsqojz6E9Gef6iXDjXdDa"
	// pkiHash is what CreatePKIUser sends as the password ("nopassword"). A
	// user holding it authenticates by certificate only.
	pkiHash = "$2a$10$7EqJtq98hPqEX7fNZaFWoOePA2sZy..tlOF99W2N0g5KZ3dLaw8WO"
)

// hashes remembers the hashes of seeded passwords: bcrypt at cost 10 takes
// tens of milliseconds (hundreds under the race detector), and tests seed
// the same few passwords into many servers. Only the process's own seed
// passwords are kept, in memory.
var hashes sync.Map // password -> hash

// hashPassword hashes as the client does: bcrypt, cost 10, the client's
// fixed salt. The server then compares hashes byte for byte.
func hashPassword(pw string) ([]byte, error) {
	if pw == "admin" {
		return []byte(adminHash), nil
	}
	if h, ok := hashes.Load(pw); ok {
		if s, ok := h.(string); ok {
			return []byte(s), nil
		}
	}
	h, err := bcrypt.Hash(pw, "$2a$10$7EqJtq98hPqEX7fNZaFWoO")
	if err != nil {
		return nil, errors.Wrap(err, "cannot hash password")
	}
	hashes.Store(pw, h)
	return []byte(h), nil
}
