// Package resolve turns an observed AerospikeDatabase into what the plan and
// the builders work from: the XR decoded and defaulted, validated, every
// feature resolved into one database value, and each rack's configuration
// built. Every check along the way reports into one result, so a user sees
// all the errors of a spec in one message and its warnings beside them.
package resolve

import (
	"k8s.io/utils/ptr"

	"github.com/xp-aerospike/xp-aerospike/apis/aerospike/v1alpha1"
	"github.com/xp-aerospike/xp-aerospike/function/input/v1beta1"
	"github.com/xp-aerospike/xp-aerospike/function/internal/check"
	"github.com/xp-aerospike/xp-aerospike/function/internal/config"
	"github.com/xp-aerospike/xp-aerospike/function/internal/database"
	"github.com/xp-aerospike/xp-aerospike/function/internal/monitoring"
	"github.com/xp-aerospike/xp-aerospike/function/internal/observe"
	"github.com/xp-aerospike/xp-aerospike/function/internal/plan"
	"github.com/xp-aerospike/xp-aerospike/function/internal/validate"
	"github.com/xp-aerospike/xp-aerospike/function/internal/xr"
)

// Resolved is an AerospikeDatabase ready to plan and build.
type Resolved struct {
	// XR as decoded and defaulted: its annotations confirm data loss and
	// its status carries the plan's last step.
	XR *v1alpha1.AerospikeDatabase

	// Database is the spec resolved with the function's input.
	Database *database.Database

	// Racks holds each rack's configuration, in Database.Racks' order.
	Racks []config.Rack
}

// Resolve reads the XR's content with the function's input (which may be
// nil) and what the request observed. A result with errors comes with no
// Resolved: nothing is composed from a spec that is not valid.
func Resolve(content map[string]any, in *v1beta1.Input, obs *observe.State) (*Resolved, check.Result) {
	x, r := xr.Decode(content)
	if r.Failed() {
		return nil, r
	}
	xr.Default(&x.Spec)
	r.Add(validate.Spec(&x.Spec))
	if r.Failed() {
		return nil, r
	}
	d, dr := database.New(x, in)
	r.Add(dr)
	if r.Failed() {
		return nil, r
	}
	d.Leave(running(obs))
	racks, cr := config.Build(d)
	r.Add(cr)
	if r.Failed() {
		return nil, r
	}
	r.Add(serviceMonitors(d, obs.ServiceMonitorCRD))
	return &Resolved{XR: x, Database: d, Racks: racks}, r
}

// serviceMonitors decides whether d gets a ServiceMonitor: the platform team
// says the cluster runs the Prometheus Operator, and the CRD must be there,
// or Crossplane could not apply it and the XR would never become ready.
// Until Crossplane has answered the function's request for the CRD, nothing
// is composed for it. It warns when monitoring asks for what the cluster
// cannot take.
func serviceMonitors(d *database.Database, crd observe.Lookup) check.Result {
	if !WantsServiceMonitorCRD(d) {
		return check.Result{}
	}
	switch {
	case crd.Err != nil:
		return check.Warning("spec.monitoring: cannot read the ServiceMonitor CRD Crossplane returned, so no ServiceMonitor is composed: " + crd.Err.Error())
	case !crd.Answered:
		return check.Result{}
	case !crd.Found:
		return check.Warning("spec.monitoring: the cluster has no ServiceMonitor CRD (" + monitoring.ServiceMonitorCRD + "), so no ServiceMonitor is composed; the exporters, the metrics Service and the dashboard are. Install the Prometheus Operator, or ask the platform team to unset prometheusOperator in the function's input")
	}
	d.ServiceMonitors = true
	return check.Result{}
}

// running returns the racks whose observed StatefulSet still has or wants
// pods.
func running(obs *observe.State) []int32 {
	var ids []int32
	for id, s := range obs.StatefulSets {
		if ptr.Deref(s.Spec.Replicas, 1) > 0 || s.Status.Replicas > 0 {
			ids = append(ids, id)
		}
	}
	return ids
}

// WantsServiceMonitorCRD reports whether the function must ask Crossplane
// for the ServiceMonitor CRD to compose d.
func WantsServiceMonitorCRD(d *database.Database) bool {
	return d.Monitoring() && d.PrometheusOperator
}

// PlanRacks returns each rack as the spec finally asks for it, with its
// observed StatefulSet, for the plan and its guard.
func (r *Resolved) PlanRacks(obs *observe.State) []plan.Rack {
	d := r.Database
	out := make([]plan.Rack, 0, len(d.Racks))
	for i, rk := range d.Racks {
		out = append(out, plan.Rack{
			ID:       rk.ID,
			Nodes:    rk.Nodes,
			Template: plan.Template{ConfigHash: r.Racks[i].Hash, Image: d.Image},
			Leaving:  rk.Leaving,
			Observed: obs.StatefulSets[rk.ID],
		})
	}
	return out
}

// Guard refuses what the spec changes since the racks were made that would
// lose data, unless the XR's annotation confirms it.
func (r *Resolved) Guard(racks []plan.Rack) check.Result {
	return plan.Guard(racks, r.Database.Spec, r.Database.Version, plan.Confirmed(r.XR.GetAnnotations()))
}
