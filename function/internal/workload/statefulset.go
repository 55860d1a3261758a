// Package workload composes the pods of an AerospikeDatabase: one
// StatefulSet per rack, and the PodDisruptionBudget that guards them.
package workload

import (
	"strconv"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	"github.com/xp-aerospike/xp-aerospike/apis/aerospike/v1alpha1"
	"github.com/xp-aerospike/xp-aerospike/function/internal/config"
	"github.com/xp-aerospike/xp-aerospike/function/internal/database"
	"github.com/xp-aerospike/xp-aerospike/function/internal/external"
	"github.com/xp-aerospike/xp-aerospike/function/internal/layout"
	"github.com/xp-aerospike/xp-aerospike/function/internal/names"
	"github.com/xp-aerospike/xp-aerospike/function/internal/plan"
	"github.com/xp-aerospike/xp-aerospike/function/internal/tls"
)

// Container and volume names.
const (
	ServerContainer   = names.ServerContainer
	ExporterContainer = "exporter"
	InitContainer     = "init-workdir"

	featureKeyVolume = "feature-key"
	workVolume       = "workdir"

	// ExporterPort is where the Prometheus exporter serves metrics, under
	// the container port name ExporterPortName.
	ExporterPort     = 9145
	ExporterPortName = "metrics"
)

// workVolumeSize holds the server's system metadata (users, roles, UDF
// modules, secondary index definitions): small, but it must survive restarts.
var workVolumeSize = resource.MustParse("1Gi")

// terminationGracePeriod gives a node time to flush its write buffers and, on
// Enterprise Edition, save its index for a fast restart.
const terminationGracePeriod = 600

// startupFailures allows a node an hour to load its data from disk before
// the liveness probe may restart it: cold starts of large devices are slow.
const startupFailures = 360

// StatefulSets returns one StatefulSet per rack, in d.Racks' order; confs
// holds each rack's configuration, in the same order. Each runs the pods
// and holds back the rollout the step p plans for its rack.
func StatefulSets(d *database.Database, confs []config.Rack, p plan.Plan) []*appsv1.StatefulSet {
	out := make([]*appsv1.StatefulSet, 0, len(d.Racks))
	for i, r := range d.Racks {
		out = append(out, statefulSet(d, r, confs[i], p.Rack(r.ID)))
	}
	return out
}

func statefulSet(d *database.Database, r database.Rack, conf config.Rack, step plan.RackStep) *appsv1.StatefulSet {
	selector := d.Names.RackSelector(r.ID)
	podLabels := d.Names.RackSelector(r.ID)
	podLabels[names.LabelComponent] = "database"

	annotations := map[string]string{names.AnnotationConfigHash: conf.Hash}
	if d.Monitoring() {
		// The conventional annotations let a Prometheus without the
		// Prometheus Operator find the exporter.
		annotations["prometheus.io/scrape"] = "true"
		annotations["prometheus.io/port"] = strconv.Itoa(ExporterPort)
	}

	retention := d.Spec.PersistentVolumeClaimRetentionPolicy
	sts := &appsv1.StatefulSet{
		ObjectMeta: metav1.ObjectMeta{
			Name:      r.StatefulSet,
			Namespace: d.Namespace,
			Labels:    rackLabels(d, r),
			// What the data depends on, for the guard to compare a
			// later spec with.
			Annotations: plan.Signature(d.Spec, d.Version),
		},
		Spec: appsv1.StatefulSetSpec{
			Replicas:    ptr.To(step.Replicas),
			ServiceName: d.Names.HeadlessService(),
			Selector:    &metav1.LabelSelector{MatchLabels: selector},
			// One pod at a time: a node joins the cluster before the
			// next starts, and a scale-down removes one node at a time.
			PodManagementPolicy: appsv1.OrderedReadyPodManagement,
			UpdateStrategy: appsv1.StatefulSetUpdateStrategy{
				Type: appsv1.RollingUpdateStatefulSetStrategyType,
				RollingUpdate: &appsv1.RollingUpdateStatefulSetStrategy{
					Partition: ptr.To(step.Partition),
				},
			},
			PersistentVolumeClaimRetentionPolicy: &appsv1.StatefulSetPersistentVolumeClaimRetentionPolicy{
				WhenDeleted: appsv1.PersistentVolumeClaimRetentionPolicyType(retention.WhenDeleted),
				WhenScaled:  appsv1.PersistentVolumeClaimRetentionPolicyType(retention.WhenScaled),
			},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: podLabels, Annotations: annotations},
				Spec:       podSpec(d, r),
			},
			VolumeClaimTemplates: claims(d),
		},
	}
	return sts
}

