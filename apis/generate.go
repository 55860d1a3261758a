// Package apis holds the project's API types and generates what derives from
// them: deepcopy methods and the Crossplane CompositeResourceDefinition.
package apis

//go:generate go tool controller-gen object paths=./...
//go:generate go run ./xrd/cmd/xrdgen -out ../package/configuration/definition.yaml
