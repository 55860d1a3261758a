package network_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/xp-aerospike/xp-aerospike/apis/aerospike/v1alpha1"
	"github.com/xp-aerospike/xp-aerospike/function/input/v1beta1"
	"github.com/xp-aerospike/xp-aerospike/function/internal/dbtest"
	"github.com/xp-aerospike/xp-aerospike/function/internal/external"
	"github.com/xp-aerospike/xp-aerospike/function/internal/network"
)

// admitted summarises a NetworkPolicy: for each rule, who (pods of the
// database, this namespace, or a named namespace; "anyone") on which ports
// ("all" when the rule names none).
func admitted(t *testing.T, spec func(*v1alpha1.AerospikeDatabaseSpec), in *v1beta1.Input) map[string][]string {
	t.Helper()
	// As build calls it: external access brings its own rule.
	d := dbtest.New(t, in, spec)
	np := network.Policy(d, 9145, external.Clients(d)...)
	if np == nil {
		return nil
	}
	out := map[string][]string{}
	for _, r := range np.Spec.Ingress {
		ports := "all"
		if len(r.Ports) > 0 {
			ports = ""
			for _, p := range r.Ports {
				ports += p.Port.String()
			}
		}
		if len(r.From) == 0 {
			out[ports] = append(out[ports], "anyone")
		}
		for _, f := range r.From {
			switch {
			case f.IPBlock != nil:
				out[ports] = append(out[ports], "addresses "+f.IPBlock.CIDR)
			case f.NamespaceSelector != nil:
				out[ports] = append(out[ports], "namespace "+f.NamespaceSelector.MatchLabels["kubernetes.io/metadata.name"])
			case len(f.PodSelector.MatchLabels) > 0:
				out[ports] = append(out[ports], "the database's pods")
			default:
				out[ports] = append(out[ports], "this namespace")
			}
		}
	}
	return out
}

func TestPolicy(t *testing.T) {
	cases := map[string]struct {
		reason string
		spec   func(*v1alpha1.AerospikeDatabaseSpec)
		in     *v1beta1.Input
		want   map[string][]string
	}{
		"Off": {
			reason: "no policy unless asked: it would cut off clients the platform team did not list",
		},
		"Clients": {
			reason: "the nodes talk on every port; the provider, this namespace and the named ones reach the client port",
			spec: func(s *v1alpha1.AerospikeDatabaseSpec) {
				s.NetworkPolicy = &v1alpha1.NetworkPolicy{Enabled: true, ClientNamespaces: []string{"shop", "billing"}}
			},
			want: map[string][]string{
				"all":  {"the database's pods"},
				"3000": {"this namespace", "namespace crossplane-system", "namespace shop", "namespace billing"},
			},
		},
		"MonitoringAndProviderNamespace": {
			reason: "scrapers reach the exporter; the provider's namespace comes from the function's input",
			spec: func(s *v1alpha1.AerospikeDatabaseSpec) {
				s.NetworkPolicy = &v1alpha1.NetworkPolicy{Enabled: true}
				s.Monitoring = &v1alpha1.Monitoring{Enabled: true}
			},
			in: &v1beta1.Input{ProviderNamespace: "xp"},
			want: map[string][]string{
				"all":  {"the database's pods"},
				"3000": {"this namespace", "namespace xp"},
				"9145": {"anyone"},
			},
		},
		"ExternalAccess": {
			reason: "external clients come from outside the cluster, through load balancers or node ports: the client port admits any address",
			spec: func(s *v1alpha1.AerospikeDatabaseSpec) {
				s.NetworkPolicy = &v1alpha1.NetworkPolicy{Enabled: true}
				s.ExternalAccess = &v1alpha1.ExternalAccess{Type: v1alpha1.ExternalAccessLoadBalancer}
			},
			want: map[string][]string{
				"all":  {"the database's pods"},
				"3000": {"this namespace", "namespace crossplane-system", "addresses 0.0.0.0/0", "addresses ::/0"},
			},
		},
		"ExternalAccessTLS": {
			reason: "with TLS, external clients reach the TLS port from anywhere; the plain port stays the provider's",
			spec: func(s *v1alpha1.AerospikeDatabaseSpec) {
				s.Edition = v1alpha1.EditionEnterprise
				s.FeatureKeySecretRef = &v1alpha1.SecretKeyRef{Name: "key"}
				s.TLS = &v1alpha1.TLS{SecretName: "db-tls"}
				s.NetworkPolicy = &v1alpha1.NetworkPolicy{Enabled: true}
				s.ExternalAccess = &v1alpha1.ExternalAccess{Type: v1alpha1.ExternalAccessNodePort}
			},
			want: map[string][]string{
				"all":  {"the database's pods"},
				"4333": {"this namespace", "addresses 0.0.0.0/0", "addresses ::/0"},
				"3000": {"namespace crossplane-system"},
			},
		},
		"TLS": {
			reason: "with TLS, applications reach only the TLS port; the plain port stays for the provider",
			spec: func(s *v1alpha1.AerospikeDatabaseSpec) {
				s.Edition = v1alpha1.EditionEnterprise
				s.FeatureKeySecretRef = &v1alpha1.SecretKeyRef{Name: "key"}
				s.TLS = &v1alpha1.TLS{SecretName: "db-tls"}
				s.NetworkPolicy = &v1alpha1.NetworkPolicy{Enabled: true, ClientNamespaces: []string{"shop"}}
			},
			want: map[string][]string{
				"all":  {"the database's pods"},
				"4333": {"this namespace", "namespace shop"},
				"3000": {"namespace crossplane-system"},
			},
		},
		"ProviderInTheDatabasesNamespace": {
			reason: "a namespace named twice is admitted once",
			spec: func(s *v1alpha1.AerospikeDatabaseSpec) {
				s.NetworkPolicy = &v1alpha1.NetworkPolicy{Enabled: true, ClientNamespaces: []string{"team"}}
			},
			in: &v1beta1.Input{ProviderNamespace: "team"},
			want: map[string][]string{
				"all":  {"the database's pods"},
				"3000": {"this namespace"},
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, admitted(t, tc.spec, tc.in)); diff != "" {
				t.Errorf("%s: -want +got:\n%s", tc.reason, diff)
			}
		})
	}
}
