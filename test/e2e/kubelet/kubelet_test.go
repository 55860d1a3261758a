package kubelet

import (
	"context"
	"fmt"
	"maps"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	as "github.com/aerospike/aerospike-client-go/v8"
	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	kerrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"

	"github.com/xp-aerospike/xp-aerospike/provider/resolver"
	"github.com/xp-aerospike/xp-aerospike/test/aerospike"
	"github.com/xp-aerospike/xp-aerospike/test/e2e/controlplane"
	"github.com/xp-aerospike/xp-aerospike/test/e2e/dns"
	"github.com/xp-aerospike/xp-aerospike/test/testenv"
)

// envAssets names the directory of the kube-apiserver and etcd binaries
// envtest runs.
const envAssets = "KUBEBUILDER_ASSETS"

// The minimal example's names, as test/render renders them.
const (
	namespace   = "team-a"
	statefulSet = "cache-0"
	clientSvc   = "cache"
	headless    = "cache-headless"
)

// waitTimeout bounds every wait of these tests: a pod starts in a few
// seconds, and a cluster forms in a few more.
const waitTimeout = 2 * time.Minute

// minimal holds the objects of the rendered minimal example a cluster
// needs to run it: the StatefulSet, its ConfigMap and its Services.
type minimal struct {
	sts  *appsv1.StatefulSet
	objs []client.Object
}

// loadMinimal reads the minimal example as `crossplane render` renders it,
// with two nodes to spare CPU, and a claim for the work directory instead
// of an emptyDir, as the function composes it for a database that
// persists, so that the claims are exercised.
func loadMinimal(t *testing.T) minimal {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "render", "testdata", "minimal-community.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var m minimal
	for doc := range strings.SplitSeq(string(b), "\n---\n") {
		var meta metav1.TypeMeta
		if err := yaml.Unmarshal([]byte(doc), &meta); err != nil {
			t.Fatal(err)
		}
		var o client.Object
		switch meta.Kind {
		case "StatefulSet":
			m.sts = &appsv1.StatefulSet{}
			o = m.sts
		case "ConfigMap":
			o = &corev1.ConfigMap{}
		case "Service":
			o = &corev1.Service{}
		default:
			continue
		}
		if err := yaml.Unmarshal([]byte(doc), o); err != nil {
			t.Fatal(err)
		}
		// Their owner, the composite, is not in this API server.
		o.SetOwnerReferences(nil)
		m.objs = append(m.objs, o)
	}
	if m.sts == nil {
		t.Fatal("the rendered minimal example has no StatefulSet")
	}
	m.sts.Spec.Replicas = ptr.To[int32](2)
	spec := &m.sts.Spec.Template.Spec
	spec.Volumes = slices.DeleteFunc(spec.Volumes, func(v corev1.Volume) bool { return v.Name == "workdir" })
	m.sts.Spec.VolumeClaimTemplates = []corev1.PersistentVolumeClaim{{
		ObjectMeta: metav1.ObjectMeta{Name: "workdir"},
		Spec: corev1.PersistentVolumeClaimSpec{
			AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			Resources:   corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}},
		},
	}}
	return m
}

// env is one test's cluster: an API server, the kubelet and the DNS server.
type env struct {
	t   *testing.T
	c   client.Client
	k   *Kubelet
	dns *dns.Server
	r   *net.Resolver
}

