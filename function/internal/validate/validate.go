// Package validate checks an AerospikeDatabase's spec for what Aerospike
// would refuse or what would put data at risk, before anything is composed.
//
// The XRD's schema checks types and simple rules at admission, but the
// function checks again: `crossplane render` applies no schema, and some
// rules (memory against limits, roles a user references) are beyond CEL.
// Every error names the field and says how to fix it.
package validate

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/xp-aerospike/xp-aerospike/apis/aerospike/v1alpha1"
	"github.com/xp-aerospike/xp-aerospike/function/internal/access"
	"github.com/xp-aerospike/xp-aerospike/function/internal/check"
	"github.com/xp-aerospike/xp-aerospike/function/internal/database"
	"github.com/xp-aerospike/xp-aerospike/function/internal/external"
	"github.com/xp-aerospike/xp-aerospike/function/internal/tls"
	"github.com/xp-aerospike/xp-aerospike/function/internal/xr"
)

// Edition limits, from Aerospike's documented system limits. Community
// Edition refuses to start with more namespaces ("too many namespaces (max
// is 2)") and refuses to form a larger cluster.
const (
	MaxNodesCommunity       = 8
	MaxNodesEnterprise      = 256
	MaxNamespacesCommunity  = 2
	MaxNamespacesEnterprise = 32
)

// Spec validates a defaulted spec (see xr.Default).
func Spec(s *v1alpha1.AerospikeDatabaseSpec) check.Result {
	p := field.NewPath("spec")
	r := check.Result{}
	r.Errors = append(r.Errors, edition(s, p)...)
	r.Errors = append(r.Errors, racks(s, p.Child("racks"))...)
	nsErrs, minRF := namespaces(s, p.Child("namespaces"))
	r.Errors = append(r.Errors, nsErrs...)
	r.Errors = append(r.Errors, memory(s, p)...)
	if s.Edition == v1alpha1.EditionEnterprise {
		r.Errors = append(r.Errors, access.Validate(s, p.Child("accessControl"))...)
	}
	r.Errors = append(r.Errors, service(s, p.Child("service"))...)
	r.Errors = append(r.Errors, retention(s, p.Child("persistentVolumeClaimRetentionPolicy"))...)
	r.Errors = append(r.Errors, placement(s, p.Child("placement"))...)
	r.Errors = append(r.Errors, networkPolicy(s, p.Child("networkPolicy"))...)
	r.Errors = append(r.Errors, monitoring(s, p.Child("monitoring"))...)
	r.Errors = append(r.Errors, tls.Validate(s, p.Child("tls"))...)
	r.Errors = append(r.Errors, external.Validate(s, p.Child("externalAccess"))...)
	muErrs, muWarn := maxUnavailable(s, minRF, p.Child("maxUnavailable"))
	r.Errors = append(r.Errors, muErrs...)
	r.Warnings = append(r.Warnings, muWarn...)
	if w := communityData(s); w != "" {
		r.Warnings = append(r.Warnings, w)
	}
	if w := nonRootDevices(s); w != "" {
		r.Warnings = append(r.Warnings, w)
	}
	if s.Edition == v1alpha1.EditionCommunity && len(s.Racks) > 1 {
		r.Warnings = append(r.Warnings, "spec.racks: Community Edition cannot be rack-aware: the pods are spread across the racks, but two copies of a record may share a rack; use edition enterprise for rack-aware replication")
	}
	return r
}

// maxDataCommunity is the most storage Aerospike documents a Community
// Edition cluster may hold (8 nodes of 640 GiB). The server starts with more,
// so it is a warning, not an error.
var maxDataCommunity = resource.MustParse("5Ti")

// communityData warns when a Community Edition cluster's storage exceeds
// the documented limit.
func communityData(s *v1alpha1.AerospikeDatabaseSpec) string {
	if s.Edition != v1alpha1.EditionCommunity {
		return ""
	}
	perNode := resource.Quantity{}
	for _, ns := range s.Namespaces {
		perNode.Add(ns.Storage.Size)
	}
	total := resource.NewQuantity(perNode.Value()*int64(s.Size), resource.BinarySI)
	if total.Cmp(maxDataCommunity) <= 0 {
		return ""
	}
	return fmt.Sprintf("spec.namespaces: the cluster holds %s of storage (%s per node); Aerospike limits Community Edition clusters to %s (640Gi per node): use edition enterprise for more", total, perNode.String(), maxDataCommunity.String())
}

