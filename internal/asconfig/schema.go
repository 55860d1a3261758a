package asconfig

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"maps"
	"math/big"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// Conf is a configuration in structured form. Values are Conf (the same type
// as map[string]any), []any, string, bool, or numbers: int64, float64 (as
// encoding/json decodes them) or json.Number; other Go integer types are
// accepted too. Whole numbers are integers whatever their Go type, so a
// configuration decoded from JSON validates and writes like one built in Go.
type Conf = map[string]any

//go:embed schemas/*.json
var schemaFiles embed.FS

// Schema is the parsed JSON Schema of one server version line. It is
// immutable, so one *Schema serves every concurrent RunFunction.
type Schema struct {
	version string
	root    *node

	// server is the server version SchemaFor was given, which messages
	// name: the user wrote it, not the schema's line.
	server string
}

// Version returns the version line of the schema file, such as 8.1.1: the
// newest line not newer than the server version SchemaFor was given.
func (s *Schema) Version() string { return s.version }

// node is one JSON Schema node: the subset of JSON Schema the vendored files
// use, and Aerospike's two flags.
type node struct {
	Type                 json.RawMessage  `json:"type"`
	Properties           map[string]*node `json:"properties"`
	AdditionalProperties json.RawMessage  `json:"additionalProperties"`
	Required             []string         `json:"required"`
	Items                *node            `json:"items"`
	MinItems             *int             `json:"minItems"`
	Enum                 []any            `json:"enum"`
	Minimum              json.Number      `json:"minimum"`
	Maximum              json.Number      `json:"maximum"`
	OneOf                []*node          `json:"oneOf"`
	AnyOf                []*node          `json:"anyOf"`
	Not                  *node            `json:"not"`
	Format               string           `json:"format"`

	// EnterpriseOnly: Community Edition refuses the setting at start-up.
	EnterpriseOnly bool `json:"enterpriseOnly"`
	// Dynamic: the server can change the setting live with set-config.
	Dynamic bool `json:"dynamic"`

	// Derived once, at load, so validation parses nothing.
	types      []string // allowed JSON types; empty allows any
	min, max   *big.Rat // bounds, exact: some exceed int64 (UINT64_MAX)
	additional *node    // schema of keys not in properties, if any
	closed     bool     // additionalProperties: false
	// discriminator names the property whose enum picks the branch of a
	// oneOf, as "type" picks storage-engine memory, device or pmem; empty
	// when the branches have none.
	discriminator string
}

// prepare derives the parsed fields of n and its descendants.
func (n *node) prepare() error {
	if n == nil {
		return nil
	}
	if err := n.parseType(); err != nil {
		return err
	}
	var err error
	if n.min, err = bound(n.Minimum); err != nil {
		return errors.Wrap(err, "cannot parse minimum")
	}
	if n.max, err = bound(n.Maximum); err != nil {
		return errors.Wrap(err, "cannot parse maximum")
	}
	switch a := string(bytes.TrimSpace(n.AdditionalProperties)); a {
	case "", "true":
	case "false":
		n.closed = true
	default:
		n.additional = &node{}
		if err := decode(n.AdditionalProperties, n.additional); err != nil {
			return errors.Wrap(err, "cannot parse additionalProperties")
		}
	}
	n.discriminator = discriminator(n.OneOf)

	children := []*node{n.Items, n.Not, n.additional}
	children = append(children, n.OneOf...)
	children = append(children, n.AnyOf...)
	for _, k := range slices.Sorted(maps.Keys(n.Properties)) {
		children = append(children, n.Properties[k])
	}
	for _, c := range children {
		if err := c.prepare(); err != nil {
			return err
		}
	}
	return nil
}

// parseType accepts "type" as a string or, as JSON Schema allows, a list.
func (n *node) parseType() error {
	if len(n.Type) == 0 {
		return nil
	}
	var one string
	if err := json.Unmarshal(n.Type, &one); err == nil {
		n.types = []string{one}
		return nil
	}
	if err := json.Unmarshal(n.Type, &n.types); err != nil {
		return errors.Wrapf(err, "cannot parse type %s", n.Type)
	}
	return nil
}

func bound(n json.Number) (*big.Rat, error) {
	if n == "" {
		return nil, nil
	}
	r, ok := new(big.Rat).SetString(string(n))
	if !ok {
		return nil, errors.Errorf("%q is not a number", n)
	}
	return r, nil
}

