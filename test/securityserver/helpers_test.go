package securityserver

import (
	"slices"
	"testing"
	"time"

	as "github.com/aerospike/aerospike-client-go/v8"
	"github.com/aerospike/aerospike-client-go/v8/types"
	"github.com/google/go-cmp/cmp"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// policy is a client policy with timeouts short enough that a broken server
// fails a test in seconds, not the client's default 30.
func policy(user, password string) *as.ClientPolicy {
	p := as.NewClientPolicy()
	p.User, p.Password = user, password
	p.Timeout, p.LoginTimeout = 5*time.Second, 2*time.Second
	// The first tends run at start-up; later ones only add noise to
	// Requests, so they are rare.
	p.TendInterval = time.Minute
	return p
}

// dial connects to host as user, returning the client's error unchanged.
func dial(host *as.Host, user, password string, mods ...func(*as.ClientPolicy)) (*as.Client, error) {
	p := policy(user, password)
	for _, m := range mods {
		m(p)
	}
	c, err := as.NewClientWithPolicyAndHost(p, host)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// connect dials and fails the test on error; the client closes with t.
func connect(t *testing.T, host *as.Host, user, password string, mods ...func(*as.ClientPolicy)) *as.Client {
	t.Helper()
	c, err := dial(host, user, password, mods...)
	if err != nil {
		t.Fatalf("cannot connect to %s as %q: %v", host, user, err)
	}
	t.Cleanup(c.Close)
	return c
}

// codes lists the result codes of err and the errors it wraps, outermost
// first. NewClient wraps the cause of a failed seed in INVALID_NODE_ERROR,
// so comparing the whole chain pins both.
func codes(err error) []types.ResultCode {
	var out []types.ResultCode
	for e := err; e != nil; e = errors.Unwrap(e) {
		if ae, ok := e.(*as.AerospikeError); ok { //nolint:errorlint // Walking the chain by hand, level by level.
			out = append(out, ae.ResultCode)
		}
	}
	return out
}

// code is the outermost result code of err; OK for nil.
func code(err error) types.ResultCode {
	if c := codes(err); len(c) > 0 {
		return c[0]
	}
	if err != nil {
		return types.COMMON_ERROR
	}
	return types.OK
}

// wantCodes fails the test unless err's chain of result codes is want.
func wantCodes(t *testing.T, reason string, err error, want ...types.ResultCode) {
	t.Helper()
	if want == nil {
		want = []types.ResultCode{}
	}
	got := codes(err)
	if got == nil {
		got = []types.ResultCode{}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%s: result codes (-want +got):\n%s\nerror: %v", reason, diff, err)
	}
}

// admin is a short admin policy, so that injected delays time out quickly.
func admin(d time.Duration) *as.AdminPolicy { return &as.AdminPolicy{Timeout: d} }

// requests returns the server's log filtered to the given commands.
func requests(s *Server, cmds ...Command) []Request {
	return slices.DeleteFunc(s.Requests(), func(r Request) bool { return !slices.Contains(cmds, r.Command) })
}

// eventually retries f until it returns nil or d passes; it returns the
// last error. Tests use it where a client needs a moment to notice a
// restarted server.
func eventually(d time.Duration, f func() error) error {
	deadline := time.Now().Add(d)
	for {
		err := f()
		if err == nil || time.Now().After(deadline) {
			return err
		}
		time.Sleep(20 * time.Millisecond)
	}
}
