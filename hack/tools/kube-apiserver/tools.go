//go:build tools

// Package tools pins kube-apiserver, which `make e2e-tools` builds for
// envtest, and kube-controller-manager, which the e2e runs beside it for
// garbage collection and namespace deletion. Both are main packages; these
// imports only keep `go mod tidy` from dropping what they need.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
)
