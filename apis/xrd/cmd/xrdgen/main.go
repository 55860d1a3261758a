// Command xrdgen writes the AerospikeDatabase XRD generated from the Go types.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/xp-aerospike/xp-aerospike/apis/xrd"
)

func main() {
	out := flag.String("out", "", "file to write the XRD to")
	flag.Parse()
	b, err := xrd.Generate()
	if err == nil {
		err = os.WriteFile(*out, b, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "xrdgen:", err)
		os.Exit(1)
	}
}
