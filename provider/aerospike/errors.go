package aerospike

import (
	"fmt"

	as "github.com/aerospike/aerospike-client-go/v8"
	"github.com/aerospike/aerospike-client-go/v8/types"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// Error is an Aerospike error with its result code, so callers decide on
// the code rather than on message text.
type Error struct {
	Code    types.ResultCode
	Message string
	cause   error
	// notFound marks answers that say "not found" without a result code of
	// their own, such as udf-get's.
	notFound bool
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s: %s (Aerospike result code %d)", e.Message, types.ResultCodeToString(e.Code), e.Code)
}

// Unwrap returns the client's error.
func (e *Error) Unwrap() error { return e.cause }

// wrap turns a client error into an *Error that says what was attempted.
func wrap(err error, msg string) error {
	if err == nil {
		return nil
	}
	var ae *as.AerospikeError
	if errors.As(err, &ae) {
		return &Error{Code: ae.ResultCode, Message: msg, cause: err}
	}
	return errors.Wrap(err, msg)
}

// NotFound returns an error for which IsNotFound is true, as fakes of a
// cluster need to.
func NotFound(msg string) error { return &Error{Message: msg, notFound: true} }

// Code returns the Aerospike result code of err, if it has one.
func Code(err error) (types.ResultCode, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e.Code, true
	}
	return 0, false
}

// IsNotFound reports whether err says a user, role, index or module does not
// exist.
func IsNotFound(err error) bool {
	var e *Error
	if !errors.As(err, &e) {
		return false
	}
	return e.notFound || e.Code == types.INVALID_USER || e.Code == types.INVALID_ROLE || e.Code == types.INDEX_NOTFOUND
}

// IsSecurityUnsupported reports whether err says the cluster has no security
// to manage: Community Edition, or security disabled.
func IsSecurityUnsupported(err error) bool {
	c, ok := Code(err)
	return ok && (c == types.SECURITY_NOT_SUPPORTED || c == types.SECURITY_NOT_ENABLED)
}

// UnreachableError says which nodes did not answer a command every node was asked.
type UnreachableError struct {
	Nodes []string
	cause error
}

func (e *UnreachableError) Error() string {
	return fmt.Sprintf("nodes %v did not answer: %v", e.Nodes, e.cause)
}

// Unwrap returns the last node's error.
func (e *UnreachableError) Unwrap() error { return e.cause }

// IsUnreachable reports whether err says only some nodes did not answer.
func IsUnreachable(err error) bool {
	var u *UnreachableError
	return errors.As(err, &u)
}