func edition(s *v1alpha1.AerospikeDatabaseSpec, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	switch s.Edition {
	case v1alpha1.EditionCommunity:
		if s.Size > MaxNodesCommunity {
			errs = append(errs, field.Invalid(p.Child("size"), s.Size, fmt.Sprintf("Community Edition clusters have at most %d nodes; lower spec.size or use edition enterprise", MaxNodesCommunity)))
		}
		if len(s.Namespaces) > MaxNamespacesCommunity {
			errs = append(errs, field.Invalid(p.Child("namespaces"), len(s.Namespaces), fmt.Sprintf("Community Edition supports at most %d namespaces; remove namespaces or use edition enterprise", MaxNamespacesCommunity)))
		}
		if s.FeatureKeySecretRef != nil {
			errs = append(errs, field.Forbidden(p.Child("featureKeySecretRef"), "a feature key is for Enterprise Edition; remove it or set spec.edition: enterprise"))
		}
		if s.AccessControl != nil {
			errs = append(errs, field.Forbidden(p.Child("accessControl"), "users and roles need Enterprise Edition: Community Edition has no access control; remove spec.accessControl or set spec.edition: enterprise"))
		}
	case v1alpha1.EditionEnterprise:
		if s.Size > MaxNodesEnterprise {
			errs = append(errs, field.Invalid(p.Child("size"), s.Size, fmt.Sprintf("Aerospike clusters have at most %d nodes", MaxNodesEnterprise)))
		}
		if len(s.Namespaces) > MaxNamespacesEnterprise {
			errs = append(errs, field.Invalid(p.Child("namespaces"), len(s.Namespaces), fmt.Sprintf("Aerospike supports at most %d namespaces", MaxNamespacesEnterprise)))
		}
		if s.FeatureKeySecretRef == nil || s.FeatureKeySecretRef.Name == "" {
			errs = append(errs, field.Required(p.Child("featureKeySecretRef", "name"), "Enterprise Edition needs a feature key: name the Secret that holds the feature key file"))
		}
	default:
		errs = append(errs, field.NotSupported(p.Child("edition"), s.Edition, []string{string(v1alpha1.EditionCommunity), string(v1alpha1.EditionEnterprise)}))
	}
	if s.Size < 1 {
		errs = append(errs, field.Invalid(p.Child("size"), s.Size, "a database needs at least 1 node"))
	}
	return errs
}

func racks(s *v1alpha1.AerospikeDatabaseSpec, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	seen := map[int32]bool{}
	for i, r := range s.Racks {
		rp := p.Index(i)
		if r.ID < 1 || r.ID > 1000000 {
			errs = append(errs, field.Invalid(rp.Child("id"), r.ID, "rack ids are 1 to 1000000"))
		}
		if seen[r.ID] {
			errs = append(errs, field.Duplicate(rp.Child("id"), r.ID))
		}
		seen[r.ID] = true
		if r.Zone != "" {
			for _, msg := range validation.IsValidLabelValue(r.Zone) {
				errs = append(errs, field.Invalid(rp.Child("zone"), r.Zone, msg))
			}
		}
		errs = append(errs, labels(r.NodeSelector, rp.Child("nodeSelector"))...)
	}
	if len(s.Racks) > int(s.Size) && s.Size > 0 {
		errs = append(errs, field.Invalid(p, len(s.Racks), "every rack needs at least one node: use at most spec.size racks"))
	}
	return errs
}

