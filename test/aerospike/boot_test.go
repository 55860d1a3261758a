package aerospike

import (
	"bytes"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	as "github.com/aerospike/aerospike-client-go/v8"
	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	"github.com/xp-aerospike/xp-aerospike/apis/aerospike/v1alpha1"
)

// The same variables as test/render's, so that both read the same golden
// files and examples.
const (
	envGoldenDir   = "XPA_GOLDEN_DIR"
	envExamplesDir = "XPA_EXAMPLES_DIR"
)

// maxBootNodes caps the nodes of a rendered cluster that the boot test
// starts: three are enough for a cluster to lose one node with replication
// factor 2, and bound what CI's two cores run at once.
const maxBootNodes = 3

// A renderedConf is one aerospike.conf our function rendered for a
// Community Edition example, with what the pods that run it are given.
type renderedConf struct {
	// name is golden-file:key, such as minimal-community:rack-0.conf.
	name string
	// also lists other golden files that hold the same text.
	also    []string
	conf    []byte
	version string
	sts     *appsv1.StatefulSet
}

// TestRenderedCommunityConfigsBoot boots the real asd with every
// aerospike.conf our function renders for the Community Edition examples
// (the golden output of `crossplane render` in test/render/testdata),
// changing only addresses, ports and paths, so a config the server would
// refuse fails this suite. Each config boots as one node, then as the
// cluster its StatefulSet makes of it (up to maxBootNodes), which must
// form and keep every record after losing a node.
//
// Enterprise examples are not booted: the Community server refuses them
// ("'feature-key-file' is enterprise-only", and so are rack-id and
// compression). Device storage (a raw block device per pod) is not booted
// either: asd refuses a plain file as a device ("usable device size 0 must
// be greater than header size"), and a loop device needs root; file and
// memory storage boot.
func TestRenderedCommunityConfigsBoot(t *testing.T) {
	t.Parallel()
	confs := renderedCommunityConfs(t)
	Require(t)
	booted := 0
	for _, rc := range confs {
		if confHasKey(rc.conf, "device", "namespace") {
			t.Logf("%s: not booted: its device storage needs a raw block device, which asd cannot replace with a file", rc.name)
			continue
		}
		booted++
		t.Run(rc.name, func(t *testing.T) {
			t.Parallel()
			if len(rc.also) > 0 {
				t.Logf("the same config is rendered in %s", strings.Join(rc.also, ", "))
			}
			checkPodDirs(t, rc)
			t.Run("node", func(t *testing.T) {
				t.Parallel()
				n := Boot(t, rc.conf, rc.version)
				assertNamespaces(t, n, confNamespaces(rc.conf))
			})
			if replicas := ptrValue(rc.sts.Spec.Replicas); replicas > 1 {
				t.Run("cluster", func(t *testing.T) {
					t.Parallel()
					bootRenderedCluster(t, rc, min(int(replicas), maxBootNodes))
				})
			}
		})
	}
	if booted == 0 {
		t.Fatalf("no rendered Community Edition config could be booted out of %d", len(confs))
	}
}

// bootRenderedCluster boots size nodes from one rendered config, writes a
// record into every namespace that keeps two or more copies, kills a node
// and reads the records back.
func bootRenderedCluster(t *testing.T, rc renderedConf, size int) {
	c := BootCluster(t, rc.conf, rc.version, size)
	for _, n := range c.Nodes() {
		assertNamespaces(t, n, confNamespaces(rc.conf))
	}
	var keys []*as.Key
	for _, ns := range confNamespaces(rc.conf) {
		rf, _ := strconv.Atoi(namespaceValue(rc.conf, ns, "replication-factor"))
		if rf < 2 {
			continue
		}
		k, err := as.NewKey(ns, "xpa-boot", "k")
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Client().Put(nil, k, as.BinMap{"v": ns}); err != nil {
			t.Fatalf("cannot write into namespace %s: %v", ns, err)
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		t.Logf("no namespace keeps two copies; not killing a node")
		return
	}
	if err := c.WaitStable(); err != nil {
		t.Fatal(err)
	}
	if err := c.Nodes()[0].Kill(); err != nil {
		t.Fatal(err)
	}
	if err := c.WaitForClusterSize(size - 1); err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		rec, err := c.Client().Get(nil, k)
		if err != nil {
			t.Fatalf("cannot read %v after a node was killed: %v", k, err)
		}
		if rec.Bins["v"] != k.Namespace() {
			t.Errorf("read %v after a node was killed: bins %v, want v=%s", k, rec.Bins, k.Namespace())
		}
	}
}