func rackLabels(d *database.Database, r database.Rack) map[string]string {
	l := d.Names.Labels("database")
	l[names.LabelRack] = strconv.Itoa(int(r.ID))
	return l
}

func podSpec(d *database.Database, r database.Rack) corev1.PodSpec {
	s := d.Spec
	ps := corev1.PodSpec{
		TerminationGracePeriodSeconds: ptr.To[int64](terminationGracePeriod),
		ImagePullSecrets:              s.ImagePullSecrets,
		NodeSelector:                  nodeSelector(s.Placement, r),
		Tolerations:                   tolerations(s.Placement, r),
		Affinity:                      affinity(d, r),
		InitContainers:                []corev1.Container{initContainer(d)},
		Containers:                    []corev1.Container{server(d)},
		Volumes:                       volumes(d, r),
		SecurityContext:               podSecurityContext(d),
	}
	if d.Monitoring() {
		ps.Containers = append(ps.Containers, exporter(d))
	}
	external.Pod(d, r, &ps)
	for _, cs := range [][]corev1.Container{ps.InitContainers, ps.Containers} {
		for i := range cs {
			cs[i].SecurityContext = restricted()
		}
	}
	return ps
}

// DefaultNonRootUser is the user ID containers run as with
// spec.podSecurity.runAsNonRoot and no runAsUser: the conventional
// unprivileged "nonroot" ID, owned by no user of the images.
const DefaultNonRootUser int64 = 65532

// podSecurityContext is the runtime's default seccomp profile for every
// pod and, when the spec asks, a non-root user whose group owns the
// volumes. The group is changed only where a volume's root does not have
// it yet, so a large data volume is not walked at every start.
func podSecurityContext(d *database.Database) *corev1.PodSecurityContext {
	sc := &corev1.PodSecurityContext{
		SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
	}
	ps := d.Spec.PodSecurity
	if ps == nil || !ps.RunAsNonRoot {
		return sc
	}
	id := DefaultNonRootUser
	if ps.RunAsUser != nil {
		id = *ps.RunAsUser
	}
	sc.RunAsNonRoot = ptr.To(true)
	sc.RunAsUser, sc.RunAsGroup, sc.FSGroup = ptr.To(id), ptr.To(id), ptr.To(id)
	sc.FSGroupChangePolicy = ptr.To(corev1.FSGroupChangeOnRootMismatch)
	return sc
}

// restricted is every container's security context: no Linux capability
// and no way to gain privileges. asd needs neither (it binds ports above
// 1024 and raises its open-files limit only up to the hard limit); the
// real-server tests run it under exactly these restrictions. The server
// runs as the image's user, root, unless spec.podSecurity says otherwise:
// the official image ships no user of its own, and device storage needs
// the node's runtime to hand devices to non-root containers.
func restricted() *corev1.SecurityContext {
	return &corev1.SecurityContext{
		AllowPrivilegeEscalation: ptr.To(false),
		Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
	}
}

