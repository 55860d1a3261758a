// Package packages builds xp-aerospike's Crossplane packages the way a
// release does and serves them from an OCI registry on 127.0.0.1, so that an
// end-to-end test can install them into a real Crossplane core.
//
// There is no Docker engine and no reachable container registry where these
// tests run, so each step has a Docker-free stand-in:
//
//   - RuntimeImage puts a static Go binary on an empty base, in place of
//     `docker build` with the Dockerfile (which stays for users).
//   - Build runs the real `crossplane xpkg build`, which parses and lints the
//     package exactly as a release would, embedding that image from a tarball.
//   - Registry is go-containerregistry's in-process registry on a free
//     loopback port, and Registry.Push does what `crossplane xpkg push` does.
//
// Crossplane core treats a registry on 127.0.0.1 as plain HTTP (see
// go-containerregistry's name.Registry.Scheme), so a reference returned by
// Registry.Push can be put into a Function's or Provider's spec.package as
// it is. Nothing in this package contacts any address but loopback.
package packages
