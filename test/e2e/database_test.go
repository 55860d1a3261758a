package e2e

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	as "github.com/aerospike/aerospike-client-go/v8"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	kerrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	dbv1alpha1 "github.com/xp-aerospike/xp-aerospike/apis/aerospike/v1alpha1"
	providerv1alpha1 "github.com/xp-aerospike/xp-aerospike/apis/provider/v1alpha1"
	"github.com/xp-aerospike/xp-aerospike/provider/resolver"
	"github.com/xp-aerospike/xp-aerospike/test/e2e/controlplane"
	"github.com/xp-aerospike/xp-aerospike/test/e2e/kubelet"
	"github.com/xp-aerospike/xp-aerospike/test/realtest"
)

// The database the lifecycle test runs: the minimal example's names, with
// file storage so that its volumes, and what is kept of them, are real, and
// a NetworkPolicy, so that the apiserver judges one too (nothing here
// enforces it).
const (
	dbNamespace = "team-a"
	dbName      = "cache"
	asNamespace = "cache"
	dbVersion   = "8.1.2.0"
	rack0       = "cache-0" // the StatefulSet of the only rack
)

// lifecycle holds what the steps of the database's life share.
type lifecycle struct {
	cp      *controlplane.ControlPlane
	c       client.Client // knows our kinds
	kubelet *kubelet.Kubelet
	dns     string // the cluster DNS server the provider and clients use
	keys    []*as.Key
	created time.Time
}

func newLifecycle(t *testing.T, cp *controlplane.ControlPlane, k *kubelet.Kubelet, dnsAddr string) *lifecycle {
	t.Helper()
	s := controlplane.Scheme()
	for _, add := range []func(*runtime.Scheme) error{dbv1alpha1.AddToScheme, providerv1alpha1.AddToScheme} {
		if err := add(s); err != nil {
			t.Fatal(err)
		}
	}
	c, err := client.New(cp.Config, client.Options{Scheme: s})
	if err != nil {
		t.Fatal(err)
	}
	return &lifecycle{cp: cp, c: c, kubelet: k, dns: dnsAddr}
}

// database is the AerospikeDatabase an application team would write.
func database(size int32) *dbv1alpha1.AerospikeDatabase {
	return &dbv1alpha1.AerospikeDatabase{
		TypeMeta:   metav1.TypeMeta{APIVersion: dbv1alpha1.SchemeGroupVersion.String(), Kind: dbv1alpha1.AerospikeDatabaseKind},
		ObjectMeta: metav1.ObjectMeta{Name: dbName, Namespace: dbNamespace},
		Spec: dbv1alpha1.AerospikeDatabaseSpec{
			Size:    size,
			Version: dbVersion,
			Namespaces: []dbv1alpha1.Namespace{{
				Name:    asNamespace,
				Storage: dbv1alpha1.NamespaceStorage{Type: dbv1alpha1.StorageFile, Size: resource.MustParse("1Gi")},
			}},
			NetworkPolicy: &dbv1alpha1.NetworkPolicy{Enabled: true, ClientNamespaces: []string{"shop"}},
		},
	}
}

func (l *lifecycle) get(t *testing.T) *dbv1alpha1.AerospikeDatabase {
	t.Helper()
	db := &dbv1alpha1.AerospikeDatabase{}
	if err := l.c.Get(context.Background(), client.ObjectKey{Namespace: dbNamespace, Name: dbName}, db); err != nil {
		t.Fatal(err)
	}
	return db
}

