// Package controllers sets up every controller of the provider.
package controllers

import (
	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/crossplane/crossplane-runtime/v2/pkg/controller"

	"github.com/xp-aerospike/xp-aerospike/provider/aerospike"
	"github.com/xp-aerospike/xp-aerospike/provider/controllers/clusterstatus"
	"github.com/xp-aerospike/xp-aerospike/provider/controllers/config"
	"github.com/xp-aerospike/xp-aerospike/provider/controllers/connect"
	"github.com/xp-aerospike/xp-aerospike/provider/controllers/loglevels"
	"github.com/xp-aerospike/xp-aerospike/provider/controllers/namespaceconfig"
	"github.com/xp-aerospike/xp-aerospike/provider/controllers/role"
	"github.com/xp-aerospike/xp-aerospike/provider/controllers/sindex"
	"github.com/xp-aerospike/xp-aerospike/provider/controllers/udf"
	"github.com/xp-aerospike/xp-aerospike/provider/controllers/user"
)

// Setup adds every controller to mgr. Managed resources connect to their
// clusters through pool, which holds one client per provider config.
func Setup(mgr ctrl.Manager, o controller.Options, usage connect.Tracker, pool *aerospike.Pool[*aerospike.Client]) error {
	c := connect.NewConnector(mgr.GetClient(), usage, pool)
	for _, setup := range []func() error{
		func() error { return config.Setup(mgr, o) },
		func() error { return user.Setup(mgr, o, c) },
		func() error { return role.Setup(mgr, o, c) },
		func() error { return namespaceconfig.Setup(mgr, o, c, namespaceconfig.SchemaDynamic) },
		func() error { return loglevels.Setup(mgr, o, c) },
		func() error { return sindex.Setup(mgr, o, c) },
		func() error { return udf.Setup(mgr, o, c) },
		func() error { return clusterstatus.Setup(mgr, o, c) },
	} {
		if err := setup(); err != nil {
			return err
		}
	}
	return nil
}
