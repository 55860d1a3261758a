package workload

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/utils/ptr"

	"github.com/xp-aerospike/xp-aerospike/apis/aerospike/v1alpha1"
	"github.com/xp-aerospike/xp-aerospike/function/input/v1beta1"
	"github.com/xp-aerospike/xp-aerospike/function/internal/config"
	"github.com/xp-aerospike/xp-aerospike/function/internal/database"
	"github.com/xp-aerospike/xp-aerospike/function/internal/dbtest"
	"github.com/xp-aerospike/xp-aerospike/function/internal/plan"
)

func build(t *testing.T, in *v1beta1.Input, edit func(s *v1alpha1.AerospikeDatabaseSpec)) (*database.Database, []*appsv1.StatefulSet) {
	t.Helper()
	d := dbtest.New(t, in, edit)
	confs, res := config.Build(d)
	if res.Failed() {
		t.Fatal(res.Errors)
	}
	return d, StatefulSets(d, confs, final(d))
}

// final is the step that runs every rack's final number of pods with
// nothing held back.
func final(d *database.Database) plan.Plan {
	p := plan.Plan{}
	for _, r := range d.Racks {
		p.Racks = append(p.Racks, plan.RackStep{ID: r.ID, Replicas: r.Nodes})
	}
	return p
}

// TestStatefulSetsRenderTheStep: each rack's StatefulSet runs the pods and
// holds back the rollout the plan's step says, whatever the spec's final
// size: the plan decides, the builder renders.
func TestStatefulSetsRenderTheStep(t *testing.T) {
	d := dbtest.New(t, nil, func(s *v1alpha1.AerospikeDatabaseSpec) {
		s.Size = 4
		s.Racks = []v1alpha1.Rack{{ID: 1}, {ID: 2}}
	})
	confs, res := config.Build(d)
	if res.Failed() {
		t.Fatal(res.Errors)
	}
	step := plan.Plan{Racks: []plan.RackStep{{ID: 2, Replicas: 3, Partition: 1}, {ID: 1, Replicas: 2}}}
	type got struct{ Replicas, Partition int32 }
	sets := StatefulSets(d, confs, step)
	have := make([]got, 0, len(sets))
	for _, s := range sets {
		have = append(have, got{*s.Spec.Replicas, *s.Spec.UpdateStrategy.RollingUpdate.Partition})
	}
	if diff := cmp.Diff([]got{{2, 0}, {3, 1}}, have); diff != "" {
		t.Errorf("StatefulSets(): -want +got (replicas, partition by rack):\n%s", diff)
	}
}

func TestStatefulSetsPerRack(t *testing.T) {
	_, sets := build(t, nil, func(s *v1alpha1.AerospikeDatabaseSpec) {
		s.Size = 5
		s.Racks = []v1alpha1.Rack{{ID: 1, Zone: "a"}, {ID: 2, Zone: "b", NodeSelector: map[string]string{"pool": "b"}, Tolerations: []corev1.Toleration{{Key: "rack-b"}}}}
		s.Placement = &v1alpha1.Placement{NodeSelector: map[string]string{"pool": "db", "disk": "ssd"}, Tolerations: []corev1.Toleration{{Key: "all"}}}
	})
	if len(sets) != 2 {
		t.Fatalf("want a StatefulSet per rack, got %d", len(sets))
	}
	b := sets[1]
	if b.Name != "db-2" || *b.Spec.Replicas != 2 || *sets[0].Spec.Replicas != 3 {
		t.Errorf("rack 2: %s with %d replicas; rack 1 with %d", b.Name, *b.Spec.Replicas, *sets[0].Spec.Replicas)
	}
	pod := b.Spec.Template.Spec
	if diff := cmp.Diff(map[string]string{"pool": "b", "disk": "ssd"}, pod.NodeSelector); diff != "" {
		t.Errorf("the rack's node selector wins over the database's: -want +got:\n%s", diff)
	}
	if diff := cmp.Diff([]corev1.Toleration{{Key: "all"}, {Key: "rack-b"}}, pod.Tolerations); diff != "" {
		t.Errorf("tolerations: -want +got:\n%s", diff)
	}
	zone := pod.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms[0].MatchExpressions[0]
	if diff := cmp.Diff(corev1.NodeSelectorRequirement{Key: LabelZone, Operator: corev1.NodeSelectorOpIn, Values: []string{"b"}}, zone); diff != "" {
		t.Errorf("zone affinity: -want +got:\n%s", diff)
	}
	anti := pod.Affinity.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution
	if len(anti) != 1 || anti[0].TopologyKey != LabelHostname {
		t.Errorf("want required anti-affinity per host, got %+v", anti)
	}
	if b.Spec.Selector.MatchLabels["aerospike.xp-aerospike.io/rack"] != "2" {
		t.Errorf("the selector must pick only the rack's pods: %v", b.Spec.Selector.MatchLabels)
	}
	if b.Spec.Template.Annotations["aerospike.xp-aerospike.io/config-hash"] == "" {
		t.Error("the pod template carries no configuration hash")
	}
}