// start starts an API server from KUBEBUILDER_ASSETS (the test skips
// without, or fails under CI=true), a kubelet and a DNS server, and
// applies the minimal example. Everything stops when the test ends.
func start(t *testing.T, m minimal) *env {
	t.Helper()
	assets := testenv.Require(t, envAssets, "a folder with kube-apiserver and etcd (`make e2e-tools`)")
	aerospike.RequireBinary(t, m.sts.Annotations["aerospike.xp-aerospike.io/version"])

	c := controlplane.StartAPIServer(t, controlplane.Options{Assets: assets, Dir: t.TempDir()}).Client

	// Cleanups run last first: the kubelet stops its servers before the
	// API server stops.
	k, err := Start(c, t.TempDir(), Options{Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := k.Close(); err != nil {
			t.Error(err)
		}
	})
	d, err := dns.Start(k.Lookup, dns.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := d.Close(); err != nil {
			t.Error(err)
		}
	})
	r, err := resolver.New(d.Addr())
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, c: c, k: k, dns: d, r: r}

	ctx := t.Context()
	if err := c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespace}}); err != nil {
		t.Fatal(err)
	}
	for _, o := range m.objs {
		if err := c.Create(ctx, o); err != nil {
			t.Fatalf("cannot create %T %s: %v", o, o.GetName(), err)
		}
	}
	return e
}

