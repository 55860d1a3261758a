package asconfig

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"math/big"
	"slices"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// removed are settings older servers had and 7.x removed, with what to do
// instead: configurations pasted from older clusters often carry them.
var removed = map[string]string{
	"memory-size":           "7.0 removed it: a memory namespace's size is its storage-engine memory data-size",
	"data-in-memory":        "7.0 removed it: use storage-engine memory, which can persist to devices or files",
	"high-water-memory-pct": "7.0 removed it: use evict-sys-memory-pct or the storage-engine's evict-used-pct",
	"high-water-disk-pct":   "7.0 removed it: use the storage-engine's evict-used-pct",
	"stop-writes-pct":       "7.0 removed it: use stop-writes-sys-memory-pct or the storage-engine's stop-writes-used-pct",
	"write-block-size":      "7.1 removed it: storage is written in 8 MiB blocks; limit records with the namespace's max-record-size",
}

// Validate checks c against the schema. With enterprise false, every setting
// the schema marks Enterprise-only is refused, as Community Edition refuses
// it at start-up. Error paths start at root; entries of lists of named
// objects are keyed by name (namespaces[orders]), others by index.
func (s *Schema) Validate(c Conf, enterprise bool, root *field.Path) field.ErrorList {
	v := &validator{schema: s, enterprise: enterprise}
	v.value(root, map[string]any(c), s.root)
	return v.errs
}

type validator struct {
	schema     *Schema
	enterprise bool
	errs       field.ErrorList
}

func (v *validator) add(e *field.Error) { v.errs = append(v.errs, e) }

func (v *validator) value(p *field.Path, val any, n *node) {
	if n.EnterpriseOnly && !v.enterprise {
		v.add(field.Forbidden(p, "is Enterprise-only: Community Edition refuses it; remove it or set spec.edition: enterprise"))
		return
	}
	if len(n.OneOf) > 0 && n.Type == "" && n.Properties == nil {
		// A choice between schemas; a oneOf beside properties instead
		// constrains which of them are set (see exactlyOne).
		v.oneOf(p, val, n)
		return
	}
	if !v.typeOK(p, val, n) {
		return
	}
	if len(n.Enum) > 0 && !inEnum(val, n.Enum) {
		v.add(field.NotSupported(p, val, enumStrings(n.Enum)))
		return
	}
	if n.Not != nil && v.matches(val, n.Not) {
		v.add(field.Invalid(p, val, "is not allowed here"))
		return
	}
	switch t := val.(type) {
	case map[string]any:
		v.object(p, t, n)
	case []any:
		v.array(p, t, n)
	default:
		v.bounds(p, val, n)
	}
}

func (v *validator) typeOK(p *field.Path, val any, n *node) bool {
	ok := true
	want := n.Type
	switch want {
	case "":
		return true
	case "object":
		_, ok = val.(map[string]any)
	case "array":
		_, ok = val.([]any)
	case "string":
		_, ok = val.(string)
	case "boolean":
		_, ok = val.(bool)
	case "integer":
		_, ok = integer(val)
		want = "a whole number"
	case "number":
		_, ok = number(val)
	}
	if !ok {
		v.add(field.Invalid(p, describe(val), "must be "+article(want)))
	}
	return ok
}

func article(t string) string {
	switch t {
	case "object":
		return "an object"
	case "array":
		return "a list"
	case "string", "boolean", "number":
		return "a " + t
	}
	return t
}

// describe keeps maps and lists out of error messages, and writes whole
// numbers as such rather than as 1.048576e+06.
func describe(val any) any {
	switch val.(type) {
	case map[string]any:
		return "object"
	case []any:
		return "list"
	case float64:
		if i, ok := integer(val); ok && i.IsInt64() {
			return i.Int64()
		}
	}
	return val
}

func (v *validator) bounds(p *field.Path, val any, n *node) {
	if n.min == nil && n.max == nil {
		return
	}
	i, ok := integer(val)
	if !ok {
		return
	}
	if n.min != nil && i.Cmp(n.min) < 0 {
		v.add(field.Invalid(p, describe(val), fmt.Sprintf("must be at least %s%s", n.min, human(n.min))))
	}
	if n.max != nil && i.Cmp(n.max) > 0 {
		v.add(field.Invalid(p, describe(val), fmt.Sprintf("must be at most %s%s", n.max, human(n.max))))
	}
}

// human adds a readable size to byte-like bounds: 536870912 (512Mi).
func human(b *big.Int) string {
	if !b.IsInt64() {
		return ""
	}
	n := b.Int64()
	for _, u := range []struct {
		size int64
		name string
	}{{1 << 40, "Ti"}, {1 << 30, "Gi"}, {1 << 20, "Mi"}} {
		if n >= u.size && n%u.size == 0 {
			return fmt.Sprintf(" (%d%s)", n/u.size, u.name)
		}
	}
	return ""
}

func (v *validator) object(p *field.Path, m map[string]any, n *node) {
	for _, k := range n.Required {
		if _, ok := m[k]; !ok {
			v.add(field.Required(p.Child(k), ""))
		}
	}
	if len(n.AnyOf) > 0 && !v.anyOf(m, n.AnyOf) {
		v.add(field.Required(p, "set "+requiredSets(n.AnyOf)))
	}
	v.exactlyOne(p, m, n)
	for _, k := range slices.Sorted(maps.Keys(m)) {
		c, ok := n.Properties[k]
		switch {
		case ok:
			v.value(p.Child(k), m[k], c)
		case n.additional != nil:
			v.value(p.Child(k), m[k], n.additional)
		case n.closed:
			v.add(field.Invalid(p.Child(k), describe(m[k]), v.unknown(k, n)))
		}
	}
}

