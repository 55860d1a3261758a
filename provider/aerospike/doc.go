// Package aerospike is the only code of the provider that talks to
// Aerospike. It wraps aerospike-client-go behind plain methods whose errors
// carry Aerospike's result codes, and keeps one client per provider config
// and credentials (a Pool), shared by every reconcile: opening a client means
// tending the whole cluster and logging in to every node, which is far too
// costly to do per reconcile.
//
// Controllers declare the small interfaces they need of a *Client, so their
// tests inject fakes; integration tests run the same controllers against real
// servers.
package aerospike
