package main

import (
	"context"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/runtime"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/function-sdk-go/logging"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/crossplane/function-sdk-go/request"
	"github.com/crossplane/function-sdk-go/response"

	"github.com/xp-aerospike/xp-aerospike/apis/aerospike/v1alpha1"
	"github.com/xp-aerospike/xp-aerospike/function/input/v1beta1"
	"github.com/xp-aerospike/xp-aerospike/function/internal/build"
	"github.com/xp-aerospike/xp-aerospike/function/internal/external"
	"github.com/xp-aerospike/xp-aerospike/function/internal/judge"
	"github.com/xp-aerospike/xp-aerospike/function/internal/monitoring"
	"github.com/xp-aerospike/xp-aerospike/function/internal/observe"
	"github.com/xp-aerospike/xp-aerospike/function/internal/plan"
	"github.com/xp-aerospike/xp-aerospike/function/internal/resolve"
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

// RunFunction composes the desired state of one AerospikeDatabase in
// stages, each a pure function of the ones before it: observe the request's
// observed state, resolve the XR into a validated database, plan the next
// safe step, build every object once, and judge readiness and status. Any
// error leaves the desired state as it came in: nothing is composed from a
// spec that is not valid, nor for a change that would lose data.
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

	obs := observe.Request(req)
	if len(obs.Unreadable) > 0 {
		// Its rack would look new to the plan, which would then set its
		// replicas and partition without regard to the pods it runs.
		response.Fatal(rsp, errors.Errorf("cannot read the observed StatefulSets %v: nothing is changed until they can be read", obs.Unreadable))
		return rsp, nil
	}
	r, checked := resolve.Resolve(oxr.Resource.UnstructuredContent(), in, obs)
	for _, w := range checked.Warnings {
		response.Warning(rsp, errors.New(w)).TargetComposite()
	}
	if checked.Failed() {
		// Every error in one result, so a user fixes them all in one edit.
		response.Fatal(rsp, errors.Wrap(checked.Errors.ToAggregate(), "invalid AerospikeDatabase"))
		return rsp, nil
	}
	d := r.Database
	if resolve.WantsServiceMonitorCRD(d) {
		requireServiceMonitorCRD(rsp)
	}

	racks := r.PlanRacks(obs)
	guarded := r.Guard(racks)
	for _, w := range guarded.Warnings {
		response.Warning(rsp, errors.New(w)).TargetComposite()
	}
	if guarded.Failed() {
		response.Fatal(rsp, errors.Wrap(guarded.Errors.ToAggregate(), "refused AerospikeDatabase change"))
		return rsp, nil
	}
	step := plan.Next(racks, obs.Cluster, r.XR.Status.LastStepClusterTime)
	ext := external.Resolve(d, step, obs)

	objs := build.Resources(r, step, ext, obs)
	// Resources earlier pipeline steps composed stay: the response started
	// as a copy of the request's desired state.
	desired, err := build.Desired(objs, judge.Readiness(racks, step, obs, objs))
	if err != nil {
		response.Fatal(rsp, errors.Wrap(err, "cannot compose the AerospikeDatabase"))
		return rsp, nil
	}
	if err := response.SetDesiredComposedResources(rsp, desired); err != nil {
		response.Fatal(rsp, errors.Wrap(err, "cannot set the desired composed resources"))
		return rsp, nil
	}

	st := judge.Status(d, racks, step, ext, obs.Cluster, r.XR.Status)
	waiting := append(slices.Clone(st.Waiting), judge.Waiting(d, racks, step)...)
	if err := writeStatus(rsp, req, st, waiting); err != nil {
		response.Fatal(rsp, errors.Wrap(err, "cannot write the AerospikeDatabase's status"))
		return rsp, nil
	}
	log.Debug("Composed AerospikeDatabase", "namespace", d.Namespace, "racks", len(d.Racks), "nodes", d.Spec.Size, "version", d.Version)
	return rsp, nil
}

// requireServiceMonitorCRD asks Crossplane for the ServiceMonitor CRD:
// Crossplane fetches it and calls the function again with the answer.
func requireServiceMonitorCRD(rsp *fnv1.RunFunctionResponse) {
	if rsp.Requirements == nil {
		rsp.Requirements = &fnv1.Requirements{}
	}
	if rsp.Requirements.Resources == nil {
		rsp.Requirements.Resources = map[string]*fnv1.ResourceSelector{}
	}
	rsp.Requirements.Resources[observe.RequiredServiceMonitorCRD] = &fnv1.ResourceSelector{
		ApiVersion: "apiextensions.k8s.io/v1",
		Kind:       "CustomResourceDefinition",
		Match:      &fnv1.ResourceSelector_MatchName{MatchName: monitoring.ServiceMonitorCRD},
	}
}

// writeStatus writes st into the desired XR, and the NodesReady condition:
// false with what the database waits for, if anything.
func writeStatus(rsp *fnv1.RunFunctionResponse, req *fnv1.RunFunctionRequest, st v1alpha1.AerospikeDatabaseStatus, waiting []string) error {
	dxr, err := request.GetDesiredCompositeResource(req)
	if err != nil {
		return err
	}
	u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(&st)
	if err != nil {
		return err
	}
	delete(u, "conditions") // Crossplane owns the XR's conditions.
	if err := dxr.Resource.SetValue("status", u); err != nil {
		return err
	}
	if w := strings.Join(waiting, "; "); w != "" {
		response.ConditionFalse(rsp, ConditionNodesReady, "WaitingForNodes").WithMessage(w).TargetComposite()
	} else {
		response.ConditionTrue(rsp, ConditionNodesReady, "AllNodesReady").TargetComposite()
	}
	return response.SetDesiredCompositeResource(rsp, dxr)
}
