package external

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"

	"github.com/xp-aerospike/xp-aerospike/apis/aerospike/v1alpha1"
	"github.com/xp-aerospike/xp-aerospike/function/internal/dbtest"
)

// podSelector is what a pod's Service of database db selects it by.
func podSelector(pod string) map[string]string {
	return map[string]string{"app.kubernetes.io/name": "aerospike", "app.kubernetes.io/instance": "db", "statefulset.kubernetes.io/pod-name": pod}
}

func TestService(t *testing.T) {
	type want struct {
		name        string
		typ         corev1.ServiceType
		selector    map[string]string
		annotations map[string]string
		ports       []int32
	}
	cases := map[string]struct {
		reason string
		access *v1alpha1.ExternalAccess
		tls    bool
		pod    string
		want   *want
	}{
		"Off": {
			reason: "no per-pod Service without spec.externalAccess",
			pod:    "db-0-0",
		},
		"LoadBalancer": {
			reason: "a load balancer per pod, selecting the pod by its name, with the spec's annotations, on the client port only",
			access: &v1alpha1.ExternalAccess{Type: v1alpha1.ExternalAccessLoadBalancer, Annotations: map[string]string{"service.beta.kubernetes.io/aws-load-balancer-type": "nlb"}},
			pod:    "db-0-1",
			want: &want{
				name:        "db-0-1-external",
				typ:         corev1.ServiceTypeLoadBalancer,
				selector:    podSelector("db-0-1"),
				annotations: map[string]string{"service.beta.kubernetes.io/aws-load-balancer-type": "nlb"},
				ports:       []int32{3000},
			},
		},
		"NodePort": {
			reason: "a node port per pod",
			access: &v1alpha1.ExternalAccess{Type: v1alpha1.ExternalAccessNodePort},
			pod:    "db-0-2",
			want: &want{
				name:     "db-0-2-external",
				typ:      corev1.ServiceTypeNodePort,
				selector: podSelector("db-0-2"),
				ports:    []int32{3000},
			},
		},
		"TLS": {
			reason: "with TLS, applications reach only the TLS port, and so do external ones",
			access: &v1alpha1.ExternalAccess{Type: v1alpha1.ExternalAccessLoadBalancer},
			tls:    true,
			pod:    "db-0-0",
			want: &want{
				name:     "db-0-0-external",
				typ:      corev1.ServiceTypeLoadBalancer,
				selector: podSelector("db-0-0"),
				ports:    []int32{4333},
			},
		},
		"LongPodName": {
			reason: "a pod name with the suffix beyond a DNS label is shortened with a hash, and still a label",
			access: &v1alpha1.ExternalAccess{Type: v1alpha1.ExternalAccessNodePort},
			pod:    "a23456789012345678901234567890123456789012345678901-0-0",
			want: &want{
				name:     "a23456789012345678901234567890123456789012345-744244e4-external",
				typ:      corev1.ServiceTypeNodePort,
				selector: podSelector("a23456789012345678901234567890123456789012345678901-0-0"),
				ports:    []int32{3000},
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			d := dbtest.New(t, nil, func(s *v1alpha1.AerospikeDatabaseSpec) {
				s.ExternalAccess = tc.access
				if tc.tls {
					s.Edition = v1alpha1.EditionEnterprise
					s.FeatureKeySecretRef = &v1alpha1.SecretKeyRef{Name: "key"}
					s.TLS = &v1alpha1.TLS{SecretName: "db-tls"}
				}
			})
			s := Service(d, tc.pod)
			var got *want
			if s != nil {
				got = &want{name: s.Name, typ: s.Spec.Type, selector: s.Spec.Selector, annotations: s.Annotations}
				for _, p := range s.Spec.Ports {
					got.ports = append(got.ports, p.Port)
				}
				if len(s.Name) > 63 {
					t.Errorf("name %q is longer than a DNS label", s.Name)
				}
			}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("%s: -want +got:\n%s", tc.reason, diff)
			}
		})
	}
}
