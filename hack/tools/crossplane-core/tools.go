//go:build tools

// Package tools pins Crossplane core, which `make e2e-tools` builds to run a
// real control plane against envtest's API server. cmd/crossplane is a main
// package; this import only keeps `go mod tidy` from dropping it.
package tools

import _ "github.com/crossplane/crossplane/v2/cmd/crossplane"
