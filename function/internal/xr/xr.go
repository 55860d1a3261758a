// Package xr reads an AerospikeDatabase composite resource into its Go type
// and applies the API's defaults.
//
// The API server applies the XRD's defaults and schema, but a function must
// not rely on that alone: `crossplane render` applies neither, and a request
// may carry an XR written before a default existed. Decoding reports bad
// values with their field paths instead of failing on the first one.
package xr

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation/field"
	sigsjson "sigs.k8s.io/json"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"

	"github.com/xp-aerospike/xp-aerospike/apis/aerospike/v1alpha1"
	"github.com/xp-aerospike/xp-aerospike/function/internal/check"
)

// Default key names within referenced Secrets.
const (
	DefaultFeatureKeyKey = "features.conf"
	DefaultPasswordKey   = "password"
)

// DefaultNsupPeriod is the namespace supervisor period set when a namespace
// has a default TTL but no period: Aerospike refuses a non-zero default-ttl
// while nsup-period is 0.
const DefaultNsupPeriod v1alpha1.Duration = "120"

// Decode reads the XR's content (as a JSON-compatible map) into an
// AerospikeDatabase. Quantities are checked first, each with its path,
// because a malformed quantity would otherwise stop decoding with a message
// that names no field.
//
// Field names are matched case-sensitively, as the API server matches them:
// Go's encoding/json would read "siZe" as size. A spec field the API does
// not know comes back as a warning: the API server prunes it, but `crossplane
// render` does not, and a misspelt field silently ignored is a setting the
// user believes they made.
func Decode(content map[string]any) (*v1alpha1.AerospikeDatabase, check.Result) {
	spec, _ := content["spec"].(map[string]any)
	if errs := append(checkQuantities(spec, field.NewPath("spec")), checkZeros(spec, field.NewPath("spec"))...); len(errs) > 0 {
		return nil, check.Errors(errs...)
	}
	b, err := json.Marshal(content)
	if err != nil {
		return nil, check.Errors(field.InternalError(nil, err))
	}
	db := &v1alpha1.AerospikeDatabase{}
	strict, err := sigsjson.UnmarshalStrict(b, db, sigsjson.DisallowUnknownFields)
	if err != nil {
		return nil, check.Errors(typeError(err))
	}
	var r check.Result
	for _, e := range strict {
		if p, ok := unknownSpecField(e); ok {
			r.Warnings = append(r.Warnings, fmt.Sprintf("%s: unknown field, ignored (field names are case-sensitive)", p))
		}
	}
	return db, r
}

// crossplaneSpecFields are the spec fields Crossplane itself writes on a
// composite resource: spec.crossplane on a namespaced XR, the rest on a
// legacy cluster-scoped one.
var crossplaneSpecFields = []string{
	"crossplane", "claimRef", "compositionRef", "compositionRevisionRef", "compositionRevisionSelector",
	"compositionSelector", "compositionUpdatePolicy", "publishConnectionDetailsTo", "resourceRefs",
	"writeConnectionSecretToRef",
}

// unknownSpecField returns the path of an unknown field under spec that
// Crossplane did not write. Unknown fields elsewhere (status, which
// Crossplane also writes to) are not the user's.
func unknownSpecField(err error) (string, bool) {
	fp, ok := err.(interface{ FieldPath() string })
	if !ok {
		return "", false
	}
	p, ok := strings.CutPrefix(fp.FieldPath(), "spec.")
	if !ok {
		return "", false
	}
	top, _, _ := strings.Cut(p, ".")
	top, _, _ = strings.Cut(top, "[")
	if slices.Contains(crossplaneSpecFields, top) {
		return "", false
	}
	return "spec." + p, true
}

// typeError names the field of a JSON type mismatch, such as a string where
// the schema wants a number.
func typeError(err error) *field.Error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return field.Invalid(field.NewPath(te.Field), te.Value, fmt.Sprintf("must be of type %s", te.Type))
	}
	return field.Invalid(field.NewPath("spec"), nil, err.Error())
}

// checkZeros refuses a replication factor of 0 written out: decoded, it
// would read as unset and take the default.
func checkZeros(spec map[string]any, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	nss, _ := spec["namespaces"].([]any)
	for i, n := range nss {
		ns, _ := n.(map[string]any)
		if v, ok := ns["replicationFactor"]; ok && isZeroNumber(v) {
			errs = append(errs, field.Invalid(p.Child("namespaces").Index(i).Child("replicationFactor"), 0, "must be 1 to 256; leave it out for the default"))
		}
	}
	return errs
}