func TestUserAffinityIsKept(t *testing.T) {
	user := &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{
		NodeSelectorTerms: []corev1.NodeSelectorTerm{
			{MatchExpressions: []corev1.NodeSelectorRequirement{{Key: "arch", Operator: corev1.NodeSelectorOpIn, Values: []string{"amd64"}}}},
			{MatchExpressions: []corev1.NodeSelectorRequirement{{Key: "arch", Operator: corev1.NodeSelectorOpIn, Values: []string{"arm64"}}}},
		},
	}}}
	d, sets := build(t, nil, func(s *v1alpha1.AerospikeDatabaseSpec) {
		s.Racks = []v1alpha1.Rack{{ID: 1, Zone: "z"}}
		s.Placement = &v1alpha1.Placement{Affinity: user, MultiPodPerHost: true}
	})
	terms := sets[0].Spec.Template.Spec.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms
	for i, term := range terms {
		if len(term.MatchExpressions) != 2 || term.MatchExpressions[1].Key != LabelZone {
			t.Errorf("term %d: the zone must hold in every ORed term: %+v", i, term)
		}
	}
	if len(d.Spec.Placement.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms[0].MatchExpressions) != 1 {
		t.Error("building the StatefulSet changed the spec's affinity")
	}
	anti := sets[0].Spec.Template.Spec.Affinity.PodAntiAffinity
	if len(anti.RequiredDuringSchedulingIgnoredDuringExecution) != 0 || len(anti.PreferredDuringSchedulingIgnoredDuringExecution) != 1 {
		t.Errorf("multiPodPerHost makes the anti-affinity a preference: %+v", anti)
	}
}

