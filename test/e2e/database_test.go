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
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	claimobj "github.com/crossplane/crossplane-runtime/v2/pkg/resource/unstructured/claim"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource/unstructured/composite"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	dbv1alpha1 "github.com/xp-aerospike/xp-aerospike/apis/aerospike/v1alpha1"
	providerv1alpha1 "github.com/xp-aerospike/xp-aerospike/apis/provider/v1alpha1"
	"github.com/xp-aerospike/xp-aerospike/provider/resolver"
	"github.com/xp-aerospike/xp-aerospike/test/e2e/controlplane"
	"github.com/xp-aerospike/xp-aerospike/test/e2e/kubelet"
	"github.com/xp-aerospike/xp-aerospike/test/realtest"
)

// The databases the lifecycle tests run, one of each flavour, both of the
// version the minimal example runs.
const dbVersion = "8.1.2.0"

// database is the namespaced AerospikeDatabase the main lifecycle runs:
// the minimal example's names, with file storage so that its volumes, and
// what is kept of them, are real, and a NetworkPolicy, so that the
// apiserver judges one too (nothing here enforces it).
func database(size int32) *dbv1alpha1.AerospikeDatabase {
	return &dbv1alpha1.AerospikeDatabase{
		TypeMeta:   metav1.TypeMeta{APIVersion: dbv1alpha1.SchemeGroupVersion.String(), Kind: dbv1alpha1.AerospikeDatabaseKind},
		ObjectMeta: metav1.ObjectMeta{Name: "cache", Namespace: "team-a"},
		Spec: dbv1alpha1.AerospikeDatabaseSpec{
			Size:    size,
			Version: dbVersion,
			Namespaces: []dbv1alpha1.Namespace{{
				Name:    "cache",
				Storage: dbv1alpha1.NamespaceStorage{Type: dbv1alpha1.StorageFile, Size: resource.MustParse("1Gi")},
			}},
			NetworkPolicy: &dbv1alpha1.NetworkPolicy{Enabled: true, ClientNamespaces: []string{"shop"}},
		},
	}
}

// claim is the claims flavour's AerospikeDatabase claim, as
// examples/claims-community/claim.yaml, but small: two in-memory nodes,
// in a namespace of its own.
func claim() *dbv1alpha1.AerospikeDatabase {
	return small(dbv1alpha1.ClaimsGroup+"/"+dbv1alpha1.Version, "team-claims", "sessions")
}

// small is a database of two in-memory nodes, of the flavour apiVersion
// says, whose one Aerospike namespace has its name.
func small(apiVersion, namespace, name string) *dbv1alpha1.AerospikeDatabase {
	return &dbv1alpha1.AerospikeDatabase{
		TypeMeta:   metav1.TypeMeta{APIVersion: apiVersion, Kind: dbv1alpha1.AerospikeDatabaseKind},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
		Spec: dbv1alpha1.AerospikeDatabaseSpec{
			Size:    2,
			Version: dbVersion,
			Namespaces: []dbv1alpha1.Namespace{{
				Name:    name,
				Storage: dbv1alpha1.NamespaceStorage{Type: dbv1alpha1.StorageMemory, Size: resource.MustParse("1Gi")},
			}},
		},
	}
}

// lifecycle holds what the steps of one database's life share. The
// database is of either flavour: a namespaced AerospikeDatabase, which is
// its own composite, or an AerospikeDatabase claim, for which Crossplane
// creates a cluster-scoped XAerospikeDatabase. Every step reads and
// writes the object the application team wrote, and finds what was
// composed by the composite's name, so the steps serve both. Two
// lifecycles may run at once in different namespaces.
type lifecycle struct {
	cp      *controlplane.ControlPlane
	c       client.Client // knows our kinds
	kubelet *kubelet.Kubelet
	dns     string // the cluster DNS server the provider and clients use
	// db is the object the application team creates; its apiVersion
	// says which flavour it is.
	db *dbv1alpha1.AerospikeDatabase
	// composite is the name of the composite, which the composed objects
	// are named after: db's own name, or, for a claim, that of the
	// XAerospikeDatabase Crossplane made for it, once create has seen it.
	composite string
	// composition, when set, is the Composition the database selects
	// instead of its XRD's default.
	composition string
	// serviceMonitor is set once a ServiceMonitor has been composed, so
	// that delete waits for it to go too.
	serviceMonitor bool
	keys           []*as.Key
	created        time.Time
}