// unknown explains an unknown setting: removed in 7.0, a likely typo, or
// simply absent from this server version.
func (v *validator) unknown(k string, n *node) string {
	if why, ok := removed[k]; ok {
		return "is not a setting of server " + v.schema.version + ": " + why
	}
	msg := fmt.Sprintf("is not a setting of server %s here", v.schema.version)
	if s := closest(k, n.Properties); s != "" {
		msg += fmt.Sprintf("; did you mean %q?", s)
	}
	return msg
}

func (v *validator) array(p *field.Path, l []any, n *node) {
	if n.MinItems != nil && len(l) < *n.MinItems {
		v.add(field.Required(p, fmt.Sprintf("needs at least %d entries", *n.MinItems)))
	}
	if n.Items == nil {
		return
	}
	seen := map[string]bool{}
	for i, e := range l {
		ep := p.Index(i)
		if m, ok := e.(map[string]any); ok {
			if name, ok := m["name"].(string); ok && name != "" {
				ep = p.Key(name)
				if seen[name] {
					v.add(field.Duplicate(ep, name))
				}
				seen[name] = true
			}
		}
		v.value(ep, e, n.Items)
	}
}

// oneOf validates val against the one branch that applies. Typed sections
// (storage-engine, index-type, sindex-type) pick their branch by "type";
// other values by the first branch they match, else the first whose type
// fits reports its errors.
func (v *validator) oneOf(p *field.Path, val any, n *node) {
	if m, ok := val.(map[string]any); ok && discriminated(n.OneOf) {
		t, _ := m["type"].(string)
		var types []string
		for _, b := range n.OneOf {
			types = append(types, enumStrings(b.Properties["type"].Enum)...)
			if inEnum(t, b.Properties["type"].Enum) {
				v.value(p, val, b)
				return
			}
		}
		v.add(field.NotSupported(p.Child("type"), t, types))
		return
	}
	for _, b := range n.OneOf {
		if v.matches(val, b) {
			return
		}
	}
	for _, b := range n.OneOf {
		sub := &validator{schema: v.schema, enterprise: v.enterprise}
		if sub.typeOK(p, val, b) {
			v.value(p, val, b)
			return
		}
	}
	v.value(p, val, n.OneOf[0])
}

// exactlyOne checks a branch's own oneOf of required sets, as in a memory
// storage-engine that sizes itself by devices, files or data-size, but only
// one of them.
func (v *validator) exactlyOne(p *field.Path, m map[string]any, b *node) {
	if len(b.OneOf) == 0 {
		return
	}
	n := 0
	for _, alt := range b.OneOf {
		if hasAll(m, alt.Required) {
			n++
		}
	}
	if n != 1 {
		v.add(field.Invalid(p, describe(m), "set exactly one of "+requiredSets(b.OneOf)))
	}
}

func discriminated(branches []*node) bool {
	for _, b := range branches {
		if b.Properties["type"] == nil || len(b.Properties["type"].Enum) == 0 {
			return false
		}
	}
	return true
}

func (v *validator) anyOf(m map[string]any, alts []*node) bool {
	for _, alt := range alts {
		if hasAll(m, alt.Required) {
			return true
		}
	}
	return false
}

func hasAll(m map[string]any, keys []string) bool {
	for _, k := range keys {
		if _, ok := m[k]; !ok {
			return false
		}
	}
	return true
}

// requiredSets describes alternatives of required keys, leaving out the
// discriminator every one shares.
func requiredSets(alts []*node) string {
	var out []string
	for _, a := range alts {
		var keys []string
		for _, k := range a.Required {
			if k != "type" && k != "mode" {
				keys = append(keys, k)
			}
		}
		out = append(out, strings.Join(keys, " and "))
	}
	return strings.Join(out, ", or ")
}

// matches reports whether val is valid against n, without reporting.
func (v *validator) matches(val any, n *node) bool {
	sub := &validator{schema: v.schema, enterprise: v.enterprise}
	sub.value(nil, val, n)
	return len(sub.errs) == 0
}

func inEnum(val any, enum []any) bool {
	for _, e := range enum {
		if fmt.Sprint(e) == fmt.Sprint(val) {
			if _, isString := e.(string); isString == isStringValue(val) {
				return true
			}
		}
	}
	return false
}

func isStringValue(v any) bool {
	_, ok := v.(string)
	return ok
}

func enumStrings(enum []any) []string {
	out := make([]string, 0, len(enum))
	for _, e := range enum {
		out = append(out, fmt.Sprint(e))
	}
	return out
}

// integer returns val as an integer when it is a whole number.
func integer(val any) (*big.Int, bool) {
	switch t := val.(type) {
	case int64:
		return big.NewInt(t), true
	case int:
		return big.NewInt(int64(t)), true
	case int32:
		return big.NewInt(int64(t)), true
	case uint64:
		return new(big.Int).SetUint64(t), true
	case float64:
		if math.IsInf(t, 0) || math.IsNaN(t) || t != math.Trunc(t) {
			return nil, false
		}
		i, _ := big.NewFloat(t).Int(nil)
		return i, true
	case json.Number:
		return new(big.Int).SetString(string(t), 10)
	}
	return nil, false
}

func number(val any) (float64, bool) {
	switch t := val.(type) {
	case float64:
		return t, true
	case int64:
		return float64(t), true
	case int:
		return float64(t), true
	case json.Number:
		f, err := t.Float64()
		return f, err == nil
	}
	return 0, false
}

// closest returns the known setting nearest to k by edit distance, if it is
// near enough to be a typo.
func closest(k string, known map[string]*node) string {
	best, bestD := "", 4
	names := make([]string, 0, len(known))
	for n := range known {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if d := distance(k, n); d < bestD {
			best, bestD = n, d
		}
	}
	return best
}

// distance is the Levenshtein distance of a and b.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