func TestVolumes(t *testing.T) {
	_, sets := build(t, &v1beta1.Input{StorageClassName: "standard"}, func(s *v1alpha1.AerospikeDatabaseSpec) {
		s.Namespaces = []v1alpha1.Namespace{
			{Name: "dev", Storage: v1alpha1.NamespaceStorage{Type: v1alpha1.StorageDevice, Size: resource.MustParse("100Gi"), StorageClassName: ptr.To("nvme")}},
			{Name: "files", Storage: v1alpha1.NamespaceStorage{Type: v1alpha1.StorageFile, Size: resource.MustParse("10Gi")}},
		}
		s.PersistentVolumeClaimRetentionPolicy = &v1alpha1.PersistentVolumeClaimRetentionPolicy{WhenDeleted: "Delete"}
	})
	sts := sets[0]
	type claim struct {
		name, class, size string
		mode              corev1.PersistentVolumeMode
	}
	got := make([]claim, 0, len(sts.Spec.VolumeClaimTemplates))
	for _, c := range sts.Spec.VolumeClaimTemplates {
		q := c.Spec.Resources.Requests[corev1.ResourceStorage]
		got = append(got, claim{c.Name, ptr.Deref(c.Spec.StorageClassName, ""), q.String(), *c.Spec.VolumeMode})
	}
	want := []claim{
		{"data-dev", "nvme", "100Gi", corev1.PersistentVolumeBlock},
		{"data-files", "standard", "10Gi", corev1.PersistentVolumeFilesystem},
		{"workdir", "nvme", "1Gi", corev1.PersistentVolumeFilesystem},
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(claim{})); diff != "" {
		t.Errorf("volume claims: -want +got:\n%s", diff)
	}
	c := sts.Spec.Template.Spec.Containers[0]
	if diff := cmp.Diff([]corev1.VolumeDevice{{Name: "data-dev", DevicePath: "/dev/aerospike/data-dev"}}, c.VolumeDevices); diff != "" {
		t.Errorf("devices: -want +got:\n%s", diff)
	}
	if c.VolumeMounts[len(c.VolumeMounts)-1].MountPath != "/opt/aerospike/data/data-files" {
		t.Errorf("file volume mount: %+v", c.VolumeMounts)
	}
	for _, v := range sts.Spec.Template.Spec.Volumes {
		if v.Name == "workdir" {
			t.Error("a persistent database keeps its work directory on a volume claim, not an emptyDir")
		}
	}
	want2 := appsv1.StatefulSetPersistentVolumeClaimRetentionPolicy{WhenDeleted: appsv1.DeletePersistentVolumeClaimRetentionPolicyType, WhenScaled: appsv1.RetainPersistentVolumeClaimRetentionPolicyType}
	if diff := cmp.Diff(want2, *sts.Spec.PersistentVolumeClaimRetentionPolicy); diff != "" {
		t.Errorf("retention: only what the user asked to delete is deleted: -want +got:\n%s", diff)
	}
}

func TestMemoryOnlyHasNoClaims(t *testing.T) {
	_, sets := build(t, nil, nil)
	sts := sets[0]
	if len(sts.Spec.VolumeClaimTemplates) != 0 {
		t.Errorf("a memory-only database needs no volume claims, got %d", len(sts.Spec.VolumeClaimTemplates))
	}
	if diff := cmp.Diff(appsv1.StatefulSetPersistentVolumeClaimRetentionPolicy{WhenDeleted: "Retain", WhenScaled: "Retain"}, *sts.Spec.PersistentVolumeClaimRetentionPolicy); diff != "" {
		t.Errorf("retention defaults to Retain: -want +got:\n%s", diff)
	}
}

func TestEnterpriseAndMonitoring(t *testing.T) {
	_, sets := build(t, &v1beta1.Input{ExporterImage: "mirror/exporter:1"}, func(s *v1alpha1.AerospikeDatabaseSpec) {
		s.Edition = v1alpha1.EditionEnterprise
		s.FeatureKeySecretRef = &v1alpha1.SecretKeyRef{Name: "key"}
		s.Monitoring = &v1alpha1.Monitoring{Enabled: true}
	})
	pod := sets[0].Spec.Template.Spec
	if len(pod.Containers) != 2 || pod.Containers[1].Image != "mirror/exporter:1" {
		t.Fatalf("want the server and the exporter, got %+v", pod.Containers)
	}
	var fk *corev1.Volume
	for i := range pod.Volumes {
		if pod.Volumes[i].Name == "feature-key" {
			fk = &pod.Volumes[i]
		}
	}
	if fk == nil || fk.Secret.SecretName != "key" || fk.Secret.Items[0].Key != "features.conf" {
		t.Errorf("the feature key is mounted from its Secret: %+v", fk)
	}
}

