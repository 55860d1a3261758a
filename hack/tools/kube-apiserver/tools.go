//go:build tools

// Package tools pins kube-apiserver, which `make e2e-tools` builds for
// envtest. cmd/kube-apiserver is a main package; this import only keeps
// `go mod tidy` from dropping k8s.io/kubernetes.
package tools

import _ "k8s.io/kubernetes/cmd/kube-apiserver"
