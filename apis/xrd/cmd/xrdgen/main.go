// Command xrdgen writes the AerospikeDatabase XRDs generated from the Go
// types: the namespaced one and the claims flavour.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/xp-aerospike/xp-aerospike/apis/xrd"
)

func main() {
	out := flag.String("out", "", "file to write the namespaced XRD to")
	claimsOut := flag.String("claims-out", "", "file to write the claims flavour's XRD to")
	flag.Parse()
	if err := write(*out, *claimsOut); err != nil {
		fmt.Fprintln(os.Stderr, "xrdgen:", err)
		os.Exit(1)
	}
}

func write(out, claimsOut string) error {
	namespaced, claims, err := xrd.Generate()
	if err != nil {
		return err
	}
	// Committed files: readable by all, like the rest of the checkout.
	if err := os.WriteFile(out, namespaced, 0o644); err != nil { //nolint:gosec // See above.
		return err
	}
	return os.WriteFile(claimsOut, claims, 0o644) //nolint:gosec // See above.
}
