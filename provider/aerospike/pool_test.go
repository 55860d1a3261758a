package aerospike

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
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

// TestDigest: Connect builds a new Config, tls.Config and CertPool every
// reconcile, so configs built apart from equal inputs must digest equal, or
// the pool would dial a new client every time.
func TestDigest(t *testing.T) {
	ca := selfSignedPEM(t)
	withCA := func(password string) Config {
		c := cfg(password)
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(ca) {
			t.Fatal("cannot add the test CA to a pool")
		}
		c.TLS = &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: pool}
		return c
	}
	cases := map[string]struct {
		reason string
		a, b   Config
		equal  bool
	}{
		"SameInputs": {
			reason: "Two configs built from the same inputs must digest equal.",
			a:      cfg("one"),
			b:      cfg("one"),
			equal:  true,
		},
		"SameCA": {
			reason: "Two TLS configs with their own pools of the same CA must digest equal.",
			a:      withCA("one"),
			b:      withCA("one"),
			equal:  true,
		},
		"NewPassword": {
			reason: "A new password must change the digest.",
			a:      cfg("one"),
			b:      cfg("two"),
		},
		"TLSTurnedOn": {
			reason: "Turning TLS on must change the digest.",
			a:      cfg("one"),
			b:      withCA("one"),
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := tc.a.Digest() == tc.b.Digest(); got != tc.equal {
				t.Errorf("%s\nDigest() equal: got %v, want %v", tc.reason, got, tc.equal)
			}
		})
	}
}

func TestStringHidesPassword(t *testing.T) {
	if s := cfg("s3cret").String(); strings.Contains(s, "s3cret") {
		t.Errorf("String() reveals the password: %s", s)
	}
}

// selfSignedPEM returns a CA certificate in PEM, made for the test.
func selfSignedPEM(t *testing.T) []byte {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "xp-aerospike test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
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