// initContainer creates the directories the server refuses to start without
// (it exits when the system metadata directory is missing), on a work volume
// that starts empty.
func initContainer(d *database.Database) corev1.Container {
	return corev1.Container{
		Name:         InitContainer,
		Image:        d.Image,
		Command:      []string{"mkdir", "-p", layout.WorkDir + "/smd", layout.UDFDir},
		VolumeMounts: []corev1.VolumeMount{{Name: workVolume, MountPath: layout.WorkDir}},
		Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{
			corev1.ResourceCPU:    resource.MustParse("10m"),
			corev1.ResourceMemory: resource.MustParse("16Mi"),
		}},
	}
}

// Requests the server container gets for what the spec leaves unset, so
// the scheduler never places a node where its memory namespaces cannot
// fit: every memory namespace's size (Aerospike allocates it up front)
// plus serverMemoryOverhead for the primary index and the server itself.
var (
	serverCPURequest     = resource.MustParse("500m")
	serverMemoryOverhead = resource.MustParse("1Gi")
)

// serverResources returns the spec's resources with a CPU and a memory
// request added where the spec sets neither a request nor a limit (a limit
// alone already makes Kubernetes request as much).
func serverResources(d *database.Database) corev1.ResourceRequirements {
	r := corev1.ResourceRequirements{}
	if d.Spec.Resources != nil {
		r = *d.Spec.Resources.DeepCopy()
	}
	memory := serverMemoryOverhead.DeepCopy()
	for _, st := range d.Storage {
		if !st.Persistent() {
			memory.Add(st.Size)
		}
	}
	for name, q := range map[corev1.ResourceName]resource.Quantity{corev1.ResourceCPU: serverCPURequest, corev1.ResourceMemory: memory} {
		if _, ok := r.Requests[name]; ok {
			continue
		}
		if _, ok := r.Limits[name]; ok {
			continue
		}
		if r.Requests == nil {
			r.Requests = corev1.ResourceList{}
		}
		r.Requests[name] = q
	}
	return r
}

func server(d *database.Database) corev1.Container {
	c := corev1.Container{
		Name:  ServerContainer,
		Image: d.Image,
		Args:  []string{"asd", "--foreground", "--config-file", layout.ConfDir + "/" + layout.ConfFile},
		Ports: []corev1.ContainerPort{
			{Name: "service", ContainerPort: database.ServicePort},
			{Name: "fabric", ContainerPort: database.FabricPort},
			{Name: "heartbeat", ContainerPort: database.HeartbeatPort},
		},
		// The client port opens only once the node has loaded its data and
		// joined the cluster, so it serves all three probes.
		StartupProbe:   tcpProbe(startupFailures),
		LivenessProbe:  tcpProbe(6),
		ReadinessProbe: tcpProbe(3),
		VolumeMounts: []corev1.VolumeMount{
			{Name: layout.ConfigVolume, MountPath: layout.ConfDir, ReadOnly: true},
			{Name: workVolume, MountPath: layout.WorkDir},
		},
	}
	c.Resources = serverResources(d)
	if d.Enterprise() {
		c.VolumeMounts = append(c.VolumeMounts, corev1.VolumeMount{Name: featureKeyVolume, MountPath: layout.SecretsDir, ReadOnly: true})
	}
	tls.Server(d, &c)
	for _, st := range d.Storage {
		switch st.Type {
		case v1alpha1.StorageDevice:
			c.VolumeDevices = append(c.VolumeDevices, corev1.VolumeDevice{Name: st.Volume, DevicePath: st.DevicePath()})
		case v1alpha1.StorageFile:
			c.VolumeMounts = append(c.VolumeMounts, corev1.VolumeMount{Name: st.Volume, MountPath: st.MountPath()})
		}
	}
	return c
}

func tcpProbe(failures int32) *corev1.Probe {
	return &corev1.Probe{
		ProbeHandler:     corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromString("service")}},
		PeriodSeconds:    10,
		TimeoutSeconds:   5,
		FailureThreshold: failures,
	}
}

