package asconfig

import (
	"fmt"
	"maps"
	"math/big"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// reference is where a user looks up a setting; the schemas carry no
// descriptions worth quoting.
const reference = "https://aerospike.com/docs/database/reference/config"

// removed are settings older servers had and 7.0 or 7.1 removed, with what
// to do instead: configurations pasted from older clusters often carry them.
var removed = map[string]string{
	"memory-size":           "7.0 removed it: a memory namespace's size is its storage-engine memory data-size",
	"data-in-memory":        "7.0 removed it: use storage-engine memory, which can persist to devices or files",
	"high-water-memory-pct": "7.0 removed it: use evict-indexes-memory-pct or the storage-engine's evict-used-pct",
	"high-water-disk-pct":   "7.0 removed it: use the storage-engine's evict-used-pct",
	"stop-writes-pct":       "7.0 removed it: use stop-writes-sys-memory-pct or the storage-engine's stop-writes-used-pct",
	"write-block-size":      "7.1 removed it: storage is written in 8 MiB blocks; limit records with the namespace's max-record-size",
}

// Validate checks c against the schema and returns every problem, in a
// stable order (keys sorted, list entries in order). With enterprise false,
// every setting the schema marks Enterprise-only is refused, as Community
// Edition refuses it at start-up.
//
// Error paths start at root. Entries of lists of named objects are keyed by
// name, so root.namespaces[orders].storage-engine.data-size names the
// namespace; other entries by index. Beyond the schema, Validate refuses what
// Write cannot render (a named entry without a name, "#" or a line break in a
// value), so a configuration it accepts always writes.
func (s *Schema) Validate(c Conf, enterprise bool, root *field.Path) field.ErrorList {
	server := s.server
	if server == "" {
		server = s.version
	}
	v := &validator{version: server, enterprise: enterprise}
	v.check(root, c, s.root)
	if len(v.errs) > 0 {
		return v.errs
	}
	// What the schema allows but aerospike.conf cannot say, such as a
	// path on a logging sink other than syslog.
	if _, err := render(c, root); err != nil {
		fe := &field.Error{}
		if !errors.As(err, &fe) {
			fe = field.InternalError(root, err)
		}
		v.add(fe)
	}
	return v.errs
}

type validator struct {
	version    string
	enterprise bool
	errs       field.ErrorList
}

func (v *validator) add(e *field.Error) { v.errs = append(v.errs, e) }

// valid reports whether val satisfies n, without reporting: oneOf and anyOf
// count the branches a value satisfies.
func (v *validator) valid(val any, n *node) bool {
	sub := &validator{version: v.version, enterprise: v.enterprise}
	sub.check(nil, val, n)
	return len(sub.errs) == 0
}

// check validates val against n. A value of the wrong type, outside an enum
// or Enterprise-only is reported once, without the errors it would cause
// further down.
func (v *validator) check(p *field.Path, val any, n *node) {
	if n.EnterpriseOnly && !v.enterprise {
		v.add(field.Forbidden(p, "is Enterprise-only: Community Edition refuses it at start-up; remove it, or use edition enterprise"))
		return
	}
	if !v.checkType(p, val, n) {
		return
	}
	if len(n.Enum) > 0 && !slices.ContainsFunc(n.Enum, func(e any) bool { return jsonEqual(e, val) }) {
		v.add(field.NotSupported(p, describe(val), enumStrings(n.Enum)))
		return
	}
	if n.Not != nil && v.valid(val, n.Not) {
		v.add(field.Invalid(p, describe(val), notMessage(n.Not)))
		return
	}
	switch t := val.(type) {
	case map[string]any:
		v.object(p, t, n)
	case []any:
		v.array(p, t, n)
	case string:
		v.str(p, t, n)
	default:
		v.bounds(p, val, n)
	}
	if len(n.AnyOf) > 0 {
		v.anyOf(p, val, n)
	}
	if len(n.OneOf) > 0 {
		v.oneOf(p, val, n)
	}
}

func (v *validator) checkType(p *field.Path, val any, n *node) bool {
	if len(n.types) == 0 || slices.ContainsFunc(n.types, func(t string) bool { return hasType(val, t) }) {
		return true
	}
	v.add(field.Invalid(p, describe(val), "must be "+typeNames(n.types)+", not "+kind(val)))
	return false
}

// hasType reports whether val is of JSON Schema type t. An integer is a
// whole number of any Go type: 2.0 is one, 2.5 is not.
func hasType(val any, t string) bool {
	switch t {
	case "object":
		_, ok := val.(map[string]any)
		return ok
	case "array":
		_, ok := val.([]any)
		return ok
	case "string":
		_, ok := val.(string)
		return ok
	case "boolean":
		_, ok := val.(bool)
		return ok
	case "integer":
		_, ok := integer(val)
		return ok
	case "number":
		_, ok := number(val)
		return ok
	case "null":
		return val == nil
	}
	return false
}

func typeNames(types []string) string {
	names := make([]string, len(types))
	for i, t := range types {
		switch t {
		case "object":
			names[i] = "an object"
		case "array":
			names[i] = "a list"
		case "integer":
			names[i] = "a whole number"
		case "string", "boolean", "number":
			names[i] = "a " + t
		default:
			names[i] = t
		}
	}
	return orList(names)
}

// orList joins "a", "b" and "c" as "a, b or c".
func orList(s []string) string {
	switch len(s) {
	case 0:
		return ""
	case 1:
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}

func notMessage(not *node) string {
	if len(not.Enum) > 0 {
		return "must not be " + orList(quoted(enumStrings(not.Enum)))
	}
	return "is not allowed here"
}

func quoted(s []string) []string {
	out := make([]string, len(s))
	for i, e := range s {
		out[i] = fmt.Sprintf("%q", e)
	}
	return out
}

func enumStrings(enum []any) []string {
	out := make([]string, 0, len(enum))
	for _, e := range enum {
		out = append(out, fmt.Sprint(e))
	}
	return out
}

func (v *validator) str(p *field.Path, s string, n *node) {
	if why := unwritable(s); why != "" {
		v.add(field.Invalid(p, s, "aerospike.conf cannot hold "+why+" in a value"))
		return
	}
	// The server resolves names itself; this only refuses what is no
	// host name at all.
	if n.Format == "hostname" && (s == "" || len(s) > 253 || strings.ContainsAny(s, " \t")) {
		v.add(field.Invalid(p, s, "must be a host name"))
	}
}

func (v *validator) bounds(p *field.Path, val any, n *node) {
	if n.min == nil && n.max == nil {
		return
	}
	r, ok := number(val)
	if !ok {
		return
	}
	if n.min != nil && r.Cmp(n.min) < 0 {
		v.add(field.Invalid(p, describe(val), fmt.Sprintf("must be at least %s%s", formatNumber(n.min), human(n.min))))
	}
	if n.max != nil && r.Cmp(n.max) > 0 {
		v.add(field.Invalid(p, describe(val), fmt.Sprintf("must be at most %s%s", formatNumber(n.max), human(n.max))))
	}
}

// human adds a readable size to byte-like bounds, "536870912 (512Mi)", as
// the user writes sizes as quantities.
func human(b *big.Rat) string {
	if !b.IsInt() || !b.Num().IsInt64() {
		return ""
	}
	n := b.Num().Int64()
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
			v.add(field.Required(p.Child(k), "server "+v.version+" requires it"))
		}
	}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if c, ok := n.Properties[k]; ok {
			v.check(p.Child(k), m[k], c)
			continue
		}
		switch why := badName(k); {
		case n.closed:
			v.add(field.Invalid(p.Child(k), describe(m[k]), v.unknown(k, n)))
		case why != "":
			v.add(field.Invalid(p.Child(k), k, "aerospike.conf cannot hold "+why+" in a setting's name"))
		case n.additional != nil:
			v.check(p.Child(k), m[k], n.additional)
		}
	}
}

