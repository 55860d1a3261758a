// Package input holds the function's input types and generates their CRD.
package input

//go:generate go tool controller-gen object paths=./...
//go:generate go tool controller-gen crd:crdVersions=v1 paths=./... output:artifacts:config=../../package/function/input