func newLifecycle(t *testing.T, cp *controlplane.ControlPlane, k *kubelet.Kubelet, dnsAddr string, db *dbv1alpha1.AerospikeDatabase) *lifecycle {
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
	l := &lifecycle{cp: cp, c: c, kubelet: k, dns: dnsAddr, db: db}
	if !l.claimed() {
		l.composite = db.Name
	}
	return l
}

// claimed reports whether the database is a claim of the claims flavour.
func (l *lifecycle) claimed() bool {
	return l.db.GroupVersionKind().Group == dbv1alpha1.ClaimsGroup
}

// key names an object in the database's namespace.
func (l *lifecycle) key(name string) client.ObjectKey {
	return client.ObjectKey{Namespace: l.db.Namespace, Name: name}
}

// statefulSet is the name of the StatefulSet of the only rack, rack 0.
func (l *lifecycle) statefulSet() string { return l.composite + "-0" }

// asNamespace is the Aerospike namespace the records go to.
func (l *lifecycle) asNamespace() string { return l.db.Spec.Namespaces[0].Name }

// fetch reads the database as the application team sees it: the claim's
// spec and status are the composite's, so one Go type reads either.
func (l *lifecycle) fetch() (*dbv1alpha1.AerospikeDatabase, error) {
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(l.db.GroupVersionKind())
	if err := l.c.Get(context.Background(), client.ObjectKeyFromObject(l.db), u); err != nil {
		return nil, err
	}
	db := &dbv1alpha1.AerospikeDatabase{}
	return db, runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, db)
}

