package kubelet

import (
	"maps"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	kerrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"

	"github.com/xp-aerospike/xp-aerospike/test/aerospike"
)

// configFlag is asd's flag that names its config file.
const configFlag = "--config-file"

// serverContainer names the container that runs asd: the one started with
// --config-file.
func serverContainer(cs []corev1.Container) string {
	for _, c := range cs {
		if _, err := configFile(c); err == nil {
			return c.Name
		}
	}
	return ""
}

// configFile returns the path of the config file a container starts asd
// with.
func configFile(c corev1.Container) (string, error) {
	argv := append(append([]string(nil), c.Command...), c.Args...)
	for i, a := range argv {
		if v, ok := strings.CutPrefix(a, configFlag+"="); ok {
			return v, nil
		}
		if a == configFlag && i+1 < len(argv) {
			return argv[i+1], nil
		}
	}
	return "", errors.Errorf("container %s does not start asd with %s", c.Name, configFlag)
}

// imageBinary returns the asd of an image tag's version, such as 8.1.2.0
// of docker.io/aerospike/aerospike-server:8.1.2.0.
func imageBinary(image string) (aerospike.Binary, error) {
	ref, _, _ := strings.Cut(image, "@")
	i := strings.LastIndex(ref, ":")
	if i < 0 || strings.Contains(ref[i:], "/") {
		return aerospike.Binary{}, errors.Errorf("cannot tell the server version of image %q: it has no tag", image)
	}
	b, err := aerospike.LookupEnv().Binary(ref[i+1:])
	return b, errors.Wrapf(err, "cannot run image %s", image)
}

// startServer starts the pod's server from the config its container
// mounts, rewritten for the pod's address.
func (k *Kubelet) startServer(p *pod, dir, root string) (*aerospike.Node, error) {
	var sc *corev1.Container
	for i, c := range p.template.Spec.Containers {
		if c.Name == serverContainer(p.template.Spec.Containers) {
			sc = &p.template.Spec.Containers[i]
		}
	}
	if sc == nil {
		return nil, errors.Errorf("no container of pod %s starts asd with %s", p.key, configFlag)
	}
	path, err := configFile(*sc)
	if err != nil {
		return nil, err
	}
	if !filepath.IsAbs(path) {
		return nil, errors.Errorf("container %s names a relative config file %q", sc.Name, path)
	}
	conf, err := os.ReadFile(filepath.Join(root, path))
	if err != nil {
		return nil, errors.Wrapf(err, "cannot read the config file %s that container %s mounts", path, sc.Name)
	}
	bin, err := k.o.Binary(sc.Image)
	if err != nil {
		return nil, err
	}
	s, err := k.claimSlot(p.key)
	if err != nil {
		return nil, err
	}
	ports := s.ports()
	out, err := aerospike.RewriteForLoopback(conf, aerospike.Loopback{
		Root: root, Ports: ports, Address: s.addr.String(), MeshSeed: k.meshSeed(p.key.Namespace),
	})
	if err != nil {
		return nil, err
	}
	return aerospike.StartServer(p.ctx, aerospike.Server{
		Name: p.key.String(), Dir: dir, Binary: bin, Conf: out,
		Address: s.addr.String(), Ports: ports, Timeout: k.o.StartTimeout,
	})
}

// meshSeed maps a mesh seed of a config in namespace ns to the address of
// the pod it names, <pod>.<service>.<namespace>.svc.<domain>, even one
// not started yet: asd keeps trying its seeds. It drops a seed it cannot
// map, such as a Service's name, which would reach one pod at random.
func (k *Kubelet) meshSeed(ns string) func(host string, port int) (string, int, bool) {
	return func(host string, port int) (string, int, bool) {
		if a, err := netip.ParseAddr(host); err == nil {
			if a.Is4() && a.IsLoopback() {
				return host, port, true
			}
			k.logf("dropping mesh seed %s of namespace %s: not a loopback address", host, ns)
			return "", 0, false
		}
		labels := k.clusterName(host)
		if len(labels) != 3 {
			k.logf("dropping mesh seed %s of namespace %s: not a pod's name <pod>.<service>.<namespace>.svc.%s", host, ns, k.o.Domain)
			return "", 0, false
		}
		k.mu.Lock()
		defer k.mu.Unlock()
		return k.slot(types.NamespacedName{Namespace: labels[2], Name: labels[0]}).addr.String(), port, true
	}
}

