package aerospike

import (
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// DefaultPort is Aerospike's client port.
const DefaultPort = 3000

// Host is a seed node's address.
type Host struct {
	Name string
	Port int
}

func (h Host) String() string { return h.Name + ":" + strconv.Itoa(h.Port) }

// ParseHosts reads addresses such as "db-0.db.ns.svc" or "10.0.0.1:3001",
// using port for those that name none.
func ParseHosts(addresses []string, port int) ([]Host, error) {
	if port == 0 {
		port = DefaultPort
	}
	out := make([]Host, 0, len(addresses))
	for _, a := range addresses {
		name, p, found := strings.Cut(a, ":")
		h := Host{Name: name, Port: port}
		if found {
			n, err := strconv.Atoi(p)
			if err != nil || n < 1 || n > 65535 {
				return nil, errors.Errorf("cannot parse host %q: the port must be 1 to 65535", a)
			}
			h.Port = n
		}
		if h.Name == "" {
			return nil, errors.Errorf("cannot parse host %q: it has no name", a)
		}
		out = append(out, h)
	}
	return out, nil
}

// Config is how to reach and log in to one cluster.
type Config struct {
	Hosts       []Host
	ClusterName string

	// User and Password log in; an empty User does not.
	User     string
	Password string // never printed: see String

	// TLS, with TLSName the name the servers' certificates carry.
	TLS     *tls.Config
	TLSName string

	// ConnectTimeout bounds connecting and logging in; CommandTimeout one
	// command, retries included.
	ConnectTimeout time.Duration
	CommandTimeout time.Duration
}

// Digest identifies everything the client is built from, credentials
// included, without revealing them: a Pool rebuilds a client when its
// config's digest changes.
func (c Config) Digest() string {
	h := sha256.New()
	// A hash.Hash never fails to write.
	_, _ = fmt.Fprintf(h, "%q %q %q %q %q %d %d %v\n", c.ClusterName, c.User, c.Password, c.TLSName,
		hostList(c.Hosts), c.ConnectTimeout, c.CommandTimeout, c.TLS != nil)
	if c.TLS != nil && c.TLS.RootCAs != nil {
		for _, s := range c.TLS.RootCAs.Subjects() { //nolint:staticcheck // Subjects identifies the pool; the CA is not system-wide.
			h.Write(s)
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// String describes the config without its password.
func (c Config) String() string {
	return fmt.Sprintf("hosts=%s user=%q cluster-name=%q tls=%v", hostList(c.Hosts), c.User, c.ClusterName, c.TLS != nil)
}

func hostList(hs []Host) string {
	s := make([]string, len(hs))
	for i, h := range hs {
		s[i] = h.String()
	}
	return strings.Join(s, ",")
}
