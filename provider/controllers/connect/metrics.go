package connect

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/crossplane/crossplane-runtime/v2/pkg/controller"
	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	"github.com/crossplane/crossplane-runtime/v2/pkg/statemetrics"
)

// NewMetricOptions registers with reg the managed resource metrics (time to
// first reconcile, to readiness, to deletion, drift) and state metrics
// (how many exist, are ready, are synced, counted every interval) that
// Setup records for every managed kind.
func NewMetricOptions(reg prometheus.Registerer, interval time.Duration) (*controller.MetricOptions, error) {
	mo := &controller.MetricOptions{
		PollStateMetricInterval: interval,
		MRMetrics:               managed.NewMRMetricRecorder(),
		MRStateMetrics:          statemetrics.NewMRStateMetrics(),
	}
	for _, c := range []prometheus.Collector{mo.MRMetrics, mo.MRStateMetrics} {
		if err := reg.Register(c); err != nil {
			return nil, errors.Wrap(err, "cannot register the managed resource metrics")
		}
	}
	return mo, nil
}
