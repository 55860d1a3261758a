// Package tls is TLS, in one place: the spec's checks, the TLS context
// and ports of aerospike.conf, the certificate Secret's volume and the
// server container's mount and ports, and what a client is told in the
// connection details. The builders call it. Which channels run TLS and the
// name the certificate carries are resolved on the database (TLS,
// FabricTLS, HeartbeatTLS, TLSName); that the nodes keep one setting for
// the fabric and heartbeat is the guard's (see plan.Guard).
package tls

import (
	"strconv"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/xp-aerospike/xp-aerospike/apis/aerospike/v1alpha1"
	providerv1alpha1 "github.com/xp-aerospike/xp-aerospike/apis/provider/v1alpha1"
	"github.com/xp-aerospike/xp-aerospike/function/internal/database"
	"github.com/xp-aerospike/xp-aerospike/function/internal/layout"
	"github.com/xp-aerospike/xp-aerospike/internal/asconfig"
)

// volume is the pod's volume of the certificate Secret.
const volume = "tls"

// Validate refuses TLS (spec.tls, at p) on Community Edition, whose server has none (it would
// refuse the configuration), and checks what the certificate must carry.
func Validate(s *v1alpha1.AerospikeDatabaseSpec, p *field.Path) field.ErrorList {
	t := s.TLS
	if t == nil {
		return nil
	}
	if s.Edition != v1alpha1.EditionEnterprise {
		return field.ErrorList{field.Forbidden(p, "TLS needs edition enterprise: Community Edition servers have no TLS; remove spec.tls or use edition enterprise")}
	}
	var errs field.ErrorList
	if t.SecretName == "" {
		errs = append(errs, field.Required(p.Child("secretName"), "name the Secret holding tls.crt, tls.key and ca.crt (a cert-manager Certificate's secretName)"))
	}
	if t.Name != "" {
		for _, msg := range validation.IsDNS1123Subdomain(t.Name) {
			errs = append(errs, field.Invalid(p.Child("name"), t.Name, msg+"; the TLS name is a DNS name in the certificate"))
		}
	}
	if t.ClientAuthentication != "None" && t.ClientAuthentication != "Required" {
		errs = append(errs, field.NotSupported(p.Child("clientAuthentication"), t.ClientAuthentication, []string{"None", "Required"}))
	}
	return errs
}

// Configure adds TLS to aerospike.conf's network section: one TLS context from the
// Secret's files; a TLS client port beside the plain one (which the
// provider, the exporter and the probes keep using inside the pod's
// network); and, when asked, TLS in place of the plain fabric and
// heartbeat ports, since the nodes must all speak one or the other.
func Configure(d *database.Database, network asconfig.Conf) {
	name := d.TLSName()
	network["tls"] = []any{asconfig.Conf{
		"name":      name,
		"cert-file": layout.TLSDir + "/" + layout.TLSCertFile,
		"key-file":  layout.TLSDir + "/" + layout.TLSKeyFile,
		"ca-file":   layout.TLSDir + "/" + layout.TLSCAFile,
	}}
	auth := "false"
	if d.Spec.TLS.ClientAuthentication == "Required" {
		auth = "any"
	}
	service := network["service"].(asconfig.Conf) //nolint:forcetypeassert // spec builds these maps.
	service["tls-port"], service["tls-name"], service["tls-authenticate-client"] = int64(database.TLSServicePort), name, auth
	for _, ch := range []struct {
		on   bool
		key  string
		port int
	}{{d.FabricTLS(), "fabric", database.TLSFabricPort}, {d.HeartbeatTLS(), "heartbeat", database.TLSHeartbeatPort}} {
		if !ch.on {
			continue
		}
		sec := network[ch.key].(asconfig.Conf) //nolint:forcetypeassert // spec builds these maps.
		delete(sec, "port")
		sec["tls-port"], sec["tls-name"] = int64(ch.port), name
	}
}

// ConnectionDetails returns what a client needs to connect over TLS besides the CA: the
// name the nodes' certificate carries and the port; none without TLS.
func ConnectionDetails(d *database.Database) map[string]string {
	if !d.TLS() {
		return nil
	}
	return map[string]string{providerv1alpha1.ConnectionKeyTLSName: d.TLSName(), providerv1alpha1.ConnectionKeyTLSPort: strconv.Itoa(database.TLSServicePort)}
}

// Server adds the certificate's mount and the TLS ports to the server
// container; without TLS it is left as it is.
func Server(d *database.Database, c *corev1.Container) {
	if !d.TLS() {
		return
	}
	c.VolumeMounts = append(c.VolumeMounts, corev1.VolumeMount{Name: volume, MountPath: layout.TLSDir, ReadOnly: true})
	c.Ports = append(c.Ports, corev1.ContainerPort{Name: "tls-service", ContainerPort: database.TLSServicePort})
	if d.FabricTLS() {
		c.Ports = append(c.Ports, corev1.ContainerPort{Name: "tls-fabric", ContainerPort: database.TLSFabricPort})
	}
	if d.HeartbeatTLS() {
		c.Ports = append(c.Ports, corev1.ContainerPort{Name: "tls-heartbeat", ContainerPort: database.TLSHeartbeatPort})
	}
}

// Volumes returns the pod's volume of the certificate Secret; none without
// TLS.
func Volumes(d *database.Database) []corev1.Volume {
	var vs []corev1.Volume
	if d.TLS() {
		// The Secret's three files, by the names cert-manager writes.
		// The kubelet updates them when cert-manager renews the
		// certificate; the server reads them when it starts.
		vs = append(vs, corev1.Volume{
			Name: volume,
			VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{
				SecretName: d.Spec.TLS.SecretName,
				Items: []corev1.KeyToPath{
					{Key: layout.TLSCertFile, Path: layout.TLSCertFile},
					{Key: layout.TLSKeyFile, Path: layout.TLSKeyFile},
					{Key: layout.TLSCAFile, Path: layout.TLSCAFile},
				},
			}},
		})
	}
	return vs
}
