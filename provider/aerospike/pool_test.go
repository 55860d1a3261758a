package aerospike

import (
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

type fakeClient struct {
	id     int64
	closed atomic.Bool
	broken atomic.Bool
}

func (f *fakeClient) Close()       { f.closed.Store(true) }
func (f *fakeClient) Broken() bool { return f.broken.Load() }

type dialer struct {
	n     atomic.Int64
	err   error
	delay time.Duration
}

func (d *dialer) dial(Config) (*fakeClient, error) {
	time.Sleep(d.delay)
	if d.err != nil {
		return nil, d.err
	}
	return &fakeClient{id: d.n.Add(1)}, nil
}

func cfg(password string) Config {
	return Config{Hosts: []Host{{Name: "a", Port: 3000}}, User: "admin", Password: password}
}

func TestPoolSharesOneClientPerConfig(t *testing.T) {
	d := &dialer{delay: 10 * time.Millisecond}
	p := NewPool(d.dial)
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			c, release, err := p.Acquire("pc/a", cfg("pw"))
			if err != nil {
				t.Error(err)
				return
			}
			defer release()
			if c.closed.Load() {
				t.Error("got a closed client")
			}
		})
	}
	wg.Wait()
	if got := p.Opened(); got != 1 {
		t.Errorf("50 concurrent reconciles opened %d clients, want 1", got)
	}
	if _, release, _ := p.Acquire("pc/b", cfg("pw")); release != nil {
		release()
	}
	if got := p.Opened(); got != 2 {
		t.Errorf("another provider config must get its own client: opened %d, want 2", got)
	}
}

func TestPoolRebuildsOnNewCredentials(t *testing.T) {
	d := &dialer{}
	p := NewPool(d.dial)
	old, releaseOld, _ := p.Acquire("pc", cfg("one"))

	// The password rotates while a reconcile still holds the old client.
	fresh, releaseNew, _ := p.Acquire("pc", cfg("two"))
	if fresh == old {
		t.Fatal("new credentials reused the old client")
	}
	if old.closed.Load() {
		t.Fatal("the old client was closed while a reconcile still held it")
	}
	releaseOld()
	if !old.closed.Load() {
		t.Error("the old client stayed open after its last holder released it")
	}
	releaseOld() // A second release must not close anything else.
	if fresh.closed.Load() {
		t.Error("releasing the old client twice closed the new one")
	}
	releaseNew()
	if fresh.closed.Load() {
		t.Error("a current client must stay open when released")
	}
}

func TestPoolCloseIdleAndForget(t *testing.T) {
	d := &dialer{}
	p := NewPool(d.dial)
	now := time.Unix(0, 0)
	p.now = func() time.Time { return now }
	a, releaseA, _ := p.Acquire("a", cfg("pw"))
	b, releaseB, _ := p.Acquire("b", cfg("pw"))
	releaseA()
	now = now.Add(time.Hour)
	p.CloseIdle(30 * time.Minute)
	if !a.closed.Load() {
		t.Error("an idle client was not closed")
	}
	if b.closed.Load() {
		t.Error("a client in use was closed as idle")
	}
	p.Forget("b")
	if b.closed.Load() {
		t.Error("Forget closed a client still in use")
	}
	releaseB()
	if !b.closed.Load() {
		t.Error("a forgotten client stayed open after its release")
	}
}

func TestPoolDialError(t *testing.T) {
	p := NewPool((&dialer{err: errors.New("boom")}).dial)
	if _, release, err := p.Acquire("a", cfg("pw")); err == nil || release != nil {
		t.Errorf("Acquire() = release %v, err %v; want an error and no release", release != nil, err)
	}
}

func TestDigest(t *testing.T) {
	if cfg("one").Digest() == cfg("two").Digest() {
		t.Error("a new password must change the digest")
	}
	if cfg("one").Digest() != cfg("one").Digest() {
		t.Error("the digest must be stable")
	}
	if s := cfg("s3cret").String(); strings.Contains(s, "s3cret") {
		t.Errorf("String() reveals the password: %s", s)
	}
}

func TestParseHosts(t *testing.T) {
	hs, err := ParseHosts([]string{"a", "b:3100"}, 0)
	if err != nil || len(hs) != 2 || hs[0].Port != 3000 || hs[1].Port != 3100 {
		t.Errorf("ParseHosts() = %v, %v", hs, err)
	}
	for _, bad := range []string{"a:x", ":3000", "a:70000"} {
		if _, err := ParseHosts([]string{bad}, 0); err == nil {
			t.Errorf("ParseHosts(%q): want an error", bad)
		}
	}
}

// TestPoolReplacesBrokenClients: a client whose command timed out may read
// a late reply as the next command's answer; the pool replaces it.
func TestPoolReplacesBrokenClients(t *testing.T) {
	p := NewPool((&dialer{}).dial)
	a, release, _ := p.Acquire("pc", cfg("pw"))
	a.broken.Store(true)
	release()
	b, releaseB, _ := p.Acquire("pc", cfg("pw"))
	defer releaseB()
	if b == a {
		t.Fatal("a broken client was handed out again")
	}
	if !a.closed.Load() {
		t.Error("the broken client was not closed")
	}
}
