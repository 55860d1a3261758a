package securityserver

import (
	"io"
	"net"
	"time"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// A conn is the per-connection security state. Only its own goroutine
// touches it.
type conn struct {
	nc     net.Conn
	peer   net.IP
	user   string
	authed bool
	agent  bool // user-agent-set was answered ok
}

// setUser records who the connection is authenticated as ("" for nobody).
func (s *Server) setUser(c *conn, name string, ok bool) {
	if c.authed {
		s.state.unbind(c.user)
	}
	c.user, c.authed = name, ok
	if ok {
		s.state.bind(name)
	} else {
		c.user = ""
	}
}

// authenticated reports whether c may run commands: it logged in, and its
// user still exists.
func (s *Server) authenticated(c *conn) bool {
	return s.cfg.security != SecurityEnabled || (c.authed && s.state.exists(c.user))
}

// serve answers one connection's messages in order, one reply each, applying
// injected faults.
func (s *Server) serve(nc net.Conn, stop chan struct{}) {
	c := &conn{nc: nc}
	if a, ok := nc.RemoteAddr().(*net.TCPAddr); ok {
		c.peer = a.IP
	}
	defer func() {
		s.setUser(c, "", false)
		s.mu.Lock()
		delete(s.conns, nc)
		s.mu.Unlock()
		_ = nc.Close()
		s.wg.Done()
	}()
	for {
		typ, body, err := readFrame(nc)
		if err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
				s.cfg.logf("securityserver: connection %s: %v", nc.RemoteAddr(), err)
			}
			return
		}
		act := s.faults.take(scopeOf(typ, body))
		if act.cut == CutAfterRequest {
			return
		}
		reply, keep := s.dispatch(c, typ, body)
		if act.drop {
			continue
		}
		if act.delay > 0 {
			select {
			case <-time.After(act.delay):
			case <-stop:
				return
			}
		}
		if act.cut == CutMidReply {
			_, _ = nc.Write(reply[:len(reply)/2])
			return
		}
		if _, err := nc.Write(reply); err != nil || !keep {
			return
		}
	}
}

func scopeOf(typ byte, body []byte) Scope {
	switch typ {
	case typeInfo:
		return ScopeInfo
	case typeAdmin:
		if len(body) > 2 && (body[2] == cmdLogin || body[2] == cmdAuthenticate) {
			return ScopeLogin
		}
		return ScopeAdmin
	default:
		return ScopeData
	}
}

// dispatch answers one message; keep is false when the connection must
// close after the reply, as it must after a message it cannot parse.
func (s *Server) dispatch(c *conn, typ byte, body []byte) (reply []byte, keep bool) {
	switch typ {
	case typeInfo:
		return s.info(c, body), true
	case typeAdmin:
		return s.admin(c, body), true
	case typeData:
		return s.data(c, body), true
	case typeCompressed:
		inner, err := inflate(body)
		if err != nil {
			s.cfg.logf("securityserver: %v", err)
			return nil, false
		}
		return s.data(c, inner), true
	default:
		s.cfg.logf("securityserver: cannot handle message type %d; closing the connection", typ)
		return nil, false
	}
}
