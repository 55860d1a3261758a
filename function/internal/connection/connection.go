// Package connection composes the Secret that tells applications how to
// reach an AerospikeDatabase. Its keys are environment variable names, so a
// Deployment can take them all with envFrom.
package connection

import (
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	providerv1alpha1 "github.com/xp-aerospike/xp-aerospike/apis/provider/v1alpha1"
	"github.com/xp-aerospike/xp-aerospike/function/internal/database"
	"github.com/xp-aerospike/xp-aerospike/function/internal/tls"
)

// Keys of the connection Secret: the provider's User connection keys
// (AEROSPIKE_HOST, the client Service's DNS name for a first contact;
// AEROSPIKE_PORT; AEROSPIKE_SEEDS, every node as host:port), and the
// cluster name clients may check on connect.
const (
	KeyHost        = providerv1alpha1.ConnectionKeyHost
	KeyPort        = providerv1alpha1.ConnectionKeyPort
	KeySeeds       = providerv1alpha1.ConnectionKeySeeds
	KeyClusterName = "AEROSPIKE_CLUSTER_NAME"
	KeyTLSName     = providerv1alpha1.ConnectionKeyTLSName
	KeyTLSPort     = providerv1alpha1.ConnectionKeyTLSPort
)

// KeyExternalSeeds lists, with spec.externalAccess, every node's external
// address as host:port, comma-separated, for clients outside the
// Kubernetes cluster (which must ask for the nodes' alternate addresses,
// useServicesAlternate in the Aerospike clients). It appears once the
// first address is known.
const KeyExternalSeeds = "AEROSPIKE_EXTERNAL_SEEDS"

// Secret returns the connection Secret of d, with externalSeeds, the nodes'
// external addresses known so far (see KeyExternalSeeds). It holds no
// credentials: with access control the application user's User writes the
// Secret instead.
func Secret(d *database.Database, externalSeeds []string) *corev1.Secret {
	port := strconv.Itoa(database.ServicePort)
	hosts := d.PodHosts()
	for i, h := range hosts {
		hosts[i] = h + ":" + port
	}
	s := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{
			Name:      d.Names.ConnectionSecret(),
			Namespace: d.Namespace,
			Labels:    d.Names.Labels("connection"),
		},
		Type: corev1.SecretTypeOpaque,
		Data: map[string][]byte{
			KeyHost:        []byte(d.ServiceHost()),
			KeyPort:        []byte(port),
			KeySeeds:       []byte(strings.Join(hosts, ",")),
			KeyClusterName: []byte(d.ClusterName),
		},
	}
	for k, v := range tls.ConnectionDetails(d) {
		s.Data[k] = []byte(v)
	}
	if len(externalSeeds) > 0 {
		s.Data[KeyExternalSeeds] = []byte(strings.Join(externalSeeds, ","))
	}
	return s
}
