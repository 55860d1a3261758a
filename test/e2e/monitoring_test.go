package e2e

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	extv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	kerrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource/unstructured/composite"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	dbv1alpha1 "github.com/xp-aerospike/xp-aerospike/apis/aerospike/v1alpha1"
	"github.com/xp-aerospike/xp-aerospike/test/e2e/controlplane"
)

// prometheusOperatorComposition is the Composition a platform team that
// runs the Prometheus Operator applies beside the package's: the package's
// own is owned by its Configuration, and core would revert an edit to it.
const prometheusOperatorComposition = "aerospikedatabase-prometheus-operator"

// serviceMonitorCRD is the CRD the function asks Crossplane for before it
// composes a ServiceMonitor.
const serviceMonitorCRD = "servicemonitors.monitoring.coreos.com"

// serviceMonitorKind is the Prometheus Operator's kind.
var serviceMonitorKind = schema.GroupVersionKind{Group: "monitoring.coreos.com", Version: "v1", Kind: "ServiceMonitor"}

// monitoredDatabase is a small AerospikeDatabase with monitoring
// enabled, in a namespace of its own.
func monitoredDatabase() *dbv1alpha1.AerospikeDatabase {
	db := small(dbv1alpha1.SchemeGroupVersion.String(), "team-monitoring", "orders")
	db.Spec.Monitoring = &dbv1alpha1.Monitoring{
		Enabled:              true,
		ScrapeInterval:       "30s",
		ServiceMonitorLabels: map[string]string{"release": "kube-prometheus-stack"},
	}
	return db
}

// applyPrometheusOperatorComposition applies the package's Composition
// under a name of its own, with prometheusOperator: true in the
// function's input, for the same composite type.
func applyPrometheusOperatorComposition(t *testing.T, cp *controlplane.ControlPlane, root string) string {
	t.Helper()
	comp := &unstructured.Unstructured{}
	readYAML(t, filepath.Join(root, "package", "configuration", "composition.yaml"), &comp.Object)
	comp.SetName(prometheusOperatorComposition)
	pipeline, _, err := unstructured.NestedSlice(comp.Object, "spec", "pipeline")
	if err != nil || len(pipeline) != 1 {
		t.Fatalf("the package's Composition has pipeline %v, want one step: %v", pipeline, err)
	}
	step := pipeline[0].(map[string]any)
	if err := unstructured.SetNestedField(step, true, "input", "prometheusOperator"); err != nil {
		t.Fatal(err)
	}
	if err := unstructured.SetNestedSlice(comp.Object, pipeline, "spec", "pipeline"); err != nil {
		t.Fatal(err)
	}
	if err := cp.Client.Create(context.Background(), comp); err != nil {
		t.Fatalf("cannot apply Composition %s: %v", comp.GetName(), err)
	}
	return comp.GetName()
}

// monitoredLifecycle is the life of a monitored database on a platform
// that says it runs the Prometheus Operator: first without the
// ServiceMonitor CRD, then with it.
func monitoredLifecycle(t *testing.T, l *lifecycle, crdFile string) {
	steps(t, []step{
		{"WithoutTheServiceMonitorCRDComposesEverythingElse", l.createMonitored},
		{"WarnsThatTheServiceMonitorCRDIsMissing", l.warnsNoServiceMonitorCRD},
		{"BecomesReadyOnceTheNodesFormOneCluster", l.readyOnce},
		{"InstallingTheCRDComposesTheServiceMonitor", func(t *testing.T) { l.serviceMonitorOnceTheCRDIsInstalled(t, crdFile) }},
		{"TheReadmeClusterRoleLetsCoreManageEveryComposedKind", func(t *testing.T) {
			if !slices.ContainsFunc(l.composedRefs(t), isServiceMonitor) {
				t.Fatal("the composite lists no ServiceMonitor")
			}
			l.coreMayManageWhatIsComposed(t)
		}},
		{"DeleteRemovesWhatItComposedServiceMonitorIncluded", l.delete},
	})
}

func isServiceMonitor(r corev1.ObjectReference) bool {
	return r.GroupVersionKind() == serviceMonitorKind
}

