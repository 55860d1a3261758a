package main

import (
	"context"
	"slices"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/function-sdk-go/logging"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/crossplane/function-sdk-go/request"
	"github.com/crossplane/function-sdk-go/resource"
	"github.com/crossplane/function-sdk-go/response"

	"github.com/xp-aerospike/xp-aerospike/apis/aerospike/v1alpha1"
	"github.com/xp-aerospike/xp-aerospike/function/input/v1beta1"
	"github.com/xp-aerospike/xp-aerospike/function/internal/compose"
	"github.com/xp-aerospike/xp-aerospike/function/internal/config"
	"github.com/xp-aerospike/xp-aerospike/function/internal/database"
	"github.com/xp-aerospike/xp-aerospike/function/internal/monitoring"
	"github.com/xp-aerospike/xp-aerospike/function/internal/plan"
	"github.com/xp-aerospike/xp-aerospike/function/internal/ready"
	"github.com/xp-aerospike/xp-aerospike/function/internal/validate"
	"github.com/xp-aerospike/xp-aerospike/function/internal/xr"
)

// Condition types this function sets on the XR.
const (
	// ConditionNodesReady is true when every rack runs its desired nodes,
	// ready, on the desired configuration and version.
	ConditionNodesReady = "NodesReady"
)

// Function composes an AerospikeDatabase.
type Function struct {
	fnv1.UnimplementedFunctionRunnerServiceServer

	log logging.Logger
}

// NewFunction returns a Function that logs to log.
func NewFunction(log logging.Logger) *Function {
	return &Function{log: log}
}

// RunFunction composes the desired state of one AerospikeDatabase: read the
// XR, validate it, resolve it, build every object, judge readiness from the
// observed state and write the XR's status. Any error leaves the desired
// state as it came in: nothing is composed from a spec that is not valid.
func (f *Function) RunFunction(_ context.Context, req *fnv1.RunFunctionRequest) (*fnv1.RunFunctionResponse, error) {
	rsp := response.To(req, response.DefaultTTL)

	oxr, err := request.GetObservedCompositeResource(req)
	if err != nil {
		response.Fatal(rsp, errors.Wrap(err, "cannot get the observed AerospikeDatabase"))
		return rsp, nil
	}
	log := f.log.WithValues("xr-name", oxr.Resource.GetName(), "xr-namespace", oxr.Resource.GetNamespace())

	in := &v1beta1.Input{}
	if req.GetInput() != nil {
		if err := request.GetInput(req, in); err != nil {
			response.Fatal(rsp, errors.Wrap(err, "cannot read the function's input"))
			return rsp, nil
		}
	}

	db, d, confs, v := resolve(oxr.Resource.UnstructuredContent(), in)
	for _, w := range v.Warnings {
		response.Warning(rsp, errors.New(w)).TargetComposite()
	}
	if len(v.Errors) > 0 {
		// Every error in one result, so a user fixes them all in one edit.
		response.Fatal(rsp, errors.Wrap(v.Errors.ToAggregate(), "invalid AerospikeDatabase"))
		return rsp, nil
	}

	if w := serviceMonitors(req, rsp, d); w != "" {
		response.Warning(rsp, errors.New(w)).TargetComposite()
	}

	// Build the final state, refuse what would lose data, then hold the
	// StatefulSets back to the next safe step.
	observed := req.GetObserved().GetResources()
	res := compose.Resources(d, confs, observed)
	steps := compose.Racks(d, res, observed)
	if errs := plan.Guard(steps, d.Spec, d.Version, plan.Confirmed(db.GetAnnotations())); len(errs) > 0 {
		response.Fatal(rsp, errors.Wrap(errs.ToAggregate(), "refused AerospikeDatabase change"))
		return rsp, nil
	}
	cluster := compose.Cluster(observed)
	step := plan.Next(steps, cluster, db.Status.LastStepClusterTime)
	// Per-pod Services follow the pods the planned StatefulSets run.
	res, externalSeeds, externalWaiting := compose.External(d, res, observed)

	// Resources earlier pipeline steps composed stay: the response started
	// as a copy of the request's desired state.
	desired := map[resource.Name]*resource.DesiredComposed{}
	racks, err := compose.Desired(d, res, observed, desired)
	if err != nil {
		response.Fatal(rsp, errors.Wrap(err, "cannot compose the AerospikeDatabase"))
		return rsp, nil
	}
	if err := response.SetDesiredComposedResources(rsp, desired); err != nil {
		response.Fatal(rsp, errors.Wrap(err, "cannot set the desired composed resources"))
		return rsp, nil
	}

	last := db.Status.LastStepClusterTime
	if step.Took {
		last = cluster.ObservedTime
	}
	waiting := slices.Concat(step.Waiting, externalWaiting)
	if err := writeStatus(rsp, req, d, racks, db.Status, waiting, last, externalSeeds); err != nil {
		response.Fatal(rsp, errors.Wrap(err, "cannot write the AerospikeDatabase's status"))
		return rsp, nil
	}
	log.Debug("Composed AerospikeDatabase", "namespace", d.Namespace, "racks", len(d.Racks), "nodes", d.Spec.Size, "version", d.Version)
	return rsp, nil
}

