// Package names derives the Kubernetes names and labels of everything
// composed for one AerospikeDatabase.
//
// An XR's name may be up to 63 characters and may start with a digit, but a
// Service name must be a DNS-1035 label (a letter first, at most 63) and a
// StatefulSet's name must leave room for its pods' ordinal and controller
// revision hash. Names that would not fit are shortened with a hash of the
// full name, so they stay unique and stable across renders.
package names

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
)

// Kubernetes name limits that shape ours.
const (
	// MaxLabel is the length of a DNS label: Service names, pod host names
	// and label values.
	MaxLabel = 63

	// MaxStatefulSet is the longest StatefulSet name whose pods still get a
	// controller-revision-hash label (name + "-" + 10 characters) that fits
	// in a label value.
	MaxStatefulSet = 52

	hashLen = 8
)

// Labels and annotations this project puts on composed objects.
const (
	LabelName      = "app.kubernetes.io/name"
	LabelInstance  = "app.kubernetes.io/instance"
	LabelComponent = "app.kubernetes.io/component"
	LabelManagedBy = "app.kubernetes.io/managed-by"
	LabelRack      = "aerospike.xp-aerospike.io/rack"

	// AnnotationConfigHash carries the hash of a rack's aerospike.conf on
	// the pod template, so a static configuration change rolls the pods.
	AnnotationConfigHash = "aerospike.xp-aerospike.io/config-hash"

	// ServerContainer is the pod's container that runs asd.
	ServerContainer = "aerospike-server"

	// AppName is the value of LabelName.
	AppName = "aerospike"
	// ManagedBy is the value of LabelManagedBy.
	ManagedBy = "xp-aerospike"
)

// Names of one database's composed objects.
type Names struct {
	// Base is the database's name made a valid DNS-1035 label.
	Base string

	// Database is the XR's name, unchanged.
	Database string
}

// For returns the names of the objects composed for the database named xr.
func For(xr string) Names {
	base := strings.ToLower(xr)
	if strings.Contains(base, ".") {
		// XR names may hold dots; DNS labels may not. The hash keeps
		// "a.b" and "a-b" apart.
		base = strings.ReplaceAll(base, ".", "-") + "-" + shortHash(xr)
	}
	if base == "" || base[0] < 'a' || base[0] > 'z' {
		// Services must start with a letter.
		base = "as-" + base
	}
	return Names{Base: base, Database: xr}
}

// ClientService is the Service applications connect to.
func (n Names) ClientService() string { return Fit(n.Base, "", MaxLabel) }

// HeadlessService is the Service that gives every pod a stable DNS name.
func (n Names) HeadlessService() string { return Fit(n.Base, "-headless", MaxLabel) }

// ConfigMap holds the rendered aerospike.conf of every rack.
func (n Names) ConfigMap() string { return Fit(n.Base, "-config", MaxLabel) }

// ConnectionSecret tells applications how to connect.
func (n Names) ConnectionSecret() string { return Fit(n.Base, "-connection", MaxLabel) }

// PodDisruptionBudget limits voluntary disruptions of the database's pods.
func (n Names) PodDisruptionBudget() string { return Fit(n.Base, "", MaxLabel) }

// MetricsService selects the exporters of every node for Prometheus.
func (n Names) MetricsService() string { return Fit(n.Base, "-metrics", MaxLabel) }

// ServiceMonitor tells the Prometheus Operator to scrape MetricsService.
func (n Names) ServiceMonitor() string { return Fit(n.Base, "", MaxLabel) }

// Dashboard is the ConfigMap holding the Grafana dashboard.
func (n Names) Dashboard() string { return Fit(n.Base, "-dashboard", MaxLabel) }

// StatefulSet runs the nodes of one rack. Rack 0 is the single rack of a
// database that declares none.
func (n Names) StatefulSet(rack int32) string {
	return Fit(n.Base, "-"+strconv.Itoa(int(rack)), MaxStatefulSet)
}

// ConfigKey is the ConfigMap key holding one rack's aerospike.conf.
func ConfigKey(rack int32) string { return "rack-" + strconv.Itoa(int(rack)) + ".conf" }

// Selector returns the labels that select every pod of the database.
func (n Names) Selector() map[string]string {
	return map[string]string{LabelName: AppName, LabelInstance: n.labelValue()}
}

// RackSelector returns the labels that select the pods of one rack.
func (n Names) RackSelector(rack int32) map[string]string {
	s := n.Selector()
	s[LabelRack] = strconv.Itoa(int(rack))
	return s
}

// Labels returns the labels of a composed object of the given component.
func (n Names) Labels(component string) map[string]string {
	l := n.Selector()
	l[LabelComponent] = component
	l[LabelManagedBy] = ManagedBy
	return l
}

func (n Names) labelValue() string { return Fit(n.Base, "", MaxLabel) }

// Fit returns base+suffix when it is at most limit long. Otherwise it shortens
// base and appends a hash of the whole base, so that distinct long names stay
// distinct and the same name always gives the same result.
func Fit(base, suffix string, limit int) string {
	if len(base)+len(suffix) <= limit {
		return base + suffix
	}
	h := shortHash(base)
	keep := limit - len(suffix) - hashLen - 1
	if keep < 1 {
		keep = 1
	}
	short := strings.TrimRight(base[:min(keep, len(base))], "-.")
	return short + "-" + h + suffix
}

// Member returns the object name of a named member of the database, such
// as a user or a role: base-kind-name, made a DNS label. Aerospike names may
// hold characters Kubernetes names may not; when the name had to change, a
// hash of the original keeps two members from colliding.
func (n Names) Member(kind, name string) string {
	return Fit(n.Base+"-"+kind+"-"+label(name), "", MaxLabel)
}

// ProviderConfig is the provider config through which the provider's
// objects of the database reach it.
func (n Names) ProviderConfig() string { return Fit(n.Base, "", MaxLabel) }

// ClusterStatus observes the database's cluster.
func (n Names) ClusterStatus() string { return Fit(n.Base, "", MaxLabel) }

// label makes s a DNS label fragment: lower case letters, digits and '-',
// with a hash of s appended when anything had to change.
func label(s string) string {
	clean := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-':
			return r
		case r >= 'A' && r <= 'Z':
			return r + ('a' - 'A')
		default:
			return '-'
		}
	}, s)
	if clean == s && s != "" && !strings.HasSuffix(s, "-") {
		return s
	}
	return strings.Trim(clean, "-") + "-" + shortHash(s)
}

// Volume returns the volume name of a namespace's data: a DNS label derived
// from the namespace name. Aerospike namespace names may hold upper case and
// underscores; when the name had to change, a hash of the original keeps two
// namespaces from colliding.
func Volume(namespace string) string {
	return Fit("data-"+label(namespace), "", MaxLabel)
}

func shortHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])[:hashLen]
}