// createMonitored creates the database, selecting the Prometheus Operator
// Composition, and asserts that, with no ServiceMonitor CRD in the
// cluster, everything but a ServiceMonitor is composed: the exporter
// beside every node, the metrics Service and the dashboard.
func (l *lifecycle) createMonitored(t *testing.T) {
	if l.crdInstalled(t) {
		t.Fatalf("CRD %s is already installed", serviceMonitorCRD)
	}
	l.create(t)
	ctx := context.Background()
	xr, err := l.compositeObject()
	if err != nil {
		t.Fatal(err)
	}
	if ref := xr.GetCompositionReference(); ref == nil || ref.Name != l.composition {
		t.Errorf("the database uses Composition %+v, want %s", ref, l.composition)
	}

	sts := &appsv1.StatefulSet{}
	if err := l.c.Get(ctx, l.key(l.statefulSet()), sts); err != nil {
		t.Fatal(err)
	}
	exporter := false
	for _, c := range sts.Spec.Template.Spec.Containers {
		if c.Name == "exporter" {
			exporter = slices.ContainsFunc(c.Ports, func(p corev1.ContainerPort) bool { return p.Name == "metrics" })
		}
	}
	if !exporter {
		t.Errorf("StatefulSet %s's pod template has no exporter container with port metrics", sts.Name)
	}

	svc := &corev1.Service{}
	if err := l.c.Get(ctx, l.key(l.composite+"-metrics"), svc); err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(svc.Spec.Ports, func(p corev1.ServicePort) bool {
		return p.Name == "metrics" && p.TargetPort.String() == "metrics"
	}) {
		t.Errorf("the metrics Service has ports %+v, want one named metrics to the exporter's", svc.Spec.Ports)
	}

	dash := &corev1.ConfigMap{}
	if err := l.c.Get(ctx, l.key(l.composite+"-dashboard"), dash); err != nil {
		t.Fatal(err)
	}
	if dash.Labels["grafana_dashboard"] != "1" || len(dash.Data) == 0 {
		t.Errorf("the dashboard ConfigMap has labels %v and %d keys, want grafana_dashboard: \"1\" and a dashboard", dash.Labels, len(dash.Data))
	}

	if refs := l.composedRefs(t); slices.ContainsFunc(refs, isServiceMonitor) {
		t.Errorf("a ServiceMonitor was composed with no CRD for it: %v", refs)
	}
}

// crdInstalled reports whether the ServiceMonitor CRD exists.
func (l *lifecycle) crdInstalled(t *testing.T) bool {
	t.Helper()
	err := l.c.Get(context.Background(), client.ObjectKey{Name: serviceMonitorCRD}, &extv1.CustomResourceDefinition{})
	if err != nil && !kerrors.IsNotFound(err) {
		t.Fatal(err)
	}
	return err == nil
}

// warning is what the database's events say about the missing CRD: how
// many times core emitted the Warning, and the last message.
type warning struct {
	count   int32
	last    time.Time
	message string
}

// missingCRDWarning sums the Warning events on the composite that name
// the ServiceMonitor CRD.
func (l *lifecycle) missingCRDWarning(t *testing.T) warning {
	t.Helper()
	events := &corev1.EventList{}
	if err := l.c.List(context.Background(), events, client.InNamespace(l.db.Namespace)); err != nil {
		t.Fatal(err)
	}
	var w warning
	for _, e := range events.Items {
		if e.Type != corev1.EventTypeWarning || e.InvolvedObject.Kind != l.db.Kind || e.InvolvedObject.Name != l.db.Name ||
			!strings.Contains(e.Message, serviceMonitorCRD) {
			continue
		}
		w.count += max(e.Count, 1)
		if ts := e.LastTimestamp.Time; ts.After(w.last) {
			w.last, w.message = ts, e.Reason+": "+e.Message
		}
	}
	return w
}

// warnsNoServiceMonitorCRD waits for core to surface the function's
// Warning result as an event on the composite.
func (l *lifecycle) warnsNoServiceMonitorCRD(t *testing.T) {
	var w warning
	l.wait(t, time.Minute, "a Warning event on the database names the missing ServiceMonitor CRD", func() error {
		if w = l.missingCRDWarning(t); w.count == 0 {
			return errors.New("there is none")
		}
		return nil
	})
	t.Logf("e2e: the database's Warning (%d times so far): %s", w.count, w.message)
}

