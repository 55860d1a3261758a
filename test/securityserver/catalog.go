package securityserver

import (
	"crypto/sha1" //nolint:gosec // The UDF hash is an identifier, as on the real server, not a secret.
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// errRoleViolation answers an info command the user lacks the privilege for.
const errRoleViolation = "ERROR:81:role violation"

// The Aerospike epoch (2010-01-01): a truncate cut-off at or before it
// would truncate nothing.
var citrusleafEpoch = time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC)

// maxUDFSize is the largest UDF a node accepts.
const maxUDFSize = 1 << 20

// catalog holds the secondary index and UDF definitions, which the client
// manages through info commands. Messages follow Community 8.1.2.0, whose
// answers the tests compare against.
type catalog struct {
	mu      sync.Mutex
	indexes map[string]sindex // by namespace + "/" + name
	udfs    map[string][]byte // by file name
}

// An sindex is an index definition; two are the same index when equal.
type sindex struct {
	ns, name, set, bin, typ, indexType, context, exp string
}

func newCatalog() *catalog {
	return &catalog{indexes: map[string]sindex{}, udfs: map[string][]byte{}}
}

// catalogCommand answers the sindex, UDF and truncate commands. ok is false
// for any other command.
func (s *Server) catalogCommand(c *conn, name, params string) (string, bool) {
	p := infoParams(params)
	ns := p["namespace"]
	if v, ok := p["ns"]; ok && ns == "" {
		ns = v
	}
	secured := s.cfg.security == SecurityEnabled
	switch name {
	case "sindex-create", "sindex-delete":
		if secured && !s.state.can(c.user, privSIndexAdmin, "", "") && !s.state.can(c.user, privDataAdmin, "", "") {
			return errRoleViolation, true
		}
		if name == "sindex-create" {
			return s.catalog.createIndex(ns, p), true
		}
		return s.catalog.dropIndex(ns, p), true
	case "sindex-stat":
		return s.catalog.indexStat(ns, p["indexname"]), true
	case "sindex-exists":
		return s.catalog.indexExists(ns, p["indexname"], slices.Contains(s.cfg.namespaces, ns)), true
	case "sindex-list":
		return s.catalog.listIndexes(ns), true
	case "udf-put", "udf-remove":
		if secured && !s.state.can(c.user, privUDFAdmin, "", "") && !s.state.can(c.user, privDataAdmin, "", "") {
			return errRoleViolation, true
		}
		if name == "udf-put" {
			return s.catalog.putUDF(p), true
		}
		return s.catalog.removeUDF(p), true
	case "udf-list":
		return s.catalog.listUDFs(), true
	case "truncate", "truncate-namespace":
		if secured && !s.state.can(c.user, privTruncate, ns, p["set"]) && !s.state.can(c.user, privDataAdmin, "", "") {
			return errRoleViolation, true
		}
		return truncate(name, ns, p), true
	}
	return "", false
}

// createIndex is idempotent for an identical definition, as in 8.1. An
// unknown namespace is accepted: index definitions are cluster-wide system
// metadata, and so does the real node.
func (cat *catalog) createIndex(ns string, p map[string]string) string {
	if ns == "" {
		return "ERROR:20:missing 'namespace'"
	}
	ix := sindex{ns: ns, name: p["indexname"], set: p["set"], bin: p["bin"], typ: strings.ToLower(p["type"]),
		indexType: strings.ToLower(p["indextype"]), context: p["context"], exp: p["exp"]}
	if ix.name == "" {
		return "ERROR:4:missing 'indexname'"
	}
	if data, ok := p["indexdata"]; ok { // before 8.1: indexdata=<bin>,<type>
		ix.bin, ix.typ, _ = strings.Cut(data, ",")
		ix.typ = strings.ToLower(ix.typ)
	}
	if ix.bin == "" && ix.exp == "" {
		return "ERROR:4:both 'bin' and 'exp' are missing"
	}
	if !slices.Contains([]string{"numeric", "string", "blob", "geo2dsphere"}, ix.typ) {
		return "ERROR:4:bad 'type' - must be one of 'numeric', 'string', 'blob', 'geo2dsphere'"
	}
	if ix.indexType == "" {
		ix.indexType = "default"
	}
	if !slices.Contains([]string{"default", "list", "mapkeys", "mapvalues"}, ix.indexType) {
		return "ERROR:4:bad 'indextype' - must be one of 'default', 'list', 'mapkeys', 'mapvalues'"
	}
	cat.mu.Lock()
	defer cat.mu.Unlock()
	if old, ok := cat.indexes[ns+"/"+ix.name]; ok && old != ix {
		return "ERROR:200:'indexname' already exists with different definition"
	}
	cat.indexes[ns+"/"+ix.name] = ix
	return "ok"
}