func TestPodDisruptionBudget(t *testing.T) {
	cases := map[string]struct {
		rf, size int32
		user     *int32
		want     int32
	}{
		"RF2":     {rf: 2, size: 3, want: 1},
		"RF1":     {rf: 1, size: 3, want: 0},
		"RF3User": {rf: 3, size: 5, user: ptr.To[int32](2), want: 2},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			d, _ := build(t, nil, func(s *v1alpha1.AerospikeDatabaseSpec) {
				s.Size, s.Namespaces[0].ReplicationFactor, s.MaxUnavailable = tc.size, tc.rf, tc.user
			})
			pdb := PodDisruptionBudget(d)
			if got := pdb.Spec.MaxUnavailable.IntVal; got != tc.want {
				t.Errorf("maxUnavailable = %d, want %d", got, tc.want)
			}
			if diff := cmp.Diff(d.Names.Selector(), pdb.Spec.Selector.MatchLabels); diff != "" {
				t.Errorf("the budget must cover every pod of the database: -want +got:\n%s", diff)
			}
		})
	}
}

// TestResourceRequestsAlwaysSet: every container asks the scheduler for
// what it needs; the server's default memory request holds its memory
// namespaces, and what the spec sets is kept as it is.
func TestResourceRequestsAlwaysSet(t *testing.T) {
	gi := func(n int64) resource.Quantity { return *resource.NewQuantity(n<<30, resource.BinarySI) }
	cases := map[string]struct {
		reason string
		spec   *corev1.ResourceRequirements
		want   corev1.ResourceList // the server's requests
		limits corev1.ResourceList
	}{
		"Defaults": {
			reason: "no resources: CPU and memory requests, memory for both memory namespaces plus the overhead",
			want:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("500m"), corev1.ResourceMemory: gi(4)},
		},
		"RequestsKept": {
			reason: "the spec's requests are the spec's",
			spec:   &corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("2"), corev1.ResourceMemory: gi(8)}},
			want:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("2"), corev1.ResourceMemory: gi(8)},
		},
		"LimitOnlyMemory": {
			reason: "a memory limit alone makes Kubernetes request as much: only the CPU request is added",
			spec:   &corev1.ResourceRequirements{Limits: corev1.ResourceList{corev1.ResourceMemory: gi(6)}},
			want:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("500m")},
			limits: corev1.ResourceList{corev1.ResourceMemory: gi(6)},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, sets := build(t, nil, func(s *v1alpha1.AerospikeDatabaseSpec) {
				s.Namespaces = []v1alpha1.Namespace{
					{Name: "a", Storage: v1alpha1.NamespaceStorage{Type: v1alpha1.StorageMemory, Size: gi(2)}},
					{Name: "b", Storage: v1alpha1.NamespaceStorage{Type: v1alpha1.StorageMemory, Size: gi(1)}},
				}
				s.Resources = tc.spec
			})
			pod := sets[0].Spec.Template.Spec
			for _, c := range append(pod.InitContainers, pod.Containers...) {
				if c.Name != ServerContainer && (c.Resources.Requests.Cpu().IsZero() || c.Resources.Requests.Memory().IsZero()) {
					t.Errorf("container %s requests no CPU or memory: %v", c.Name, c.Resources.Requests)
				}
				if c.Name != ServerContainer {
					continue
				}
				if diff := cmp.Diff(tc.want, c.Resources.Requests, cmp.Comparer(func(a, b resource.Quantity) bool { return a.Cmp(b) == 0 })); diff != "" {
					t.Errorf("%s: server requests -want +got:\n%s", tc.reason, diff)
				}
				if diff := cmp.Diff(tc.limits, c.Resources.Limits, cmp.Comparer(func(a, b resource.Quantity) bool { return a.Cmp(b) == 0 })); diff != "" {
					t.Errorf("%s: server limits -want +got:\n%s", tc.reason, diff)
				}
			}
		})
	}
}

