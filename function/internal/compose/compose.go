// Package compose assembles every object composed for an AerospikeDatabase
// under its composition resource name, the stable key Crossplane tracks it by.
package compose

import (
	"strconv"
	"sync"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/crossplane/function-sdk-go/resource"
	"github.com/crossplane/function-sdk-go/resource/composed"

	"github.com/xp-aerospike/xp-aerospike/function/internal/config"
	"github.com/xp-aerospike/xp-aerospike/function/internal/connection"
	"github.com/xp-aerospike/xp-aerospike/function/internal/database"
	"github.com/xp-aerospike/xp-aerospike/function/internal/network"
	"github.com/xp-aerospike/xp-aerospike/function/internal/workload"
)

// Composition resource names. They must never change: Crossplane would
// delete the object composed under the old name and create a new one, which
// for a StatefulSet would restart its nodes.
const (
	NameConfigMap        resource.Name = "config"
	NameHeadlessService  resource.Name = "service-headless"
	NameClientService    resource.Name = "service-client"
	NamePDB              resource.Name = "pod-disruption-budget"
	NameConnectionSecret resource.Name = "connection-secret"
)

// NameStatefulSet is the composition resource name of a rack's StatefulSet.
func NameStatefulSet(rack int32) resource.Name {
	return resource.Name("statefulset-rack-" + strconv.Itoa(int(rack)))
}

// Resource is one composed object.
type Resource struct {
	Name   resource.Name
	Object runtime.Object
}

// Resources returns every object composed for d, in a fixed order.
func Resources(d *database.Database, confs []config.Rack, o workload.Options) []Resource {
	out := []Resource{
		{NameConfigMap, config.ConfigMap(d, confs)},
		{NameHeadlessService, network.HeadlessService(d)},
		{NameClientService, network.ClientService(d)},
		{NamePDB, workload.PodDisruptionBudget(d)},
		{NameConnectionSecret, connection.Secret(d)},
	}
	for i, sts := range workload.StatefulSets(d, confs, o) {
		out = append(out, Resource{NameStatefulSet(d.Racks[i].ID), sts})
	}
	return out
}

// register adds the types this package composes to function-sdk-go's
// package-level scheme, once, before the first conversion.
var register = sync.OnceValue(func() error {
	for _, add := range []func(*runtime.Scheme) error{corev1.AddToScheme, appsv1.AddToScheme, policyv1.AddToScheme} {
		if err := add(composed.Scheme); err != nil {
			return err
		}
	}
	return nil
})

// Unstructured converts a composed object for the response. Status is
// dropped: it is the API server's to write, and a typed object's zero status
// would otherwise be sent as an intent.
func Unstructured(o runtime.Object) (*composed.Unstructured, error) {
	if err := register(); err != nil {
		return nil, err
	}
	u, err := composed.From(o)
	if err != nil {
		return nil, err
	}
	delete(u.Object, "status")
	return u, nil
}
