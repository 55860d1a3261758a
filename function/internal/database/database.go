// Package database resolves a validated AerospikeDatabase into the concrete
// cluster the builders compose: its server version and image, its racks with
// their node counts, and the names and DNS names of what is composed.
//
// Everything derived from the spec in more than one place is derived here,
// once, so the builders agree: the StatefulSet of a rack and the seed list of
// aerospike.conf name the same pods.
package database

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/crossplane/crossplane-runtime/v2/pkg/xcrd"

	"github.com/xp-aerospike/xp-aerospike/apis/aerospike/v1alpha1"
	"github.com/xp-aerospike/xp-aerospike/function/input/v1beta1"
	"github.com/xp-aerospike/xp-aerospike/function/internal/check"
	"github.com/xp-aerospike/xp-aerospike/function/internal/names"
	"github.com/xp-aerospike/xp-aerospike/internal/asconfig"
)

// Defaults for what neither the spec nor the function's input sets.
const (
	DefaultRegistry      = "docker.io"
	DefaultClusterDomain = "cluster.local"
	// DefaultProviderNamespace is where Crossplane installs providers.
	DefaultProviderNamespace = "crossplane-system"
	DefaultExporterImage     = "aerospike/aerospike-prometheus-exporter:v1.16.1"
)

// Aerospike's standard ports, and the TLS ports of each channel.
const (
	ServicePort      = 3000
	FabricPort       = 3001
	HeartbeatPort    = 3002
	TLSServicePort   = 4333
	TLSFabricPort    = 3011
	TLSHeartbeatPort = 3012
)

// Database is one AerospikeDatabase, resolved.
type Database struct {
	// Name of the XR, and Namespace, where the composed objects live: the
	// XR's own or, for a claimed cluster-scoped XR, its claim's.
	Name      string
	Namespace string

	// Names of the composed objects.
	Names names.Names

	// ClusterName is the cluster-name every node and client checks: the
	// XR's name, shortened with a hash where it is longer than asd allows.
	ClusterName string

	// Spec is the defaulted, validated spec.
	Spec *v1alpha1.AerospikeDatabaseSpec

	// Version of the server, such as 8.1.0.0, and the schema that governs
	// its configuration.
	Version string
	Schema  *asconfig.Schema

	// Image of the server.
	Image string

	// Racks in spec order. A database that declares none has one rack with
	// ID 0.
	Racks []Rack

	// ClusterDomain is the cluster's DNS domain.
	ClusterDomain string
	// ProviderNamespace is where the provider runs.
	ProviderNamespace string

	// Storage of each namespace, in spec order.
	Storage []Storage

	// ExporterImage of the Prometheus exporter sidecar.
	ExporterImage string

	// PrometheusOperator is the platform's word that the cluster runs the
	// Prometheus Operator; ServiceMonitors is whether its CRD was found,
	// which only the request tells (see the function's requirements).
	PrometheusOperator bool
	ServiceMonitors    bool

	// MaxUnavailable is how many nodes a voluntary disruption may take at
	// once.
	MaxUnavailable int32
}

// Rack is one failure domain: one StatefulSet.
type Rack struct {
	ID           int32
	Nodes        int32
	Zone         string
	NodeSelector map[string]string
	Tolerations  []corev1.Toleration
	StatefulSet  string

	// Leaving is true for a rack the spec no longer declares whose
	// StatefulSet still runs pods: it drains to no node through the plan,
	// never all at once.
	Leaving bool
}

// Leave adds the racks of ids, which the spec no longer declares but which
// still run pods, to d's racks as leaving racks of no node, in ID order.
func (d *Database) Leave(ids []int32) {
	for _, id := range slices.Sorted(slices.Values(ids)) {
		if slices.ContainsFunc(d.Racks, func(r Rack) bool { return r.ID == id }) {
			continue
		}
		d.Racks = append(d.Racks, Rack{ID: id, StatefulSet: d.Names.StatefulSet(id), Leaving: true})
	}
}

// maxClusterName is the longest cluster-name asd accepts.
const maxClusterName = 63

// newerThanSchema warns when version is of a newer line than the newest
// schema, which then checks its configuration.
func newerThanSchema(version string, sch *asconfig.Schema) check.Result {
	v, err1 := asconfig.ParseVersion(version)
	sv, err2 := asconfig.ParseVersion(sch.Version())
	if err1 != nil || err2 != nil || v[0] < sv[0] || v[0] == sv[0] && v[1] <= sv[1] {
		return check.Result{}
	}
	return check.Warning(fmt.Sprintf("spec.version: %s is newer than the newest server configuration this function knows (%d.%d): aerospike.conf is checked against %d.%d's, so a setting %d.%d added or changed is not checked",
		version, sv[0], sv[1], sv[0], sv[1], v[0], v[1]))
}

