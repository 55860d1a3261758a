// Package aerospike runs real Aerospike servers for tests: asd processes on
// loopback, started, stopped, killed and restarted by the test, and the
// real aerospike-client-go talking to them over TCP. It is a normal package
// so that the provider's and the end-to-end tests can use it too.
//
// Start a cluster, use its client, and let the test's cleanup stop it:
//
//	c := aerospike.Start(t, aerospike.Options{Nodes: 3})
//	key, _ := as.NewKey(aerospike.DefaultNamespace, "set", "k")
//	err := c.Client().Put(nil, key, as.BinMap{"v": 1})
//	err = c.Nodes()[1].Kill()             // SIGKILL, as a crash would
//	err = c.WaitForClusterSize(2)         // servers and client agree
//	err = c.Nodes()[1].Start()            // same directory, ports and data
//	err = c.WaitForClusterSize(3)
//	err = c.WaitStable()                  // no migrations left
//
// Boot and BootCluster start nodes from an aerospike.conf our function
// rendered, changing only addresses, ports and paths (RewriteForLoopback),
// so that a config the server refuses fails the test with the server's
// CRITICAL log lines.
//
// # Where servers come from
//
//   - AEROSPIKE_ASD: the path of an asd binary to start. Its version comes
//     from `asd --version`, or from AEROSPIKE_VERSION when that is set.
//   - Otherwise every executable asd-ce-<version> in ../shared/aerospike,
//     relative to the repository root (CI keeps it beside the clone).
//   - AEROSPIKE_ADDRESS: host:port of a server that is already running,
//     such as `docker run -d -p 3000:3000 aerospike/aerospike-server`.
//     Connect uses it for tests that only need a live server; tests that
//     start, stop, kill or add nodes need a binary.
//
// When a test cannot get what it needs it is skipped with a message that
// says how to enable it, except under CI=true, where it fails: the suite
// must never go green by skipping (see Require).
//
// # What the harness guarantees
//
// Every node a test starts listens on free ports of 127.0.0.1 only, has its own
// directory under t.TempDir() (config, log, work and data files), and is
// stopped when its test ends, passing, failing or panicking: SIGTERM, then
// SIGKILL after a bounded wait. Each process is also started with
// Pdeathsig, so none outlives a test binary killed by go test -timeout.
// Every wait is bounded (Options.Timeout) and its error says what it
// waited for and what it saw last; a node that fails to start is reported
// with the CRITICAL lines and the tail of its log, and when a test fails
// the log tail of every node is logged. StartServer runs a node for a
// caller without a testing.TB, such as the end-to-end tests' stand-in
// kubelet, on the caller's address in 127.0.0.0/8 and in its directory;
// the caller stops it, and Pdeathsig still applies.
package aerospike