// edit changes the database's spec the way `kubectl edit` does, retrying
// on a conflict with core's own writes.
func (l *lifecycle) edit(t *testing.T, change func(*dbv1alpha1.AerospikeDatabaseSpec)) {
	t.Helper()
	err := l.cp.Wait(30*time.Second, "the database's spec is updated", func() error {
		db := l.get(t)
		change(&db.Spec)
		return l.c.Update(context.Background(), db)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// wait polls check until it holds, and on failure prints what a person
// needs: the database's conditions and status, and its namespace's events.
func (l *lifecycle) wait(t *testing.T, timeout time.Duration, what string, check func() error) {
	t.Helper()
	if err := l.cp.Wait(timeout, what, check); err != nil {
		t.Fatalf("%v\n%s", err, l.debug())
	}
}

func (l *lifecycle) debug() string {
	ctx := context.Background()
	var b strings.Builder
	db := &dbv1alpha1.AerospikeDatabase{}
	if err := l.c.Get(ctx, client.ObjectKey{Namespace: dbNamespace, Name: dbName}, db); err == nil {
		fmt.Fprintf(&b, "AerospikeDatabase %s/%s (generation %d):\n", dbNamespace, dbName, db.Generation)
		for _, c := range db.Status.Conditions {
			fmt.Fprintf(&b, "  condition %s=%s %s: %s\n", c.Type, c.Status, c.Reason, c.Message)
		}
		fmt.Fprintf(&b, "  desiredNodes=%d readyNodes=%d waiting=%q\n", db.Status.DesiredNodes, db.Status.ReadyNodes, db.Status.Waiting)
	}
	events := &corev1.EventList{}
	if err := l.c.List(ctx, events, client.InNamespace(dbNamespace)); err == nil {
		items := events.Items
		if len(items) > 20 {
			items = items[len(items)-20:]
		}
		for _, e := range items {
			fmt.Fprintf(&b, "  event %s %s/%s %s: %s\n", e.Type, e.InvolvedObject.Kind, e.InvolvedObject.Name, e.Reason, e.Message)
		}
	}
	b.WriteString(l.cp.Core.Tail(20))
	return b.String()
}

// create creates the database and asserts that every object the function
// composes appears, accepted by the apiserver, with the expected content.
func (l *lifecycle) create(t *testing.T) {
	ctx := context.Background()
	ensureNamespace(t, l.cp, dbNamespace)
	l.created = time.Now()
	if err := l.c.Create(ctx, database(2)); err != nil {
		t.Fatalf("the apiserver refuses the AerospikeDatabase: %v", err)
	}
	key := func(name string) client.ObjectKey { return client.ObjectKey{Namespace: dbNamespace, Name: name} }
	sts := &appsv1.StatefulSet{}
	for _, o := range []struct {
		name string
		obj  client.Object
	}{
		{rack0, sts},
		{dbName, &corev1.Service{}},
		{dbName + "-headless", &corev1.Service{}},
		{dbName, &policyv1.PodDisruptionBudget{}},
		{dbName, &networkingv1.NetworkPolicy{}},
		{dbName + "-connection", &corev1.Secret{}},
		{dbName, &providerv1alpha1.ProviderConfig{}},
		{dbName, &providerv1alpha1.ClusterStatus{}},
	} {
		l.wait(t, time.Minute, fmt.Sprintf("%T %s is composed", o.obj, o.name), func() error {
			return l.c.Get(ctx, key(o.name), o.obj)
		})
	}
	if got := ptr.Deref(sts.Spec.Replicas, 0); got != 2 {
		t.Errorf("StatefulSet %s has %d replicas, want 2", rack0, got)
	}
	if len(sts.Spec.VolumeClaimTemplates) == 0 {
		t.Errorf("StatefulSet %s has no volume claim template for file storage", rack0)
	}
	cms := &corev1.ConfigMapList{}
	if err := l.c.List(ctx, cms, client.InNamespace(dbNamespace)); err != nil {
		t.Fatal(err)
	}
	var conf string
	for _, cm := range cms.Items {
		for _, v := range cm.Data {
			if strings.Contains(v, "namespace "+asNamespace) {
				conf = v
			}
		}
	}
	if !strings.Contains(conf, "cluster-name "+dbName) {
		t.Errorf("no composed ConfigMap holds an aerospike.conf for cluster %s and namespace %s", dbName, asNamespace)
	}
}

// ready waits for the database to report Ready once the real nodes have
// formed one cluster.
func (l *lifecycle) ready(t *testing.T, nodes int32) {
	l.wait(t, 3*time.Minute, fmt.Sprintf("the database is Ready with %d nodes", nodes), func() error {
		db := l.get(t)
		if c := db.Status.GetCondition(xpv2.TypeReady); c.Status != corev1.ConditionTrue {
			return fmt.Errorf("Ready=%s (%s: %s)", c.Status, c.Reason, c.Message)
		}
		if db.Status.ReadyNodes != nodes || db.Status.DesiredNodes != nodes {
			return fmt.Errorf("readyNodes=%d desiredNodes=%d", db.Status.ReadyNodes, db.Status.DesiredNodes)
		}
		cs := &providerv1alpha1.ClusterStatus{}
		if err := l.c.Get(context.Background(), client.ObjectKey{Namespace: dbNamespace, Name: dbName}, cs); err != nil {
			return err
		}
		if o := cs.Status.AtProvider; o.ClusterSize != nodes || !o.Stable {
			return fmt.Errorf("the provider observes cluster size %d, stable %t", o.ClusterSize, o.Stable)
		}
		return nil
	})
}

// connect opens a client the way an application does: from the
// connection Secret, resolving its names through the cluster's DNS.
func (l *lifecycle) connect(t *testing.T) *as.Client {
	t.Helper()
	s := &corev1.Secret{}
	if err := l.c.Get(context.Background(), client.ObjectKey{Namespace: dbNamespace, Name: dbName + "-connection"}, s); err != nil {
		t.Fatal(err)
	}
	host, port := string(s.Data[providerv1alpha1.ConnectionKeyHost]), string(s.Data[providerv1alpha1.ConnectionKeyPort])
	r, err := resolver.New(l.dns)
	if err != nil {
		t.Fatal(err)
	}
	addrs, err := r.LookupHost(context.Background(), host)
	if err != nil {
		t.Fatalf("cannot resolve the connection Secret's host %s: %v", host, err)
	}
	p, err := strconv.Atoi(port)
	if err != nil {
		t.Fatalf("the connection Secret's port %q: %v", port, err)
	}
	hosts := make([]*as.Host, 0, len(addrs))
	for _, a := range addrs {
		hosts = append(hosts, as.NewHost(a, p))
	}
	policy := as.NewClientPolicy()
	policy.ClusterName = string(s.Data["AEROSPIKE_CLUSTER_NAME"])
	policy.Timeout = 10 * time.Second
	c, err := as.NewClientWithPolicyAndHost(policy, hosts...)
	if err != nil {
		t.Fatalf("cannot connect through the connection Secret (%s:%s): %v", host, port, err)
	}
	t.Cleanup(c.Close)
	return c
}

// write puts n records through the connection Secret's address.
func (l *lifecycle) write(t *testing.T, n int) {
	c := l.connect(t)
	for i := range n {
		k, err := as.NewKey(asNamespace, "e2e", i)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Put(nil, k, as.BinMap{"v": i}); err != nil {
			t.Fatalf("cannot write record %d: %v", i, err)
		}
		l.keys = append(l.keys, k)
	}
}

// readable asserts that every record written is still there. A node
// rejoining makes partitions briefly unavailable; a lost record never
// comes back, so a bounded retry cannot hide a loss.
func (l *lifecycle) readable(t *testing.T) {
	t.Helper()
	c := l.connect(t)
	l.wait(t, 30*time.Second, fmt.Sprintf("all %d records are readable", len(l.keys)), func() error {
		return realtest.CheckIndexed(c, l.keys)
	})
}

// scale changes spec.size and waits until the StatefulSet and the real
// cluster have that many nodes. It watches every step: the StatefulSet's
// replicas never move by more than one at a time downwards, and never
// drop while the provider last reported migrations pending; a scale-up
// restarts nobody.
func (l *lifecycle) scale(t *testing.T, to int32) {
	ctx := context.Background()
	up := to > l.get(t).Spec.Size
	l.edit(t, func(s *dbv1alpha1.AerospikeDatabaseSpec) { s.Size = to })
	sts := &appsv1.StatefulSet{}
	cs := &providerv1alpha1.ClusterStatus{}
	var last int32 = -1
	var lastStatus providerv1alpha1.ClusterStatusObservation
	waited := map[string]bool{}
	defer func() {
		for w := range waited {
			t.Logf("e2e: while scaling to %d the database said it was waiting: %s", to, w)
			if up && strings.Contains(w, "restart") {
				t.Errorf("a scale-up must restart no pod, but the database said: %s", w)
			}
		}
	}()
	l.wait(t, 4*time.Minute, fmt.Sprintf("the database runs %d nodes", to), func() error {
		if err := l.c.Get(ctx, client.ObjectKey{Namespace: dbNamespace, Name: rack0}, sts); err != nil {
			return err
		}
		replicas := ptr.Deref(sts.Spec.Replicas, 0)
		if last >= 0 && replicas < last {
			if last-replicas > 1 {
				t.Errorf("the StatefulSet went from %d to %d replicas in one step", last, replicas)
			}
			if lastStatus.MigratePartitionsRemaining > 0 || !lastStatus.Stable {
				t.Errorf("a node was removed while the provider reported %d partitions to migrate (stable %t)", lastStatus.MigratePartitionsRemaining, lastStatus.Stable)
			}
		}
		last = replicas
		if err := l.c.Get(ctx, client.ObjectKey{Namespace: dbNamespace, Name: dbName}, cs); err == nil {
			lastStatus = cs.Status.AtProvider
		}
		for _, w := range l.get(t).Status.Waiting {
			waited[w] = true
		}
		if replicas != to || sts.Status.ReadyReplicas != to {
			return fmt.Errorf("the StatefulSet has %d replicas, %d ready", replicas, sts.Status.ReadyReplicas)
		}
		return nil
	})
	l.ready(t, to)
}

// liveSetting changes the namespace's default TTL and asserts every node
// reports it, with no pod restarted.
func (l *lifecycle) liveSetting(t *testing.T) {
	restarts := l.restarts(t)
	l.edit(t, func(s *dbv1alpha1.AerospikeDatabaseSpec) { s.Namespaces[0].DefaultTTL = "30d" })
	pods := &corev1.PodList{}
	l.wait(t, 2*time.Minute, "every node reports default-ttl 2592000", func() error {
		if err := l.c.List(context.Background(), pods, client.InNamespace(dbNamespace), client.MatchingLabels{"app.kubernetes.io/instance": dbName}); err != nil {
			return err
		}
		for _, p := range pods.Items {
			n := l.kubelet.Server(dbNamespace, p.Name)
			if n == nil {
				return fmt.Errorf("pod %s runs no server", p.Name)
			}
			cmd := "get-config:context=namespace;id=" + asNamespace
			st, err := n.Info(cmd)
			if err != nil {
				return err
			}
			if !strings.Contains(";"+st[cmd]+";", ";default-ttl=2592000;") {
				return fmt.Errorf("pod %s does not report default-ttl=2592000 yet", p.Name)
			}
		}
		return nil
	})
	events := &corev1.EventList{}
	if err := l.c.List(context.Background(), events, client.InNamespace(dbNamespace)); err != nil {
		t.Fatal(err)
	}
	for _, e := range events.Items {
		if e.InvolvedObject.Kind == "NamespaceConfig" && e.Type == corev1.EventTypeWarning && e.Reason == "CannotUpdateExternalResource" {
			t.Errorf("the provider could not apply the live setting at once: %s", e.Message)
		}
	}
	if got := l.restarts(t); fmt.Sprint(got) != fmt.Sprint(restarts) {
		t.Errorf("a live setting restarted pods: restart counts %v, then %v", restarts, got)
	}
	sts := &appsv1.StatefulSet{}
	if err := l.c.Get(context.Background(), client.ObjectKey{Namespace: dbNamespace, Name: rack0}, sts); err != nil {
		t.Fatal(err)
	}
	if sts.Status.CurrentRevision != sts.Status.UpdateRevision {
		t.Errorf("a live setting changed the pod template: revision %s → %s", sts.Status.CurrentRevision, sts.Status.UpdateRevision)
	}
}

// restarts returns each pod's container restart count.
func (l *lifecycle) restarts(t *testing.T) map[string]int32 {
	t.Helper()
	pods := &corev1.PodList{}
	if err := l.c.List(context.Background(), pods, client.InNamespace(dbNamespace)); err != nil {
		t.Fatal(err)
	}
	out := map[string]int32{}
	for _, p := range pods.Items {
		for _, cs := range p.Status.ContainerStatuses {
			out[p.Name+"/"+cs.Name] = cs.RestartCount
		}
	}
	return out
}

// claims returns the names of the volume claims in the database's
// namespace.
func (l *lifecycle) claims(t *testing.T) []string {
	t.Helper()
	list := &corev1.PersistentVolumeClaimList{}
	if err := l.c.List(context.Background(), list, client.InNamespace(dbNamespace)); err != nil {
		t.Fatal(err)
	}
	names := make([]string, 0, len(list.Items))
	for _, c := range list.Items {
		names = append(names, c.Name)
	}
	return names
}

// scaleDown scales from 3 to 2 nodes and asserts the removed node's
// volume is kept (whenScaled defaults to Retain).
func (l *lifecycle) scaleDown(t *testing.T) {
	before := l.claims(t)
	l.scale(t, 2)
	l.readable(t)
	if after := l.claims(t); len(after) != len(before) {
		t.Errorf("scaling down left volume claims %v of %v; Retain keeps the removed node's", after, before)
	}
}

// delete deletes the database and asserts what goes (the StatefulSet,
// Services, Secret) and what stays (the data volumes: Retain is the
// default).
func (l *lifecycle) delete(t *testing.T) {
	ctx := context.Background()
	claims := l.claims(t)
	if len(claims) == 0 {
		t.Fatal("the database has no volume claims to keep")
	}
	if err := l.c.Delete(ctx, l.get(t)); err != nil {
		t.Fatal(err)
	}
	l.wait(t, 2*time.Minute, "the database and what it composed are gone", func() error {
		for _, o := range []client.Object{
			&dbv1alpha1.AerospikeDatabase{}, &appsv1.StatefulSet{}, &corev1.Service{}, &corev1.Secret{},
		} {
			name := dbName
			switch o.(type) {
			case *appsv1.StatefulSet:
				name = rack0
			case *corev1.Secret:
				name = dbName + "-connection"
			}
			if err := l.c.Get(ctx, client.ObjectKey{Namespace: dbNamespace, Name: name}, o); !kerrors.IsNotFound(err) {
				return fmt.Errorf("%T %s still exists (%v)", o, name, err)
			}
		}
		return nil
	})
	if after := l.claims(t); len(after) != len(claims) {
		t.Errorf("deleting the database left volume claims %v of %v; Retain keeps them all", after, claims)
	}
}
