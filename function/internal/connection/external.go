package connection

// KeyExternalSeeds lists, with spec.externalAccess, every node's external
// address as host:port, comma-separated, for clients outside the
// Kubernetes cluster (which must ask for the nodes' alternate addresses,
// useServicesAlternate in the Aerospike clients). It appears once the
// first address is known.
const KeyExternalSeeds = "AEROSPIKE_EXTERNAL_SEEDS"
