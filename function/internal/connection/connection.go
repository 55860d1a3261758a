// Package connection composes the Secret that tells applications how to
// reach an AerospikeDatabase. Its keys are environment variable names, so a
// Deployment can take them all with envFrom.
package connection

import (
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/xp-aerospike/xp-aerospike/function/internal/database"
)

// Keys of the connection Secret.
const (
	// KeyHost is the client Service's DNS name: any node, for a client's
	// first contact.
	KeyHost = "AEROSPIKE_HOST"
	// KeyPort is the client port.
	KeyPort = "AEROSPIKE_PORT"
	// KeySeeds lists every node as host:port, comma-separated, for clients
	// that prefer several seeds.
	KeySeeds = "AEROSPIKE_SEEDS"
	// KeyClusterName is the cluster name clients may check on connect.
	KeyClusterName = "AEROSPIKE_CLUSTER_NAME"
)

// Secret returns the connection Secret of d. It holds no credentials yet:
// users and their passwords come with access control.
func Secret(d *database.Database) *corev1.Secret {
	port := strconv.Itoa(database.ServicePort)
	hosts := d.PodHosts()
	for i, h := range hosts {
		hosts[i] = h + ":" + port
	}
	return &corev1.Secret{
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
			KeyClusterName: []byte(d.Name),
		},
	}
}
