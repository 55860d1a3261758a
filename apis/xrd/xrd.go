// Package xrd derives the Crossplane CompositeResourceDefinitions (XRDs) of the
// AerospikeDatabase from its Go types, in two flavours: the namespaced XR of
// Crossplane v2 (package/configuration), and the claims flavour
// (package/configuration-claims), a cluster-scoped XAerospikeDatabase claimed
// by a namespaced AerospikeDatabase as in Crossplane 1.x. Both carry the one
// schema generated from the types.
//
// controller-gen turns the types and their kubebuilder markers into a
// CustomResourceDefinition; this package keeps the parts an XRD may carry
// (spec, status, CEL rules, defaults, printer columns) and drops what
// Crossplane adds itself (status.conditions, spec.crossplane, metadata). The
// committed definition is checked against a fresh generation by a test, so
// the served schema and the types the function reads cannot drift.
package xrd

import (
	"bytes"
	"fmt"

	"golang.org/x/tools/go/packages"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-tools/pkg/crd"
	crdmarkers "sigs.k8s.io/controller-tools/pkg/crd/markers"
	"sigs.k8s.io/controller-tools/pkg/loader"
	"sigs.k8s.io/controller-tools/pkg/markers"
	"sigs.k8s.io/yaml"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	xpv1 "github.com/crossplane/crossplane/apis/v2/apiextensions/v1"
	xpv2 "github.com/crossplane/crossplane/apis/v2/apiextensions/v2"

	"github.com/xp-aerospike/xp-aerospike/apis/aerospike/v1alpha1"
)

// TypesPackage is the Go package holding the AerospikeDatabase types.
const TypesPackage = "github.com/xp-aerospike/xp-aerospike/apis/aerospike/v1alpha1"

// CompositionName is the Composition every AerospikeDatabase uses unless it
// names another; ClaimsCompositionName is the claims flavour's.
const (
	CompositionName       = "aerospikedatabase"
	ClaimsCompositionName = "xaerospikedatabase"
)

// CRD generates the CustomResourceDefinition of the AerospikeDatabase from
// the Go types in TypesPackage, exactly as controller-gen would.
func CRD() (*apiextensionsv1.CustomResourceDefinition, error) {
	roots, err := loader.LoadRoots(TypesPackage)
	if err != nil {
		return nil, errors.Wrap(err, "cannot load the API types")
	}
	reg := &markers.Registry{}
	if err := crdmarkers.Register(reg); err != nil {
		return nil, errors.Wrap(err, "cannot register CRD markers")
	}
	p := &crd.Parser{
		Collector: &markers.Collector{Registry: reg},
		Checker:   &loader.TypeChecker{},
	}
	crd.AddKnownTypes(p)
	for _, r := range roots {
		p.NeedPackage(r)
	}
	// The loader type-checks only what type declarations reference, so
	// other declarations report type errors; like controller-gen, fail
	// only on errors of any other kind.
	for _, r := range roots {
		for _, e := range r.Errors {
			if e.Kind == packages.TypeError {
				continue
			}
			return nil, errors.Wrapf(e, "cannot parse %s", r.PkgPath)
		}
	}
	gk := schema.GroupKind{Group: v1alpha1.Group, Kind: v1alpha1.AerospikeDatabaseKind}
	p.NeedCRDFor(gk, nil)
	c, ok := p.CustomResourceDefinitions[gk]
	if !ok {
		return nil, errors.Errorf("cannot find kind %s in %s", gk, TypesPackage)
	}
	return &c, nil
}

// FromCRD converts a generated CRD into the XRD Crossplane serves it with.
func FromCRD(c *apiextensionsv1.CustomResourceDefinition) (*xpv2.CompositeResourceDefinition, error) {
	xrd := &xpv2.CompositeResourceDefinition{
		TypeMeta: metav1.TypeMeta{
			APIVersion: xpv2.SchemeGroupVersion.String(),
			Kind:       xpv2.CompositeResourceDefinitionKind,
		},
		ObjectMeta: metav1.ObjectMeta{Name: c.Name},
		Spec: xpv2.CompositeResourceDefinitionSpec{
			Group: c.Spec.Group,
			Names: apiextensionsv1.CustomResourceDefinitionNames{
				Kind:       c.Spec.Names.Kind,
				ListKind:   c.Spec.Names.ListKind,
				Plural:     c.Spec.Names.Plural,
				Singular:   c.Spec.Names.Singular,
				Categories: c.Spec.Names.Categories,
			},
			Scope:                 xpv2.CompositeResourceScope(c.Spec.Scope),
			DefaultCompositionRef: &xpv2.CompositionReference{Name: CompositionName},
		},
	}
	for _, v := range c.Spec.Versions {
		s, err := xrdSchema(v.Schema.OpenAPIV3Schema)
		if err != nil {
			return nil, errors.Wrapf(err, "cannot convert the schema of version %q", v.Name)
		}
		xv := xpv2.CompositeResourceDefinitionVersion{
			Name:                     v.Name,
			Served:                   v.Served,
			Referenceable:            v.Storage,
			AdditionalPrinterColumns: v.AdditionalPrinterColumns,
			Schema:                   &xpv2.CompositeResourceValidation{OpenAPIV3Schema: runtime.RawExtension{Raw: s}},
		}
		if v.Subresources != nil && v.Subresources.Scale != nil {
			// An autoscaler drives spec.size through it; the function's
			// plan keeps a scale-down safe whatever drives it.
			xv.Subresources = &xpv2.CompositeResourceDefinitionVersionSubresources{Scale: v.Subresources.Scale.DeepCopy()}
		}
		xrd.Spec.Versions = append(xrd.Spec.Versions, xv)
	}
	return xrd, nil
}

