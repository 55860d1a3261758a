package asconfig

import (
	"bytes"
	"maps"
	"slices"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// sectionOrder is the order of top-level sections in aerospike.conf, the
// server's canonical one; others follow, sorted.
var sectionOrder = []string{"service", "logging", "network", "namespaces", "mod-lua", "security", "xdr"}

// singular maps each plural, list-valued key of the structured form to the
// aerospike.conf keyword written once per entry: addresses: [a, b] is
// written "address a" and "address b". The table does not depend on the
// schema version: a key keeps its keyword across versions, and Aerospike's
// management library (which the operator uses) keeps the same table.
var singular = map[string]string{
	"access-addresses":               "access-address",
	"addresses":                      "address",
	"alternate-access-addresses":     "alternate-access-address",
	"datacenters":                    "datacenter",
	"dc-node-address-ports":          "dc-node-address-port",
	"dcs":                            "dc",
	"devices":                        "device",
	"feature-key-files":              "feature-key-file",
	"files":                          "file",
	"http-urls":                      "http-url",
	"ignore-bins":                    "ignore-bin",
	"ignore-sets":                    "ignore-set",
	"mesh-seed-address-ports":        "mesh-seed-address-port",
	"mounts":                         "mount",
	"multicast-groups":               "multicast-group",
	"namespaces":                     "namespace",
	"node-address-ports":             "node-address-port",
	"role-query-patterns":            "role-query-pattern",
	"sets":                           "set",
	"ship-bins":                      "ship-bin",
	"ship-sets":                      "ship-set",
	"tls-access-addresses":           "tls-access-address",
	"tls-addresses":                  "tls-address",
	"tls-alternate-access-addresses": "tls-alternate-access-address",
	"tls-mesh-seed-address-ports":    "tls-mesh-seed-address-port",
	"tls-nodes":                      "tls-node",
	"xdr-remote-datacenters":         "xdr-remote-datacenter",
	// report-data-op, report-data-op-role, report-data-op-user,
	// tls-authenticate-client and tls are their own keywords.
}

// arguments splits the values the structured form joins into one string
// into the words aerospike.conf wants, by keyword. The server reads
// "mesh-seed-address-port HOST PORT": given "HOST:PORT" it would take the
// whole string for the host and find no port.
var arguments = map[string]func(string) []string{
	// HOST:PORT, split at the last colon so an IPv6 host keeps its own.
	"mesh-seed-address-port":     hostPort,
	"tls-mesh-seed-address-port": hostPort,
	// HOST:PORT[:TLS-NAME].
	"node-address-port":    hostPortName,
	"secrets-address-port": hostPortName,
	// DEVICE[:SHADOW] and NAMESPACE[:SET].
	"device":         splitFirst(":"),
	"report-data-op": splitFirst(":"),
	// Pre-5.0 XDR joined with "+".
	"dc-node-address-port": splitAll("+"),
	"tls-node":             splitAll("+"),
	"dc-int-ext-ipmap":     splitAll("+"),
	// feature-key-file is one path, and its env-b64: and secrets: forms
	// contain colons the server must see: it is not split (the management
	// library splits it, which breaks those forms).
}

// typed sections are objects whose type follows the keyword:
// storage-engine device { … }.
var typed = map[string]bool{"storage-engine": true, "index-type": true, "sindex-type": true}

// contextless are the typed sections that open no context in the server's
// parser: they are written on one line and take no settings. Every other
// type opens one whether or not a "{" follows, so it is always written with
// braces: asd 8.1.2.0 reads a lone "storage-engine memory" as the start of
// a block and closes it at the namespace's "}" (see as/src/base/cfg.c).
var contextless = map[string]bool{"index-type shmem": true, "sindex-type shmem": true}

// logSink are the logging sinks with their own keyword; every other logging
// entry's name is a file path.
var logSink = map[string]bool{"console": true, "syslog": true}

// syslogSettings are the settings of a syslog sink that are not logging
// contexts.
var syslogSettings = map[string]bool{"facility": true, "path": true, "tag": true}

// Write renders c as aerospike.conf text. The output is deterministic (it is
// hashed to decide whether pods restart): top-level sections in the server's
// canonical order, within a section settings before sub-sections and each
// group sorted by key, one item per line (asd refuses "a { b }" on one
// line), tab-indented. Empty strings, empty lists and nulls are left out, as
// unset. An error names the offending key: a value of an unsupported type, a
// named entry without a name, or anything aerospike.conf cannot hold.
func Write(c Conf) ([]byte, error) {
	b, err := render(c, nil)
	return b, errors.Wrap(err, "cannot write aerospike.conf")
}

// render writes c, reporting a problem as a *field.Error under root so
// Validate can report it like a schema error.
func render(c Conf, root *field.Path) ([]byte, error) {
	var out bytes.Buffer
	for _, k := range topLevelKeys(c) {
		w := &writer{}
		p := root.Child(k)
		switch v := c[k].(type) {
		case nil:
			continue
		case map[string]any, []any:
			if err := w.entry(0, p, k, v); err != nil {
				return nil, err
			}
		default:
			return nil, field.Invalid(p, describe(v), "must be a section (an object) or a list of named sections, not "+kind(v))
		}
		if w.buf.Len() == 0 {
			continue
		}
		if out.Len() > 0 {
			out.WriteByte('\n')
		}
		out.Write(w.buf.Bytes())
	}
	return out.Bytes(), nil
}

func topLevelKeys(c Conf) []string {
	keys := make([]string, 0, len(c))
	for _, k := range sectionOrder {
		if _, ok := c[k]; ok {
			keys = append(keys, k)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(c)) {
		if !slices.Contains(sectionOrder, k) {
			keys = append(keys, k)
		}
	}
	return keys
}

type writer struct {
	buf bytes.Buffer
}

func (w *writer) line(depth int, words ...string) {
	for range depth {
		w.buf.WriteByte('\t')
	}
	w.buf.WriteString(strings.Join(words, " "))
	w.buf.WriteByte('\n')
}

// section writes the body of an object: settings first, then sub-sections,
// each group sorted by key; skip is the key the section's opening line
// already wrote (a name or a type).
func (w *writer) section(depth int, p *field.Path, m map[string]any, skip string) error {
	keys := slices.Sorted(maps.Keys(m))
	for _, sections := range []bool{false, true} {
		for _, k := range keys {
			if k == skip || isSection(m[k]) != sections {
				continue
			}
			if err := w.entry(depth, p.Child(k), k, m[k]); err != nil {
				return err
			}
		}
	}
	return nil
}

// isSection reports whether a value is written as a block rather than as
// setting lines.
func isSection(v any) bool {
	switch t := v.(type) {
	case map[string]any:
		return true
	case []any:
		return len(t) > 0 && isObject(t[0])
	}
	return false
}

func isObject(v any) bool {
	_, ok := v.(map[string]any)
	return ok
}

func (w *writer) entry(depth int, p *field.Path, k string, v any) error {
	if why := badName(k); why != "" {
		return field.Invalid(p, k, "aerospike.conf cannot hold "+why+" in a setting's name")
	}
	if _, isMap := v.(map[string]any); typed[k] && !isMap && v != nil {
		// The pre-7.0 form "storage-engine: memory" would open a block
		// nothing closes.
		return field.Invalid(p, describe(v), `must be an object with a type, such as {"type": "memory", "data-size": 4294967296}`)
	}
	switch t := v.(type) {
	case nil:
		return nil
	case map[string]any:
		if typed[k] {
			return w.typed(depth, p, k, t)
		}
		if k == "logging" && depth == 0 {
			return field.Invalid(p, describe(v), `must be a list of sinks, such as [{"name": "console", "any": "info"}]`)
		}
		w.line(depth, k, "{")
		if err := w.section(depth+1, p, t, ""); err != nil {
			return err
		}
		w.line(depth, "}")
		return nil
	case []any:
		switch {
		case k == "logging":
			return w.logging(depth, p, t)
		case len(t) > 0 && isObject(t[0]):
			return w.named(depth, p, k, t)
		}
		kw := keyword(k)
		for i, e := range t {
			if depth == 0 {
				return field.Invalid(p.Index(i), describe(e), "must be a section (an object) or a list of named sections, not "+kind(e))
			}
			if err := w.setting(depth, p.Index(i), kw, e); err != nil {
				return err
			}
		}
		return nil
	default:
		if depth == 0 {
			return field.Invalid(p, describe(v), "must be a section (an object) or a list of named sections, not "+kind(v))
		}
		return w.setting(depth, p, k, t)
	}
}

// setting writes one "keyword value" line; an empty string is unset.
func (w *writer) setting(depth int, p *field.Path, kw string, v any) error {
	s, err := scalar(p, v)
	if err != nil || s == "" {
		return err
	}
	if split, ok := arguments[kw]; ok {
		words := []string{kw}
		for _, a := range split(s) {
			if a != "" {
				words = append(words, a)
			}
		}
		w.line(depth, words...)
		return nil
	}
	w.line(depth, kw, s)
	return nil
}

// typed writes "storage-engine device {" … "}", or "index-type shmem" alone.
func (w *writer) typed(depth int, p *field.Path, k string, m map[string]any) error {
	t, ok := m["type"].(string)
	if !ok || t == "" {
		return field.Required(p.Child("type"), k+" needs a type, such as storage-engine memory or device")
	}
	if why := badName(t); why != "" {
		return field.Invalid(p.Child("type"), t, "aerospike.conf cannot hold "+why+" in a type")
	}
	if contextless[k+" "+t] {
		for _, other := range slices.Sorted(maps.Keys(m)) {
			if other != "type" {
				return field.Invalid(p.Child(other), describe(m[other]), k+" "+t+" takes no settings: remove it, or use a type that does")
			}
		}
		w.line(depth, k, t)
		return nil
	}
	w.line(depth, k, t, "{")
	if err := w.section(depth+1, p, m, "type"); err != nil {
		return err
	}
	w.line(depth, "}")
	return nil
}

// named writes a list of named objects: namespace orders { … }.
func (w *writer) named(depth int, p *field.Path, k string, l []any) error {
	kw := keyword(k)
	for i, e := range l {
		m, name, ep, err := entryName(p, i, e)
		if err != nil {
			return err
		}
		w.line(depth, kw, name, "{")
		if err := w.section(depth+1, ep, m, "name"); err != nil {
			return err
		}
		w.line(depth, "}")
	}
	return nil
}

// entryName returns entry i of a named list, its name and its path.
func entryName(p *field.Path, i int, e any) (map[string]any, string, *field.Path, error) {
	m, ok := e.(map[string]any)
	if !ok {
		return nil, "", nil, field.Invalid(p.Index(i), describe(e), "must be an object with a name, like the other entries")
	}
	name, ok := m["name"].(string)
	if !ok || name == "" {
		return nil, "", nil, field.Required(p.Index(i).Child("name"), "every entry needs a name")
	}
	if why := badName(name); why != "" {
		return nil, "", nil, field.Invalid(p.Index(i).Child("name"), name, "aerospike.conf cannot hold "+why+" in a name")
	}
	return m, name, p.Key(name), nil
}

// logging writes the log sinks: "console {", "syslog {" or "file PATH {",
// each logging context as "context NAME LEVEL".
func (w *writer) logging(depth int, p *field.Path, l []any) error {
	if len(l) == 0 {
		return nil
	}
	w.line(depth, "logging", "{")
	for i, e := range l {
		m, name, ep, err := entryName(p, i, e)
		if err != nil {
			return err
		}
		if logSink[name] {
			w.line(depth+1, name, "{")
		} else {
			w.line(depth+1, "file", name, "{")
		}
		if err := w.sinkContexts(depth+2, ep, name, m); err != nil {
			return err
		}
		w.line(depth+1, "}")
	}
	w.line(depth, "}")
	return nil
}

// sinkContexts writes the body of the log sink name: its contexts' levels
// and, for syslog, its settings.
func (w *writer) sinkContexts(depth int, ep *field.Path, name string, m map[string]any) error {
	// "context any" sets every context's level, so it comes first, or it
	// would undo the others.
	keys := slices.Sorted(maps.Keys(m))
	if _, ok := m["any"]; ok {
		keys = append([]string{"any"}, slices.DeleteFunc(keys, func(k string) bool { return k == "any" })...)
	}
	for _, k := range keys {
		if k == "name" {
			continue
		}
		kp := ep.Child(k)
		if why := badName(k); why != "" {
			return field.Invalid(kp, k, "aerospike.conf cannot hold "+why+" in a logging context")
		}
		switch {
		case syslogSettings[k] && name == "syslog":
			if err := w.setting(depth, kp, k, m[k]); err != nil {
				return err
			}
		case syslogSettings[k]:
			return field.Invalid(kp, describe(m[k]), "only the syslog sink has "+k+": remove it, or set it in the entry named syslog")
		default:
			level, err := scalar(kp, m[k])
			if err != nil {
				return err
			}
			if level != "" {
				w.line(depth, "context", k, level)
			}
		}
	}
	return nil
}

func keyword(k string) string {
	if s, ok := singular[k]; ok {
		return s
	}
	return k
}

// scalar formats a setting's value as aerospike.conf reads it.
func scalar(p *field.Path, v any) (string, error) {
	switch t := v.(type) {
	case string:
		if why := unwritable(t); why != "" {
			return "", field.Invalid(p, t, "aerospike.conf cannot hold "+why+" in a value")
		}
		return t, nil
	case bool:
		return strconv.FormatBool(t), nil
	case map[string]any, []any:
		return "", field.Invalid(p, describe(v), "must be a single value here, not "+kind(v))
	}
	if r, ok := number(v); ok {
		return formatNumber(r), nil
	}
	return "", field.Invalid(p, describe(v), "must be a string, a number or a boolean, not "+kind(v))
}

func hostPort(s string) []string {
	i := strings.LastIndex(s, ":")
	if i < 0 {
		return []string{s}
	}
	return []string{unbracket(s[:i]), s[i+1:]}
}

// hostPortName splits HOST:PORT:NAME, or HOST:PORT when the last part is a
// port.
func hostPortName(s string) []string {
	parts := strings.Split(s, ":")
	n := len(parts)
	switch {
	case n >= 3 && !digits(parts[n-1]) && digits(parts[n-2]):
		return []string{unbracket(strings.Join(parts[:n-2], ":")), parts[n-2], parts[n-1]}
	case n >= 2:
		return []string{unbracket(strings.Join(parts[:n-1], ":")), parts[n-1]}
	}
	return []string{s}
}

// unbracket turns the [::1] of a URL-style IPv6 host into the bare address
// the server parses.
func unbracket(h string) string {
	if len(h) > 2 && h[0] == '[' && h[len(h)-1] == ']' {
		return h[1 : len(h)-1]
	}
	return h
}

func splitFirst(sep string) func(string) []string {
	return func(s string) []string { return strings.SplitN(s, sep, 2) }
}

func splitAll(sep string) func(string) []string {
	return func(s string) []string { return strings.Split(s, sep) }
}