// namespaces validates the namespaces and returns the smallest replication
// factor among them.
func namespaces(s *v1alpha1.AerospikeDatabaseSpec, p *field.Path) (field.ErrorList, int32) {
	var errs field.ErrorList
	if len(s.Namespaces) == 0 {
		return field.ErrorList{field.Required(p, "declare at least one namespace")}, 0
	}
	seen := map[string]bool{}
	var minRF int32
	for i, ns := range s.Namespaces {
		np := p.Index(i)
		if ns.Name == "" || len(ns.Name) > 31 || strings.ContainsFunc(ns.Name, notNameChar) {
			errs = append(errs, field.Invalid(np.Child("name"), ns.Name, "a namespace name is 1 to 31 letters, digits, '_' or '-'"))
		}
		if seen[ns.Name] {
			errs = append(errs, field.Duplicate(np.Child("name"), ns.Name))
		}
		seen[ns.Name] = true

		rf := ns.ReplicationFactor
		switch {
		case rf < 1 || rf > 256:
			errs = append(errs, field.Invalid(np.Child("replicationFactor"), rf, "must be 1 to 256"))
		case rf > s.Size:
			errs = append(errs, field.Invalid(np.Child("replicationFactor"), rf, fmt.Sprintf("must not exceed spec.size (%d): a cluster cannot hold more copies of a record than it has nodes; lower the replication factor or raise spec.size", s.Size)))
		}
		if minRF == 0 || rf < minRF {
			minRF = rf
		}
		errs = append(errs, storage(ns.Storage, np.Child("storage"))...)

		ttl, err := xr.Seconds(ns.DefaultTTL)
		if err != nil {
			errs = append(errs, field.Invalid(np.Child("defaultTTL"), ns.DefaultTTL, err.Error()))
		}
		nsup, err := xr.Seconds(ns.NsupPeriod)
		if err != nil {
			errs = append(errs, field.Invalid(np.Child("nsupPeriod"), ns.NsupPeriod, err.Error()))
		}
		if ttl > 0 && nsup == 0 && ns.NsupPeriod != "" {
			errs = append(errs, field.Invalid(np.Child("nsupPeriod"), ns.NsupPeriod, "a namespace with a defaultTTL needs the namespace supervisor to expire records: set nsupPeriod above 0 (for example 120) or leave it unset"))
		}
		if ttl > 10*365*86400 {
			errs = append(errs, field.Invalid(np.Child("defaultTTL"), ns.DefaultTTL, "must be at most 10 years (315360000 seconds)"))
		}
	}
	return errs, minRF
}