// exporter is the Prometheus exporter sidecar, configured through the
// environment its image's entrypoint turns into its configuration file. It
// reads the node next to it over the pod's loopback. With access control it
// logs in as spec.monitoring.exporterUser; the password comes from that
// user's Secret through the kubelet, so it never appears in the pod spec.
func exporter(d *database.Database) corev1.Container {
	env := []corev1.EnvVar{
		{Name: "AS_HOST", Value: "127.0.0.1"},
		{Name: "AS_PORT", Value: strconv.Itoa(database.ServicePort)},
		{Name: "AGENT_BIND_PORT", Value: strconv.Itoa(ExporterPort)},
	}
	if u, ok := d.ExporterUser(); ok {
		env = append(env,
			corev1.EnvVar{Name: "AS_AUTH_MODE", Value: "internal"},
			corev1.EnvVar{Name: "AS_AUTH_USER", Value: u.Name},
			corev1.EnvVar{Name: "AS_AUTH_PASSWORD", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
				LocalObjectReference: corev1.LocalObjectReference{Name: u.PasswordSecretRef.Name},
				Key:                  u.PasswordSecretRef.Key,
			}}},
		)
	}
	return corev1.Container{
		Name:  ExporterContainer,
		Image: d.ExporterImage,
		Env:   env,
		Ports: []corev1.ContainerPort{{Name: ExporterPortName, ContainerPort: ExporterPort}},
		// No readiness probe: a pod's readiness gates the plan's every
		// step, and a metrics sidecar must never hold up the database.
		Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{
			corev1.ResourceCPU:    resource.MustParse("50m"),
			corev1.ResourceMemory: resource.MustParse("64Mi"),
		}},
	}
}

func volumes(d *database.Database, r database.Rack) []corev1.Volume {
	vs := []corev1.Volume{{
		Name: layout.ConfigVolume,
		VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
			LocalObjectReference: corev1.LocalObjectReference{Name: d.Names.ConfigMap()},
			Items:                []corev1.KeyToPath{{Key: names.ConfigKey(r.ID), Path: layout.ConfFile}},
		}},
	}}
	if !d.Persistent() {
		// Without a data volume, the node's system metadata is rebuilt
		// from its peers when it rejoins: an emptyDir is enough.
		vs = append(vs, corev1.Volume{Name: workVolume, VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}})
	}
	if d.Enterprise() {
		ref := d.Spec.FeatureKeySecretRef
		vs = append(vs, corev1.Volume{
			Name: featureKeyVolume,
			VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{
				SecretName: ref.Name,
				Items:      []corev1.KeyToPath{{Key: ref.Key, Path: layout.FeatureKeyFile}},
			}},
		})
	}
	return append(vs, tls.Volumes(d)...)
}

// claims returns a volume claim per persistent namespace, and one for the
// work directory so a node keeps its system metadata across restarts.
func claims(d *database.Database) []corev1.PersistentVolumeClaim {
	var out []corev1.PersistentVolumeClaim
	var workClass *string
	for _, st := range d.Storage {
		if !st.Persistent() {
			continue
		}
		mode := corev1.PersistentVolumeFilesystem
		if st.Type == v1alpha1.StorageDevice {
			mode = corev1.PersistentVolumeBlock
		}
		if workClass == nil {
			workClass = st.Class
		}
		out = append(out, claim(d, st.Volume, st.Size, mode, st.Class))
	}
	if len(out) > 0 {
		out = append(out, claim(d, workVolume, workVolumeSize, corev1.PersistentVolumeFilesystem, workClass))
	}
	return out
}

func claim(d *database.Database, name string, size resource.Quantity, mode corev1.PersistentVolumeMode, class *string) corev1.PersistentVolumeClaim {
	return corev1.PersistentVolumeClaim{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: d.Names.Selector()},
		Spec: corev1.PersistentVolumeClaimSpec{
			AccessModes:      []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			VolumeMode:       ptr.To(mode),
			StorageClassName: class,
			Resources:        corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: size}},
		},
	}
}