func isZeroNumber(v any) bool {
	switch n := v.(type) {
	case float64:
		return n == 0
	case int64:
		return n == 0
	case int:
		return n == 0
	case json.Number:
		return n.String() == "0"
	}
	return false
}

// checkQuantities parses every quantity of the spec.
func checkQuantities(spec map[string]any, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	nss, _ := spec["namespaces"].([]any)
	for i, n := range nss {
		ns, _ := n.(map[string]any)
		st, _ := ns["storage"].(map[string]any)
		errs = append(errs, checkQuantity(st["size"], p.Child("namespaces").Index(i).Child("storage", "size"))...)
	}
	res, _ := spec["resources"].(map[string]any)
	for _, kind := range []string{"limits", "requests"} {
		m, _ := res[kind].(map[string]any)
		for _, k := range slices.Sorted(maps.Keys(m)) {
			errs = append(errs, checkQuantity(m[k], p.Child("resources", kind).Key(k))...)
		}
	}
	return errs
}

func checkQuantity(v any, p *field.Path) field.ErrorList {
	switch q := v.(type) {
	case nil:
		return nil
	case string:
		if _, err := resource.ParseQuantity(q); err != nil {
			return field.ErrorList{field.Invalid(p, q, "must be a quantity such as 512Mi, 100Gi or 2")}
		}
	case float64, int64, int, json.Number:
		return nil
	default:
		return field.ErrorList{field.Invalid(p, v, "must be a quantity such as 512Mi, 100Gi or 2")}
	}
	return nil
}

// Default applies the API's defaults to spec, the same ones the XRD declares,
// plus those that depend on other fields.
func Default(spec *v1alpha1.AerospikeDatabaseSpec) {
	if spec.Edition == "" {
		spec.Edition = v1alpha1.EditionCommunity
	}
	if spec.FeatureKeySecretRef != nil && spec.FeatureKeySecretRef.Key == "" {
		spec.FeatureKeySecretRef.Key = DefaultFeatureKeyKey
	}
	for i := range spec.Namespaces {
		ns := &spec.Namespaces[i]
		if ns.ReplicationFactor == 0 {
			// Two copies survive a node loss; a single node holds one.
			ns.ReplicationFactor = min(2, max(spec.Size, 1))
		}
		if ns.DefaultTTL != "" && ns.NsupPeriod == "" && !isZero(ns.DefaultTTL) {
			ns.NsupPeriod = DefaultNsupPeriod
		}
	}
	if spec.Service == nil {
		spec.Service = &v1alpha1.ClientService{}
	}
	if spec.Service.Type == "" {
		spec.Service.Type = "ClusterIP"
	}
	if spec.PersistentVolumeClaimRetentionPolicy == nil {
		spec.PersistentVolumeClaimRetentionPolicy = &v1alpha1.PersistentVolumeClaimRetentionPolicy{}
	}
	if spec.PersistentVolumeClaimRetentionPolicy.WhenDeleted == "" {
		spec.PersistentVolumeClaimRetentionPolicy.WhenDeleted = "Retain"
	}
	if spec.PersistentVolumeClaimRetentionPolicy.WhenScaled == "" {
		spec.PersistentVolumeClaimRetentionPolicy.WhenScaled = "Retain"
	}
	if spec.TLS != nil && spec.TLS.ClientAuthentication == "" {
		spec.TLS.ClientAuthentication = "None"
	}
	if spec.AccessControl != nil {
		ref := &spec.AccessControl.AdminSecretRef
		if ref.UsernameKey == "" {
			ref.UsernameKey = "username"
		}
		if ref.PasswordKey == "" {
			ref.PasswordKey = "password"
		}
		for i := range spec.AccessControl.Users {
			if spec.AccessControl.Users[i].PasswordSecretRef.Key == "" {
				spec.AccessControl.Users[i].PasswordSecretRef.Key = DefaultPasswordKey
			}
		}
	}
}

// isZero reports whether d is a zero duration such as "0" or "0d".
func isZero(d v1alpha1.Duration) bool {
	s, err := Seconds(d)
	return err == nil && s == 0
}
