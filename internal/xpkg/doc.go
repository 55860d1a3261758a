// Package xpkg builds xp-aerospike's Crossplane packages as a release
// ships them, without Docker: static binaries for each platform, a
// distroless-style runtime image of each (go-containerregistry, no base
// image pull), and the package files the real `crossplane xpkg build`
// makes of them, which `crossplane xpkg push` then publishes. `make xpkg`,
// `make publish` and the end-to-end test all go through it, so what the
// e2e installs is what a release pushes.
package xpkg
