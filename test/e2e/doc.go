// Package e2e tests the whole stack as a platform team runs it: a real
// kube-apiserver and etcd, real Crossplane core, our function, provider and
// configuration packages built with the real crossplane CLI and installed
// by core from a registry on 127.0.0.1, and real Aerospike nodes standing in
// for the kubelet. Nothing beyond loopback is contacted.
//
// The tools come from `make e2e-tools` and `make tools`; `make e2e` passes
// them in:
//
//	KUBEBUILDER_ASSETS  folder with kube-apiserver and etcd
//	CROSSPLANE_CORE     Crossplane core binary
//	CROSSPLANE_CRDS     folder of core's CRDs
//	CROSSPLANE_CLI      the crossplane CLI (xpkg build)
//	KUBE_CONTROLLER_MANAGER  kube-controller-manager (garbage collection)
//	SERVICEMONITOR_CRD  the Prometheus Operator's ServiceMonitor CRD
//
// Without them the test skips, except under CI=true, where it fails.
package e2e
