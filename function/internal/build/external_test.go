package build

import (
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/types/known/structpb"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/crossplane/function-sdk-go/resource"

	"github.com/xp-aerospike/xp-aerospike/apis/aerospike/v1alpha1"
	providerv1alpha1 "github.com/xp-aerospike/xp-aerospike/apis/provider/v1alpha1"
	"github.com/xp-aerospike/xp-aerospike/function/internal/config"
	"github.com/xp-aerospike/xp-aerospike/function/internal/connection"
	"github.com/xp-aerospike/xp-aerospike/function/internal/database"
	"github.com/xp-aerospike/xp-aerospike/function/internal/dbtest"
	"github.com/xp-aerospike/xp-aerospike/function/internal/external"
	"github.com/xp-aerospike/xp-aerospike/function/internal/names"
	"github.com/xp-aerospike/xp-aerospike/function/internal/observe"
	"github.com/xp-aerospike/xp-aerospike/function/internal/plan"
	"github.com/xp-aerospike/xp-aerospike/function/internal/resolve"
)

func observedService(t *testing.T, m map[string]any) *fnv1.Resource {
	t.Helper()
	s, err := structpb.NewStruct(m)
	if err != nil {
		t.Fatal(err)
	}
	return &fnv1.Resource{Resource: s}
}

func loadBalancer(t *testing.T, ingress map[string]any) *fnv1.Resource {
	return observedService(t, map[string]any{
		"spec":   map[string]any{"type": "LoadBalancer", "ports": []any{map[string]any{"port": 3000, "nodePort": 30001}}},
		"status": map[string]any{"loadBalancer": map[string]any{"ingress": []any{ingress}}},
	})
}

func nodePort(t *testing.T, port int) *fnv1.Resource {
	return observedService(t, map[string]any{
		"spec": map[string]any{"type": "NodePort", "ports": []any{map[string]any{"port": 3000, "nodePort": port}}},
	})
}

func externalDB(t *testing.T, typ v1alpha1.ExternalAccessType) *resolve.Resolved {
	t.Helper()
	d := dbtest.New(t, nil, func(s *v1alpha1.AerospikeDatabaseSpec) {
		s.Size = 5
		s.Racks = []v1alpha1.Rack{{ID: 1}, {ID: 2}}
		if typ != "" {
			s.ExternalAccess = &v1alpha1.ExternalAccess{Type: typ, Annotations: map[string]string{"lb": "internal"}}
		}
	})
	return resolved(t, d)
}

func resolved(t *testing.T, d *database.Database) *resolve.Resolved {
	t.Helper()
	confs, res := config.Build(d)
	if res.Failed() {
		t.Fatal(res.Errors)
	}
	return &resolve.Resolved{XR: &v1alpha1.AerospikeDatabase{}, Database: d, Racks: confs}
}

// composeExternal builds every object of r for the step whose racks run
// replicas (their final size where it has none), with external access
// resolved from observed.
func composeExternal(r *resolve.Resolved, replicas map[int32]int32, observed map[string]*fnv1.Resource) ([]Resource, external.Access) {
	obs := observe.Request(&fnv1.RunFunctionRequest{Observed: &fnv1.State{Resources: observed}})
	p := plan.Plan{}
	for _, rk := range r.Database.Racks {
		n := rk.Nodes
		if v, ok := replicas[rk.ID]; ok {
			n = v
		}
		p.Racks = append(p.Racks, plan.RackStep{ID: rk.ID, Replicas: n})
	}
	ext := external.Resolve(r.Database, p, obs)
	return Resources(r, p, ext, obs), ext
}

func find[T any](res []Resource, n resource.Name) T {
	for _, r := range res {
		if r.Name == n {
			if o, ok := r.Object.(T); ok {
				return o
			}
		}
	}
	var zero T
	return zero
}