func notNameChar(r rune) bool {
	return (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') && (r < '0' || r > '9') && r != '_' && r != '-'
}

func storage(st v1alpha1.NamespaceStorage, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	switch st.Type {
	case v1alpha1.StorageMemory:
		if st.StorageClassName != nil {
			errs = append(errs, field.Forbidden(p.Child("storageClassName"), "memory storage has no volume; remove storageClassName or use type device or file"))
		}
	case v1alpha1.StorageDevice, v1alpha1.StorageFile:
	default:
		errs = append(errs, field.NotSupported(p.Child("type"), st.Type, []string{string(v1alpha1.StorageMemory), string(v1alpha1.StorageDevice), string(v1alpha1.StorageFile)}))
	}
	if st.Size.Sign() <= 0 {
		errs = append(errs, field.Invalid(p.Child("size"), st.Size.String(), "must be a positive quantity such as 4Gi"))
	}
	return errs
}

// memory checks that the memory namespaces fit in the container: Aerospike
// allocates each one's data-size up front, and a container over its limit is
// killed, taking its copy of every record with it.
func memory(s *v1alpha1.AerospikeDatabaseSpec, p *field.Path) field.ErrorList {
	if s.Resources == nil {
		return nil
	}
	total := resource.Quantity{}
	for _, ns := range s.Namespaces {
		if ns.Storage.Type == v1alpha1.StorageMemory {
			total.Add(ns.Storage.Size)
		}
	}
	var errs field.ErrorList
	for _, kind := range []struct {
		list corev1.ResourceList
		name string
	}{{s.Resources.Limits, "limits"}, {s.Resources.Requests, "requests"}} {
		m, ok := kind.list[corev1.ResourceMemory]
		if !ok || total.IsZero() {
			continue
		}
		if m.Cmp(total) <= 0 {
			errs = append(errs, field.Invalid(p.Child("resources", kind.name, "memory"), m.String(),
				fmt.Sprintf("must exceed the memory namespaces' total size (%s) with room for the index and the server itself; raise it or shrink the memory namespaces", total.String())))
		}
	}
	return errs
}

func service(s *v1alpha1.AerospikeDatabaseSpec, p *field.Path) field.ErrorList {
	switch s.Service.Type {
	case corev1.ServiceTypeClusterIP, corev1.ServiceTypeNodePort, corev1.ServiceTypeLoadBalancer:
		return nil
	default:
		return field.ErrorList{field.NotSupported(p.Child("type"), s.Service.Type, []string{"ClusterIP", "NodePort", "LoadBalancer"})}
	}
}

func retention(s *v1alpha1.AerospikeDatabaseSpec, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	r := s.PersistentVolumeClaimRetentionPolicy
	for _, f := range []struct{ name, v string }{{"whenDeleted", r.WhenDeleted}, {"whenScaled", r.WhenScaled}} {
		if f.v != "Retain" && f.v != "Delete" {
			errs = append(errs, field.NotSupported(p.Child(f.name), f.v, []string{"Retain", "Delete"}))
		}
	}
	return errs
}

func placement(s *v1alpha1.AerospikeDatabaseSpec, p *field.Path) field.ErrorList {
	if s.Placement == nil {
		return nil
	}
	return labels(s.Placement.NodeSelector, p.Child("nodeSelector"))
}

// networkPolicy checks the client namespaces: each becomes a label value
// the NetworkPolicy selects a namespace by, which the apiserver would
// refuse only when the composed object is applied, far from the field.
func networkPolicy(s *v1alpha1.AerospikeDatabaseSpec, p *field.Path) field.ErrorList {
	if s.NetworkPolicy == nil {
		return nil
	}
	var errs field.ErrorList
	for i, ns := range s.NetworkPolicy.ClientNamespaces {
		for _, msg := range validation.IsDNS1123Label(ns) {
			errs = append(errs, field.Invalid(p.Child("clientNamespaces").Index(i), ns, msg+"; name a namespace"))
		}
	}
	return errs
}

// scrapeIntervalRe is a Prometheus duration as the ServiceMonitor's schema
// accepts it.
var scrapeIntervalRe = regexp.MustCompile(`^(0|((\d+)h)?((\d+)m)?((\d+)s)?((\d+)ms)?)$`)

// monitoring checks what the exporter logs in as and what the
// ServiceMonitor carries. With access control the exporter must log in:
// without a user it would only collect login failures.
func monitoring(s *v1alpha1.AerospikeDatabaseSpec, p *field.Path) field.ErrorList {
	m := s.Monitoring
	if m == nil {
		return nil
	}
	var errs field.ErrorList
	security := s.AccessControl != nil
	switch {
	case m.ExporterUser == "" && security && m.Enabled:
		errs = append(errs, field.Required(p.Child("exporterUser"), "name the user of spec.accessControl.users the exporter logs in as (with the predefined read role)"))
	case m.ExporterUser != "" && !security:
		errs = append(errs, field.Invalid(p.Child("exporterUser"), m.ExporterUser, "needs spec.accessControl: without access control the exporter logs in as nobody"))
	case m.ExporterUser != "" && !slices.ContainsFunc(s.AccessControl.Users, func(u v1alpha1.User) bool { return u.Name == m.ExporterUser }):
		errs = append(errs, field.Invalid(p.Child("exporterUser"), m.ExporterUser, "must name one of spec.accessControl.users"))
	}
	if m.ScrapeInterval != "" && !scrapeIntervalRe.MatchString(m.ScrapeInterval) {
		errs = append(errs, field.Invalid(p.Child("scrapeInterval"), m.ScrapeInterval, "must be a Prometheus duration such as 30s or 1m"))
	}
	errs = append(errs, labels(m.ServiceMonitorLabels, p.Child("serviceMonitorLabels"))...)
	return errs
}

// nonRootDevices warns that a non-root server reaches raw devices only
// where the container runtime gives the pod's user their ownership.
func nonRootDevices(s *v1alpha1.AerospikeDatabaseSpec) string {
	if s.PodSecurity == nil || !s.PodSecurity.RunAsNonRoot {
		return ""
	}
	for _, ns := range s.Namespaces {
		if ns.Storage.Type == v1alpha1.StorageDevice {
			return fmt.Sprintf("spec.podSecurity.runAsNonRoot: namespace %q uses device storage, which a non-root server can open only where the container runtime hands block devices to the pod's user (containerd: device_ownership_from_security_context = true); otherwise the nodes cannot start", ns.Name)
		}
	}
	return ""
}

func labels(m map[string]string, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, msg := range validation.IsQualifiedName(k) {
			errs = append(errs, field.Invalid(p.Key(k), k, msg))
		}
		for _, msg := range validation.IsValidLabelValue(m[k]) {
			errs = append(errs, field.Invalid(p.Key(k), m[k], msg))
		}
	}
	return errs
}

// maxUnavailable checks the disruption budget against the smallest
// replication factor: with RF copies of a record, RF nodes down at once can
// take every copy.
func maxUnavailable(s *v1alpha1.AerospikeDatabaseSpec, minRF int32, p *field.Path) (field.ErrorList, []string) {
	if minRF < 1 {
		return nil, nil
	}
	allowed := minRF - 1
	if s.MaxUnavailable != nil && *s.MaxUnavailable > allowed {
		return field.ErrorList{field.Invalid(p, *s.MaxUnavailable, fmt.Sprintf("must be below the smallest replication factor (%d) so a disruption never takes every copy of a record; use at most %d", minRF, allowed))}, nil
	}
	if database.MaxUnavailable(s, minRF) == 0 && s.Size > 1 {
		return nil, []string{"spec.maxUnavailable is 0 because a namespace has replication factor 1: node drains will wait until you raise the replication factor or remove the database's pods yourself"}
	}
	return nil, nil
}