// poll calls check until it reports done, and fails the test with what it
// saw last after waitTimeout.
func (e *env) poll(what string, check func() (bool, string)) {
	e.t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for {
		done, state := check()
		if done {
			return
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("%s: not within %s; last seen: %s", what, waitTimeout, state)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (e *env) sts() *appsv1.StatefulSet {
	e.t.Helper()
	s := &appsv1.StatefulSet{}
	if err := e.c.Get(e.t.Context(), types.NamespacedName{Namespace: namespace, Name: statefulSet}, s); err != nil {
		e.t.Fatal(err)
	}
	return s
}

// update changes the StatefulSet, as Crossplane would apply the function's
// next step.
func (e *env) update(change func(*appsv1.StatefulSet)) {
	e.t.Helper()
	for {
		s := e.sts()
		change(s)
		err := e.c.Update(e.t.Context(), s)
		if err == nil {
			return
		}
		if !kerrors.IsConflict(err) {
			e.t.Fatal(err)
		}
	}
}

// status is what a test expects of a StatefulSet's status; revisions are
// compared as equal or not, since their names are hashes.
type status struct {
	Replicas, Ready, Current, Updated int32
	Rolled                            bool
}

// waitStatus waits until the StatefulSet's status reports want for its
// current generation, with every ready replica available.
func (e *env) waitStatus(want status) *appsv1.StatefulSet {
	e.t.Helper()
	var s *appsv1.StatefulSet
	e.poll(fmt.Sprintf("StatefulSet status %+v", want), func() (bool, string) {
		s = e.sts()
		st := s.Status
		got := status{st.Replicas, st.ReadyReplicas, st.CurrentReplicas, st.UpdatedReplicas, st.CurrentRevision == st.UpdateRevision}
		ok := got == want && st.ObservedGeneration == s.Generation && st.AvailableReplicas == st.ReadyReplicas && st.UpdateRevision != ""
		return ok, fmt.Sprintf("generation %d, status %+v", s.Generation, st)
	})
	return s
}

func podName(ord int) string { return fmt.Sprintf("%s-%d", statefulSet, ord) }

// server returns a pod's running server, failing the test without one.
func (e *env) server(ord int) *aerospike.Node {
	e.t.Helper()
	n := e.k.Server(namespace, podName(ord))
	if n == nil {
		e.t.Fatalf("pod %s runs no server", podName(ord))
	}
	return n
}

// waitClusterSize waits until the servers of the ordinals agree on one
// stable cluster of their number, which clients can use.
func (e *env) waitClusterSize(ords ...int) {
	e.t.Helper()
	cmd := fmt.Sprintf("cluster-stable:size=%d;ignore-migrations=true", len(ords))
	e.poll(fmt.Sprintf("pods %v in one stable cluster", ords), func() (bool, string) {
		var state []string
		keys := map[string]bool{}
		for _, ord := range ords {
			n := e.k.Server(namespace, podName(ord))
			if n == nil {
				return false, podName(ord) + " runs no server"
			}
			res, err := n.Info(cmd)
			if err != nil {
				return false, err.Error()
			}
			state = append(state, fmt.Sprintf("%s %s", podName(ord), res[cmd]))
			keys[res[cmd]] = !strings.HasPrefix(res[cmd], "ERROR") && res[cmd] != ""
		}
		return len(keys) == 1 && !slices.Contains(slices.Collect(maps.Values(keys)), false), strings.Join(state, ", ")
	})
}

// resolve looks a name up through the DNS server, as the provider does.
func (e *env) resolve(name string) ([]string, error) {
	ctx, cancel := context.WithTimeout(e.t.Context(), 10*time.Second)
	defer cancel()
	addrs, err := e.r.LookupHost(ctx, name)
	slices.Sort(addrs)
	return addrs, err
}

// addresses returns the pods' addresses, sorted.
func (e *env) addresses(ords ...int) []string {
	e.t.Helper()
	out := make([]string, 0, len(ords))
	for _, ord := range ords {
		a, ok := e.k.PodAddress(namespace, podName(ord))
		if !ok {
			e.t.Fatalf("pod %s has no address", podName(ord))
		}
		out = append(out, a.String())
	}
	slices.Sort(out)
	return out
}

// checkPods checks the Pod objects of the ordinals: the template's labels
// and the pod's own, its address, Running and Ready.
func (e *env) checkPods(s *appsv1.StatefulSet, ords ...int) {
	e.t.Helper()
	for _, ord := range ords {
		p, err := e.pod(ord)
		if err != nil {
			e.t.Fatal(err)
		}
		addr := e.addresses(ord)[0]
		ready := slices.ContainsFunc(p.Status.Conditions, func(c corev1.PodCondition) bool {
			return c.Type == corev1.PodReady && c.Status == corev1.ConditionTrue
		})
		if p.Status.Phase != corev1.PodRunning || !ready || p.Status.PodIP != addr {
			e.t.Errorf("pod %s: phase %s, ready %v, podIP %q; want Running, ready, %s", p.Name, p.Status.Phase, ready, p.Status.PodIP, addr)
		}
		for k, v := range s.Spec.Template.Labels {
			if p.Labels[k] != v {
				e.t.Errorf("pod %s: label %s=%q, want %q from the template", p.Name, k, p.Labels[k], v)
			}
		}
		if p.Labels[labelPodName] != p.Name || p.Labels[labelRevision] != s.Status.UpdateRevision {
			e.t.Errorf("pod %s: labels %v, want its name and revision %s", p.Name, p.Labels, s.Status.UpdateRevision)
		}
		if !metav1.IsControlledBy(p, s) || p.Spec.Hostname != p.Name || p.Spec.Subdomain != headless {
			e.t.Errorf("pod %s: owners %v, hostname %q, subdomain %q; want the StatefulSet's pod of %s", p.Name, p.OwnerReferences, p.Spec.Hostname, p.Spec.Subdomain, headless)
		}
	}
}

// waitNewServer waits until the pod of an ordinal runs a server other
// than process pid and its object passes check.
func (e *env) waitNewServer(ord, pid int, what string, check func(*corev1.Pod) (bool, string)) {
	e.t.Helper()
	e.poll("pod "+podName(ord)+" "+what, func() (bool, string) {
		p, err := e.pod(ord)
		if err != nil {
			return false, err.Error()
		}
		n := e.k.Server(namespace, podName(ord))
		ok, state := check(p)
		return ok && n != nil && n.PID() != pid, fmt.Sprintf("server %v, %s", n, state)
	})
}

// waitSettled waits until every one of n pods runs ready on the update
// revision and their servers form one stable cluster.
func (e *env) waitSettled(n int32) *appsv1.StatefulSet {
	e.t.Helper()
	s := e.waitStatus(status{Replicas: n, Ready: n, Current: n, Updated: n, Rolled: true})
	ords := make([]int, n)
	for i := range ords {
		ords[i] = i
	}
	e.waitClusterSize(ords...)
	return s
}

// pod reads the Pod object of an ordinal.
func (e *env) pod(ord int) (*corev1.Pod, error) {
	p := &corev1.Pod{}
	return p, e.c.Get(e.t.Context(), types.NamespacedName{Namespace: namespace, Name: podName(ord)}, p)
}

// claim returns a claim of the work directory, or nil when it is gone.
func (e *env) claim(ord int) *corev1.PersistentVolumeClaim {
	e.t.Helper()
	c := &corev1.PersistentVolumeClaim{}
	err := e.c.Get(e.t.Context(), types.NamespacedName{Namespace: namespace, Name: "workdir-" + podName(ord)}, c)
	if kerrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// stopped checks that nothing listens on a former pod's service port.
func stopped(ctx context.Context, addr string) error {
	d := net.Dialer{Timeout: time.Second}
	c, err := d.DialContext(ctx, "tcp", net.JoinHostPort(addr, "3000"))
	if err != nil {
		return nil //nolint:nilerr // A refused connection is the success.
	}
	_ = c.Close()
	return errors.Errorf("something still listens on %s:3000", addr)
}

// TestStatefulSet runs the minimal example's StatefulSet with two nodes:
// they start in order and form one cluster, the StatefulSet's and pods'
// statuses say so, DNS resolves the Services to the pods, and a scale-down
// to one stops ordinal 1 and keeps its claim.
func TestStatefulSet(t *testing.T) {
	m := loadMinimal(t)
	e := start(t, m)
	began := time.Now()

	s := e.waitSettled(2)
	t.Logf("two pods ready and in one cluster %s after the StatefulSet was created", time.Since(began).Round(time.Millisecond))
	e.checkPods(s, 0, 1)
	if p0, p1 := e.server(0), e.server(1); p0.Host().Name == p1.Host().Name || p0.Host().Port != 3000 || p1.Host().Port != 3000 {
		t.Errorf("pods serve at %s and %s, want addresses of their own with port 3000", p0.Host(), p1.Host())
	}

	for _, ord := range []int{0, 1} {
		if c := e.claim(ord); c == nil || c.Status.Phase != corev1.ClaimBound {
			t.Errorf("claim workdir-%s: %v, want it bound", podName(ord), c)
		}
	}

	// The client finds the cluster by the Service's name, as the
	// provider does with the ProviderConfig's host.
	svcName := fmt.Sprintf("%s.%s.svc.cluster.local", clientSvc, namespace)
	got, err := e.resolve(svcName)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(e.addresses(0, 1), got); diff != "" {
		t.Errorf("%s: -pods' addresses, +resolved:\n%s", svcName, diff)
	}
	pod1 := fmt.Sprintf("%s.%s.%s.svc.cluster.local", podName(1), headless, namespace)
	if got, err := e.resolve(pod1); err != nil || !slices.Equal(got, e.addresses(1)) {
		t.Errorf("%s: %v, %v; want %v", pod1, got, err, e.addresses(1))
	}
	p := as.NewClientPolicy()
	p.ClusterName = "cache"
	p.Timeout = 10 * time.Second
	cl, err := as.NewClientWithPolicyAndHost(p, as.NewHost(got[0], 3000))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	key, _ := as.NewKey("cache", "kubelet", "k")
	if err := cl.Put(nil, key, as.BinMap{"v": 1}); err != nil {
		t.Fatal(err)
	}
	if n := len(cl.GetNodes()); n != 2 {
		t.Errorf("the client sees %d nodes, want 2", n)
	}

	// Scale down to one, as the function's plan does one node at a time.
	addr1 := e.addresses(1)[0]
	e.update(func(s *appsv1.StatefulSet) { s.Spec.Replicas = ptr.To[int32](1) })
	s = e.waitStatus(status{Replicas: 1, Ready: 1, Current: 1, Updated: 1, Rolled: true})
	e.poll("pod "+podName(1)+" deleted", func() (bool, string) {
		_, err := e.pod(1)
		return kerrors.IsNotFound(err), fmt.Sprintf("get: %v", err)
	})
	if n := e.k.Server(namespace, podName(1)); n != nil {
		t.Errorf("pod %s still runs %s after the scale-down", podName(1), n)
	}
	if err := stopped(t.Context(), addr1); err != nil {
		t.Errorf("pod %s: %v", podName(1), err)
	}
	if c := e.claim(1); c == nil {
		t.Errorf("claim workdir-%s is gone after the scale-down; the policy retains it", podName(1))
	}
	e.checkPods(s, 0)
	e.waitSettled(1)
	if got, err := e.resolve(svcName); err != nil || !slices.Equal(got, e.addresses(0)) {
		t.Errorf("%s after the scale-down: %v, %v; want %v", svcName, got, err, e.addresses(0))
	}
	var de *net.DNSError
	if got, err := e.resolve(pod1); !errors.As(err, &de) || !de.IsNotFound {
		t.Errorf("%s after the scale-down: %v, %v; want not found", pod1, got, err)
	}
}

// TestRolloutCrashAndDeletion rolls a new pod template through a
// partition, one pod at a time from the highest; restarts a server that
// crashed and a pod whose object was deleted; and deletes, as the
// retention policy says, the claim of a pod scaled away, then the pods and
// claims of a deleted StatefulSet.
func TestRolloutCrashAndDeletion(t *testing.T) {
	m := loadMinimal(t)
	m.sts.Spec.PersistentVolumeClaimRetentionPolicy = &appsv1.StatefulSetPersistentVolumeClaimRetentionPolicy{
		WhenDeleted: appsv1.DeletePersistentVolumeClaimRetentionPolicyType,
		WhenScaled:  appsv1.DeletePersistentVolumeClaimRetentionPolicyType,
	}
	e := start(t, m)
	old := e.waitSettled(2).Status.CurrentRevision
	pids := []int{e.server(0).PID(), e.server(1).PID()}

	// A new template held back by the partition restarts nobody.
	e.update(func(s *appsv1.StatefulSet) {
		s.Spec.Template.Annotations["aerospike.xp-aerospike.io/config-hash"] = "new"
		s.Spec.UpdateStrategy.RollingUpdate.Partition = ptr.To[int32](2)
	})
	s := e.waitStatus(status{Replicas: 2, Ready: 2, Current: 2, Updated: 0})
	if s.Status.CurrentRevision != old || s.Status.UpdateRevision == old {
		t.Errorf("revisions current %s, update %s; want the old one current and a new one to update to", s.Status.CurrentRevision, s.Status.UpdateRevision)
	}
	time.Sleep(time.Second) // Long enough for a wrong restart to begin.
	if got := []int{e.server(0).PID(), e.server(1).PID()}; !slices.Equal(got, pids) {
		t.Errorf("servers %v became %v under a partition of 2; want no restart", pids, got)
	}

	// Each lower partition restarts the next pod down.
	for _, part := range []int32{1, 0} {
		e.update(func(s *appsv1.StatefulSet) { s.Spec.UpdateStrategy.RollingUpdate.Partition = ptr.To(part) })
		want := status{Replicas: 2, Ready: 2, Current: part, Updated: 2 - part, Rolled: part == 0}
		if part == 0 {
			want.Current = 2
		}
		s = e.waitStatus(want)
		e.waitClusterSize(0, 1)
		for ord := range 2 {
			restarted := e.server(ord).PID() != pids[ord]
			if restarted != (ord >= int(part)) {
				t.Errorf("partition %d: pod %s restarted: %v", part, podName(ord), restarted)
			}
		}
	}
	e.checkPods(s, 0, 1)
	pids = []int{e.server(0).PID(), e.server(1).PID()}

	// A crash: the kubelet starts the server again in the same pod.
	if err := e.server(1).Kill(); err != nil {
		t.Fatal(err)
	}
	e.waitNewServer(1, pids[1], "restarted after a crash", func(p *corev1.Pod) (bool, string) {
		restarts := int32(-1)
		if len(p.Status.ContainerStatuses) > 0 {
			restarts = p.Status.ContainerStatuses[0].RestartCount
		}
		return restarts == 1, fmt.Sprintf("restarts %d", restarts)
	})
	e.waitSettled(2)

	// A pod deleted by someone else is created again.
	p0, err := e.pod(0)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.c.Delete(t.Context(), p0); err != nil {
		t.Fatal(err)
	}
	e.waitNewServer(0, pids[0], "created again", func(p *corev1.Pod) (bool, string) {
		return p.UID != p0.UID, fmt.Sprintf("uid %s (was %s)", p.UID, p0.UID)
	})
	e.waitSettled(2)

	// The policy deletes the claim of a pod scaled away.
	e.update(func(s *appsv1.StatefulSet) { s.Spec.Replicas = ptr.To[int32](1) })
	e.waitSettled(1)
	e.poll("claim workdir-"+podName(1)+" deleted", func() (bool, string) {
		c := e.claim(1)
		return c == nil, fmt.Sprintf("claim %v", c)
	})
	if c := e.claim(0); c == nil {
		t.Errorf("claim workdir-%s is gone; only the scaled-away pod's claim should go", podName(0))
	}

	// The garbage collector's part: a deleted StatefulSet's pods and,
	// by its policy, claims go.
	addrs := e.addresses(0, 1)
	if err := e.c.Delete(t.Context(), e.sts()); err != nil {
		t.Fatal(err)
	}
	e.poll("pods and claims deleted with their StatefulSet", func() (bool, string) {
		var pods corev1.PodList
		var claims corev1.PersistentVolumeClaimList
		if err := e.c.List(t.Context(), &pods, client.InNamespace(namespace)); err != nil {
			return false, err.Error()
		}
		if err := e.c.List(t.Context(), &claims, client.InNamespace(namespace)); err != nil {
			return false, err.Error()
		}
		return len(pods.Items) == 0 && len(claims.Items) == 0, fmt.Sprintf("%d pods, %d claims", len(pods.Items), len(claims.Items))
	})
	for _, a := range addrs {
		if err := stopped(t.Context(), a); err != nil {
			t.Error(err)
		}
	}
}

// TestLookupNames answers names without an API server's Services for the
// cases that need none.
func TestLookupNames(t *testing.T) {
	k := &Kubelet{o: Options{Domain: defaultDomain}}
	for _, name := range []string{"example.com", "svc.cluster.local", "a.b.c.d.svc.cluster.local", "cache.team-a.svc.other.local"} {
		addrs, found, err := k.Lookup(t.Context(), name)
		if found || err != nil || len(addrs) > 0 {
			t.Errorf("Lookup(%q) = %v, %v, %v; want not found", name, addrs, found, err)
		}
	}
}

// TestMeshSeed maps the seeds of a rendered config to pods' addresses.
func TestMeshSeed(t *testing.T) {
	k := &Kubelet{o: Options{Domain: defaultDomain, Logf: t.Logf}, slots: map[types.NamespacedName]*slot{}}
	seed := k.meshSeed(namespace)
	a, p, ok := seed("cache-0-1.cache-headless.team-a.svc.cluster.local", 3002)
	want, _ := k.PodAddress(namespace, "cache-0-1")
	if !ok || p != 3002 || a != want.String() {
		t.Errorf("seed of cache-0-1 = %s %d %v, want %s 3002", a, p, ok, want)
	}
	if ip := netip.MustParseAddr(a); !ip.IsLoopback() || netip.MustParsePrefix("127.0.0.0/16").Contains(ip) {
		t.Errorf("pod address %s is not in 127.0.0.0/8 beyond 127.0.0.0/16", a)
	}
	for _, host := range []string{"cache.team-a.svc.cluster.local", "10.0.0.1", "db.example.com"} {
		if a, _, ok := seed(host, 3002); ok {
			t.Errorf("seed %s became %s, want it dropped", host, a)
		}
	}
	if a, _, ok := seed("127.0.0.5", 3002); !ok || a != "127.0.0.5" {
		t.Errorf("loopback seed became %s %v, want it kept", a, ok)
	}
}
