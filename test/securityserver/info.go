package securityserver

import (
	"encoding/base64"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/aerospike/aerospike-client-go/v8/types"
)

// allPartitions is the replicas bitmap of a node that owns all 4096
// partitions: 512 bytes of 0xFF. The client panics on a shorter one.
var allPartitions = base64.StdEncoding.EncodeToString([]byte(strings.Repeat("\xff", 512)))

// features is what Community 8.1.2.0 answers to info "features".
const features = "batch-any;batch-index;blob-bits;cdt-index;cdt-list;cdt-map;cluster-stable;float;geo;" +
	"sindex-exists;peers;pipelining;pquery;pscans;query-show;relaxed-sc;replicas;replicas-all;" +
	"replicas-master;replicas-max;truncate-namespace;udf"

// errUnrecognized is the real server's answer to an info command it lacks.
const errUnrecognized = "ERROR:4:unrecognized command"

// info answers an info request: for each command line, the line exactly as
// sent, a tab, the value, a newline, in request order. The client looks
// values up by the full line, and its partition parser reads the lines in
// order.
func (s *Server) info(c *conn, body []byte) []byte {
	text := string(body)
	if !s.authenticated(c) {
		// A real node answers an unauthenticated socket with this one line
		// and no echo; the client checks for exactly this key.
		s.record(c, CmdInfo, strings.TrimSuffix(text, "\n"), types.NOT_AUTHENTICATED)
		return frame(typeInfo, []byte("ERROR:80:not authenticated\n"))
	}
	var lines []string
	if text == "" {
		// Asked for nothing, a node introduces itself.
		lines = []string{"features", "node", "edition", "build", "version"}
	} else {
		lines = strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	}
	var out strings.Builder
	for _, line := range lines {
		v := s.infoValue(c, line)
		s.record(c, CmdInfo, line, infoResult(v))
		out.WriteString(line)
		out.WriteByte('\t')
		out.WriteString(v)
		out.WriteByte('\n')
	}
	return frame(typeInfo, []byte(out.String()))
}

var infoErrRE = regexp.MustCompile(`^(?i)(?:ERROR|FAIL)[:=](\d+)`)

// infoResult extracts the result code of an info value, as the client does.
func infoResult(v string) types.ResultCode {
	if m := infoErrRE.FindStringSubmatch(v); m != nil {
		n, _ := strconv.Atoi(m[1])
		return types.ResultCode(n)
	}
	if strings.HasPrefix(strings.ToLower(v), "error") {
		return types.SERVER_ERROR
	}
	return types.OK
}

// infoValue answers one command line: "name", "name:k=v;k=v" or "name/arg".
func (s *Server) infoValue(c *conn, line string) string {
	name, params, _ := strings.Cut(line, ":")
	if n, arg, ok := strings.Cut(name, "/"); ok && n == "sindex" {
		return s.catalog.sindexStatPath(arg)
	}
	switch name {
	case "build":
		return s.cfg.buildStr
	case "node":
		return s.cfg.node
	case "edition":
		return s.edition()
	case "version":
		return s.edition() + " build " + s.cfg.buildStr
	case "partition-generation", "peers-generation":
		return "1"
	case "peers-clear-std", "peers-clear-alt", "peers-tls-std", "peers-tls-alt":
		// A single node has no peers; the port is the default for peers
		// that would omit theirs.
		return fmt.Sprintf("1,%d,[]", s.Port())
	case "service-clear-std":
		return s.addr
	case "service-clear-alt":
		return ""
	case "replicas":
		return s.perNamespace(func(ns string) string { return ns + ":0,1," + allPartitions })
	case "replicas-all":
		return s.perNamespace(func(ns string) string { return ns + ":1," + allPartitions })
	case "replicas-master":
		return s.perNamespace(func(ns string) string { return ns + ":" + allPartitions })
	case "namespaces":
		return strings.Join(s.cfg.namespaces, ";")
	case "rack-ids":
		return s.perNamespace(func(ns string) string { return ns + ":0" })
	case "cluster-name":
		if s.cfg.cluster == "" {
			return "null"
		}
		return s.cfg.cluster
	case "features":
		return features
	case "statistics":
		return "cluster_size=1;cluster_integrity=true;migrate_partitions_remaining=0"
	case "user-agent-set":
		return userAgentSet(c, params)
	}
	if v, ok := s.catalogCommand(c, name, params); ok {
		return v
	}
	return errUnrecognized
}

// userAgentSet records the client's self-description, once per
// connection, with the messages of Community 8.1.2.0.
func userAgentSet(c *conn, params string) string {
	if c.agent {
		return "ERROR:4:already set"
	}
	v, ok := infoParams(params)["value"]
	switch {
	case !ok:
		return "ERROR:4:missing 'value'"
	case v == "":
		return "ERROR:4:missing 'value' value"
	}
	if _, err := base64.StdEncoding.DecodeString(v); err != nil {
		return "ERROR:4:'value' invalid base64"
	}
	c.agent = true
	return "ok"
}

func (s *Server) edition() string {
	if s.cfg.security == SecurityNotSupported {
		return "Aerospike Community Edition"
	}
	return "Aerospike Enterprise Edition"
}

func (s *Server) perNamespace(f func(ns string) string) string {
	parts := make([]string, len(s.cfg.namespaces))
	for i, ns := range s.cfg.namespaces {
		parts[i] = f(ns)
	}
	return strings.Join(parts, ";")
}

// infoParams splits "k=v;k=v" (a value may itself hold "=", as base64 does).
func infoParams(params string) map[string]string {
	m := map[string]string{}
	for _, kv := range strings.Split(params, ";") {
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		m[k] = v
	}
	return m
}