// unknown explains an unknown setting: removed by 7.x, a likely typo, or
// absent from this server version.
func (v *validator) unknown(k string, n *node) string {
	msg := fmt.Sprintf("unknown setting %q for server %s", k, v.version)
	if why, ok := removed[k]; ok {
		return msg + ": " + why
	}
	if s := closest(k, n.Properties); s != "" {
		return msg + fmt.Sprintf("; did you mean %q? See %s", s, reference)
	}
	return msg + "; remove it, or see " + reference
}

func (v *validator) array(p *field.Path, l []any, n *node) {
	if n.MinItems != nil && len(l) < *n.MinItems {
		v.add(field.Required(p, fmt.Sprintf("needs at least %d %s", *n.MinItems, plural(*n.MinItems, "entry", "entries"))))
	}
	if n.Items == nil {
		return
	}
	// Entries of a list of named objects are keyed by name, and need one:
	// the name is what aerospike.conf writes after the keyword.
	named := n.Items.Properties["name"] != nil
	seen := map[string]bool{}
	for i, e := range l {
		ep := p.Index(i)
		if m, ok := e.(map[string]any); ok && named {
			name, isString := m["name"].(string)
			switch why := badName(name); {
			case !isString || name == "":
				v.add(field.Required(ep.Child("name"), "every entry needs a name"))
			case why != "":
				v.add(field.Invalid(ep.Child("name"), name, "aerospike.conf cannot hold "+why+" in a name"))
			case seen[name]:
				ep = p.Key(name)
				v.add(field.Duplicate(ep, name))
			default:
				ep = p.Key(name)
				seen[name] = true
			}
		}
		v.check(ep, e, n.Items)
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// anyOf reports a value no branch of n.AnyOf accepts.
func (v *validator) anyOf(p *field.Path, val any, n *node) {
	for _, b := range n.AnyOf {
		if v.valid(val, b) {
			return
		}
	}
	if alts, ok := requiredSets(n.AnyOf); ok {
		v.add(field.Required(p, "set "+orList(alts)))
		return
	}
	v.explain(p, val, n.AnyOf)
}

// oneOf reports a value that does not satisfy exactly one branch of n.OneOf.
// Rather than "matches none of oneOf", it reports the errors of the branch
// the user meant: the one the discriminator picks (storage-engine type
// device), else the first whose type fits.
func (v *validator) oneOf(p *field.Path, val any, n *node) {
	matched := 0
	for _, b := range n.OneOf {
		if v.valid(val, b) {
			matched++
		}
	}
	if matched == 1 {
		return
	}
	alts, onlyRequired := requiredSets(n.OneOf)
	switch {
	case matched > 1 && onlyRequired:
		v.add(field.Invalid(p, describe(val), "set only one of "+orList(alts)))
	case matched > 1:
		v.add(field.Invalid(p, describe(val), "matches more than one of the forms this setting can take; remove the settings that do not belong together"))
	case onlyRequired:
		v.add(field.Required(p, "set one of "+orList(alts)))
	case n.discriminator != "":
		v.discriminated(p, val, n)
	default:
		v.explain(p, val, n.OneOf)
	}
}

// discriminated validates val against the branch its discriminator picks.
func (v *validator) discriminated(p *field.Path, val any, n *node) {
	d := n.discriminator
	values := make([]string, 0, len(n.OneOf))
	for _, b := range n.OneOf {
		values = append(values, enumStrings(b.Properties[d].Enum)...)
	}
	m, ok := val.(map[string]any)
	if !ok {
		v.add(field.Invalid(p, describe(val), "must be an object with a "+d+": "+orList(quoted(values))))
		return
	}
	t, ok := m[d]
	if !ok {
		v.add(field.Required(p.Child(d), "set one of "+orList(quoted(values))))
		return
	}
	for _, b := range n.OneOf {
		if slices.ContainsFunc(b.Properties[d].Enum, func(e any) bool { return jsonEqual(e, t) }) {
			v.check(p, val, b)
			return
		}
	}
	v.add(field.NotSupported(p.Child(d), describe(t), values))
}

// explain reports the errors of the first branch whose type fits val, or
// the types val could have had.
func (v *validator) explain(p *field.Path, val any, branches []*node) {
	var types []string
	for _, b := range branches {
		if len(b.types) == 0 || slices.ContainsFunc(b.types, func(t string) bool { return hasType(val, t) }) {
			v.check(p, val, b)
			return
		}
		for _, t := range b.types {
			if !slices.Contains(types, t) {
				types = append(types, t)
			}
		}
	}
	v.add(field.Invalid(p, describe(val), "must be "+typeNames(types)+", not "+kind(val)))
}

// requiredSets describes branches that only require keys, as in "a memory
// storage-engine sets devices, files or data-size": each branch's keys but
// those every branch requires (type).
func requiredSets(branches []*node) ([]string, bool) {
	common := map[string]int{}
	for _, b := range branches {
		if len(b.Required) == 0 || len(b.types) > 0 || len(b.Properties) > 0 || len(b.Enum) > 0 ||
			len(b.OneOf) > 0 || len(b.AnyOf) > 0 || b.Not != nil || b.Items != nil {
			return nil, false
		}
		for _, k := range b.Required {
			common[k]++
		}
	}
	out := make([]string, 0, len(branches))
	for _, b := range branches {
		var keys []string
		for _, k := range b.Required {
			if common[k] < len(branches) {
				keys = append(keys, k)
			}
		}
		out = append(out, strings.Join(keys, " and "))
	}
	return out, true
}

// closest returns the known setting nearest to k by edit distance, if it is
// near enough to be a typo.
func closest(k string, known map[string]*node) string {
	best, bestD := "", 4
	if len(k) > 64 {
		return "" // no setting is that long; spare the quadratic work
	}
	for _, n := range slices.Sorted(maps.Keys(known)) {
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
