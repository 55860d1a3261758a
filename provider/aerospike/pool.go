package aerospike

import (
	"sync"
	"time"
)

// Closer is a client a Pool manages.
type Closer interface{ Close() }

// A Pool keeps one client per key (a provider config) and config digest,
// shared by every reconcile that uses that provider config. A client is
// rebuilt when its config or credentials change, closed once no reconcile
// holds it any more, and closed when it has been idle too long.
type Pool[C Closer] struct {
	dial func(Config) (C, error)
	now  func() time.Time

	mu      sync.Mutex
	entries map[string]*entry[C]
	// dialing serialises dials per key: many reconciles starting at once
	// must open one client, not one each.
	dialing map[string]*sync.Mutex
	opened  int64
}

type entry[C Closer] struct {
	digest   string
	client   C
	refs     int
	stale    bool
	lastUsed time.Time
}

// NewPool returns a pool that opens clients with dial.
func NewPool[C Closer](dial func(Config) (C, error)) *Pool[C] {
	return &Pool[C]{dial: dial, now: time.Now, entries: map[string]*entry[C]{}, dialing: map[string]*sync.Mutex{}}
}

// Acquire returns the client of key for cfg, opening it if there is none or
// its config changed, and a release function the caller must call when done
// with it (typically in Disconnect).
func (p *Pool[C]) Acquire(key string, cfg Config) (C, func(), error) {
	digest := cfg.Digest()
	if c, release, ok := p.reuse(key, digest); ok {
		return c, release, nil
	}

	p.mu.Lock()
	dl, ok := p.dialing[key]
	if !ok {
		dl = &sync.Mutex{}
		p.dialing[key] = dl
	}
	p.mu.Unlock()
	dl.Lock()
	defer dl.Unlock()

	// Another caller may have opened it while this one waited.
	if c, release, ok := p.reuse(key, digest); ok {
		return c, release, nil
	}
	c, err := p.dial(cfg)
	if err != nil {
		var zero C
		return zero, nil, err
	}

	p.mu.Lock()
	defer p.mu.Unlock()
	p.opened++
	if old, ok := p.entries[key]; ok {
		p.retire(old)
	}
	e := &entry[C]{digest: digest, client: c, refs: 1, lastUsed: p.now()}
	p.entries[key] = e
	return c, p.releaser(e), nil
}

// breakable is a client that can tell it must not be used again.
type breakable interface{ Broken() bool }

func broken(c any) bool {
	b, ok := c.(breakable)
	return ok && b.Broken()
}

// reuse returns key's client when it was built from digest and is not
// broken.
func (p *Pool[C]) reuse(key, digest string) (C, func(), bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	e, ok := p.entries[key]
	if !ok || e.digest != digest || broken(e.client) {
		var zero C
		return zero, nil, false
	}
	e.refs++
	e.lastUsed = p.now()
	return e.client, p.releaser(e), true
}

func (p *Pool[C]) releaser(e *entry[C]) func() {
	var once sync.Once
	return func() {
		once.Do(func() {
			p.mu.Lock()
			defer p.mu.Unlock()
			e.refs--
			e.lastUsed = p.now()
			if e.stale && e.refs == 0 {
				e.client.Close()
			}
		})
	}
}

// retire takes an entry out of use: it is closed now, or by its last
// holder's release. The caller holds p.mu.
func (p *Pool[C]) retire(e *entry[C]) {
	e.stale = true
	if e.refs == 0 {
		e.client.Close()
	}
}

// Forget closes key's client, for example when its provider config is
// deleted.
func (p *Pool[C]) Forget(key string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if e, ok := p.entries[key]; ok {
		delete(p.entries, key)
		p.retire(e)
	}
}

// CloseIdle closes the clients no reconcile has used for maxIdle.
func (p *Pool[C]) CloseIdle(maxIdle time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for key, e := range p.entries {
		if e.refs == 0 && p.now().Sub(e.lastUsed) > maxIdle {
			delete(p.entries, key)
			p.retire(e)
		}
	}
}

// Close closes every client.
func (p *Pool[C]) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for key, e := range p.entries {
		delete(p.entries, key)
		p.retire(e)
	}
}

// Opened returns how many clients the pool has opened: a steady state
// opens none.
func (p *Pool[C]) Opened() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.opened
}
