package external

import (
	"net"
	"strconv"

	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/xp-aerospike/xp-aerospike/function/internal/database"
	"github.com/xp-aerospike/xp-aerospike/internal/asconfig"
)

// A node advertises its own Service's address to clients
// outside the Kubernetes cluster as network.service's
// alternate-access-address and alternate-access-port (with TLS,
// tls-alternate-access-address and tls-alternate-access-port). The address differs
// per pod and is known only once Kubernetes allocates it, after the pod
// template is written, so the rack's aerospike.conf carries placeholders and
// the ConfigMap a key per pod with its address; a pod's init container
// writes the configuration with its own address into layout.ConfDir, which the
// server reads. Neither the per-pod keys nor the addresses are part of a
// rack's configuration or hash, so an address that arrives or changes
// restarts no node.
const (
	// AddressPlaceholder and PortPlaceholder stand for the pod's
	// external address and port in a rack's aerospike.conf.
	AddressPlaceholder = "@EXTERNAL_ADDRESS@"
	PortPlaceholder    = "@EXTERNAL_PORT@"

	// ConfigMapDir is where the init container of a database with
	// external access mounts the whole ConfigMap: every rack's
	// configuration and every pod's external address.
	ConfigMapDir = "/etc/aerospike/configmap"

	keyPrefix = "external-"
)

// Key is the ConfigMap key holding a pod's external address.
func Key(pod string) string { return keyPrefix + pod }

// Address is a node's external address.
type Address struct {
	// Host is an IP address or a DNS name; empty means the IP of the
	// Kubernetes node the pod runs on, which only the pod knows.
	Host string
	Port int32
}

// String writes the address as the ConfigMap holds it: host:port, or
// :port for the pod's node's IP. The init container splits it at the last
// colon, so an IPv6 host keeps its own.
func (a Address) String() string { return a.Host + ":" + strconv.Itoa(int(a.Port)) }

// Valid reports whether the address may be written into aerospike.conf:
// an IP address or a DNS name (or none), and a port. Anything else came
// from an object the function does not control and is not substituted
// into a configuration.
func (a Address) Valid() bool {
	if a.Port < 1 || a.Port > 65535 {
		return false
	}
	return a.Host == "" || net.ParseIP(a.Host) != nil || len(validation.IsDNS1123Subdomain(a.Host)) == 0
}

// Configure adds the placeholders of the pod's external address to a
// merged, validated configuration: the schema wants a number for the port,
// which the placeholder is not, so they are added after validation, like
// the seeds.
func Configure(d *database.Database, c asconfig.Conf) {
	if d.Spec.ExternalAccess == nil {
		return
	}
	prefix := ""
	if d.TLS() {
		// Applications reach only the TLS port; so do external ones.
		prefix = "tls-"
	}
	svc := c["network"].(asconfig.Conf)["service"].(asconfig.Conf) //nolint:forcetypeassert // spec builds these maps.
	svc[prefix+"alternate-access-addresses"] = []any{AddressPlaceholder}
	svc[prefix+"alternate-access-port"] = PortPlaceholder
}

// Owned refuses alternate access settings in the user's configuration c
// (at path p) when the spec's external access decides them.
func Owned(d *database.Database, c asconfig.Conf, p *field.Path) field.ErrorList {
	if d.Spec.ExternalAccess == nil {
		return nil
	}
	var errs field.ErrorList
	network, _ := c["network"].(map[string]any)
	m, _ := network["service"].(map[string]any)
	for _, k := range []string{
		"alternate-access-address", "alternate-access-addresses", "alternate-access-port",
		"tls-alternate-access-address", "tls-alternate-access-addresses", "tls-alternate-access-port",
	} {
		if _, ok := m[k]; ok {
			errs = append(errs, field.Forbidden(p.Child("network", "service", k), "is managed by xp-aerospike: with spec.externalAccess every node advertises its own Service's address; remove spec.externalAccess to set it here"))
		}
	}
	return errs
}
