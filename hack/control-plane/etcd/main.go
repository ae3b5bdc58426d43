// Command etcd is etcd's server built from the go.etcd.io/etcd/server/v3 module, for
// hack/control-plane.sh (the etcd release binaries cannot be downloaded on the project's machines).
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