// requiredServiceMonitorCRD is the key under which the function asks
// Crossplane for the ServiceMonitor CRD.
const requiredServiceMonitorCRD = "servicemonitor-crd"

// serviceMonitors decides whether d gets a ServiceMonitor: the platform team
// says the cluster runs the Prometheus Operator, and the CRD must be there,
// or Crossplane could not apply it and the XR would never become ready.
// Crossplane fetches the CRD the function asks for and calls again; until it
// has answered, nothing is composed for it. It returns a warning for the
// user when monitoring asks for what the cluster cannot take.
func serviceMonitors(req *fnv1.RunFunctionRequest, rsp *fnv1.RunFunctionResponse, d *database.Database) string {
	if !d.Monitoring() || !d.PrometheusOperator {
		return ""
	}
	if rsp.Requirements == nil {
		rsp.Requirements = &fnv1.Requirements{}
	}
	if rsp.Requirements.Resources == nil {
		rsp.Requirements.Resources = map[string]*fnv1.ResourceSelector{}
	}
	rsp.Requirements.Resources[requiredServiceMonitorCRD] = &fnv1.ResourceSelector{
		ApiVersion: "apiextensions.k8s.io/v1",
		Kind:       "CustomResourceDefinition",
		Match:      &fnv1.ResourceSelector_MatchName{MatchName: monitoring.ServiceMonitorCRD},
	}
	crds, answered, err := request.GetRequiredResource(req, requiredServiceMonitorCRD)
	switch {
	case err != nil:
		return "spec.monitoring: cannot read the ServiceMonitor CRD Crossplane returned, so no ServiceMonitor is composed: " + err.Error()
	case !answered:
		return ""
	case len(crds) == 0:
		return "spec.monitoring: the cluster has no ServiceMonitor CRD (" + monitoring.ServiceMonitorCRD + "), so no ServiceMonitor is composed; the exporters, the metrics Service and the dashboard are. Install the Prometheus Operator, or ask the platform team to unset prometheusOperator in the function's input"
	}
	d.ServiceMonitors = true
	return ""
}

// resolve reads the XR's content into a defaulted, validated database and
// builds each rack's configuration. Any error in the result means nothing
// else was built.
func resolve(content map[string]any, in *v1beta1.Input) (*v1alpha1.AerospikeDatabase, *database.Database, []config.Rack, validate.Result) {
	db, unknown, errs := xr.Decode(content)
	if len(errs) > 0 {
		return nil, nil, nil, validate.Result{Errors: errs}
	}
	xr.Default(&db.Spec)
	v := validate.Spec(&db.Spec)
	v.Warnings = append(unknown, v.Warnings...)
	if len(v.Errors) > 0 {
		return nil, nil, nil, v
	}
	d, errs := database.New(db, in)
	if len(errs) > 0 {
		v.Errors = errs
		return nil, nil, nil, v
	}
	confs, errs := config.Build(d)
	v.Errors = errs
	return db, d, confs, v
}

func writeStatus(rsp *fnv1.RunFunctionResponse, req *fnv1.RunFunctionRequest, d *database.Database, racks []ready.Rack, previous v1alpha1.AerospikeDatabaseStatus, waiting []string, lastStep *metav1.Time, externalSeeds []string) error {
	dxr, err := request.GetDesiredCompositeResource(req)
	if err != nil {
		return err
	}
	st := ready.Status(d, racks, previous)
	st.Waiting, st.LastStepClusterTime = waiting, lastStep
	st.ExternalSeeds = externalSeeds
	u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(&st)
	if err != nil {
		return err
	}
	delete(u, "conditions") // Crossplane owns the XR's conditions.
	if err := dxr.Resource.SetValue("status", u); err != nil {
		return err
	}
	if w := strings.Join(append(waiting, ready.Waiting(racks)...), "; "); w != "" {
		response.ConditionFalse(rsp, ConditionNodesReady, "WaitingForNodes").WithMessage(w).TargetComposite()
	} else {
		response.ConditionTrue(rsp, ConditionNodesReady, "AllNodesReady").TargetComposite()
	}
	return response.SetDesiredCompositeResource(rsp, dxr)
}