func TestExternal(t *testing.T) {
	type want struct {
		services []string
		entries  map[string]string
		seeds    []string
		secret   string
		waiting  []string
	}
	cases := map[string]struct {
		reason   string
		typ      v1alpha1.ExternalAccessType
		replicas map[int32]int32 // what the plan left each rack's StatefulSet
		observed map[string]func(t *testing.T) *fnv1.Resource
		want     want
	}{
		"Off": {
			reason: "nothing is added without spec.externalAccess",
		},
		"LoadBalancerPending": {
			reason: "a Service per pod of every rack; no address before the load balancers have one",
			typ:    v1alpha1.ExternalAccessLoadBalancer,
			want: want{services: []string{
				"service-external-db-1-0", "service-external-db-1-1", "service-external-db-1-2",
				"service-external-db-2-0", "service-external-db-2-1",
			}, waiting: []string{"external addresses of pods db-1-0, db-1-1, db-1-2, db-2-0, db-2-1: their LoadBalancer Services have none yet"}},
		},
		"LoadBalancerAddresses": {
			reason: "each pod's load balancer IP or host name reaches the ConfigMap, the Secret and the seeds, rack by rack; a Service still of another type gives none",
			typ:    v1alpha1.ExternalAccessLoadBalancer,
			observed: map[string]func(t *testing.T) *fnv1.Resource{
				"service-external-db-1-0": func(t *testing.T) *fnv1.Resource {
					return loadBalancer(t, map[string]any{"ip": "203.0.113.10"})
				},
				"service-external-db-1-1": func(t *testing.T) *fnv1.Resource { return nodePort(t, 31000) },
				"service-external-db-2-0": func(t *testing.T) *fnv1.Resource {
					return loadBalancer(t, map[string]any{"hostname": "lb-20.elb.example.com"})
				},
			},
			want: want{
				services: []string{
					"service-external-db-1-0", "service-external-db-1-1", "service-external-db-1-2",
					"service-external-db-2-0", "service-external-db-2-1",
				},
				entries: map[string]string{"external-db-1-0": "203.0.113.10:3000", "external-db-2-0": "lb-20.elb.example.com:3000"},
				seeds:   []string{"203.0.113.10:3000", "lb-20.elb.example.com:3000"},
				secret:  "203.0.113.10:3000,lb-20.elb.example.com:3000",
				waiting: []string{"external addresses of pods db-1-1, db-1-2, db-2-1: their LoadBalancer Services have none yet"},
			},
		},
		"NodePort": {
			reason: "a node port reaches the ConfigMap without a host, which the pod knows; no seed is known",
			typ:    v1alpha1.ExternalAccessNodePort,
			observed: map[string]func(t *testing.T) *fnv1.Resource{
				"service-external-db-1-0": func(t *testing.T) *fnv1.Resource { return nodePort(t, 31000) },
				"service-external-db-2-1": func(t *testing.T) *fnv1.Resource { return nodePort(t, 31001) },
			},
			want: want{
				services: []string{
					"service-external-db-1-0", "service-external-db-1-1", "service-external-db-1-2",
					"service-external-db-2-0", "service-external-db-2-1",
				},
				entries: map[string]string{"external-db-1-0": ":31000", "external-db-2-1": ":31001"},
				waiting: []string{"external addresses of pods db-1-1, db-1-2, db-2-0: their NodePort Services have none yet"},
			},
		},
		"ScaleDown": {
			reason:   "the Services follow the pods the planned StatefulSets run: the pod a scale-down removes loses its Service and its entry",
			typ:      v1alpha1.ExternalAccessNodePort,
			replicas: map[int32]int32{1: 2},
			observed: map[string]func(t *testing.T) *fnv1.Resource{
				"service-external-db-1-2": func(t *testing.T) *fnv1.Resource { return nodePort(t, 31002) },
				"service-external-db-2-0": func(t *testing.T) *fnv1.Resource { return nodePort(t, 31003) },
			},
			want: want{
				services: []string{
					"service-external-db-1-0", "service-external-db-1-1",
					"service-external-db-2-0", "service-external-db-2-1",
				},
				entries: map[string]string{"external-db-2-0": ":31003"},
				waiting: []string{"external addresses of pods db-1-0, db-1-1, db-2-1: their NodePort Services have none yet"},
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			observed := map[string]*fnv1.Resource{}
			for n, o := range tc.observed {
				observed[n] = o(t)
			}
			res, ext := composeExternal(externalDB(t, tc.typ), tc.replicas, observed)

			got := want{seeds: ext.Seeds, entries: map[string]string{}, waiting: ext.Waiting}
			for _, r := range res {
				if _, ok := names.ExternalServicePod(r.Name); !ok {
					continue
				}
				got.services = append(got.services, string(r.Name))
				s := r.Object.(*corev1.Service)
				if s.Spec.Type != corev1.ServiceType(tc.typ) || s.Annotations["lb"] != "internal" {
					t.Errorf("%s: type %s, annotations %v", r.Name, s.Spec.Type, s.Annotations)
				}
			}
			sort.Strings(got.services)
			for k, v := range find[*corev1.ConfigMap](res, names.ResourceConfigMap).Data {
				if k != "rack-1.conf" && k != "rack-2.conf" {
					got.entries[k] = v
				}
			}
			if len(got.entries) == 0 {
				got.entries = nil
			}
			if tc.want.entries == nil {
				tc.want.entries = nil
			}
			got.secret = string(find[*corev1.Secret](res, names.ResourceConnectionSecret).Data[connection.KeyExternalSeeds])
			// The application user's Secret, which the provider writes,
			// gets them through the ProviderConfig.
			if pc := find[*providerv1alpha1.ProviderConfig](res, names.ResourceProviderConfig).Spec.ConnectionDetails[connection.KeyExternalSeeds]; pc != tc.want.secret {
				t.Errorf("%s: the ProviderConfig's connection details carry external seeds %q, want %q", tc.reason, pc, tc.want.secret)
			}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("%s: -want +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// TestExternalAddressesRestartNothing: the StatefulSets (their pod
// templates and config hashes) are the same whether the pods' addresses
// are known or not, so an address Kubernetes allocates restarts no node.
func TestExternalAddressesRestartNothing(t *testing.T) {
	r := externalDB(t, v1alpha1.ExternalAccessLoadBalancer)
	d := r.Database
	pending, _ := composeExternal(r, nil, nil)
	known, _ := composeExternal(r, nil, map[string]*fnv1.Resource{
		"service-external-db-1-0": loadBalancer(t, map[string]any{"ip": "203.0.113.10"}),
		"service-external-db-2-1": loadBalancer(t, map[string]any{"ip": "203.0.113.11"}),
	})
	for _, r := range d.Racks {
		a, b := find[*appsv1.StatefulSet](pending, names.ResourceStatefulSet(r.ID)), find[*appsv1.StatefulSet](known, names.ResourceStatefulSet(r.ID))
		if diff := cmp.Diff(a, b); diff != "" {
			t.Errorf("rack %d: the StatefulSet depends on the pods' addresses -pending +known:\n%s", r.ID, diff)
		}
	}
	a, b := find[*corev1.ConfigMap](pending, names.ResourceConfigMap), find[*corev1.ConfigMap](known, names.ResourceConfigMap)
	if a.Data["rack-1.conf"] != b.Data["rack-1.conf"] {
		t.Error("a rack's configuration depends on the pods' addresses")
	}
}

// TestExternalTLS: with TLS the pods advertise the TLS port's node port.
func TestExternalTLS(t *testing.T) {
	d := dbtest.New(t, nil, func(s *v1alpha1.AerospikeDatabaseSpec) {
		s.Size = 2
		s.Edition = v1alpha1.EditionEnterprise
		s.FeatureKeySecretRef = &v1alpha1.SecretKeyRef{Name: "key"}
		s.TLS = &v1alpha1.TLS{SecretName: "db-tls"}
		s.ExternalAccess = &v1alpha1.ExternalAccess{Type: v1alpha1.ExternalAccessNodePort}
	})
	res, _ := composeExternal(resolved(t, d), nil, map[string]*fnv1.Resource{
		"service-external-db-0-0": observedService(t, map[string]any{
			"spec": map[string]any{"type": "NodePort", "ports": []any{map[string]any{"port": 4333, "nodePort": 31500}}},
		}),
		"service-external-db-0-1": nodePort(t, 31501), // the plain port: not what TLS clients reach
	})
	data := find[*corev1.ConfigMap](res, names.ResourceConfigMap).Data
	if got, want := data["external-db-0-0"], ":31500"; got != want {
		t.Errorf("external-db-0-0 = %q, want %q", got, want)
	}
	if got, ok := data["external-db-0-1"]; ok {
		t.Errorf("a node port of the plain port must not be advertised to TLS clients, got %q", got)
	}
}
