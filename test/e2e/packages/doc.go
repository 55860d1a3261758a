// Package packages serves xp-aerospike's Crossplane packages to an
// end-to-end test from an OCI registry on 127.0.0.1, so that a real
// Crossplane core installs them as it would from xpkg.crossplane.io. The
// packages themselves are the ones `make xpkg` builds (internal/xpkg), and
// the test pushes them with the real `crossplane xpkg push`, as `make
// publish` does.
//
// Crossplane core treats a registry on 127.0.0.1 as plain HTTP (see
// go-containerregistry's name.Registry.Scheme), so a reference to a package
// in it can be put into a Function's or Provider's spec.package as it is.
// Nothing in this package contacts any address but loopback.
package packages