// dropIndex answers ok whether or not the index exists, as 8.1 does.
func (cat *catalog) dropIndex(ns string, p map[string]string) string {
	if ns == "" {
		return "ERROR:20:missing 'namespace'"
	}
	if p["indexname"] == "" {
		return "ERROR:4:missing 'indexname'"
	}
	cat.mu.Lock()
	defer cat.mu.Unlock()
	delete(cat.indexes, ns+"/"+p["indexname"])
	return "ok"
}

// indexStat answers sindex-stat. An index is built the moment it exists:
// there is no data to scan.
func (cat *catalog) indexStat(ns, name string) string {
	cat.mu.Lock()
	defer cat.mu.Unlock()
	if _, ok := cat.indexes[ns+"/"+name]; !ok {
		return "ERROR:201:no index"
	}
	return "entries=0;used_bytes=0;entries_per_bval=0;entries_per_rec=0;load_pct=100;load_time=0;stat_gc_recs=0"
}

// sindexStatPath answers the pre-8.1 form, sindex/<ns>/<name>.
func (cat *catalog) sindexStatPath(arg string) string {
	ns, name, _ := strings.Cut(arg, "/")
	return cat.indexStat(ns, name)
}

func (cat *catalog) indexExists(ns, name string, known bool) string {
	if !known {
		return "ERROR:20:namespace not found on node"
	}
	cat.mu.Lock()
	defer cat.mu.Unlock()
	_, ok := cat.indexes[ns+"/"+name]
	return strconv.FormatBool(ok)
}

// listIndexes answers sindex-list in the 8.1 format, optionally for one
// namespace.
func (cat *catalog) listIndexes(ns string) string {
	cat.mu.Lock()
	defer cat.mu.Unlock()
	var out []string
	for _, key := range slices.Sorted(maps.Keys(cat.indexes)) {
		ix := cat.indexes[key]
		if ns != "" && ix.ns != ns {
			continue
		}
		out = append(out, fmt.Sprintf("ns=%s:indexname=%s:set=%s:bin=%s:type=%s:indextype=%s:context=%s:exp=%s:state=RW",
			ix.ns, ix.name, orNull(ix.set), orNull(ix.bin), ix.typ, ix.indexType, orNull(ix.context), orNull(ix.exp)))
	}
	return strings.Join(out, ";")
}

func orNull(s string) string {
	if s == "" {
		return "null"
	}
	return s
}

// putUDF validates and stores a UDF. Lua is not compiled: any content that
// decodes is accepted.
func (cat *catalog) putUDF(p map[string]string) string {
	file, content := p["filename"], p["content"]
	if file == "" || !strings.Contains(file, ".") {
		return "error=invalid_filename"
	}
	if _, ok := p["content"]; !ok {
		return "error=invalid_content"
	}
	if n, err := strconv.Atoi(p["content-len"]); err != nil || n != len(content) || n%4 != 0 {
		return "error=invalid_content_len"
	}
	if t, ok := p["udf-type"]; ok && t != "LUA" {
		return "error=invalid_udf_type"
	}
	body, err := base64.StdEncoding.DecodeString(content)
	if err != nil {
		return "error=invalid_base64_content"
	}
	if len(body) > maxUDFSize {
		return "error=invalid_udf_content_len,>1M"
	}
	cat.mu.Lock()
	defer cat.mu.Unlock()
	cat.udfs[file] = body
	return "ok"
}

// removeUDF answers ok whether or not the file exists, as 8.1 does.
func (cat *catalog) removeUDF(p map[string]string) string {
	if _, ok := p["filename"]; !ok {
		return "error=invalid_filename"
	}
	cat.mu.Lock()
	defer cat.mu.Unlock()
	delete(cat.udfs, p["filename"])
	return "ok"
}

// listUDFs answers udf-list: "filename=<f>,hash=<sha1>,type=LUA;" per file.
func (cat *catalog) listUDFs() string {
	cat.mu.Lock()
	defer cat.mu.Unlock()
	var out strings.Builder
	for _, f := range slices.Sorted(maps.Keys(cat.udfs)) {
		sum := sha1.Sum(cat.udfs[f]) //nolint:gosec // See the import.
		fmt.Fprintf(&out, "filename=%s,hash=%s,type=LUA;", f, hex.EncodeToString(sum[:]))
	}
	return out.String()
}

// truncate validates a truncate command; with no data there is nothing to
// remove.
func truncate(name, ns string, p map[string]string) string {
	if ns == "" {
		return "ERROR:20:missing 'namespace'"
	}
	if name == "truncate" && p["set"] == "" {
		return "ERROR:4:missing 'set'"
	}
	if lut, ok := p["lut"]; ok {
		n, _ := strconv.ParseInt(lut, 10, 64)
		switch cut := time.Unix(0, n); {
		case !cut.After(citrusleafEpoch):
			return "ERROR:4:would truncate to 0"
		case cut.After(time.Now()):
			return "ERROR:4:would truncate in the future"
		}
	}
	return "ok"
}
