// Command etcd is etcd's server command, as in go.etcd.io/etcd/server/v3's
// own main.go. `go install go.etcd.io/etcd/server/v3@...` refuses that
// module because its go.mod has replace directives; this wrapper module pins
// the published release instead. `make e2e-tools` puts the binary next to
// kube-apiserver for envtest.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
