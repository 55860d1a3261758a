package aerospike

import (
	"bytes"
	"fmt"
	"net/netip"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// loopback is the only address the harness binds: the static asd has no
// NSS, so host names would not resolve, and nothing may be reachable from
// beyond the machine.
const loopback = "127.0.0.1"

// Sizes the servers accept at the least: 8.1 refuses a memory data-size
// below 512 MiB (8.0 below 256 MiB) and a storage file below 128 MiB.
// Memory is reserved lazily and the file is sparse, so neither costs what
// it says.
const (
	defaultMemorySize = 1 << 30
	defaultFileSize   = 256 << 20
)

// DefaultNamespace is the namespace of a cluster started with no
// Namespaces, named like the official Docker image's, so that a test works
// the same against a server named by AEROSPIKE_ADDRESS.
const DefaultNamespace = "test"

// Namespace describes one namespace of a harness cluster.
type Namespace struct {
	// Name of the namespace.
	Name string
	// ReplicationFactor is how many copies of each record the cluster
	// keeps; zero means 2, so that a cluster of several nodes survives the
	// loss of one.
	ReplicationFactor int
	// Persistent stores records in a file under each node's data directory
	// (storage-engine device with a file), so that they survive a restart
	// of the node; otherwise they live in memory only.
	Persistent bool
	// Size is the memory data-size or the file size in bytes; zero means
	// 1 GiB of memory or a 256 MiB file.
	Size int64
	// Raw, when set, is a whole `namespace NAME { ... }` stanza, used
	// verbatim except that every $DATA is replaced by the node's data
	// directory; the other fields are then ignored, and Name may be empty.
	Raw string
}

// name returns the namespace's name, from Raw when it has one.
func (ns Namespace) name() string {
	if ns.Raw != "" {
		if names := confNamespaces([]byte(ns.Raw)); len(names) > 0 {
			return names[0]
		}
	}
	return ns.Name
}

// stanza writes the namespace's stanza for a node whose data directory is
// dataDir.
func (ns Namespace) stanza(dataDir string) string {
	if ns.Raw != "" {
		return strings.ReplaceAll(ns.Raw, "$DATA", dataDir) + "\n"
	}
	rf := ns.ReplicationFactor
	if rf == 0 {
		rf = 2
	}
	var b strings.Builder
	fmt.Fprintf(&b, "namespace %s {\n\treplication-factor %d\n", ns.Name, rf)
	if ns.Persistent {
		size := ns.Size
		if size == 0 {
			size = defaultFileSize
		}
		fmt.Fprintf(&b, "\tstorage-engine device {\n\t\tfile %s\n\t\tfilesize %d\n\t}\n", filepath.Join(dataDir, ns.Name+".dat"), size)
	} else {
		size := ns.Size
		if size == 0 {
			size = defaultMemorySize
		}
		fmt.Fprintf(&b, "\tstorage-engine memory {\n\t\tdata-size %d\n\t}\n", size)
	}
	b.WriteString("}\n")
	return b.String()
}

// harnessConf is the aerospike.conf of a node the harness composes itself:
// the smallest configuration that runs on loopback, with every node's
// heartbeat port as a mesh seed (asd drops its own).
func harnessConf(clusterName, dir string, p Ports, seeds []int, nss []Namespace) []byte {
	var b strings.Builder
	work := filepath.Join(dir, "work")
	fmt.Fprintf(&b, "service {\n\tcluster-name %s\n\twork-directory %s\n}\n\n", clusterName, work)
	b.WriteString("logging {\n\tconsole {\n\t\tcontext any info\n\t}\n}\n\n")
	fmt.Fprintf(&b, "mod-lua {\n\tuser-path %s\n}\n\n", filepath.Join(work, "usr", "udf", "lua"))
	b.WriteString("network {\n")
	fmt.Fprintf(&b, "\tservice {\n\t\taddress %s\n\t\taccess-address %s\n\t\tport %d\n\t}\n", loopback, loopback, p.Service)
	fmt.Fprintf(&b, "\theartbeat {\n\t\tmode mesh\n\t\taddress %s\n\t\tport %d\n", loopback, p.Heartbeat)
	for _, s := range seeds {
		fmt.Fprintf(&b, "\t\tmesh-seed-address-port %s %d\n", loopback, s)
	}
	b.WriteString("\t}\n")
	fmt.Fprintf(&b, "\tfabric {\n\t\taddress %s\n\t\tport %d\n\t}\n}\n\n", loopback, p.Fabric)
	for _, ns := range nss {
		b.WriteString(ns.stanza(filepath.Join(dir, "data")))
		b.WriteString("\n")
	}
	return []byte(b.String())
}

// A confLine is one line of an aerospike.conf, split the way asd reads it:
// a key and its values, `key values {` opening a stanza, `}` closing one,
// and `#` starting a comment.
type confLine struct {
	text    string
	indent  string
	fields  []string
	comment string
	open    bool
	close   bool
}

func (l confLine) key() string {
	if len(l.fields) == 0 {
		return ""
	}
	return l.fields[0]
}

func parseConfLine(text string) confLine {
	l := confLine{text: text}
	l.indent = text[:len(text)-len(strings.TrimLeft(text, " \t"))]
	body := text
	if i := strings.IndexByte(body, '#'); i >= 0 {
		body, l.comment = body[:i], body[i:]
	}
	l.fields = strings.Fields(body)
	if n := len(l.fields); n > 0 {
		switch {
		case l.fields[n-1] == "{":
			l.open, l.fields = true, l.fields[:n-1]
		case strings.HasSuffix(l.fields[n-1], "{"):
			l.open = true
			l.fields[n-1] = strings.TrimSuffix(l.fields[n-1], "{")
		case n == 1 && l.fields[0] == "}":
			l.close, l.fields = true, nil
		}
	}
	return l
}

// format writes the line back after its fields changed, keeping its
// indentation and comment.
func (l confLine) format() string {
	s := l.indent + strings.Join(l.fields, " ")
	if l.open {
		s += " {"
	}
	if l.comment != "" {
		s += " " + l.comment
	}
	return s
}

// walkConf calls fn for every line with the keys of the stanzas it is in,
// outermost first (a stanza's opening line is inside its parent only).
func walkConf(conf []byte, fn func(path []string, l confLine) error) error {
	var path []string
	n := 0
	for raw := range strings.Lines(string(conf)) {
		n++
		l := parseConfLine(strings.TrimRight(raw, "\r\n"))
		if l.close {
			if len(path) == 0 {
				return errors.Errorf("line %d: `}` closes no stanza", n)
			}
			path = path[:len(path)-1]
		}
		if err := fn(slices.Clip(path), l); err != nil {
			return errors.Wrapf(err, "line %d", n)
		}
		if l.open {
			path = append(path, l.key())
		}
	}
	if len(path) > 0 {
		return errors.Errorf("stanza %q is not closed", strings.Join(path, "."))
	}
	return nil
}

// confNamespaces returns the namespaces a config declares, in order.
func confNamespaces(conf []byte) []string {
	var names []string
	_ = walkConf(conf, func(path []string, l confLine) error {
		if len(path) == 0 && l.open && l.key() == "namespace" && len(l.fields) > 1 {
			names = append(names, l.fields[1])
		}
		return nil
	})
	return names
}

// confValue returns the first value of key in the stanza at path.
func confValue(conf []byte, key string, path ...string) string {
	v := ""
	_ = walkConf(conf, func(p []string, l confLine) error {
		if v == "" && slices.Equal(p, path) && !l.open && l.key() == key && len(l.fields) > 1 {
			v = l.fields[1]
		}
		return nil
	})
	return v
}

// Loopback says how RewriteForLoopback moves a rendered aerospike.conf
// from a Kubernetes pod onto this machine.
type Loopback struct {
	// Root is the directory every absolute path of the config moves under:
	// /opt/aerospike/work becomes Root/opt/aerospike/work.
	Root string
	// Ports are the node's ports; Admin only for a config with a network
	// admin stanza.
	Ports Ports
	// Seeds replace the mesh-seed-address-port lines in order: the k-th
	// line becomes `mesh-seed-address-port 127.0.0.1 Seeds[k]`, and lines
	// beyond len(Seeds) are removed. Rendered configs name each pod's DNS
	// name, the pod itself included; asd drops a seed that is itself.
	Seeds []int
	// Address is the node's own address, in 127.0.0.0/8, which its network
	// stanzas bind and its service stanza advertises; empty means
	// 127.0.0.1. Nodes on addresses of their own can all listen on the
	// standard ports, as pods do.
	Address string
	// MeshSeed, when set, rewrites mesh seeds instead of Seeds: each
	// mesh-seed-address-port line becomes the address (in 127.0.0.0/8) and
	// port it returns for the host and port the line names, or goes when
	// it returns false. It lets a caller that gives every pod an address
	// map each pod's DNS name to it.
	MeshSeed func(host string, port int) (addr string, p int, ok bool)
}

// address returns the node's address, refusing one beyond loopback.
func (lb Loopback) address() (string, error) {
	if lb.Address == "" {
		return loopback, nil
	}
	return loopbackAddress(lb.Address)
}

// loopbackAddress checks that a is an IPv4 address in 127.0.0.0/8, where
// nothing is reachable from beyond the machine.
func loopbackAddress(a string) (string, error) {
	ip, err := netip.ParseAddr(a)
	if err != nil || !ip.Is4() || !ip.IsLoopback() {
		return "", errors.Errorf("address %q is not an IPv4 address in 127.0.0.0/8", a)
	}
	return ip.String(), nil
}

// meshSeed rewrites one mesh-seed-address-port line's fields, or returns
// nil to drop the line; k counts the seed lines before it.
func (lb Loopback) meshSeed(fields []string, k int) ([]string, error) {
	key := fields[0]
	if lb.MeshSeed == nil {
		if k < len(lb.Seeds) {
			return []string{key, loopback, strconv.Itoa(lb.Seeds[k])}, nil
		}
		return nil, nil
	}
	if len(fields) != 3 {
		return nil, errors.Errorf("cannot parse %q: want a host and a port", strings.Join(fields, " "))
	}
	port, err := strconv.Atoi(fields[2])
	if err != nil {
		return nil, errors.Errorf("cannot parse the port of %q", strings.Join(fields, " "))
	}
	a, p, ok := lb.MeshSeed(fields[1], port)
	if !ok {
		return nil, nil
	}
	if a, err = loopbackAddress(a); err != nil {
		return nil, errors.Wrapf(err, "cannot rewrite mesh seed %s", fields[1])
	}
	return []string{key, a, strconv.Itoa(p)}, nil
}

// port returns the loopback port of a network stanza, or zero.
func (lb Loopback) port(stanza string) int {
	switch stanza {
	case "service": //nolint:goconst // aerospike.conf's stanza names read best as the file spells them.
		return lb.Ports.Service
	case "fabric":
		return lb.Ports.Fabric
	case "heartbeat":
		return lb.Ports.Heartbeat
	case "admin":
		return lb.Ports.Admin
	}
	return 0
}

// addressKeys are the keys the rewrite removes from a network stanza and
// replaces with its own address and port lines. The alternate access
// address and port stay: the server binds neither, it only tells clients
// that ask for alternate addresses, so a test can check what a node
// advertises to clients outside its Kubernetes cluster.
var addressKeys = []string{
	"address", "access-address",
	"port", "access-port",
}

// RewriteForLoopback rewrites a rendered aerospike.conf to run on this
// machine, changing only addresses, ports and paths, so that whatever else
// the server refuses is the config's fault:
//   - in network service, fabric, heartbeat (and admin) every address and
//     port line is replaced by `address 127.0.0.1` (or lb.Address; service
//     also gets `access-address` with it, which peers and clients are told)
//     and the port from lb, except the alternate access address and port,
//     which bind nothing;
//   - mesh-seed-address-port lines are replaced as Loopback.Seeds (or
//     Loopback.MeshSeed) says;
//   - every absolute path moves under lb.Root.
//
// It refuses a config whose server would bind or write beyond lb: one
// without service work-directory or mod-lua user-path (asd would fall back
// to /opt/aerospike), one without a service, fabric or heartbeat stanza
// (asd would listen on its default port on every interface), and one with
// TLS or another network stanza that the rewrite has no port for.
func RewriteForLoopback(conf []byte, lb Loopback) ([]byte, error) {
	out, _, err := rewrite(conf, lb)
	return out, err
}

// openNetworkStanza writes the opening line l of a network stanza the
// rewrite owns, followed by the loopback address and port, and returns the
// stanza's name.
func openNetworkStanza(b *bytes.Buffer, lb Loopback, addr string, l confLine) (string, error) {
	s := l.key()
	switch s {
	case "service", "fabric", "heartbeat", "admin":
	default:
		return s, errors.Errorf("cannot rewrite network stanza %q for loopback", s)
	}
	port := lb.port(s)
	if port == 0 {
		return s, errors.Errorf("cannot rewrite network stanza %q: no loopback port for it", s)
	}
	b.WriteString(l.text + "\n")
	in := l.indent + "\t"
	fmt.Fprintf(b, "%saddress %s\n", in, addr)
	if s == "service" {
		fmt.Fprintf(b, "%saccess-address %s\n", in, addr)
	}
	fmt.Fprintf(b, "%sport %d\n", in, port)
	return s, nil
}

// networkSetting rewrites line l of network stanza s for loopback: it drops
// the addresses (the stanza's opening wrote them), refuses TLS and a
// heartbeat mode other than mesh, and points mesh seeds at the loopback
// nodes, counting them in seeds. It reports whether it handled l.
func networkSetting(b *bytes.Buffer, lb Loopback, s string, l confLine, seeds *int) (bool, error) {
	k := l.key()
	switch {
	case slices.Contains(addressKeys, k):
		return true, nil
	case strings.HasPrefix(k, "tls-"):
		return true, errors.Errorf("cannot rewrite %q in network %s for loopback", k, s)
	case k == "mode" && len(l.fields) > 1 && l.fields[1] != "mesh":
		return true, errors.Errorf("cannot run heartbeat mode %q on loopback; only mesh", l.fields[1])
	case k == "mesh-seed-address-port":
		fields, err := lb.meshSeed(l.fields, *seeds)
		if err != nil {
			return true, err
		}
		if fields != nil {
			l.fields = fields
			b.WriteString(l.format() + "\n")
		}
		*seeds++
		return true, nil
	}
	return false, nil
}

// underRoot moves the absolute paths of line l (at path in the file) under
// root, in place, and returns the directories the server expects to exist
// for them and whether l changed. It marks the work-directory and the Lua
// user-path in seen.
func underRoot(root string, path []string, l confLine, seen map[string]bool) ([]string, bool) {
	var dirs []string
	changed := false
	for i := 1; i < len(l.fields); i++ {
		if !filepath.IsAbs(l.fields[i]) {
			continue
		}
		l.fields[i] = filepath.Join(root, l.fields[i])
		changed = true
		switch {
		case slices.Equal(path, []string{"service"}) && l.key() == "work-directory":
			seen["work-directory"] = true
			dirs = append(dirs, l.fields[i], filepath.Join(l.fields[i], "smd"))
		case slices.Equal(path, []string{"mod-lua"}) && l.key() == "user-path":
			seen["user-path"] = true
			dirs = append(dirs, l.fields[i])
		default:
			dirs = append(dirs, filepath.Dir(l.fields[i]))
		}
	}
	return dirs, changed
}

// rewrite is RewriteForLoopback that also returns the directories the
// server expects to exist: those the StatefulSet's volumes and init
// container create in a pod.
func rewrite(conf []byte, lb Loopback) ([]byte, []string, error) {
	if lb.Root == "" || !filepath.IsAbs(lb.Root) {
		return nil, nil, errors.Errorf("cannot rewrite for loopback: root %q is not an absolute path", lb.Root)
	}
	addr, err := lb.address()
	if err != nil {
		return nil, nil, errors.Wrap(err, "cannot rewrite for loopback")
	}
	var b bytes.Buffer
	var dirs []string
	seen := map[string]bool{}
	seeds := 0
	err = walkConf(conf, func(path []string, l confLine) error {
		// A network stanza the rewrite owns: keep its opening line and
		// start it with the loopback address and port.
		if len(path) == 1 && path[0] == "network" && l.open {
			s, err := openNetworkStanza(&b, lb, addr, l)
			if err != nil {
				return err
			}
			seen[s] = true
			return nil
		}
		if len(path) == 2 && path[0] == "network" && !l.open {
			if done, err := networkSetting(&b, lb, path[1], l, &seeds); done || err != nil {
				return err
			}
		}
		d, changed := underRoot(lb.Root, path, l, seen)
		dirs = append(dirs, d...)
		if changed {
			b.WriteString(l.format() + "\n")
			return nil
		}
		b.WriteString(l.text + "\n")
		return nil
	})
	if err != nil {
		return nil, nil, errors.Wrap(err, "cannot rewrite aerospike.conf for loopback")
	}
	for _, s := range []string{"service", "fabric", "heartbeat"} {
		if !seen[s] {
			return nil, nil, errors.Errorf("cannot rewrite aerospike.conf for loopback: it has no network %s stanza, so asd would listen on its default port on every interface", s)
		}
	}
	if !seen["work-directory"] {
		return nil, nil, errors.New("cannot rewrite aerospike.conf for loopback: service has no absolute work-directory, so asd would write under /opt/aerospike")
	}
	if !seen["user-path"] {
		return nil, nil, errors.New("cannot rewrite aerospike.conf for loopback: mod-lua has no absolute user-path, so asd would use /opt/aerospike/usr/udf/lua")
	}
	slices.Sort(dirs)
	return b.Bytes(), slices.Compact(dirs), nil
}

// confStanzaHas reports whether the config has a stanza at path.
func confStanzaHas(conf []byte, path ...string) bool {
	found := false
	_ = walkConf(conf, func(p []string, l confLine) error {
		if l.open && len(p) == len(path)-1 && slices.Equal(p, path[:len(path)-1]) && l.key() == path[len(path)-1] {
			found = true
		}
		return nil
	})
	return found
}

// confHasKey reports whether any line of the config, in a stanza whose
// path starts with prefix, has key.
func confHasKey(conf []byte, key string, prefix ...string) bool {
	found := false
	_ = walkConf(conf, func(p []string, l confLine) error {
		if !l.open && l.key() == key && len(p) >= len(prefix) && slices.Equal(p[:len(prefix)], prefix) {
			found = true
		}
		return nil
	})
	return found
}