// serviceMonitorObject names the ServiceMonitor the function composes.
func (l *lifecycle) serviceMonitorObject() *unstructured.Unstructured {
	sm := &unstructured.Unstructured{}
	sm.SetGroupVersionKind(serviceMonitorKind)
	sm.SetNamespace(l.db.Namespace)
	sm.SetName(l.composite)
	return sm
}

// touch annotates the database, which makes core reconcile it at once.
func (l *lifecycle) touch(t *testing.T) {
	t.Helper()
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(l.db.GroupVersionKind())
	u.SetNamespace(l.db.Namespace)
	u.SetName(l.db.Name)
	patch := fmt.Sprintf(`{"metadata":{"annotations":{"e2e.xp-aerospike.io/touched":%q}}}`, time.Now().Format(time.RFC3339Nano))
	if err := l.c.Patch(context.Background(), u, client.RawPatch(types.MergePatchType, []byte(patch))); err != nil {
		t.Fatal(err)
	}
}

// serviceMonitorOnceTheCRDIsInstalled asserts that the Warning is still
// emitted while the CRD is missing, installs the Prometheus Operator's
// real CRD, and asserts that the ServiceMonitor is then composed, accepted
// against the CRD's schema with nothing pruned, selecting the metrics
// Service only, while the database stays Ready and the Warning stops.
func (l *lifecycle) serviceMonitorOnceTheCRDIsInstalled(t *testing.T, crdFile string) {
	ctx := context.Background()
	// The Warning comes anew with each reconcile while the CRD is
	// missing, so that its stopping below means something.
	// One touch can be folded into a reconcile core had already begun,
	// which emits nothing new: touch again until one is seen.
	before := l.missingCRDWarning(t)
	l.wait(t, 30*time.Second, "the Warning is emitted anew while the CRD is missing", func() error {
		if w := l.missingCRDWarning(t); w.count <= before.count {
			l.touch(t)
			return fmt.Errorf("emitted %d times, as before", w.count)
		}
		return nil
	})

	// Ready from before the CRD to the end: every write core makes to
	// the database is watched, so not even one reconcile's Ready=False
	// slips by.
	notReady := l.watchNotReady(t)

	crd := &extv1.CustomResourceDefinition{}
	readYAML(t, crdFile, crd)
	if crd.Name != serviceMonitorCRD {
		t.Fatalf("%s holds CRD %s, want %s", crdFile, crd.Name, serviceMonitorCRD)
	}
	if err := l.c.Create(ctx, crd); err != nil {
		t.Fatalf("cannot install CRD %s: %v", crd.Name, err)
	}
	if err := established(l.cp, crd.Name); err != nil {
		t.Fatal(err)
	}
	installed := time.Now()
	l.touch(t)

	sm := l.serviceMonitorObject()
	l.wait(t, time.Minute, "the ServiceMonitor is composed", func() error {
		return l.c.Get(ctx, client.ObjectKeyFromObject(sm), sm)
	})
	l.serviceMonitor = true
	t.Logf("e2e: ServiceMonitor %s/%s composed %s after its CRD was established", sm.GetNamespace(), sm.GetName(), time.Since(installed).Round(time.Millisecond))
	l.serviceMonitorScrapesTheMetricsService(t, sm)
	if refs := l.composedRefs(t); !slices.ContainsFunc(refs, isServiceMonitor) {
		t.Errorf("the composite does not list the ServiceMonitor: %v", refs)
	}
	l.everyComposedObjectInTheNamespace(t)

	l.ready(t, l.db.Spec.Size)
	// Events reach the apiserver asynchronously: let those of reconciles
	// before the ServiceMonitor settle, then watch a few more reconciles.
	time.Sleep(3 * time.Second)
	settled := l.missingCRDWarning(t)
	l.touch(t)
	time.Sleep(12 * time.Second) // more than two of core's 5 s polls
	if after := l.missingCRDWarning(t); after.count != settled.count || !after.last.Equal(settled.last) {
		t.Errorf("the Warning is still emitted with the CRD installed: %d times by %s, then %d by %s (%s)", settled.count, settled.last, after.count, after.last, after.message)
	}
	xr, err := l.compositeObject()
	if err != nil {
		t.Fatal(err)
	}
	if err := conditionsTrue(xr, xpv2.TypeSynced, xpv2.TypeReady); err != nil {
		t.Errorf("the database with its ServiceMonitor: %v", err)
	}
	if seen := notReady(); len(seen) > 0 {
		t.Errorf("the database was not Ready while its ServiceMonitor was composed: %s", strings.Join(seen, "; "))
	}
}