// assertNamespaces checks that the node serves exactly the namespaces its
// config declares.
func assertNamespaces(t *testing.T, n *Node, want []string) {
	t.Helper()
	res, err := n.Info("namespaces")
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Split(res["namespaces"], ";")
	if diff := cmp.Diff(slices.Sorted(slices.Values(want)), slices.Sorted(slices.Values(got))); diff != "" {
		t.Errorf("%s: info namespaces: -declared, +served:\n%s", n, diff)
	}
}

// checkPodDirs checks that the pod gives asd the directories Boot creates
// for it: the StatefulSet's init container makes work-directory/smd (asd
// exits CRITICAL without it) and the mod-lua user-path, on a volume the
// server container mounts at the same path.
func checkPodDirs(t *testing.T, rc renderedConf) {
	t.Helper()
	spec := rc.sts.Spec.Template.Spec
	want := []string{
		confValue(rc.conf, "work-directory", "service") + "/smd",
		confValue(rc.conf, "user-path", "mod-lua"),
	}
	for _, dir := range want {
		made := false
		for _, ic := range spec.InitContainers {
			if !slices.Contains(append(slices.Clone(ic.Command), ic.Args...), dir) {
				continue
			}
			vol := mounts(ic, dir)
			if vol != "" && slices.ContainsFunc(spec.Containers, func(c corev1.Container) bool { return mounts(c, dir) == vol }) {
				made = true
			}
		}
		if !made {
			t.Errorf("StatefulSet %s: no init container creates %s on a volume the server container mounts; asd would not find it", rc.sts.Name, dir)
		}
	}
}

// mounts returns the volume c mounts dir on, or "".
func mounts(c corev1.Container, dir string) string {
	for _, m := range c.VolumeMounts {
		if dir == m.MountPath || strings.HasPrefix(dir, strings.TrimSuffix(m.MountPath, "/")+"/") {
			return m.Name + "@" + m.MountPath
		}
	}
	return ""
}

// namespaceValue returns the first value of key in namespace ns.
func namespaceValue(conf []byte, ns, key string) string {
	v, cur := "", ""
	_ = walkConf(conf, func(path []string, l confLine) error {
		switch {
		case len(path) == 0 && l.open && l.key() == "namespace" && len(l.fields) > 1:
			cur = l.fields[1]
		case v == "" && cur == ns && len(path) == 1 && path[0] == "namespace" && l.key() == key && len(l.fields) > 1:
			v = l.fields[1]
		}
		return nil
	})
	return v
}

// renderedCommunityConfs reads every golden render output and returns the
// distinct aerospike.conf texts of Community Edition examples, each with
// the version its XR asks for and the StatefulSet that mounts it.
func renderedCommunityConfs(t *testing.T) []renderedConf {
	t.Helper()
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	goldenDir := dirFromEnv(root, envGoldenDir, filepath.Join("test", "render", "testdata"))
	examplesDir := dirFromEnv(root, envExamplesDir, "examples")
	goldens, err := filepath.Glob(filepath.Join(goldenDir, "*.yaml"))
	if err != nil || len(goldens) == 0 {
		t.Fatalf("no golden render output in %s (%v)", goldenDir, err)
	}
	// minimal-community before minimal-community-observed, so that a
	// config both hold is named after the example itself.
	slices.SortFunc(goldens, func(a, b string) int {
		return strings.Compare(strings.TrimSuffix(a, ".yaml"), strings.TrimSuffix(b, ".yaml"))
	})
	var out []renderedConf
	for _, g := range goldens {
		file := strings.TrimSuffix(filepath.Base(g), ".yaml")
		example := strings.TrimSuffix(file, "-observed")
		xr := readXR(t, filepath.Join(examplesDir, example, "xr.yaml"))
		if xr.Spec.Edition != "" && xr.Spec.Edition != v1alpha1.EditionCommunity {
			continue
		}
		cms, stss := readRendered(t, g)
		for _, cm := range cms {
			for _, key := range slices.Sorted(maps.Keys(cm.Data)) {
				if !strings.HasSuffix(key, ".conf") {
					continue
				}
				name := file + ":" + key
				conf := []byte(cm.Data[key])
				if i := slices.IndexFunc(out, func(rc renderedConf) bool { return bytes.Equal(rc.conf, conf) }); i >= 0 {
					out[i].also = append(out[i].also, name)
					continue
				}
				sts := mountingStatefulSet(stss, cm.Name, key)
				if sts == nil {
					t.Fatalf("%s: no StatefulSet mounts key %s of ConfigMap %s as aerospike.conf", g, key, cm.Name)
				}
				version := xr.Spec.Version
				if version == "" {
					version = imageTag(sts)
				}
				out = append(out, renderedConf{name: name, conf: conf, version: version, sts: sts})
			}
		}
	}
	if len(out) == 0 {
		t.Fatalf("no Community Edition aerospike.conf in the golden files of %s", goldenDir)
	}
	return out
}

