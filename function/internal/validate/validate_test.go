package validate

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/utils/ptr"

	"github.com/xp-aerospike/xp-aerospike/apis/aerospike/v1alpha1"
	"github.com/xp-aerospike/xp-aerospike/function/internal/xr"
	"github.com/xp-aerospike/xp-aerospike/internal/fieldtest"
)

// valid returns a valid Community Edition spec for cases to break.
func valid() *v1alpha1.AerospikeDatabaseSpec {
	return &v1alpha1.AerospikeDatabaseSpec{
		Size:    3,
		Version: "8.1.0.0",
		Namespaces: []v1alpha1.Namespace{{
			Name:    "cache",
			Storage: v1alpha1.NamespaceStorage{Type: v1alpha1.StorageMemory, Size: resource.MustParse("1Gi")},
		}},
	}
}

func enterprise(s *v1alpha1.AerospikeDatabaseSpec) *v1alpha1.AerospikeDatabaseSpec {
	s.Edition = v1alpha1.EditionEnterprise
	s.FeatureKeySecretRef = &v1alpha1.SecretKeyRef{Name: "features"}
	return s
}

func TestSpec(t *testing.T) {
	cases := map[string]struct {
		reason string
		spec   func() *v1alpha1.AerospikeDatabaseSpec
		// want holds "field: message fragment" of each expected error.
		want     []string
		warnings []string
	}{
		"Valid": {
			reason: "a small Community Edition database is valid",
			spec:   valid,
		},
		"ValidEnterprise": {
			reason: "an Enterprise database with racks and users is valid",
			spec: func() *v1alpha1.AerospikeDatabaseSpec {
				s := enterprise(valid())
				s.Size = 6
				s.Racks = []v1alpha1.Rack{{ID: 1, Zone: "a"}, {ID: 2, Zone: "b"}, {ID: 3, Zone: "c"}}
				s.AccessControl = &v1alpha1.AccessControl{
					AdminSecretRef:  v1alpha1.AdminSecretRef{Name: "admin"},
					ApplicationUser: "app",
					Roles:           []v1alpha1.Role{{Name: "app", Privileges: []v1alpha1.Privilege{{Code: "read-write", Namespace: "cache", Set: "s"}, {Code: "sys-admin"}}}},
					Users:           []v1alpha1.User{{Name: "app", Roles: []string{"app", "read"}, PasswordSecretRef: v1alpha1.SecretKeyRef{Name: "pw"}}},
				}
				return s
			},
		},
		"NetworkPolicyClientNamespace": {
			reason: "a client namespace the NetworkPolicy would select by name must be a namespace name",
			spec: func() *v1alpha1.AerospikeDatabaseSpec {
				s := valid()
				s.NetworkPolicy = &v1alpha1.NetworkPolicy{Enabled: true, ClientNamespaces: []string{"shop", "Shop!"}}
				return s
			},
			want: []string{`spec.networkPolicy.clientNamespaces[1]: Invalid value: "Shop!": a lowercase RFC 1123 label`},
		},
		"ExternalAccess": {
			reason: "external access through a load balancer per node, with its annotations, is valid",
			spec: func() *v1alpha1.AerospikeDatabaseSpec {
				s := valid()
				s.ExternalAccess = &v1alpha1.ExternalAccess{Type: v1alpha1.ExternalAccessLoadBalancer, Annotations: map[string]string{"service.beta.kubernetes.io/aws-load-balancer-type": "nlb"}}
				return s
			},
		},
		"ExternalAccessUnknownType": {
			reason: "the per-node Services are load balancers or node ports; the error names the field",
			spec: func() *v1alpha1.AerospikeDatabaseSpec {
				s := valid()
				s.ExternalAccess = &v1alpha1.ExternalAccess{Type: "ClusterIP"}
				return s
			},
			want: []string{`spec.externalAccess.type: Unsupported value: "ClusterIP": supported values: "LoadBalancer", "NodePort"`},
		},
		"ExternalAccessBadAnnotation": {
			reason: "an annotation the apiserver would refuse on the composed Services is refused at the field",
			spec: func() *v1alpha1.AerospikeDatabaseSpec {
				s := valid()
				s.ExternalAccess = &v1alpha1.ExternalAccess{Type: v1alpha1.ExternalAccessNodePort, Annotations: map[string]string{"not a key!": "x"}}
				return s
			},
			want: []string{`spec.externalAccess.annotations: Invalid value: "not a key!"`},
		},
		"MonitoringWithSecurityNeedsExporterUser": {
			reason: "with access control the exporter must log in: without a user it would scrape nothing",
			spec: func() *v1alpha1.AerospikeDatabaseSpec {
				s := enterprise(valid())
				s.AccessControl = &v1alpha1.AccessControl{AdminSecretRef: v1alpha1.AdminSecretRef{Name: "admin"}}
				s.Monitoring = &v1alpha1.Monitoring{Enabled: true}
				return s
			},
			want: []string{`spec.monitoring.exporterUser: Required value: name the user of spec.accessControl.users`},
		},
		"MonitoringExporterUserUnknown": {
			reason: "the exporter's user must be declared, or its password Secret is unknown",
			spec: func() *v1alpha1.AerospikeDatabaseSpec {
				s := enterprise(valid())
				s.AccessControl = &v1alpha1.AccessControl{
					AdminSecretRef: v1alpha1.AdminSecretRef{Name: "admin"},
					Users:          []v1alpha1.User{{Name: "metrics", Roles: []string{"read"}, PasswordSecretRef: v1alpha1.SecretKeyRef{Name: "pw"}}},
				}
				s.Monitoring = &v1alpha1.Monitoring{Enabled: true, ExporterUser: "exporter"}
				return s
			},
			want: []string{`spec.monitoring.exporterUser: Invalid value: "exporter": must name one of spec.accessControl.users`},
		},
		"MonitoringExporterUserWithoutSecurity": {
			reason: "without access control there is nobody to log in as",
			spec: func() *v1alpha1.AerospikeDatabaseSpec {
				s := valid()
				s.Monitoring = &v1alpha1.Monitoring{Enabled: true, ExporterUser: "exporter"}
				return s
			},
			want: []string{`spec.monitoring.exporterUser: Invalid value: "exporter": needs spec.accessControl`},
		},
		"MonitoringBadIntervalAndLabels": {
			reason: "the ServiceMonitor's interval and labels would be refused only when core applies it",
			spec: func() *v1alpha1.AerospikeDatabaseSpec {
				s := valid()
				s.Monitoring = &v1alpha1.Monitoring{Enabled: true, ScrapeInterval: "30 seconds", ServiceMonitorLabels: map[string]string{"release": "kube prometheus"}}
				return s
			},
			want: []string{
				`spec.monitoring.scrapeInterval: Invalid value: "30 seconds": must be a Prometheus duration`,
				`spec.monitoring.serviceMonitorLabels[release]: Invalid value: "kube prometheus"`,
			},
		},
		"TLSOnCommunity": {
			reason: "Community Edition servers have no TLS and would refuse the configuration",
			spec: func() *v1alpha1.AerospikeDatabaseSpec {
				s := valid()
				s.TLS = &v1alpha1.TLS{SecretName: "tls"}
				return s
			},
			want: []string{`spec.tls: Forbidden: TLS needs edition enterprise`},
		},
		"TLSBadNameAndAuthentication": {
			reason: "the TLS name is a DNS name in the certificate; client authentication is None or Required",
			spec: func() *v1alpha1.AerospikeDatabaseSpec {
				s := enterprise(valid())
				s.TLS = &v1alpha1.TLS{SecretName: "tls", Name: "Orders_DB", ClientAuthentication: "Optional"}
				return s
			},
			want: []string{
				`spec.tls.name: Invalid value: "Orders_DB"`,
				`spec.tls.clientAuthentication: Unsupported value: "Optional"`,
			},
		},
		"ReplicationFactorAboveSize": {
			reason: "a cluster cannot hold more copies than it has nodes",
			spec: func() *v1alpha1.AerospikeDatabaseSpec {
				s := valid()
				s.Namespaces[0].ReplicationFactor = 4
				return s
			},
			want: []string{"spec.namespaces[0].replicationFactor: Invalid value: 4: must not exceed spec.size (3)"},
		},
		"CommunityTooLarge": {
			reason: "Community Edition stops at 8 nodes",
			spec: func() *v1alpha1.AerospikeDatabaseSpec {
				s := valid()
				s.Size = 9
				return s
			},
			want: []string{"spec.size: Invalid value: 9: Community Edition clusters have at most 8 nodes"},
		},
		"CommunityTooManyNamespaces": {
			reason: "Community Edition refuses a third namespace",
			spec: func() *v1alpha1.AerospikeDatabaseSpec {
				s := valid()
				for _, n := range []string{"a", "b"} {
					ns := s.Namespaces[0]
					ns.Name = n
					s.Namespaces = append(s.Namespaces, ns)
				}
				return s
			},
			want: []string{"spec.namespaces: Invalid value: 3: Community Edition supports at most 2 namespaces"},
		},
		"CommunityWithEnterpriseFeatures": {
			reason: "users, roles and a feature key need Enterprise Edition",
			spec: func() *v1alpha1.AerospikeDatabaseSpec {
				s := valid()
				s.FeatureKeySecretRef = &v1alpha1.SecretKeyRef{Name: "k"}
				s.AccessControl = &v1alpha1.AccessControl{}
				return s
			},
			want: []string{
				"spec.featureKeySecretRef: Forbidden: a feature key is for Enterprise Edition",
				"spec.accessControl: Forbidden: users and roles need Enterprise Edition",
			},
		},
		"EnterpriseWithoutFeatureKey": {
			reason: "Enterprise Edition does not start without a feature key",
			spec: func() *v1alpha1.AerospikeDatabaseSpec {
				s := valid()
				s.Edition = v1alpha1.EditionEnterprise
				return s
			},
			want: []string{"spec.featureKeySecretRef.name: Required value: Enterprise Edition needs a feature key"},
		},
		"UnknownEdition": {
			reason: "only two editions exist",
			spec: func() *v1alpha1.AerospikeDatabaseSpec {
				s := valid()
				s.Edition = "free"
				return s
			},
			want: []string{`spec.edition: Unsupported value: "free"`},
		},
		"UnknownStorageType": {
			reason: "storage is memory, device or file",
			spec: func() *v1alpha1.AerospikeDatabaseSpec {
				s := valid()
				s.Namespaces[0].Storage.Type = "tape"
				return s
			},
			want: []string{`spec.namespaces[0].storage.type: Unsupported value: "tape"`},
		},
		"ZeroSize": {
			reason: "a namespace needs room",
			spec: func() *v1alpha1.AerospikeDatabaseSpec {
				s := valid()
				s.Namespaces[0].Storage.Size = resource.Quantity{}
				return s
			},
			want: []string{"spec.namespaces[0].storage.size: Invalid value: \"0\": must be a positive quantity"},
		},
		"StorageClassOnMemory": {
			reason: "memory storage has no volume",
			spec: func() *v1alpha1.AerospikeDatabaseSpec {
				s := valid()
				s.Namespaces[0].Storage.StorageClassName = ptr.To("fast")
				return s
			},
			want: []string{"spec.namespaces[0].storage.storageClassName: Forbidden: memory storage has no volume"},
		},
		"DuplicateNamespace": {
			reason: "namespace names are unique",
			spec: func() *v1alpha1.AerospikeDatabaseSpec {
				s := valid()
				s.Namespaces = append(s.Namespaces, s.Namespaces[0])
				return s
			},
			want: []string{`spec.namespaces[1].name: Duplicate value: "cache"`},
		},
		"BadNamespaceName": {
			reason: "Aerospike namespace names are short and plain",
			spec: func() *v1alpha1.AerospikeDatabaseSpec {
				s := valid()
				s.Namespaces[0].Name = "my cache"
				return s
			},
			want: []string{`spec.namespaces[0].name: Invalid value: "my cache"`},
		},
		"TTLWithoutSupervisor": {
			reason: "Aerospike refuses a default TTL while nsup-period is 0",
			spec: func() *v1alpha1.AerospikeDatabaseSpec {
				s := valid()
				s.Namespaces[0].DefaultTTL = "30d"
				s.Namespaces[0].NsupPeriod = "0"
				return s
			},
			want: []string{"spec.namespaces[0].nsupPeriod: Invalid value: \"0\": a namespace with a defaultTTL needs the namespace supervisor"},
		},
		"MalformedTTL": {
			reason: "a TTL is seconds or a number with s, m, h or d",
			spec: func() *v1alpha1.AerospikeDatabaseSpec {
				s := valid()
				s.Namespaces[0].DefaultTTL = "1w"
				return s
			},
			want: []string{`spec.namespaces[0].defaultTTL: Invalid value: "1w"`},
		},
		"MemoryAboveLimit": {
			reason: "memory namespaces must fit in the container",
			spec: func() *v1alpha1.AerospikeDatabaseSpec {
				s := valid()
				s.Namespaces[0].Storage.Size = resource.MustParse("4Gi")
				s.Resources = &corev1.ResourceRequirements{Limits: corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("4Gi")}}
				return s
			},
			want: []string{"spec.resources.limits.memory: Invalid value: \"4Gi\": must exceed the memory namespaces' total size (4Gi)"},
		},
		"RackProblems": {
			reason: "rack ids are unique and in range, and every rack needs a node",
			spec: func() *v1alpha1.AerospikeDatabaseSpec {
				s := valid()
				s.Racks = []v1alpha1.Rack{{ID: 1}, {ID: 1}, {ID: 0}, {ID: 4}}
				return s
			},
			want: []string{
				"spec.racks[1].id: Duplicate value: 1",
				"spec.racks[2].id: Invalid value: 0: rack ids are 1 to 1000000",
				"spec.racks: Invalid value: 4: every rack needs at least one node",
			},
			warnings: []string{"spec.racks: Community Edition cannot be rack-aware"},
		},
		"NonRootDeviceWarns": {
			reason: "a non-root server opens raw devices only where the runtime hands them to the pod's user",
			spec: func() *v1alpha1.AerospikeDatabaseSpec {
				s := valid()
				s.Namespaces[0].Storage = v1alpha1.NamespaceStorage{Type: v1alpha1.StorageDevice, Size: resource.MustParse("10Gi")}
				s.PodSecurity = &v1alpha1.PodSecurity{RunAsNonRoot: true}
				return s
			},
			warnings: []string{`spec.podSecurity.runAsNonRoot: namespace "cache" uses device storage`},
		},
		"CommunityRacksWarn": {
			reason: "Community Edition spreads pods over racks but is not rack-aware",
			spec: func() *v1alpha1.AerospikeDatabaseSpec {
				s := valid()
				s.Racks = []v1alpha1.Rack{{ID: 1}, {ID: 2}}
				return s
			},
			warnings: []string{"spec.racks: Community Edition cannot be rack-aware"},
		},
		"AccessControlProblems": {
			reason: "roles must not shadow predefined ones, scopes must exist, users must name known roles and a password",
			spec: func() *v1alpha1.AerospikeDatabaseSpec {
				s := enterprise(valid())
				s.AccessControl = &v1alpha1.AccessControl{
					ApplicationUser: "nobody",
					Roles: []v1alpha1.Role{
						{Name: "read", Privileges: []v1alpha1.Privilege{{Code: "read"}}},
						{Name: "ops", Privileges: []v1alpha1.Privilege{{Code: "sys-admin", Namespace: "cache"}, {Code: "read", Namespace: "nope"}, {Code: "fly"}}},
						{Name: "empty"},
					},
					Users: []v1alpha1.User{{Name: "u", Roles: []string{"ghost"}}},
				}
				return s
			},
			want: []string{
				"spec.accessControl.adminSecretRef.name: Required value",
				`spec.accessControl.roles[0].name: Invalid value: "read": is a predefined Aerospike role`,
				`spec.accessControl.roles[1].privileges[0]: Invalid value: "sys-admin": applies to the whole cluster`,
				`spec.accessControl.roles[1].privileges[1].namespace: Invalid value: "nope": no such namespace`,
				`spec.accessControl.roles[1].privileges[2].code: Unsupported value: "fly"`,
				"spec.accessControl.roles[2].privileges: Required value",
				`spec.accessControl.users[0].roles[0]: Invalid value: "ghost": no such role`,
				"spec.accessControl.users[0].passwordSecretRef.name: Required value",
				`spec.accessControl.applicationUser: Invalid value: "nobody": must name one of spec.accessControl.users`,
			},
		},
		"MaxUnavailableTooHigh": {
			reason: "a disruption must never take every copy of a record",
			spec: func() *v1alpha1.AerospikeDatabaseSpec {
				s := valid()
				s.MaxUnavailable = ptr.To[int32](2)
				return s
			},
			want: []string{"spec.maxUnavailable: Invalid value: 2: must be below the smallest replication factor (2)"},
		},
		"ReplicationFactorOneWarns": {
			reason: "with one copy, drains must wait",
			spec: func() *v1alpha1.AerospikeDatabaseSpec {
				s := valid()
				s.Namespaces[0].ReplicationFactor = 1
				return s
			},
			warnings: []string{"spec.maxUnavailable is 0"},
		},
		"CommunityDataLimit": {
			reason: "Community Edition is documented to hold at most 5 TiB",
			spec: func() *v1alpha1.AerospikeDatabaseSpec {
				s := valid()
				s.Namespaces[0].Storage = v1alpha1.NamespaceStorage{Type: v1alpha1.StorageDevice, Size: resource.MustParse("2Ti")}
				return s
			},
			warnings: []string{"spec.namespaces: the cluster holds 6Ti of storage (2Ti per node)"},
		},
		"BadServiceAndRetention": {
			reason: "enums are checked even without the schema",
			spec: func() *v1alpha1.AerospikeDatabaseSpec {
				s := valid()
				s.Service = &v1alpha1.ClientService{Type: "ExternalName"}
				s.PersistentVolumeClaimRetentionPolicy = &v1alpha1.PersistentVolumeClaimRetentionPolicy{WhenDeleted: "Keep"}
				return s
			},
			want: []string{
				`spec.service.type: Unsupported value: "ExternalName"`,
				`spec.persistentVolumeClaimRetentionPolicy.whenDeleted: Unsupported value: "Keep"`,
			},
		},
		"BadNodeSelector": {
			reason: "node selectors are labels",
			spec: func() *v1alpha1.AerospikeDatabaseSpec {
				s := valid()
				s.Placement = &v1alpha1.Placement{NodeSelector: map[string]string{"disk": "fast ssd"}}
				return s
			},
			want: []string{`spec.placement.nodeSelector[disk]: Invalid value: "fast ssd"`},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			s := tc.spec()
			xr.Default(s)
			r := Spec(s)
			fieldtest.HavePrefixes(t, tc.reason, r.Errors, tc.want)
			if len(r.Warnings) != len(tc.warnings) {
				t.Fatalf("%s: want warnings %q, got %q", tc.reason, tc.warnings, r.Warnings)
			}
			for i := range tc.warnings {
				if !strings.HasPrefix(r.Warnings[i], tc.warnings[i]) {
					t.Errorf("%s: warning %d: want prefix %q, got %q", tc.reason, i, tc.warnings[i], r.Warnings[i])
				}
			}
		})
	}
}