var versionRe = regexp.MustCompile(`^\d+\.\d+\.\d+(\.\d+)?(_\d+)?$`)

// New resolves a defaulted, validated XR with the function's input, which
// may be nil. Errors name the spec field at fault.
func New(xr *v1alpha1.AerospikeDatabase, in *v1beta1.Input) (*Database, check.Result) {
	if in == nil {
		in = &v1beta1.Input{}
	}
	ns, nsErr := namespace(xr)
	if nsErr != nil {
		return nil, check.Errors(nsErr)
	}
	s := &xr.Spec
	d := &Database{
		Name:               xr.GetName(),
		Namespace:          ns,
		Names:              names.For(xr.GetName()),
		ClusterName:        names.Fit(xr.GetName(), "", maxClusterName),
		Spec:               s,
		ClusterDomain:      or(in.ClusterDomain, DefaultClusterDomain),
		ProviderNamespace:  or(in.ProviderNamespace, DefaultProviderNamespace),
		ExporterImage:      or(in.ExporterImage, DefaultExporterImage),
		PrometheusOperator: in.PrometheusOperator,
	}
	p := field.NewPath("spec")

	d.Version = s.Version
	switch {
	case d.Version != "":
	case s.Image != "":
		d.Version = tagVersion(s.Image)
		if d.Version == "" {
			return nil, check.Errors(field.Required(p.Child("version"), "set the server version (for example 8.1.0.0): it cannot be read from spec.image's tag"))
		}
	case in.DefaultVersion != "":
		d.Version = in.DefaultVersion
	default:
		return nil, check.Errors(field.Required(p.Child("version"), "set the server version (for example 8.1.0.0), or ask the platform team to set a default version in the function's input"))
	}
	if !versionRe.MatchString(d.Version) {
		return nil, check.Errors(field.Invalid(p.Child("version"), d.Version, "must be a server version such as 8.1.0.0"))
	}
	sch, err := asconfig.SchemaFor(d.Version)
	if err != nil {
		return nil, check.Errors(field.Invalid(p.Child("version"), d.Version, err.Error()))
	}
	d.Schema = sch
	var r check.Result
	r.Add(newerThanSchema(d.Version, sch))

	d.Image = s.Image
	if tag := tagVersion(s.Image); tag != "" && s.Version != "" && tag != s.Version {
		r.Add(check.Warning(fmt.Sprintf("spec.image: its tag names version %s but spec.version is %s: the configuration is written for %s; make them agree", tag, s.Version, s.Version)))
	}
	if d.Image == "" {
		repo := "aerospike/aerospike-server"
		if s.Edition == v1alpha1.EditionEnterprise {
			repo += "-enterprise"
		}
		d.Image = or(in.Registry, DefaultRegistry) + "/" + repo + ":" + d.Version
	}

	d.Racks = split(s, d.Names)
	d.Storage = storage(s, in)
	d.MaxUnavailable = MaxUnavailable(s, MinReplicationFactor(s))
	return d, r
}

// namespace returns the namespace the XR's objects are composed in. A
// namespaced XR (the v2 flavour) composes into its own namespace. A legacy
// cluster-scoped XR (the claims flavour) has none: Crossplane creates it for
// a claim and labels it with the claim's namespace, where the team that
// claimed the database finds its Services, Secret and StatefulSets.
func namespace(xr *v1alpha1.AerospikeDatabase) (string, *field.Error) {
	if ns := xr.GetNamespace(); ns != "" {
		return ns, nil
	}
	p := field.NewPath("metadata", "labels").Key(xcrd.LabelKeyClaimNamespace)
	ns := xr.GetLabels()[xcrd.LabelKeyClaimNamespace]
	if ns == "" {
		return "", field.Required(p, "a cluster-scoped AerospikeDatabase composes into the namespace of its claim, and this one has none: "+
			"create it through an AerospikeDatabase claim in the namespace the database should run in, and Crossplane sets this label")
	}
	if msgs := validation.IsDNS1123Label(ns); len(msgs) > 0 {
		return "", field.Invalid(p, ns, strings.Join(msgs, "; ")+"; it must name the claim's namespace")
	}
	return ns, nil
}

// split spreads the nodes evenly over the racks; the first racks take one
// more when the split is uneven.
func split(s *v1alpha1.AerospikeDatabaseSpec, n names.Names) []Rack {
	specs := s.Racks
	if len(specs) == 0 {
		specs = []v1alpha1.Rack{{ID: 0}}
	}
	k := int32(len(specs)) //nolint:gosec // validation allows at most spec.size racks, and at most 256 nodes.
	out := make([]Rack, 0, len(specs))
	for i, r := range specs {
		nodes := s.Size / k
		if int32(i) < s.Size%k {
			nodes++
		}
		out = append(out, Rack{
			ID:           r.ID,
			Nodes:        nodes,
			Zone:         r.Zone,
			NodeSelector: r.NodeSelector,
			Tolerations:  r.Tolerations,
			StatefulSet:  n.StatefulSet(r.ID),
		})
	}
	return out
}