// dirFromEnv returns $name, or def, absolute against root.
func dirFromEnv(root, name, def string) string {
	p := os.Getenv(name)
	if p == "" {
		p = def
	}
	if !filepath.IsAbs(p) {
		p = filepath.Join(root, p)
	}
	return p
}

// readXR reads an example's AerospikeDatabase: the rendered XR carries
// only status, the example holds the spec the render ran on.
func readXR(t *testing.T, path string) *v1alpha1.AerospikeDatabase {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("cannot read the example XR: %v", err)
	}
	xr := &v1alpha1.AerospikeDatabase{}
	if err := yaml.Unmarshal(b, xr); err != nil {
		t.Fatalf("cannot parse %s: %v", path, err)
	}
	return xr
}

// readRendered returns the ConfigMaps and StatefulSets of a golden file.
func readRendered(t *testing.T, path string) ([]*corev1.ConfigMap, []*appsv1.StatefulSet) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var cms []*corev1.ConfigMap
	var stss []*appsv1.StatefulSet
	for i, doc := range splitYAML(b) {
		var tm metav1.TypeMeta
		if err := yaml.Unmarshal(doc, &tm); err != nil {
			t.Fatalf("cannot parse document %d of %s: %v", i, path, err)
		}
		var obj any
		switch {
		case tm.APIVersion == "v1" && tm.Kind == "ConfigMap":
			cm := &corev1.ConfigMap{}
			cms, obj = append(cms, cm), cm
		case tm.APIVersion == "apps/v1" && tm.Kind == "StatefulSet":
			sts := &appsv1.StatefulSet{}
			stss, obj = append(stss, sts), sts
		default:
			continue
		}
		if err := yaml.Unmarshal(doc, obj); err != nil {
			t.Fatalf("cannot parse %s %d of %s: %v", tm.Kind, i, path, err)
		}
	}
	return cms, stss
}

// splitYAML splits a multi-document stream at its `---` lines, which the
// crossplane CLI always writes at the start of a line.
func splitYAML(b []byte) [][]byte {
	var docs [][]byte
	var cur bytes.Buffer
	for line := range bytes.Lines(b) {
		if strings.TrimRight(string(line), " \t\r\n") == "---" {
			docs = append(docs, bytes.Clone(cur.Bytes()))
			cur.Reset()
			continue
		}
		cur.Write(line)
	}
	return append(docs, cur.Bytes())
}

// mountingStatefulSet returns the StatefulSet whose pods mount key of
// ConfigMap cm as aerospike.conf.
func mountingStatefulSet(stss []*appsv1.StatefulSet, cm, key string) *appsv1.StatefulSet {
	for _, sts := range stss {
		for _, v := range sts.Spec.Template.Spec.Volumes {
			if v.ConfigMap == nil || v.ConfigMap.Name != cm {
				continue
			}
			for _, it := range v.ConfigMap.Items {
				if it.Key == key && it.Path == "aerospike.conf" {
					return sts
				}
			}
		}
	}
	return nil
}

// imageTag returns the tag of the StatefulSet's first container's image.
func imageTag(sts *appsv1.StatefulSet) string {
	cs := sts.Spec.Template.Spec.Containers
	if len(cs) == 0 {
		return ""
	}
	img := cs[0].Image
	if i := strings.LastIndexByte(img, ':'); i > strings.LastIndexByte(img, '/') {
		return img[i+1:]
	}
	return ""
}

func ptrValue(p *int32) int32 {
	if p == nil {
		return 1
	}
	return *p
}
