// Package kubelet stands in for the kubelet and the StatefulSet controller
// of a cluster that has neither, such as an envtest API server: it runs a
// real Aerospike server (asd) for every pod of every StatefulSet, from the
// aerospike.conf the pod template mounts, and writes the objects and
// statuses those components would, so that Crossplane, our function and our
// provider see a database as they would in a cluster.
//
// What it does, as the StatefulSet controller does with OrderedReady pods
// and the RollingUpdate strategy:
//
//   - Scale-up starts pods in ordinal order, each once the one before is
//     ready; scale-down stops the highest ordinal first, one at a time.
//   - A pod whose ordinal is at least the rolling-update partition and whose
//     template is not the update revision is restarted, highest first, one
//     at a time, each once the one before is ready again.
//   - Status: observedGeneration, replicas, ready, available, current and
//     updated replicas, and the current and update revisions (a hash of
//     the pod template).
//   - Pod objects (labels from the template, status.podIP, phase Running,
//     the Ready condition), and a PersistentVolumeClaim per volume claim
//     template (<claim>-<statefulset>-<ordinal>) whose data directory lives
//     as long as the claim object; spec.persistentVolumeClaimRetentionPolicy
//     decides whether a scale-down or a deleted StatefulSet deletes them.
//   - Garbage collection: the pods of a deleted StatefulSet are stopped and
//     their Pod objects deleted; a Pod object deleted by someone else
//     stops its server, and the pod is created again.
//   - A server that exits by itself is started again, like a container.
//
// How a pod runs: every pod gets an address of its own in 127.0.0.0/8 and
// listens on the standard ports there (3000 service, 3002 heartbeat), but
// on a fabric port of its own (see slot). The pod's volumes become
// directories under the kubelet's directory: its config map and secret
// items as files, emptyDir per pod, each claim per claim object; init
// containers that run `mkdir -p` are honoured. The server's aerospike.conf is the file its
// container's --config-file names, rewritten by test/aerospike's
// RewriteForLoopback for addresses, ports and paths only: each mesh seed
// that names a pod (<pod>.<service>.<namespace>.svc.<domain>) becomes that
// pod's address. The server version is the tag of the container's image.
//
// Lookup answers the cluster's DNS names from the same state, for the
// test/e2e/dns server.
package kubelet

import (
	"context"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	kerrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"

	"github.com/xp-aerospike/xp-aerospike/test/aerospike"
)

// Defaults of Options.
const (
	defaultDomain       = "cluster.local"
	defaultInterval     = 250 * time.Millisecond
	defaultStartTimeout = 2 * time.Minute
)

// Bounds of what the kubelet waits for.
const (
	// apiTimeout bounds one request to the API server.
	apiTimeout = 10 * time.Second
	// maxBackoff bounds the wait before a failed pod is started again,
	// as CrashLoopBackOff does, only shorter: a test is waiting.
	maxBackoff = 10 * time.Second
)

// Options configure a Kubelet.
type Options struct {
	// Domain is the cluster domain; empty means cluster.local.
	Domain string
	// Interval is how often the kubelet reads the StatefulSets and pods;
	// zero means 250 ms.
	Interval time.Duration
	// StartTimeout bounds one start of a server until it is ready; zero
	// means two minutes.
	StartTimeout time.Duration
	// Binary picks the asd that runs a container image; nil means the
	// binary of the image tag's version (see aerospike.Env.Binary).
	Binary func(image string) (aerospike.Binary, error)
	// Logf receives what the kubelet does and what fails; nil discards it.
	Logf func(format string, args ...any)
}

// A Kubelet runs the pods of every StatefulSet of an API server until
// Close.
type Kubelet struct {
	c   client.Client
	dir string
	o   Options

	ctx    context.Context
	cancel context.CancelFunc
	loop   chan struct{}
	pods   sync.WaitGroup

	mu     sync.Mutex
	closed bool
	sets   map[types.NamespacedName]*set
	byName map[types.NamespacedName]*pod
	slots  map[types.NamespacedName]*slot
	errs   []error
}

// Start starts a kubelet that runs the pods of the StatefulSets c reads in
// every namespace, with their directories under dir. c's scheme must know
// the core and apps groups, as client.New's default does. The caller must
// Close it, also when its test fails.
func Start(c client.Client, dir string, o Options) (*Kubelet, error) {
	if o.Domain == "" {
		o.Domain = defaultDomain
	}
	if o.Interval == 0 {
		o.Interval = defaultInterval
	}
	if o.StartTimeout == 0 {
		o.StartTimeout = defaultStartTimeout
	}
	if o.Binary == nil {
		o.Binary = imageBinary
	}
	if o.Logf == nil {
		o.Logf = func(string, ...any) {}
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, errors.Wrapf(err, "cannot use %s as the kubelet's directory", dir)
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return nil, errors.Wrapf(err, "cannot create the kubelet's directory %s", abs)
	}
	ctx, cancel := context.WithCancel(context.Background())
	k := &Kubelet{
		c: c, dir: abs, o: o, ctx: ctx, cancel: cancel, loop: make(chan struct{}),
		sets:   map[types.NamespacedName]*set{},
		byName: map[types.NamespacedName]*pod{},
		slots:  map[types.NamespacedName]*slot{},
	}
	go k.run()
	return k, nil
}

