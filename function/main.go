// Command function serves the AerospikeDatabase composition function over
// gRPC. Crossplane always calls it with mTLS; --insecure exists only for
// `crossplane render` on a developer's machine.
package main

import (
	"github.com/alecthomas/kong"

	"github.com/crossplane/function-sdk-go"
)

// CLI of this function.
type CLI struct {
	Debug bool `help:"Emit debug logs in addition to info logs." short:"d"`

	Network            string `default:"tcp"   help:"Network on which to listen for gRPC connections."`
	Address            string `default:":9443" help:"Address at which to listen for gRPC connections."`
	MetricsAddress     string `default:":8080" help:"Address at which to serve Prometheus metrics; empty disables them."`
	TLSCertsDir        string `env:"TLS_SERVER_CERTS_DIR" help:"Directory containing the server certificate (tls.key, tls.crt) and the CA used to verify client certificates (ca.crt)."`
	Insecure           bool   `help:"Serve without mTLS. Only for local development with crossplane render; --tls-certs-dir is then ignored."`
	MaxRecvMessageSize int    `default:"4" help:"Maximum size of received messages in MiB."`
}

// Run this function.
func (c *CLI) Run() error {
	log, err := function.NewLogger(c.Debug)
	if err != nil {
		return err
	}

	return function.Serve(NewFunction(log),
		function.Listen(c.Network, c.Address),
		function.MTLSCertificates(c.TLSCertsDir),
		function.Insecure(c.Insecure),
		function.WithMetricsServer(c.MetricsAddress),
		function.MaxRecvMessageSize(c.MaxRecvMessageSize*1024*1024))
}

func main() {
	ctx := kong.Parse(&CLI{}, kong.Description("Composes a production-grade Aerospike cluster from an AerospikeDatabase."))
	ctx.FatalIfErrorf(ctx.Run())
}