// discriminator returns the property whose value picks one branch: every
// branch allows it only values from an enum no other branch shares. The
// storage-engine branches share compression's enum, so only type qualifies.
func discriminator(branches []*node) string {
	if len(branches) < 2 {
		return ""
	}
	for _, k := range slices.Sorted(maps.Keys(branches[0].Properties)) {
		owner := map[string]int{}
		disjoint := true
		for i, b := range branches {
			p := b.Properties[k]
			if p == nil || len(p.Enum) == 0 {
				disjoint = false
				break
			}
			for _, e := range p.Enum {
				key := fmt.Sprintf("%T:%v", e, e)
				if j, ok := owner[key]; ok && j != i {
					disjoint = false
				}
				owner[key] = i
			}
		}
		if disjoint {
			return k
		}
	}
	return ""
}

// decode parses JSON keeping numbers exact: an enum or bound of a schema can
// be an integer no float64 holds.
func decode(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	return d.Decode(v)
}

// lazySchema parses one embedded schema file on first use: parsing all six
// up front would cost every function start, and most runs use one version.
type lazySchema struct {
	version Version
	file    string
	once    sync.Once
	schema  *Schema
	err     error
}

func (l *lazySchema) get() (*Schema, error) {
	l.once.Do(func() { l.schema, l.err = load(l.file, l.version.line()) })
	return l.schema, l.err
}

// catalog holds the vendored schemas, oldest first. The embedded file list is
// fixed at build time, so a bad name is a build defect TestCatalog catches.
var catalog = func() []*lazySchema {
	entries, err := schemaFiles.ReadDir("schemas")
	if err != nil {
		panic(err)
	}
	out := make([]*lazySchema, 0, len(entries))
	for _, e := range entries {
		v, err := ParseVersion(strings.TrimSuffix(e.Name(), ".json"))
		if err != nil {
			panic(err)
		}
		out = append(out, &lazySchema{version: v, file: path.Join("schemas", e.Name())})
	}
	slices.SortFunc(out, func(a, b *lazySchema) int { return a.version.Compare(b.version) })
	return out
}()

// SchemaFor returns the schema of a server version such as 8.1.2.0, 8.1.0 or
// 7.2.0.6_1: the newest vendored schema whose version is not newer than it
// (8.1.2.0 uses 8.1.1), as a patch release keeps its line's settings. It is
// safe for concurrent use and parses each schema once per process.
func SchemaFor(version string) (*Schema, error) {
	v, err := ParseVersion(version)
	if err != nil {
		return nil, err
	}
	var pick *lazySchema
	for _, l := range catalog {
		if l.version.Compare(v) <= 0 {
			pick = l
		}
	}
	if pick == nil {
		return nil, errors.Errorf("server version %s is not supported: the oldest supported version is %s, the first whose configuration this project knows", version, catalog[0].version.line())
	}
	s, err := pick.get()
	if err != nil {
		return nil, err
	}
	// The loaded schema is shared; the copy only names the server.
	return &Schema{version: s.version, root: s.root, server: version}, nil
}

func load(file, version string) (*Schema, error) {
	b, err := schemaFiles.ReadFile(file)
	if err != nil {
		return nil, errors.Wrapf(err, "cannot read schema %s", file)
	}
	root := &node{}
	if err := decode(b, root); err != nil {
		return nil, errors.Wrapf(err, "cannot parse schema %s", file)
	}
	if err := root.prepare(); err != nil {
		return nil, errors.Wrapf(err, "cannot parse schema %s", file)
	}
	return &Schema{version: version, root: root}, nil
}

// Dynamic reports whether the setting at path can be changed live with
// set-config, so a change to it needs no restart. The path names keys, not
// list entries: Dynamic("namespaces", "default-ttl"),
// Dynamic("service", "proto-fd-max"),
// Dynamic("namespaces", "storage-engine", "defrag-lwm-pct"). Unknown settings
// report false: restarting is the safe answer.
func (s *Schema) Dynamic(keys ...string) bool {
	if len(keys) == 0 {
		return false
	}
	n := s.root
	for _, k := range keys {
		if n = n.child(k); n == nil {
			return false
		}
	}
	return n.Dynamic
}

// child returns the schema of key k under n, looking through lists and the
// branches of typed sections (the first branch that has k).
func (n *node) child(k string) *node {
	for n.Items != nil && n.Properties == nil {
		n = n.Items
	}
	if c, ok := n.Properties[k]; ok {
		return c
	}
	for _, b := range n.OneOf {
		if c := b.child(k); c != nil {
			return c
		}
	}
	return nil
}