// clusterName splits a name under svc.<domain> into its labels before
// svc, or returns nil.
func (k *Kubelet) clusterName(name string) []string {
	name = strings.ToLower(strings.TrimSuffix(name, "."))
	rest, ok := strings.CutSuffix(name, ".svc."+k.o.Domain)
	if !ok || rest == "" {
		return nil
	}
	return strings.Split(rest, ".")
}

// mountVolumes gives every volume a container of the pod mounts a
// directory and links it where the container mounts it, under root:
// claims keep their data across pods, emptyDirs live as long as the pod,
// and config maps and secrets are written afresh, as a kubelet refreshes
// them.
func (k *Kubelet) mountVolumes(p *pod, dir, root string) error {
	vols := map[string]corev1.Volume{}
	for _, v := range k.podObject(p).Spec.Volumes {
		vols[v.Name] = v
	}
	made := map[string]string{}
	for _, c := range slices.Concat(p.template.Spec.InitContainers, p.template.Spec.Containers) {
		if len(c.VolumeDevices) > 0 {
			return errors.Errorf("cannot run container %s: it needs a raw block device, which asd cannot replace with a file", c.Name)
		}
		for _, m := range c.VolumeMounts {
			if m.SubPath != "" || m.SubPathExpr != "" {
				return errors.Errorf("cannot mount volume %s of container %s: subPath is not supported", m.Name, c.Name)
			}
			src, ok := made[m.Name]
			if !ok {
				v, found := vols[m.Name]
				if !found {
					return errors.Errorf("container %s mounts volume %s, which the pod does not have", c.Name, m.Name)
				}
				var err error
				if src, err = k.volume(p, dir, v); err != nil {
					return err
				}
				made[m.Name] = src
			}
			if err := link(filepath.Join(root, m.MountPath), src); err != nil {
				return errors.Wrapf(err, "cannot mount volume %s of container %s at %s", m.Name, c.Name, m.MountPath)
			}
		}
	}
	return nil
}

// volume returns the directory of one of the pod's volumes, with its
// content.
func (k *Kubelet) volume(p *pod, dir string, v corev1.Volume) (string, error) {
	own := filepath.Join(dir, "volumes", v.Name)
	switch {
	case v.PersistentVolumeClaim != nil:
		return k.boundClaimDir(p.key.Namespace, v.PersistentVolumeClaim.ClaimName)
	case v.EmptyDir != nil:
		return own, errors.Wrapf(os.MkdirAll(own, 0o700), "cannot create emptyDir %s", v.Name)
	case v.ConfigMap != nil:
		cm := &corev1.ConfigMap{}
		if err := k.getOptional(p.key.Namespace, v.ConfigMap.Name, v.ConfigMap.Optional, cm); err != nil {
			return "", err
		}
		return own, writeItems(own, configMapData(cm), v.ConfigMap.Items)
	case v.Secret != nil:
		sec := &corev1.Secret{}
		if err := k.getOptional(p.key.Namespace, v.Secret.SecretName, v.Secret.Optional, sec); err != nil {
			return "", err
		}
		return own, writeItems(own, sec.Data, v.Secret.Items)
	}
	return "", errors.Errorf("cannot mount volume %s: only claims, emptyDir, config maps and secrets are supported", v.Name)
}

// link makes target a symbolic link to src, or checks that it is one.
func link(target, src string) error {
	if cur, err := os.Readlink(target); err == nil {
		if cur == src {
			return nil
		}
		return errors.Errorf("%s is already %s", target, cur)
	}
	if err := os.MkdirAll(filepath.Dir(target), 0o700); err != nil {
		return errors.Wrap(err, "cannot create the mount point's parent")
	}
	return errors.Wrap(os.Symlink(src, target), "cannot link the volume")
}