func (l *lifecycle) get(t *testing.T) *dbv1alpha1.AerospikeDatabase {
	t.Helper()
	db, err := l.fetch()
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// compositeObject reads the composite: the database itself, or the
// XAerospikeDatabase Crossplane made for the claim, whose Crossplane
// fields sit where Crossplane 1.x put them.
func (l *lifecycle) compositeObject() (*composite.Unstructured, error) {
	xr := composite.New(composite.WithGroupVersionKind(l.db.GroupVersionKind()))
	key := client.ObjectKeyFromObject(l.db)
	if l.claimed() {
		xr = composite.New(composite.WithGroupVersionKind(claimsComposite), composite.WithSchema(composite.SchemaLegacy))
		key = client.ObjectKey{Name: l.composite}
	}
	return xr, l.c.Get(context.Background(), key, xr)
}

// claimsComposite is the kind of the claims flavour's composite.
var claimsComposite = schema.GroupVersionKind{Group: dbv1alpha1.ClaimsGroup, Version: dbv1alpha1.Version, Kind: dbv1alpha1.CompositeKind}

// edit changes the database's spec the way `kubectl edit` does, with a
// merge patch of what changed that fails on a conflict with core's own
// writes, and is retried then. A patch rather than an update of the whole
// object keeps the Crossplane fields the Go type does not know.
func (l *lifecycle) edit(t *testing.T, change func(*dbv1alpha1.AerospikeDatabaseSpec)) {
	t.Helper()
	err := l.cp.Wait(30*time.Second, "the database's spec is updated", func() error {
		db := l.get(t)
		base := db.DeepCopy()
		change(&db.Spec)
		patch, err := client.MergeFromWithOptions(base, client.MergeFromWithOptimisticLock{}).Data(db)
		if err != nil {
			return err
		}
		u := &unstructured.Unstructured{}
		u.SetGroupVersionKind(l.db.GroupVersionKind())
		u.SetNamespace(l.db.Namespace)
		u.SetName(l.db.Name)
		return l.c.Patch(context.Background(), u, client.RawPatch(types.MergePatchType, patch))
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
	if db, err := l.fetch(); err == nil {
		fmt.Fprintf(&b, "%s %s/%s (generation %d):\n", l.db.GroupVersionKind().GroupKind(), db.Namespace, db.Name, db.Generation)
		for _, c := range db.Status.Conditions {
			fmt.Fprintf(&b, "  condition %s=%s %s: %s\n", c.Type, c.Status, c.Reason, c.Message)
		}
		fmt.Fprintf(&b, "  desiredNodes=%d readyNodes=%d waiting=%q\n", db.Status.DesiredNodes, db.Status.ReadyNodes, db.Status.Waiting)
	}
	if l.claimed() && l.composite != "" {
		if xr, err := l.compositeObject(); err == nil {
			fmt.Fprintf(&b, "%s %s:\n", xr.GroupVersionKind().GroupKind(), xr.GetName())
			for _, ct := range []xpv2.ConditionType{xpv2.TypeSynced, xpv2.TypeReady} {
				c := xr.GetCondition(ct)
				fmt.Fprintf(&b, "  condition %s=%s %s: %s\n", c.Type, c.Status, c.Reason, c.Message)
			}
		}
	}
	// A claim's composite is cluster-scoped: its events go to default.
	namespaces := []string{l.db.Namespace}
	if l.claimed() {
		namespaces = append(namespaces, metav1.NamespaceDefault)
	}
	for _, ns := range namespaces {
		events := &corev1.EventList{}
		if err := l.c.List(ctx, events, client.InNamespace(ns)); err != nil {
			continue
		}
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
// composes appears in the database's namespace, accepted by the apiserver,
// with the expected content. A claim must first be bound to a composite
// that refers back to it.
func (l *lifecycle) create(t *testing.T) {
	ctx := context.Background()
	ensureNamespace(t, l.cp, l.db.Namespace)
	obj, err := runtime.DefaultUnstructuredConverter.ToUnstructured(l.db)
	if err != nil {
		t.Fatal(err)
	}
	if l.composition != "" {
		// A namespaced XR's Crossplane fields are under spec.crossplane.
		if err := unstructured.SetNestedField(obj, l.composition, "spec", "crossplane", "compositionRef", "name"); err != nil {
			t.Fatal(err)
		}
	}
	l.created = time.Now()
	if err := l.c.Create(ctx, &unstructured.Unstructured{Object: obj}); err != nil {
		t.Fatalf("the apiserver refuses the %s: %v", l.db.GroupVersionKind().GroupKind(), err)
	}
	if l.claimed() {
		l.bound(t)
	}
	sts := &appsv1.StatefulSet{}
	objs := []struct {
		name string
		obj  client.Object
	}{
		{l.statefulSet(), sts},
		{l.composite, &corev1.Service{}},
		{l.composite + "-headless", &corev1.Service{}},
		{l.composite, &policyv1.PodDisruptionBudget{}},
		{l.composite + "-connection", &corev1.Secret{}},
		{l.composite, &providerv1alpha1.ProviderConfig{}},
		{l.composite, &providerv1alpha1.ClusterStatus{}},
	}
	if np := l.db.Spec.NetworkPolicy; np != nil && np.Enabled {
		objs = append(objs, struct {
			name string
			obj  client.Object
		}{l.composite, &networkingv1.NetworkPolicy{}})
	}
	if l.monitored() {
		objs = append(objs, struct {
			name string
			obj  client.Object
		}{l.composite + "-metrics", &corev1.Service{}}, struct {
			name string
			obj  client.Object
		}{l.composite + "-dashboard", &corev1.ConfigMap{}})
	}
	for _, o := range objs {
		l.wait(t, time.Minute, fmt.Sprintf("%T %s is composed", o.obj, o.name), func() error {
			return l.c.Get(ctx, l.key(o.name), o.obj)
		})
	}
	if got, want := ptr.Deref(sts.Spec.Replicas, 0), l.db.Spec.Size; got != want {
		t.Errorf("StatefulSet %s has %d replicas, want %d", l.statefulSet(), got, want)
	}
	if got, want := len(sts.Spec.VolumeClaimTemplates) > 0, l.persistent(); got != want {
		t.Errorf("StatefulSet %s has volume claim templates: %t, want %t for storage %s", l.statefulSet(), got, want, l.db.Spec.Namespaces[0].Storage.Type)
	}
	cms := &corev1.ConfigMapList{}
	if err := l.c.List(ctx, cms, client.InNamespace(l.db.Namespace)); err != nil {
		t.Fatal(err)
	}
	var conf string
	for _, cm := range cms.Items {
		for _, v := range cm.Data {
			if strings.Contains(v, "namespace "+l.asNamespace()) {
				conf = v
			}
		}
	}
	if !strings.Contains(conf, "cluster-name "+l.composite) {
		t.Errorf("no composed ConfigMap holds an aerospike.conf for cluster %s and namespace %s", l.composite, l.asNamespace())
	}
	l.everyComposedObjectInTheNamespace(t)
}

// monitored reports whether the database has monitoring enabled.
func (l *lifecycle) monitored() bool {
	return l.db.Spec.Monitoring != nil && l.db.Spec.Monitoring.Enabled
}

// persistent reports whether the database keeps records on volumes.
func (l *lifecycle) persistent() bool {
	for _, ns := range l.db.Spec.Namespaces {
		if ns.Storage.Type != dbv1alpha1.StorageMemory {
			return true
		}
	}
	return false
}

// bound waits until Crossplane has made a composite for the claim, and
// asserts that the two refer to each other and that the composite carries
// the claim's namespace, which the function composes into.
func (l *lifecycle) bound(t *testing.T) {
	t.Helper()
	cm := claimobj.New(claimobj.WithGroupVersionKind(l.db.GroupVersionKind()))
	l.wait(t, time.Minute, "the claim is bound to a composite", func() error {
		if err := l.c.Get(context.Background(), client.ObjectKeyFromObject(l.db), cm); err != nil {
			return err
		}
		ref := cm.GetResourceReference()
		if ref == nil || ref.Name == "" {
			return errors.New("spec.resourceRef is not set")
		}
		l.composite = ref.Name
		// Core binds the claim to the composite's name before it creates
		// the composite.
		_, err := l.compositeObject()
		return err
	})
	xr, err := l.compositeObject()
	if err != nil {
		t.Fatalf("the claim's composite %s: %v", l.composite, err)
	}
	if got := xr.GetClaimReference(); got == nil || got.Namespace != l.db.Namespace || got.Name != l.db.Name {
		t.Errorf("the composite %s refers to claim %+v, want %s/%s", xr.GetName(), got, l.db.Namespace, l.db.Name)
	}
	if got := xr.GetLabels()["crossplane.io/claim-namespace"]; got != l.db.Namespace {
		t.Errorf("the composite %s has label crossplane.io/claim-namespace=%q, want %q", xr.GetName(), got, l.db.Namespace)
	}
	t.Logf("e2e: claim %s/%s bound to %s %s", l.db.Namespace, l.db.Name, claimsComposite.Kind, l.composite)
}

// everyComposedObjectInTheNamespace asserts that every namespaced object
// the composite lists as composed is in the database's namespace.
func (l *lifecycle) everyComposedObjectInTheNamespace(t *testing.T) {
	t.Helper()
	refs := l.composedRefs(t)
	for _, r := range refs {
		gvk := r.GroupVersionKind()
		mapping, err := l.c.RESTMapper().RESTMapping(gvk.GroupKind(), gvk.Version)
		if err != nil {
			t.Fatal(err)
		}
		if mapping.Scope.Name() != meta.RESTScopeNameNamespace {
			continue
		}
		if r.Namespace != "" && r.Namespace != l.db.Namespace {
			t.Errorf("%s %s was composed in namespace %q, want %q", gvk.Kind, r.Name, r.Namespace, l.db.Namespace)
			continue
		}
		u := &unstructured.Unstructured{}
		u.SetGroupVersionKind(gvk)
		if err := l.c.Get(context.Background(), l.key(r.Name), u); err != nil {
			t.Errorf("%s %s is not in namespace %s: %v", gvk.Kind, r.Name, l.db.Namespace, err)
		}
	}
}

// composedRefs waits until the composite lists what it composed, and
// returns that.
func (l *lifecycle) composedRefs(t *testing.T) []corev1.ObjectReference {
	t.Helper()
	var refs []corev1.ObjectReference
	l.wait(t, 30*time.Second, "the composite lists its composed resources", func() error {
		xr, err := l.compositeObject()
		if err != nil {
			return err
		}
		if refs = xr.GetResourceReferences(); len(refs) == 0 {
			return errors.New("it lists none")
		}
		return nil
	})
	return refs
}

// ready waits for the database, and a claim's composite, to report Ready
// once the real nodes have formed one cluster.
func (l *lifecycle) ready(t *testing.T, nodes int32) {
	l.wait(t, 3*time.Minute, fmt.Sprintf("the database is Ready with %d nodes", nodes), func() error {
		db := l.get(t)
		if c := db.Status.GetCondition(xpv2.TypeReady); c.Status != corev1.ConditionTrue {
			return fmt.Errorf("Ready=%s (%s: %s)", c.Status, c.Reason, c.Message)
		}
		if db.Status.ReadyNodes != nodes || db.Status.DesiredNodes != nodes {
			return fmt.Errorf("readyNodes=%d desiredNodes=%d", db.Status.ReadyNodes, db.Status.DesiredNodes)
		}
		if l.claimed() {
			xr, err := l.compositeObject()
			if err != nil {
				return err
			}
			if err := conditionsTrue(xr, xpv2.TypeReady); err != nil {
				return fmt.Errorf("the composite %s: %w", xr.GetName(), err)
			}
		}
		cs := &providerv1alpha1.ClusterStatus{}
		if err := l.c.Get(context.Background(), l.key(l.composite), cs); err != nil {
			return err
		}
		if o := cs.Status.AtProvider; o.ClusterSize != nodes || !o.Stable {
			return fmt.Errorf("the provider observes cluster size %d, stable %t", o.ClusterSize, o.Stable)
		}
		return nil
	})
}

// readyOnce waits for the database to become Ready with the nodes it was
// created with, and logs how long that took.
func (l *lifecycle) readyOnce(t *testing.T) {
	l.ready(t, l.db.Spec.Size)
	t.Logf("e2e: %s %s/%s Ready %s after it was created", l.db.GroupVersionKind().GroupKind(), l.db.Namespace, l.db.Name, time.Since(l.created).Round(time.Millisecond))
}

// connect opens a client the way an application does: from the
// connection Secret the database's status names, resolving its names
// through the cluster's DNS.
func (l *lifecycle) connect(t *testing.T) *as.Client {
	t.Helper()
	name := l.get(t).Status.ConnectionSecretName
	if name == "" {
		t.Fatal("the database's status.connectionSecretName is empty")
	}
	s := &corev1.Secret{}
	if err := l.c.Get(context.Background(), l.key(name), s); err != nil {
		t.Fatalf("the connection Secret the status names: %v", err)
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
		k, err := as.NewKey(l.asNamespace(), "e2e", i)
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
		if err := l.c.Get(ctx, l.key(l.statefulSet()), sts); err != nil {
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
		if err := l.c.Get(ctx, l.key(l.composite), cs); err == nil {
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
		if err := l.c.List(context.Background(), pods, client.InNamespace(l.db.Namespace), client.MatchingLabels{"app.kubernetes.io/instance": l.composite}); err != nil {
			return err
		}
		for _, p := range pods.Items {
			n := l.kubelet.Server(l.db.Namespace, p.Name)
			if n == nil {
				return fmt.Errorf("pod %s runs no server", p.Name)
			}
			cmd := "get-config:context=namespace;id=" + l.asNamespace()
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
	if err := l.c.List(context.Background(), events, client.InNamespace(l.db.Namespace)); err != nil {
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
	if err := l.c.Get(context.Background(), l.key(l.statefulSet()), sts); err != nil {
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
	if err := l.c.List(context.Background(), pods, client.InNamespace(l.db.Namespace)); err != nil {
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

// volumeClaims returns the names of the volume claims in the database's
// namespace.
func (l *lifecycle) volumeClaims(t *testing.T) []string {
	t.Helper()
	list := &corev1.PersistentVolumeClaimList{}
	if err := l.c.List(context.Background(), list, client.InNamespace(l.db.Namespace)); err != nil {
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
	before := l.volumeClaims(t)
	l.scale(t, 2)
	l.readable(t)
	if after := l.volumeClaims(t); len(after) != len(before) {
		t.Errorf("scaling down left volume claims %v of %v; Retain keeps the removed node's", after, before)
	}
}

// delete deletes the database and asserts what goes (a claim's
// composite, the StatefulSet, Services, Secret) and what stays (the data
// volumes, if any: Retain is the default).
func (l *lifecycle) delete(t *testing.T) {
	ctx := context.Background()
	claims := l.volumeClaims(t)
	if len(claims) == 0 && l.persistent() {
		t.Fatal("the database has no volume claims to keep")
	}
	db := &unstructured.Unstructured{}
	db.SetGroupVersionKind(l.db.GroupVersionKind())
	db.SetNamespace(l.db.Namespace)
	db.SetName(l.db.Name)
	if err := l.c.Delete(ctx, db); err != nil {
		t.Fatal(err)
	}
	gone := []client.Object{
		db,
		&appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Namespace: l.db.Namespace, Name: l.statefulSet()}},
		&corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: l.db.Namespace, Name: l.composite}},
		&corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: l.db.Namespace, Name: l.composite + "-headless"}},
		&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: l.db.Namespace, Name: l.composite + "-connection"}},
	}
	if l.claimed() {
		xr := &unstructured.Unstructured{}
		xr.SetGroupVersionKind(claimsComposite)
		xr.SetName(l.composite)
		gone = append(gone, xr)
	}
	if l.monitored() {
		gone = append(gone,
			&corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: l.db.Namespace, Name: l.composite + "-metrics"}},
			&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: l.db.Namespace, Name: l.composite + "-dashboard"}})
	}
	if l.serviceMonitor {
		gone = append(gone, l.serviceMonitorObject())
	}
	l.wait(t, 2*time.Minute, "the database and what it composed are gone", func() error {
		for _, o := range gone {
			if err := l.c.Get(ctx, client.ObjectKeyFromObject(o), o); !kerrors.IsNotFound(err) {
				return fmt.Errorf("%T %s still exists (%w)", o, o.GetName(), err)
			}
		}
		return nil
	})
	if after := l.volumeClaims(t); len(after) != len(claims) {
		t.Errorf("deleting the database left volume claims %v of %v; Retain keeps them all", after, claims)
	}
}