// TestPodSecurity: the default seccomp profile, and every container without
// capabilities or privilege escalation, the exporter's included.
func TestPodSecurity(t *testing.T) {
	_, sets := build(t, nil, func(s *v1alpha1.AerospikeDatabaseSpec) {
		s.Monitoring = &v1alpha1.Monitoring{Enabled: true}
	})
	pod := sets[0].Spec.Template.Spec
	if pod.SecurityContext == nil || pod.SecurityContext.SeccompProfile == nil || pod.SecurityContext.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Errorf("the pod must use the runtime's default seccomp profile: %+v", pod.SecurityContext)
	}
	cs := slices.Concat(pod.InitContainers, pod.Containers)
	if len(cs) < 3 {
		t.Fatalf("want the init, server and exporter containers, got %d", len(cs))
	}
	for _, c := range cs {
		sc := c.SecurityContext
		if sc == nil || !cmp.Equal(sc.Capabilities, &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}}) || ptr.Deref(sc.AllowPrivilegeEscalation, true) {
			t.Errorf("container %s must drop every capability and forbid privilege escalation: %+v", c.Name, sc)
		}
	}
}

// TestExporterCredentials: with access control, the exporter logs in as the
// named user with the password its entrypoint reads from the environment,
// which the kubelet fills from the user's Secret: the pod spec (and so the
// rendered output) never holds the password. Without access control it
// logs in as nobody.
func TestExporterCredentials(t *testing.T) {
	env := func(c corev1.Container) map[string]corev1.EnvVar {
		out := map[string]corev1.EnvVar{}
		for _, e := range c.Env {
			out[e.Name] = e
		}
		return out
	}

	_, sets := build(t, nil, func(s *v1alpha1.AerospikeDatabaseSpec) {
		s.Edition = v1alpha1.EditionEnterprise
		s.FeatureKeySecretRef = &v1alpha1.SecretKeyRef{Name: "key"}
		s.AccessControl = &v1alpha1.AccessControl{
			AdminSecretRef: v1alpha1.AdminSecretRef{Name: "admin"},
			Users:          []v1alpha1.User{{Name: "metrics", Roles: []string{"read"}, PasswordSecretRef: v1alpha1.SecretKeyRef{Name: "metrics-pw"}}},
		}
		s.Monitoring = &v1alpha1.Monitoring{Enabled: true, ExporterUser: "metrics"}
	})
	e := env(sets[0].Spec.Template.Spec.Containers[1])
	if e["AS_AUTH_USER"].Value != "metrics" || e["AS_AUTH_MODE"].Value != "internal" {
		t.Errorf("the exporter logs in as metrics: %+v %+v", e["AS_AUTH_USER"], e["AS_AUTH_MODE"])
	}
	pw := e["AS_AUTH_PASSWORD"]
	if pw.Value != "" || pw.ValueFrom == nil || pw.ValueFrom.SecretKeyRef == nil ||
		pw.ValueFrom.SecretKeyRef.Name != "metrics-pw" || pw.ValueFrom.SecretKeyRef.Key != "password" {
		t.Errorf("the password comes from the user's Secret (key password), never inline: %+v", pw)
	}
	if e["AS_HOST"].Value != "127.0.0.1" || e["AS_PORT"].Value != "3000" || e["AGENT_BIND_PORT"].Value != "9145" {
		t.Errorf("the exporter reads its own node and serves on 9145: %+v", e)
	}

	_, sets = build(t, nil, func(s *v1alpha1.AerospikeDatabaseSpec) {
		s.Monitoring = &v1alpha1.Monitoring{Enabled: true}
	})
	e = env(sets[0].Spec.Template.Spec.Containers[1])
	for _, name := range []string{"AS_AUTH_USER", "AS_AUTH_PASSWORD", "AS_AUTH_MODE"} {
		if _, ok := e[name]; ok {
			t.Errorf("without access control the exporter sets no %s", name)
		}
	}
}

