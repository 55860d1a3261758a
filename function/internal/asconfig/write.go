package asconfig

import (
	"bytes"
	"encoding/json"
	"maps"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// sectionOrder is the order of top-level sections in aerospike.conf; others
// follow, sorted.
var sectionOrder = []string{"service", "logging", "network", "namespaces", "mod-lua", "security", "xdr"}

// singular names the aerospike.conf keyword of each plural, list-valued key
// of the structured form.
var singular = map[string]string{
	"access-addresses":               "access-address",
	"addresses":                      "address",
	"alternate-access-addresses":     "alternate-access-address",
	"datacenters":                    "datacenter",
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
}

// separators of values the structured form joins into one string and
// aerospike.conf writes as separate words: "host:3002" is written
// "mesh-seed-address-port host 3002", a device and its shadow "a:b" as
// "device a b".
var separators = map[string]string{
	"mesh-seed-address-port":     ":",
	"tls-mesh-seed-address-port": ":",
	"node-address-port":          ":",
	"device":                     ":",
	"report-data-op":             ":",
	"dc-node-address-port":       "+",
	"tls-node":                   "+",
	"dc-int-ext-ipmap":           "+",
}

// typed sections are objects whose "type" follows the keyword:
// storage-engine memory { … }.
var typed = map[string]bool{"storage-engine": true, "index-type": true, "sindex-type": true}

// Write renders c as aerospike.conf text. The output is deterministic:
// sections in a fixed order, keys sorted within them, settings before
// sub-sections, one item per line.
func Write(c Conf) ([]byte, error) {
	w := &writer{}
	keys := topLevelKeys(c)
	for i, k := range keys {
		if i > 0 {
			w.buf.WriteByte('\n')
		}
		if err := w.entry(0, k, c[k], true); err != nil {
			return nil, err
		}
	}
	return w.buf.Bytes(), nil
}

func topLevelKeys(c Conf) []string {
	known := map[string]bool{}
	var keys []string
	for _, k := range sectionOrder {
		known[k] = true
		if _, ok := c[k]; ok {
			keys = append(keys, k)
		}
	}
	var rest []string
	for k := range c {
		if !known[k] {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	return append(keys, rest...)
}

type writer struct {
	buf bytes.Buffer
}

func (w *writer) line(depth int, words ...string) {
	w.buf.WriteString(strings.Repeat("\t", depth))
	w.buf.WriteString(strings.Join(words, " "))
	w.buf.WriteByte('\n')
}

// section writes the body of an object: settings first, then sub-sections,
// each group sorted by key.
func (w *writer) section(depth int, m map[string]any, skip string) error {
	keys := slices.Sorted(maps.Keys(m))
	for _, pass := range []bool{false, true} {
		for _, k := range keys {
			if k == skip || isSection(k, m[k]) != pass {
				continue
			}
			if err := w.entry(depth, k, m[k], false); err != nil {
				return err
			}
		}
	}
	return nil
}

// isSection reports whether a value is written as a block rather than as
// setting lines.
func isSection(k string, v any) bool {
	switch t := v.(type) {
	case map[string]any:
		return true
	case []any:
		return k == "logging" || (len(t) > 0 && isObject(t[0]))
	}
	return false
}

func isObject(v any) bool {
	_, ok := v.(map[string]any)
	return ok
}

func (w *writer) entry(depth int, k string, v any, top bool) error {
	switch t := v.(type) {
	case nil:
		return nil
	case map[string]any:
		if typed[k] {
			return w.typed(depth, k, t)
		}
		w.line(depth, k, "{")
		if err := w.section(depth+1, t, ""); err != nil {
			return err
		}
		w.line(depth, "}")
		return nil
	case []any:
		if k == "logging" {
			return w.logging(depth, t)
		}
		if len(t) > 0 && isObject(t[0]) {
			return w.named(depth, k, t)
		}
		kw := keyword(k)
		for _, e := range t {
			s, err := scalar(e)
			if err != nil {
				return errors.Wrapf(err, "cannot write %s", k)
			}
			if s == "" {
				continue
			}
			if sep, ok := separators[kw]; ok {
				s = strings.ReplaceAll(s, sep, " ")
			}
			w.line(depth, kw, s)
		}
		return nil
	default:
		if top {
			return errors.Errorf("cannot write %s: a top-level section must be an object or a list", k)
		}
		s, err := scalar(t)
		if err != nil {
			return errors.Wrapf(err, "cannot write %s", k)
		}
		if s != "" {
			w.line(depth, k, s)
		}
		return nil
	}
}

// typed writes storage-engine memory { … }, or storage-engine memory alone
// when nothing but the type is set.
func (w *writer) typed(depth int, k string, m map[string]any) error {
	t, ok := m["type"].(string)
	if !ok || t == "" {
		return errors.Errorf("cannot write %s: it has no type", k)
	}
	if len(m) == 1 {
		w.line(depth, k, t)
		return nil
	}
	w.line(depth, k, t, "{")
	if err := w.section(depth+1, m, "type"); err != nil {
		return err
	}
	w.line(depth, "}")
	return nil
}

// named writes a list of named objects: namespace orders { … }.
func (w *writer) named(depth int, k string, l []any) error {
	kw := keyword(k)
	for i, e := range l {
		m, ok := e.(map[string]any)
		if !ok {
			return errors.Errorf("cannot write %s[%d]: it must be an object", k, i)
		}
		name, ok := m["name"].(string)
		if !ok || name == "" {
			return errors.Errorf("cannot write %s[%d]: it has no name", k, i)
		}
		w.line(depth, kw, name, "{")
		if err := w.section(depth+1, m, "name"); err != nil {
			return err
		}
		w.line(depth, "}")
	}
	return nil
}

// logging writes the log sinks: console { … }, syslog { … } or
// file PATH { … }, each logging context as "context NAME LEVEL".
func (w *writer) logging(depth int, l []any) error {
	w.line(depth, "logging", "{")
	for i, e := range l {
		m, ok := e.(map[string]any)
		if !ok {
			return errors.Errorf("cannot write logging[%d]: it must be an object", i)
		}
		name, ok := m["name"].(string)
		if !ok || name == "" {
			return errors.Errorf("cannot write logging[%d]: it has no name", i)
		}
		switch name {
		case "console", "syslog":
			w.line(depth+1, name, "{")
		default:
			w.line(depth+1, "file", name, "{")
		}
		// "context any" sets every context's level, so it must come
		// first or it would undo the others.
		keys := slices.Sorted(maps.Keys(m))
		if _, ok := m["any"]; ok {
			keys = append([]string{"any"}, slices.DeleteFunc(keys, func(k string) bool { return k == "any" })...)
		}
		for _, k := range keys {
			if k == "name" {
				continue
			}
			s, err := scalar(m[k])
			if err != nil {
				return errors.Wrapf(err, "cannot write logging %s %s", name, k)
			}
			switch k {
			case "path", "tag", "facility":
				w.line(depth+2, k, s)
			default:
				w.line(depth+2, "context", k, s)
			}
		}
		w.line(depth+1, "}")
	}
	w.line(depth, "}")
	return nil
}

func keyword(k string) string {
	if s, ok := singular[k]; ok {
		return s
	}
	return k
}

// scalar formats a setting's value. Whole numbers are written without
// exponent or fraction, as the server parses them.
func scalar(v any) (string, error) {
	switch t := v.(type) {
	case string:
		return t, nil
	case bool:
		return strconv.FormatBool(t), nil
	case int64:
		return strconv.FormatInt(t, 10), nil
	case int:
		return strconv.Itoa(t), nil
	case int32:
		return strconv.FormatInt(int64(t), 10), nil
	case uint64:
		return strconv.FormatUint(t, 10), nil
	case json.Number:
		return t.String(), nil
	case float64:
		if math.IsInf(t, 0) || math.IsNaN(t) {
			return "", errors.Errorf("%v is not a number aerospike.conf can hold", t)
		}
		if t == math.Trunc(t) && math.Abs(t) < 1<<63 {
			return strconv.FormatInt(int64(t), 10), nil
		}
		if t == math.Trunc(t) && t > 0 && t < 1<<64 {
			return strconv.FormatUint(uint64(t), 10), nil
		}
		return strconv.FormatFloat(t, 'f', -1, 64), nil
	default:
		return "", errors.Errorf("a value of type %T cannot be written", v)
	}
}
