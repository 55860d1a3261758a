package udf

import (
	"crypto/sha256"
	"encoding/hex"
)

// Hash identifies a module's code in status, so a change is visible without
// printing the code.
func Hash(code []byte) string {
	s := sha256.Sum256(code)
	return "sha256:" + hex.EncodeToString(s[:])
}