// Close stops the kubelet and every server it runs: SIGTERM, then SIGKILL
// after a bounded wait. It leaves the API server's objects as they are, as
// a kubelet that goes away does; the cluster is being torn down. It returns
// the servers that did not stop cleanly.
func (k *Kubelet) Close() error {
	k.mu.Lock()
	if k.closed {
		k.mu.Unlock()
		return nil
	}
	k.closed = true
	k.mu.Unlock()
	k.cancel()
	<-k.loop
	k.mu.Lock()
	for _, p := range k.byName {
		k.terminate(p, false)
	}
	k.mu.Unlock()
	k.pods.Wait()
	k.mu.Lock()
	defer k.mu.Unlock()
	return errors.Join(k.errs...)
}

// Server returns the running server of a pod, for a test that asks it or
// kills it as a crash would (the kubelet then starts it again); nil when
// the pod has none running.
func (k *Kubelet) Server(namespace, pod string) *aerospike.Node {
	k.mu.Lock()
	defer k.mu.Unlock()
	p := k.byName[types.NamespacedName{Namespace: namespace, Name: pod}]
	if p == nil || p.node == nil || !p.node.Running() {
		return nil
	}
	return p.node
}

// PodAddress returns the address a pod listens on, or has been given for
// when it starts: the address its DNS name resolves to.
func (k *Kubelet) PodAddress(namespace, pod string) (netip.Addr, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	s := k.slots[types.NamespacedName{Namespace: namespace, Name: pod}]
	if s == nil {
		return netip.Addr{}, false
	}
	return s.addr, true
}

func (k *Kubelet) logf(format string, args ...any) {
	k.o.Logf("kubelet: "+format, args...)
}

// run syncs every StatefulSet each interval until Close.
func (k *Kubelet) run() {
	defer close(k.loop)
	t := time.NewTicker(k.o.Interval)
	defer t.Stop()
	for {
		if err := k.syncAll(); err != nil && k.ctx.Err() == nil {
			k.logf("%v", err)
		}
		select {
		case <-k.ctx.Done():
			return
		case <-t.C:
		}
	}
}

// syncAll reads the StatefulSets and pods and moves every StatefulSet one
// step towards its spec.
func (k *Kubelet) syncAll() error {
	ctx, cancel := context.WithTimeout(k.ctx, apiTimeout)
	defer cancel()
	listed := time.Now()
	var sets appsv1.StatefulSetList
	if err := k.c.List(ctx, &sets); err != nil {
		return errors.Wrap(err, "cannot list StatefulSets")
	}
	var objs corev1.PodList
	if err := k.c.List(ctx, &objs); err != nil {
		return errors.Wrap(err, "cannot list pods")
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.closed {
		return nil
	}
	k.reapDeletedPods(objs.Items, listed)
	live := map[types.NamespacedName]bool{}
	var errs []error
	for i := range sets.Items {
		sts := &sets.Items[i]
		if sts.DeletionTimestamp != nil {
			continue
		}
		key := types.NamespacedName{Namespace: sts.Namespace, Name: sts.Name}
		live[key] = true
		if err := k.sync(ctx, sts); err != nil {
			errs = append(errs, errors.Wrapf(err, "cannot sync StatefulSet %s", key))
		}
	}
	// What is gone from the API server is garbage: the StatefulSet
	// controller's pods of it, and the claims its policy deletes.
	for key, s := range k.sets {
		if !live[key] {
			k.deleteSet(s)
		}
	}
	return errors.Join(errs...)
}

// reapDeletedPods stops the servers of pods whose Pod objects someone else
// deleted; their StatefulSets create them again. objs were listed at
// listed, which pods created since cannot be in.
func (k *Kubelet) reapDeletedPods(objs []corev1.Pod, listed time.Time) {
	uids := map[types.NamespacedName]corev1.Pod{}
	for _, o := range objs {
		uids[types.NamespacedName{Namespace: o.Namespace, Name: o.Name}] = o
	}
	for key, p := range k.byName {
		if p.uid == "" || p.terminating || !p.createdAt.Before(listed) {
			continue
		}
		o, ok := uids[key]
		if !ok || o.UID != p.uid || o.DeletionTimestamp != nil {
			k.logf("pod %s was deleted; stopping its server", key)
			k.terminate(p, false)
		}
	}
}

// fail records an error Close returns.
func (k *Kubelet) fail(err error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.errs = append(k.errs, err)
}

// apiContext bounds one request to the API server; it ends when the
// kubelet closes, which then writes nothing more.
func (k *Kubelet) apiContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(k.ctx, apiTimeout)
}

// deleteObject deletes o, without a grace period (this is the kubelet
// that would wait for it), ignoring one already gone.
func (k *Kubelet) deleteObject(o client.Object, opts ...client.DeleteOption) error {
	ctx, cancel := k.apiContext()
	defer cancel()
	err := k.c.Delete(ctx, o, append(slices.Clone(opts), client.GracePeriodSeconds(0))...)
	if kerrors.IsNotFound(err) {
		return nil
	}
	return errors.Wrapf(err, "cannot delete %T %s/%s", o, o.GetNamespace(), o.GetName())
}
