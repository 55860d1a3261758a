// Package apis holds the project's API types and generates what derives from
// them: deepcopy methods, the managed resources' method sets and CRDs, and
// the Crossplane CompositeResourceDefinitions of the AerospikeDatabase (the
// namespaced one and the claims flavour).
package apis

// Method sets are removed first: stale ones may not compile, and the
// generators load the package.
//go:generate sh -c "rm -f provider/*/zz_generated.managed*.go provider/*/zz_generated.pc*.go"
//go:generate go tool controller-gen object paths=./...
//go:generate rm -rf ../package/provider/crds
//go:generate go tool controller-gen crd:crdVersions=v1 paths=./provider/... output:artifacts:config=../package/provider/crds
//go:generate go tool angryjet generate-methodsets ./provider/...
//go:generate go run ./xrd/cmd/xrdgen -out ../package/configuration/definition.yaml -claims-out ../package/configuration-claims/definition.yaml