// Claims converts the namespaced XRD into the claims flavour: a legacy
// cluster-scoped XAerospikeDatabase in v1alpha1.ClaimsGroup whose claim is
// the AerospikeDatabase, with the same versions, schemas, printer columns
// and scale subresource. Only a v1 XRD offers claims.
func Claims(x *xpv2.CompositeResourceDefinition) *xpv1.CompositeResourceDefinition {
	n := x.Spec.Names
	names := apiextensionsv1.CustomResourceDefinitionNames{
		Kind:       v1alpha1.CompositeKind,
		ListKind:   v1alpha1.CompositeKind + "List",
		Plural:     "x" + n.Plural,
		Singular:   "x" + n.Singular,
		Categories: n.Categories,
	}
	claim := n
	scope := xpv1.CompositeResourceScopeLegacyCluster
	c := &xpv1.CompositeResourceDefinition{
		TypeMeta: metav1.TypeMeta{
			APIVersion: xpv1.SchemeGroupVersion.String(),
			Kind:       xpv1.CompositeResourceDefinitionKind,
		},
		ObjectMeta: metav1.ObjectMeta{Name: names.Plural + "." + v1alpha1.ClaimsGroup},
		Spec: xpv1.CompositeResourceDefinitionSpec{
			Group:                 v1alpha1.ClaimsGroup,
			Names:                 names,
			ClaimNames:            &claim,
			Scope:                 &scope,
			DefaultCompositionRef: &xpv1.CompositionReference{Name: ClaimsCompositionName},
		},
	}
	for _, v := range x.Spec.Versions {
		cv := xpv1.CompositeResourceDefinitionVersion{
			Name:                     v.Name,
			Served:                   v.Served,
			Referenceable:            v.Referenceable,
			Deprecated:               v.Deprecated,
			DeprecationWarning:       v.DeprecationWarning,
			AdditionalPrinterColumns: v.AdditionalPrinterColumns,
		}
		if v.Schema != nil {
			cv.Schema = &xpv1.CompositeResourceValidation{OpenAPIV3Schema: v.Schema.OpenAPIV3Schema}
		}
		if v.Subresources != nil {
			cv.Subresources = &xpv1.CompositeResourceDefinitionVersionSubresources{Scale: v.Subresources.Scale}
		}
		c.Spec.Versions = append(c.Spec.Versions, cv)
	}
	return c
}

// xrdSchema keeps the spec and status of a CRD's schema. Crossplane owns the
// object's metadata, spec.crossplane and status.conditions and adds them to
// the CRD it derives from the XRD, so they must not be declared here.
func xrdSchema(s *apiextensionsv1.JSONSchemaProps) ([]byte, error) {
	if s == nil {
		return nil, errors.New("schema is missing")
	}
	spec, ok := s.Properties["spec"]
	if !ok {
		return nil, errors.New("schema has no spec")
	}
	status := s.Properties["status"]
	delete(status.Properties, "conditions")
	out := apiextensionsv1.JSONSchemaProps{
		Description: s.Description,
		Type:        "object",
		Required:    []string{"spec"},
		Properties: map[string]apiextensionsv1.JSONSchemaProps{
			"spec":   spec,
			"status": status,
		},
	}
	return yamlFriendlyJSON(out)
}

// yamlFriendlyJSON marshals v to JSON; sigs.k8s.io/yaml turns it into sorted
// YAML later, so the output is deterministic.
func yamlFriendlyJSON(v any) ([]byte, error) {
	b, err := yaml.Marshal(v)
	if err != nil {
		return nil, err
	}
	return yaml.YAMLToJSON(b)
}

// Generate returns the XRDs of the AerospikeDatabase as YAML: the namespaced
// one of package/configuration and the claims flavour of
// package/configuration-claims.
func Generate() (namespaced, claims []byte, err error) {
	c, err := CRD()
	if err != nil {
		return nil, nil, err
	}
	x, err := FromCRD(c)
	if err != nil {
		return nil, nil, err
	}
	if namespaced, err = marshal(x); err != nil {
		return nil, nil, err
	}
	if claims, err = marshal(Claims(x)); err != nil {
		return nil, nil, err
	}
	return namespaced, claims, nil
}

// marshal writes a generated XRD as YAML under a header that says so.
func marshal(xrd any) ([]byte, error) {
	b, err := yaml.Marshal(xrd)
	if err != nil {
		return nil, errors.Wrap(err, "cannot marshal the XRD")
	}
	b, err = dropStatus(b)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	fmt.Fprintln(&buf, "# Code generated by apis/xrd from apis/aerospike/v1alpha1. DO NOT EDIT.")
	fmt.Fprintln(&buf, "# Run `make generate` after changing the Go types.")
	buf.Write(b)
	return buf.Bytes(), nil
}

// dropStatus removes the empty status and creationTimestamp a typed XRD
// marshals with; they are the API server's to write.
func dropStatus(b []byte) ([]byte, error) {
	m := map[string]any{}
	if err := yaml.Unmarshal(b, &m); err != nil {
		return nil, errors.Wrap(err, "cannot unmarshal the XRD")
	}
	delete(m, "status")
	if md, ok := m["metadata"].(map[string]any); ok {
		delete(md, "creationTimestamp")
	}
	out, err := yaml.Marshal(m)
	return out, errors.Wrap(err, "cannot marshal the XRD")
}