// TestTLSMountsTheCertificate: the Secret's three files, by cert-manager's
// key names, where aerospike.conf reads them; the TLS ports on the server.
func TestTLSMountsTheCertificate(t *testing.T) {
	_, sets := build(t, nil, func(s *v1alpha1.AerospikeDatabaseSpec) {
		s.Edition = v1alpha1.EditionEnterprise
		s.FeatureKeySecretRef = &v1alpha1.SecretKeyRef{Name: "key"}
		s.TLS = &v1alpha1.TLS{SecretName: "db-tls", Heartbeat: true}
	})
	pod := sets[0].Spec.Template.Spec
	var vol *corev1.Volume
	for i := range pod.Volumes {
		if pod.Volumes[i].Secret != nil && pod.Volumes[i].Secret.SecretName == "db-tls" {
			vol = &pod.Volumes[i]
		}
	}
	if vol == nil {
		t.Fatalf("no volume from the TLS Secret: %+v", pod.Volumes)
	}
	keys := make([]string, 0, len(vol.Secret.Items))
	for _, it := range vol.Secret.Items {
		if it.Key != it.Path {
			t.Errorf("key %s is mounted as %s; aerospike.conf names the files by their keys", it.Key, it.Path)
		}
		keys = append(keys, it.Key)
	}
	if diff := cmp.Diff([]string{"tls.crt", "tls.key", "ca.crt"}, keys); diff != "" {
		t.Errorf("TLS Secret keys -want +got:\n%s", diff)
	}
	server := pod.Containers[0]
	mounted := false
	for _, m := range server.VolumeMounts {
		mounted = mounted || (m.Name == vol.Name && m.MountPath == "/etc/aerospike/tls" && m.ReadOnly)
	}
	if !mounted {
		t.Errorf("the server does not mount the certificate read-only at /etc/aerospike/tls: %+v", server.VolumeMounts)
	}
	ports := map[string]int32{}
	for _, p := range server.Ports {
		ports[p.Name] = p.ContainerPort
	}
	if ports["tls-service"] != 4333 || ports["tls-heartbeat"] != 3012 || ports["tls-fabric"] != 0 {
		t.Errorf("server ports %v: want tls-service 4333 and tls-heartbeat 3012, no tls-fabric", ports)
	}
}

// TestRunAsNonRoot: opted in, every container runs as the given (or the
// default unprivileged) user, whose group owns the volumes; by default the
// pod names no user, as the official image runs as root.
func TestRunAsNonRoot(t *testing.T) {
	cases := map[string]struct {
		ps   *v1alpha1.PodSecurity
		want *int64
	}{
		"Default":        {},
		"NonRoot":        {ps: &v1alpha1.PodSecurity{RunAsNonRoot: true}, want: ptr.To(DefaultNonRootUser)},
		"NonRootAsUser":  {ps: &v1alpha1.PodSecurity{RunAsNonRoot: true, RunAsUser: ptr.To[int64](1001)}, want: ptr.To[int64](1001)},
		"UserWithoutOpt": {ps: &v1alpha1.PodSecurity{RunAsUser: ptr.To[int64](1001)}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, sets := build(t, nil, func(s *v1alpha1.AerospikeDatabaseSpec) { s.PodSecurity = tc.ps })
			sc := sets[0].Spec.Template.Spec.SecurityContext
			if tc.want == nil {
				if sc.RunAsUser != nil || sc.RunAsNonRoot != nil || sc.FSGroup != nil {
					t.Errorf("no user asked for, got %+v", sc)
				}
				return
			}
			for what, got := range map[string]*int64{"runAsUser": sc.RunAsUser, "runAsGroup": sc.RunAsGroup, "fsGroup": sc.FSGroup} {
				if got == nil || *got != *tc.want {
					t.Errorf("%s = %v, want %d", what, got, *tc.want)
				}
			}
			if !ptr.Deref(sc.RunAsNonRoot, false) || ptr.Deref(sc.FSGroupChangePolicy, "") != corev1.FSGroupChangeOnRootMismatch {
				t.Errorf("runAsNonRoot and fsGroupChangePolicy OnRootMismatch: %+v", sc)
			}
			if sc.SeccompProfile == nil || sc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
				t.Errorf("the seccomp profile is kept: %+v", sc)
			}
		})
	}
}
