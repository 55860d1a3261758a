// Command provider runs the xp-aerospike provider: controllers for users,
// roles, namespace settings, secondary indexes, UDF modules and cluster
// status inside Aerospike clusters, and for the provider configs that say how
// to reach them.
package main

import (
	"context"
	"os"
	"time"

	"github.com/alecthomas/kong"
	"go.uber.org/zap/zapcore"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	"sigs.k8s.io/controller-runtime/pkg/metrics"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/crossplane/crossplane-runtime/v2/pkg/controller"
	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/logging"
	"github.com/crossplane/crossplane-runtime/v2/pkg/ratelimiter"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"

	"github.com/xp-aerospike/xp-aerospike/apis/provider/v1alpha1"
	"github.com/xp-aerospike/xp-aerospike/provider/aerospike"
	"github.com/xp-aerospike/xp-aerospike/provider/controllers"
	"github.com/xp-aerospike/xp-aerospike/provider/controllers/connect"
	"github.com/xp-aerospike/xp-aerospike/provider/resolver"
)

// CLI of the provider.
type CLI struct {
	Debug            bool          `help:"Emit debug logs in addition to info logs." short:"d"`
	SyncInterval     time.Duration `default:"1h" help:"How often every managed resource is reconciled, changed or not."`
	PollInterval     time.Duration `default:"1m" help:"How often each managed resource is observed for drift."`
	MaxReconcileRate int           `default:"10" help:"The most reconciles per second, across all controllers."`
	LeaderElection   bool          `env:"LEADER_ELECTION" help:"Run only while holding the leader lease, so replicas can stand by."`
	ClientIdle       time.Duration `default:"10m" help:"Close a cluster's client when no managed resource has used it for this long."`
	MetricsAddress   string        `default:":8080" help:"Address at which to serve Prometheus metrics; empty disables them."`
	StateMetrics     time.Duration `default:"5s" help:"How often the managed resources of each kind are counted for the state metrics (exist, ready, synced)." name:"poll-state-metric"`
	DNSServer        string        `env:"DNS_SERVER" help:"Resolve cluster addresses through this DNS server (ip:port) instead of the system's, for a provider running outside the cluster it manages." name:"dns-server" placeholder:"IP:PORT"`
}

// Run the provider.
func (c *CLI) Run() error {
	// Before anything resolves a name: the Aerospike client resolves seeds
	// through net.DefaultResolver, which this replaces.
	if c.DNSServer != "" {
		if err := resolver.Use(c.DNSServer); err != nil {
			return err
		}
	}
	zl := zap.New(zap.UseDevMode(c.Debug), func(o *zap.Options) {
		if !c.Debug {
			o.Level = zapcore.InfoLevel
		}
	})
	log := logging.NewLogrLogger(zl.WithName("provider-aerospike"))
	ctrl.SetLogger(zl)

	s := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{corev1.AddToScheme, v1alpha1.AddToScheme} {
		if err := add(s); err != nil {
			return errors.Wrap(err, "cannot build the scheme")
		}
	}
	addr := c.MetricsAddress
	if addr == "" {
		addr = "0" // controller-runtime's word for no metrics server
	}
	mgr, err := ctrl.NewManager(ctrl.GetConfigOrDie(), ctrl.Options{
		Scheme:           s,
		Metrics:          metricsserver.Options{BindAddress: addr},
		LeaderElection:   c.LeaderElection,
		LeaderElectionID: "provider-aerospike.xp-aerospike.io",
		Cache:            cache.Options{SyncPeriod: &c.SyncInterval},
	})
	if err != nil {
		return errors.Wrap(err, "cannot create the controller manager")
	}

	pool := aerospike.NewPool(aerospike.Dial)
	defer pool.Close()
	ctx := ctrl.SetupSignalHandler()
	go closeIdle(ctx, pool, c.ClientIdle)

	// The registry controller-runtime serves, so the metrics sit beside
	// the workqueue and reconcile metrics of the same controllers.
	mo, err := connect.NewMetricOptions(metrics.Registry, c.StateMetrics)
	if err != nil {
		return err
	}
	o := controller.Options{
		Logger:                  log,
		GlobalRateLimiter:       ratelimiter.NewGlobal(c.MaxReconcileRate),
		PollInterval:            c.PollInterval,
		MaxConcurrentReconciles: c.MaxReconcileRate,
		MetricOptions:           mo,
	}
	usage := resource.NewProviderConfigUsageTracker(mgr.GetClient(), &v1alpha1.ProviderConfigUsage{})
	if err := controllers.Setup(mgr, o, usage, pool); err != nil {
		return errors.Wrap(err, "cannot set up the controllers")
	}
	return errors.Wrap(mgr.Start(ctx), "cannot run the controller manager")
}

// closeIdle closes clients no managed resource has used for maxIdle, until
// ctx is done.
func closeIdle(ctx context.Context, pool *aerospike.Pool[*aerospike.Client], maxIdle time.Duration) {
	t := time.NewTicker(maxIdle / 2)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			pool.CloseIdle(maxIdle)
		}
	}
}

func main() {
	ctx := kong.Parse(&CLI{}, kong.Description("Manages what lives inside Aerospike clusters."))
	if err := ctx.Run(); err != nil {
		_, _ = os.Stderr.WriteString(err.Error() + "\n")
		os.Exit(1)
	}
}
