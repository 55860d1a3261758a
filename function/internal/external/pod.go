package external

import (
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/xp-aerospike/xp-aerospike/function/internal/database"
	"github.com/xp-aerospike/xp-aerospike/function/internal/layout"
	"github.com/xp-aerospike/xp-aerospike/function/internal/names"
)

// InitContainer writes the pod's aerospike.conf with its external
// address, when the database has external access.
const InitContainer = "external-address"

// externalPollSeconds is how often the init container looks for its pod's
// address while its Service waits for one.
const externalPollSeconds = "5"

// Pod lets a rack's pods advertise their external address, when the
// database has external access: the server reads aerospike.conf from an
// emptyDir (layout.RenderedConfVolume, which lives as long as the pod, so a
// restart of the server container reads the same configuration), where an
// init container writes the rack's
// configuration with the placeholders replaced by the pod's address from
// the whole ConfigMap (mounted whole, so a pod's key that appears later
// reaches the running pod: the kubelet refreshes ConfigMap volumes). The
// init container waits until its pod's address is there. Without external
// access the pod spec is left as it is. It is called while the workload
// builder assembles the pod spec, before the containers get their security
// context.
func Pod(d *database.Database, r database.Rack, ps *corev1.PodSpec) {
	if d.Spec.ExternalAccess == nil {
		return
	}
	for i := range ps.Volumes {
		if v := &ps.Volumes[i]; v.Name == layout.ConfigVolume && v.ConfigMap != nil {
			v.ConfigMap.Items = nil
		}
	}
	ps.Volumes = append(ps.Volumes, corev1.Volume{Name: layout.RenderedConfVolume, VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}})
	for i := range ps.Containers {
		c := &ps.Containers[i]
		for j := range c.VolumeMounts {
			if c.VolumeMounts[j].Name == layout.ConfigVolume {
				c.VolumeMounts[j].Name = layout.RenderedConfVolume
			}
		}
	}
	ps.InitContainers = append(ps.InitContainers, initContainer(d, r))
}

func initContainer(d *database.Database, r database.Rack) corev1.Container {
	return corev1.Container{
		Name:    InitContainer,
		Image:   d.Image,
		Command: []string{"/bin/sh", "-c", Script(names.ConfigKey(r.ID))},
		Env: []corev1.EnvVar{
			// The type is in the pod template so that switching it
			// restarts every node, one at a time, to advertise the
			// new kind of address: a running node reads its address
			// only when it starts.
			{Name: "EXTERNAL_ACCESS_TYPE", Value: string(d.Spec.ExternalAccess.Type)},
			{Name: "POD_NAME", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.name"}}},
			{Name: "HOST_IP", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "status.hostIP"}}},
		},
		VolumeMounts: []corev1.VolumeMount{
			{Name: layout.ConfigVolume, MountPath: ConfigMapDir, ReadOnly: true},
			{Name: layout.RenderedConfVolume, MountPath: layout.ConfDir},
		},
		Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{
			corev1.ResourceCPU:    resource.MustParse("10m"),
			corev1.ResourceMemory: resource.MustParse("16Mi"),
		}},
	}
}

// Script is the init container's shell script for the rack whose
// configuration is the ConfigMap key rackKey. It reads POD_NAME and
// HOST_IP from the environment; the pod's entry is host:port, or :port for
// a node port on the pod's own node. A host name must resolve before the
// server may start: asd resolves its alternate address at start-up and
// exits when it cannot (it still advertises the name).
func Script(rackKey string) string {
	return strings.Join([]string{
		"set -eu",
		`entry="` + ConfigMapDir + `/` + Key("") + `$POD_NAME"`,
		`until [ -s "$entry" ]; do`,
		`  echo "waiting for the external address of $POD_NAME: its Service has none yet"`,
		`  sleep ` + externalPollSeconds,
		`done`,
		`v=$(cat "$entry")`,
		`host=${v%:*}`,
		`port=${v##*:}`,
		`[ -n "$host" ] || host=$HOST_IP`,
		// asd refuses to start with an alternate address it cannot
		// resolve, and a new load balancer's name takes a while to.
		`case $host in *:*) ;; *[!0-9.]*)`,
		`  if command -v getent >/dev/null 2>&1; then`,
		`    until getent hosts "$host" >/dev/null; do`,
		`      echo "waiting for $host to resolve"`,
		`      sleep ` + externalPollSeconds,
		`    done`,
		`  fi;;`,
		`esac`,
		`sed -e "s|` + AddressPlaceholder + `|$host|g" -e "s|` + PortPlaceholder + `|$port|g" ` +
			ConfigMapDir + `/` + rackKey + ` > ` + layout.ConfDir + `/` + layout.ConfFile + `.tmp`,
		`mv ` + layout.ConfDir + `/` + layout.ConfFile + `.tmp ` + layout.ConfDir + `/` + layout.ConfFile,
		`echo "advertising $host:$port to clients outside the cluster"`,
	}, "\n") + "\n"
}