// tagVersion reads a server version from an image reference's tag, such as
// 8.1.0.0 from aerospike/aerospike-server-enterprise:8.1.0.0. It returns ""
// when the reference has no such tag (for example a digest).
func tagVersion(image string) string {
	if strings.Contains(image, "@") {
		return ""
	}
	last := image[strings.LastIndex(image, "/")+1:]
	i := strings.LastIndex(last, ":")
	if i < 0 {
		return ""
	}
	tag := last[i+1:]
	if !versionRe.MatchString(tag) {
		return ""
	}
	return tag
}

// RackAware reports whether aerospike.conf carries rack-id: only Enterprise
// Edition supports it (Community Edition refuses to start with it), and only
// declared racks have an ID.
func (d *Database) RackAware() bool {
	return d.Spec.Edition == v1alpha1.EditionEnterprise && len(d.Spec.Racks) > 0
}

// Enterprise reports whether the database runs Enterprise Edition.
func (d *Database) Enterprise() bool { return d.Spec.Edition == v1alpha1.EditionEnterprise }

// Security reports whether access control is enabled.
func (d *Database) Security() bool { return d.Enterprise() && d.Spec.AccessControl != nil }

// TLS reports whether the spec asks for TLS; TLSName is then the name
// the certificate carries.
func (d *Database) TLS() bool { return d.Spec.TLS != nil }

// TLSName is the name clients and peers verify in the certificate.
func (d *Database) TLSName() string {
	if d.Spec.TLS != nil && d.Spec.TLS.Name != "" {
		return d.Spec.TLS.Name
	}
	return d.Name
}

// FabricTLS and HeartbeatTLS report whether the nodes talk to each other
// over TLS on that channel.
func (d *Database) FabricTLS() bool { return d.TLS() && d.Spec.TLS.Fabric }

// HeartbeatTLS reports whether the heartbeat runs over TLS.
func (d *Database) HeartbeatTLS() bool { return d.TLS() && d.Spec.TLS.Heartbeat }

// Monitoring reports whether the exporter runs next to every node.
func (d *Database) Monitoring() bool { return d.Spec.Monitoring != nil && d.Spec.Monitoring.Enabled }

// ExporterUser returns the user the exporter logs in as, if access control
// is on and monitoring names one.
func (d *Database) ExporterUser() (v1alpha1.User, bool) {
	if !d.Security() || !d.Monitoring() {
		return v1alpha1.User{}, false
	}
	for _, u := range d.Spec.AccessControl.Users {
		if u.Name == d.Spec.Monitoring.ExporterUser {
			return u, true
		}
	}
	return v1alpha1.User{}, false
}

// PodHost returns the stable DNS name of a rack's pod under the headless
// Service.
func (d *Database) PodHost(r Rack, ordinal int32) string {
	return r.StatefulSet + "-" + strconv.Itoa(int(ordinal)) + "." + d.Names.HeadlessService() + "." + d.Namespace + ".svc." + d.ClusterDomain
}

// PodHosts returns every pod's DNS name, rack by rack.
func (d *Database) PodHosts() []string {
	out := make([]string, 0, d.Spec.Size)
	for _, r := range d.Racks {
		for i := range r.Nodes {
			out = append(out, d.PodHost(r, i))
		}
	}
	return out
}

// ServiceHost returns the DNS name of the client Service.
func (d *Database) ServiceHost() string {
	return d.Names.ClientService() + "." + d.Namespace + ".svc." + d.ClusterDomain
}

// Endpoint returns the host:port applications connect to.
func (d *Database) Endpoint() string {
	return d.ServiceHost() + ":" + strconv.Itoa(ServicePort)
}

// Persistent reports whether any namespace keeps its data on a volume.
func (d *Database) Persistent() bool {
	for _, st := range d.Storage {
		if st.Persistent() {
			return true
		}
	}
	return false
}

func or(v, def string) string {
	if v != "" {
		return v
	}
	return def
}

// MaxUnavailable returns how many nodes may be down at once: the user's
// choice, else one, and never as many as the smallest replication factor.
func MaxUnavailable(s *v1alpha1.AerospikeDatabaseSpec, minRF int32) int32 {
	if s.MaxUnavailable != nil {
		return min(*s.MaxUnavailable, max(minRF-1, 0))
	}
	return min(1, max(minRF-1, 0))
}

// MinReplicationFactor returns the smallest replication factor of the spec's
// namespaces.
func MinReplicationFactor(s *v1alpha1.AerospikeDatabaseSpec) int32 {
	var m int32
	for _, ns := range s.Namespaces {
		if m == 0 || ns.ReplicationFactor < m {
			m = ns.ReplicationFactor
		}
	}
	return m
}
