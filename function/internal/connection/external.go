package connection

import (
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// KeyExternalSeeds lists, with spec.externalAccess, every node's external
// address as host:port, comma-separated, for clients outside the
// Kubernetes cluster (which must ask for the nodes' alternate addresses,
// useServicesAlternate in the Aerospike clients). It appears once the
// first address is known.
const KeyExternalSeeds = "AEROSPIKE_EXTERNAL_SEEDS"

// AddExternalSeeds adds the nodes' external addresses to a connection
// Secret; none leaves it as it is.
func AddExternalSeeds(s *corev1.Secret, seeds []string) {
	if len(seeds) == 0 {
		return
	}
	s.Data[KeyExternalSeeds] = []byte(strings.Join(seeds, ","))
}
