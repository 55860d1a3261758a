// Package asconfig owns Aerospike's configuration in its structured form: the
// form the Aerospike Kubernetes Operator's aerospikeConfig and the asconfig
// tool use (sections service, logging, network, namespaces as a list of
// objects with a name, storage-engine as an object with a type, mod-lua,
// security, xdr; list-valued settings under plural names such as
// mesh-seed-address-ports).
//
// It validates such a configuration against the JSON Schema of the server
// version (vendored under schemas/, embedded), refusing Enterprise-only
// settings on Community Edition; merges a user's configuration over a
// generated one; reports which settings the server can change live; and
// writes the configuration as aerospike.conf text.
//
// Everything here is deterministic: the same configuration always gives the
// same errors in the same order and the same bytes.
package asconfig

import (
	"embed"
	"encoding/json"
	"math/big"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// Conf is a configuration in structured form. Values are Conf (or
// map[string]any), []any, string, bool, int64, float64 or json.Number.
type Conf = map[string]any

//go:embed schemas/*.json
var schemaFiles embed.FS

// Schema is the parsed schema of one server version line.
type Schema struct {
	version string
	root    *node
}

// Version returns the schema's version line, such as 8.1.1.
func (s *Schema) Version() string { return s.version }

// node is one JSON Schema node, with Aerospike's flags.
type node struct {
	Type                 string           `json:"type"`
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
	EnterpriseOnly       bool             `json:"enterpriseOnly"`
	Dynamic              bool             `json:"dynamic"`

	// Parsed from the above once, at load.
	min, max   *big.Int
	additional *node // nil: any; closed: none allowed
	closed     bool
}

// prepare parses bounds and additionalProperties of n and its children.
func (n *node) prepare() error {
	if n == nil {
		return nil
	}
	var err error
	if n.min, err = bound(n.Minimum); err != nil {
		return err
	}
	if n.max, err = bound(n.Maximum); err != nil {
		return err
	}
	switch a := strings.TrimSpace(string(n.AdditionalProperties)); a {
	case "", "true":
	case "false":
		n.closed = true
	default:
		n.additional = &node{}
		if err := json.Unmarshal(n.AdditionalProperties, n.additional); err != nil {
			return errors.Wrap(err, "cannot parse additionalProperties")
		}
	}
	children := []*node{n.Items, n.Not, n.additional}
	children = append(children, n.OneOf...)
	children = append(children, n.AnyOf...)
	for _, c := range n.Properties {
		children = append(children, c)
	}
	for _, c := range children {
		if err := c.prepare(); err != nil {
			return err
		}
	}
	return nil
}

func bound(n json.Number) (*big.Int, error) {
	if n == "" {
		return nil, nil
	}
	b, ok := new(big.Int).SetString(string(n), 10)
	if !ok {
		return nil, errors.Errorf("bound %q is not an integer", n)
	}
	return b, nil
}

// Version is a server version such as 8.1.2.0: up to four numbers, and an
// optional build suffix (_1) that does not change the configuration.
type Version [4]int

// ParseVersion parses a server version such as 8.1.2.0, 7.2.0.6_1 or 8.1.0.
func ParseVersion(s string) (Version, error) {
	var v Version
	base, _, _ := strings.Cut(s, "_")
	parts := strings.Split(base, ".")
	if len(parts) < 3 || len(parts) > 4 {
		return v, errors.Errorf("%q is not a server version such as 8.1.0.0", s)
	}
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return v, errors.Errorf("%q is not a server version such as 8.1.0.0", s)
		}
		v[i] = n
	}
	return v, nil
}

// Compare returns -1, 0 or 1 as v is older than, the same as, or newer than o.
func (v Version) Compare(o Version) int {
	for i := range v {
		switch {
		case v[i] < o[i]:
			return -1
		case v[i] > o[i]:
			return 1
		}
	}
	return 0
}

func (v Version) String() string {
	return strconv.Itoa(v[0]) + "." + strconv.Itoa(v[1]) + "." + strconv.Itoa(v[2]) + "." + strconv.Itoa(v[3])
}

type loaded struct {
	once   sync.Once
	schema *Schema
	err    error
}

var (
	// versions are the vendored schema versions, oldest first.
	versions []Version
	// schemas holds each version's schema, parsed on first use: parsing
	// all of them up front would cost every function start.
	schemas = map[Version]*loaded{}
	files   = map[Version]string{}
)

func init() { //nolint:gochecknoinits // The embedded file list is fixed at build time.
	entries, err := schemaFiles.ReadDir("schemas")
	if err != nil {
		panic(err)
	}
	for _, e := range entries {
		v, err := ParseVersion(strings.TrimSuffix(e.Name(), ".json"))
		if err != nil {
			panic(err)
		}
		versions = append(versions, v)
		schemas[v] = &loaded{}
		files[v] = path.Join("schemas", e.Name())
	}
	sort.Slice(versions, func(i, j int) bool { return versions[i].Compare(versions[j]) < 0 })
}

// SchemaFor returns the schema of a server version: the newest vendored
// schema whose version is not above it. It is safe for concurrent use and
// parses each schema once.
func SchemaFor(version string) (*Schema, error) {
	v, err := ParseVersion(version)
	if err != nil {
		return nil, err
	}
	if v.Compare(versions[0]) < 0 {
		return nil, errors.Errorf("server version %s is not supported: the oldest supported version is %d.%d (its configuration syntax)", version, versions[0][0], versions[0][1])
	}
	var line Version
	for _, sv := range versions {
		if sv.Compare(v) <= 0 {
			line = sv
		}
	}
	l := schemas[line]
	l.once.Do(func() {
		l.schema, l.err = load(files[line])
	})
	return l.schema, l.err
}

func load(file string) (*Schema, error) {
	b, err := schemaFiles.ReadFile(file)
	if err != nil {
		return nil, errors.Wrapf(err, "cannot read schema %s", file)
	}
	root := &node{}
	if err := json.Unmarshal(b, root); err != nil {
		return nil, errors.Wrapf(err, "cannot parse schema %s", file)
	}
	if err := root.prepare(); err != nil {
		return nil, errors.Wrapf(err, "cannot prepare schema %s", file)
	}
	return &Schema{version: strings.TrimSuffix(path.Base(file), ".json"), root: root}, nil
}

// Dynamic reports whether the setting at path can be changed live with
// set-config, for example Dynamic("namespaces", "default-ttl") or
// Dynamic("service", "proto-fd-max"). Unknown settings are not dynamic.
func (s *Schema) Dynamic(path ...string) bool {
	n := s.root
	for _, k := range path {
		n = n.child(k)
		if n == nil {
			return false
		}
	}
	return n.Dynamic
}

// child returns the schema of key k under n, looking through lists and
// the branches of typed sections.
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
