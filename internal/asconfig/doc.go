// Package asconfig owns Aerospike's configuration in its structured form: the
// function composes aerospike.conf with it, and the provider asks it which
// settings a server can change live. The structured form is the form the
// Aerospike Kubernetes Operator's aerospikeConfig and the asconfig
// tool use, so a user migrating from the operator can paste that block as is.
// A configuration is a Conf: sections service, logging, network, namespaces,
// mod-lua, security and xdr; lists of named objects for namespaces, sets,
// logging sinks, tls and dcs ([{"name": "orders", …}]); typed sections such
// as storage-engine as objects with a "type" ({"type": "device", …}); and
// list-valued settings under plural names (mesh-seed-address-ports, devices,
// files, addresses).
//
// The package does four things with it:
//
//   - SchemaFor picks the JSON Schema of a server version, one of the files
//     vendored under schemas/ and embedded in the binary, and parses it once;
//     Schema.Validate checks a configuration against it, refusing settings
//     Community Edition refuses at start-up, with field paths that name
//     namespaces (spec.aerospikeConfig.namespaces[orders].default-ttl) and
//     messages that say the fix.
//   - Schema.Dynamic reports whether the server can change a setting live
//     (set-config) or needs a restart.
//   - Merge lays a user's configuration over a generated one.
//   - Write renders a configuration as aerospike.conf text the server accepts.
//
// Everything is deterministic: the same configuration always gives the same
// errors in the same order and the same bytes, because a rendered
// configuration is hashed to decide whether pods restart. Nothing here
// modifies its inputs, and a *Schema is safe for concurrent use.
//
// A configuration that Validate accepts is one Write can render; Write checks
// only what it needs to render (structure and value types), so callers
// validate first to get field paths and fixes.
package asconfig
