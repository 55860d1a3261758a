// Package aerospike runs real Aerospike servers for tests.
package aerospike

import _ "github.com/aerospike/aerospike-client-go/v8" // The harness drives the real client.