// watchNotReady watches the database and returns a function that stops
// watching and returns each Ready condition seen that was not True.
func (l *lifecycle) watchNotReady(t *testing.T) func() []string {
	t.Helper()
	wc, err := client.NewWithWatch(l.cp.Config, client.Options{Scheme: l.c.Scheme()})
	if err != nil {
		t.Fatal(err)
	}
	list := &unstructured.UnstructuredList{}
	list.SetGroupVersionKind(l.db.GroupVersionKind().GroupVersion().WithKind(l.db.Kind + "List"))
	w, err := wc.Watch(context.Background(), list, client.InNamespace(l.db.Namespace), client.MatchingFields{"metadata.name": l.db.Name})
	if err != nil {
		t.Fatal(err)
	}
	var seen []string
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ev := range w.ResultChan() {
			u, ok := ev.Object.(*unstructured.Unstructured)
			if !ok {
				continue
			}
			xr := &composite.Unstructured{Unstructured: *u}
			if c := xr.GetCondition(xpv2.TypeReady); c.Status != corev1.ConditionTrue {
				seen = append(seen, fmt.Sprintf("%s Ready=%s %s: %s", ev.Type, c.Status, c.Reason, c.Message))
			}
		}
	}()
	return func() []string {
		w.Stop()
		<-done
		return seen
	}
}

// serviceMonitorScrapesTheMetricsService asserts what the apiserver
// stored, after pruning what the CRD's schema does not know: the
// ServiceMonitor selects the metrics Service and no other of the
// database's, scrapes its port metrics every spec.monitoring's interval,
// and carries spec.monitoring's labels.
func (l *lifecycle) serviceMonitorScrapesTheMetricsService(t *testing.T, sm *unstructured.Unstructured) {
	t.Helper()
	ctx := context.Background()
	match, _, err := unstructured.NestedStringMap(sm.Object, "spec", "selector", "matchLabels")
	if err != nil || len(match) == 0 {
		t.Fatalf("the ServiceMonitor has spec.selector.matchLabels %v: %v", match, err)
	}
	sel := labels.SelectorFromSet(match)
	for _, name := range []string{l.composite + "-metrics", l.composite, l.composite + "-headless"} {
		svc := &corev1.Service{}
		if err := l.c.Get(ctx, l.key(name), svc); err != nil {
			t.Fatal(err)
		}
		if got, want := sel.Matches(labels.Set(svc.Labels)), name == l.composite+"-metrics"; got != want {
			t.Errorf("the ServiceMonitor's selector %s matches Service %s (labels %v): %t, want %t", sel, name, svc.Labels, got, want)
		}
	}
	endpoints, _, err := unstructured.NestedSlice(sm.Object, "spec", "endpoints")
	if err != nil || len(endpoints) != 1 {
		t.Fatalf("the ServiceMonitor has spec.endpoints %v, want one: %v", endpoints, err)
	}
	ep, _ := endpoints[0].(map[string]any)
	want := map[string]any{"port": "metrics", "path": "/metrics", "scheme": "http", "interval": l.db.Spec.Monitoring.ScrapeInterval}
	for k, v := range want {
		if ep[k] != v {
			t.Errorf("the ServiceMonitor's endpoint has %s %v, want %v (all: %v)", k, ep[k], v, ep)
		}
	}
	if tl, _, _ := unstructured.NestedStringSlice(sm.Object, "spec", "targetLabels"); len(tl) == 0 {
		t.Error("the ServiceMonitor has no spec.targetLabels: the CRD's schema pruned them, or the function sent none")
	}
	for k, v := range l.db.Spec.Monitoring.ServiceMonitorLabels {
		if sm.GetLabels()[k] != v {
			t.Errorf("the ServiceMonitor has labels %v, want %s=%s among them", sm.GetLabels(), k, v)
		}
	}
}