// writeItems writes a config map's or secret's data as files, all of it
// or the items named, replacing what an earlier start wrote.
func writeItems(dir string, data map[string][]byte, items []corev1.KeyToPath) error {
	if err := os.RemoveAll(dir); err != nil {
		return errors.Wrap(err, "cannot clear a volume")
	}
	if len(items) == 0 {
		for key := range data {
			items = append(items, corev1.KeyToPath{Key: key, Path: key})
		}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return errors.Wrap(err, "cannot create a volume")
	}
	for _, it := range items {
		b, ok := data[it.Key]
		if !ok {
			return errors.Errorf("cannot mount key %s: there is no such key", it.Key)
		}
		path := filepath.Join(dir, it.Path)
		if !strings.HasPrefix(path, dir+string(filepath.Separator)) {
			return errors.Errorf("cannot mount key %s at %q: outside the volume", it.Key, it.Path)
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return errors.Wrapf(err, "cannot mount key %s", it.Key)
		}
		if err := os.WriteFile(path, b, 0o600); err != nil {
			return errors.Wrapf(err, "cannot mount key %s", it.Key)
		}
	}
	return nil
}

// runInitContainers runs the pod's init containers, which may only create
// directories (`mkdir -p DIR...`, as ours does): anything else would need
// the container's image.
func runInitContainers(cs []corev1.Container, root string) error {
	for _, c := range cs {
		argv := append(append([]string(nil), c.Command...), c.Args...)
		if len(argv) == 0 || filepath.Base(argv[0]) != "mkdir" {
			return errors.Errorf("cannot run init container %s %q: only mkdir runs here", c.Name, argv)
		}
		parents := false
		var dirs []string
		for _, a := range argv[1:] {
			switch {
			case a == "-p" || a == "--parents":
				parents = true
			case strings.HasPrefix(a, "-"):
				return errors.Errorf("cannot run init container %s: mkdir option %s is not supported", c.Name, a)
			case !filepath.IsAbs(a):
				return errors.Errorf("cannot run init container %s: mkdir of relative path %s", c.Name, a)
			default:
				dirs = append(dirs, filepath.Join(root, a))
			}
		}
		for _, d := range dirs {
			mkdir := os.Mkdir
			if parents {
				mkdir = os.MkdirAll
			}
			if err := mkdir(d, 0o755); err != nil { // What the container would create.
				return errors.Wrapf(err, "init container %s failed", c.Name)
			}
		}
	}
	return nil
}

// boundClaimDir returns the data directory of a claim the pod names,
// which must exist, as a pod would wait for it.
func (k *Kubelet) boundClaimDir(ns, name string) (string, error) {
	ctx, cancel := k.apiContext()
	defer cancel()
	c := &corev1.PersistentVolumeClaim{}
	if err := k.c.Get(ctx, types.NamespacedName{Namespace: ns, Name: name}, c); err != nil {
		return "", errors.Wrapf(err, "cannot get claim %s/%s", ns, name)
	}
	dir := k.claimDir(c)
	return dir, errors.Wrapf(os.MkdirAll(dir, 0o700), "cannot create the directory of claim %s/%s", ns, name)
}

// getOptional reads the object a volume names into o, leaving o empty for
// an optional one that does not exist.
func (k *Kubelet) getOptional(ns, name string, optional *bool, o client.Object) error {
	ctx, cancel := k.apiContext()
	defer cancel()
	err := k.c.Get(ctx, types.NamespacedName{Namespace: ns, Name: name}, o)
	if kerrors.IsNotFound(err) && ptr.Deref(optional, false) {
		return nil
	}
	return errors.Wrapf(err, "cannot get %T %s/%s", o, ns, name)
}

// configMapData is a config map's data and binary data, as files hold it.
func configMapData(cm *corev1.ConfigMap) map[string][]byte {
	data := maps.Clone(cm.BinaryData)
	if data == nil {
		data = map[string][]byte{}
	}
	for key, s := range cm.Data {
		data[key] = []byte(s)
	}
	return data
}
