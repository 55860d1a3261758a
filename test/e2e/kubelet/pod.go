package kubelet

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strconv"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	kerrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"

	"github.com/xp-aerospike/xp-aerospike/test/aerospike"
)

// A pod is one pod of a StatefulSet and the server that runs for it. Its
// goroutine (runPod) creates its objects, starts and watches its server,
// and, once the pod is terminated, stops it and deletes what it must.
type pod struct {
	key      types.NamespacedName
	set      *set
	ordinal  int
	revision string
	template *corev1.PodTemplateSpec
	// service is the StatefulSet's governing (headless) Service, the
	// subdomain of the pod's DNS name.
	service  string
	labels   map[string]string
	owner    metav1.OwnerReference
	selector map[string]string
	claims   []corev1.PersistentVolumeClaim

	ctx    context.Context
	cancel context.CancelFunc

	// Guarded by the kubelet's mu.
	uid     types.UID
	created metav1.Time
	// createdAt is when the kubelet learned uid: a list of pods made
	// before it cannot show the object.
	createdAt    time.Time
	ready        bool
	terminating  bool
	deleteClaims bool
	node         *aerospike.Node
	started      metav1.Time
	restarts     int32
	waiting      string // why the server does not run
}

// createPod adds the pod of an ordinal and starts its goroutine. k.mu is
// held.
func (k *Kubelet) createPod(s *set, sts *appsv1.StatefulSet, ord int, rev string) {
	name := sts.Name + "-" + strconv.Itoa(ord)
	tmpl := s.revisions[rev]
	labels := maps.Clone(tmpl.Labels)
	if labels == nil {
		labels = map[string]string{}
	}
	labels[labelPodName] = name
	labels[labelRevision] = rev
	labels[labelPodIndex] = strconv.Itoa(ord)
	var sel map[string]string
	if sts.Spec.Selector != nil {
		sel = sts.Spec.Selector.MatchLabels
	}
	ctx, cancel := context.WithCancel(k.ctx)
	p := &pod{
		key: types.NamespacedName{Namespace: sts.Namespace, Name: name}, set: s, ordinal: ord,
		revision: rev, template: tmpl, service: sts.Spec.ServiceName, labels: labels,
		owner: metav1.OwnerReference{
			APIVersion: appsv1.SchemeGroupVersion.String(), Kind: "StatefulSet", Name: sts.Name, UID: sts.UID,
			Controller: ptr.To(true), BlockOwnerDeletion: ptr.To(true),
		},
		selector: sel,
		claims:   sts.Spec.VolumeClaimTemplates,
		ctx:      ctx, cancel: cancel,
		waiting: "ContainerCreating",
	}
	s.pods[ord] = p
	k.byName[p.key] = p
	if len(p.claims) > 0 {
		s.claimed[ord] = true
	}
	k.logf("creating pod %s (revision %s)", p.key, rev)
	k.pods.Go(func() { k.runPod(p) })
}

// terminate ends a pod: its goroutine stops the server, then deletes the
// Pod object and, with deleteClaims, its claims. k.mu is held.
func (k *Kubelet) terminate(p *pod, deleteClaims bool) {
	p.terminating, p.ready = true, false
	p.deleteClaims = p.deleteClaims || deleteClaims
	p.cancel()
}

// runPod is a pod's life: it runs the pod's server until the pod is
// terminated, starting it again whenever it fails or exits.
func (k *Kubelet) runPod(p *pod) {
	defer k.finish(p)
	initialized := false
	for failures := 0; p.ctx.Err() == nil; {
		if failures > 0 {
			backoff := min(time.Second<<min(failures-1, 4), maxBackoff)
			select {
			case <-p.ctx.Done():
				return
			case <-time.After(backoff):
			}
		}
		n, err := k.startPod(p, &initialized)
		if err != nil {
			if p.ctx.Err() != nil {
				return
			}
			failures++
			k.logf("pod %s does not run: %v", p.key, err)
			k.setState(p, nil, "CrashLoopBackOff: "+err.Error())
			continue
		}
		failures = 0
		k.setState(p, n, "")
		k.logf("pod %s runs asd %s on %s", p.key, n.Version(), n.Host())
		if !k.watch(p, n) {
			return
		}
		k.logf("pod %s: its server exited by itself; starting it again", p.key)
		k.mu.Lock()
		p.restarts++
		k.mu.Unlock()
		k.setState(p, nil, "the server exited")
	}
}

// watch waits until the pod is terminated (false) or its server exits by
// itself (true).
func (k *Kubelet) watch(p *pod, n *aerospike.Node) bool {
	t := time.NewTicker(k.o.Interval)
	defer t.Stop()
	for {
		select {
		case <-p.ctx.Done():
			return false
		case <-t.C:
			if !n.Running() {
				return true
			}
		}
	}
}

// setState records whether the pod's server runs (n) or why not, and
// writes the pod's status.
func (k *Kubelet) setState(p *pod, n *aerospike.Node, waiting string) {
	k.mu.Lock()
	p.node, p.waiting = n, waiting
	p.ready = n != nil && !p.terminating
	if n != nil {
		p.started = metav1.Now()
	}
	k.mu.Unlock()
	if err := k.writePodStatus(p); err != nil && k.ctx.Err() == nil {
		k.logf("%v", err)
	}
}

// startPod creates what the pod needs and starts its server; the first
// time it also runs the init containers.
func (k *Kubelet) startPod(p *pod, initialized *bool) (*aerospike.Node, error) {
	if err := k.createObjects(p); err != nil {
		return nil, err
	}
	k.mu.Lock()
	uid := p.uid
	k.mu.Unlock()
	dir := filepath.Join(k.dir, p.key.Namespace, p.key.Name, string(uid))
	root := filepath.Join(dir, "root")
	if err := k.mountVolumes(p, dir, root); err != nil {
		return nil, err
	}
	if !*initialized {
		if err := runInitContainers(p.template.Spec.InitContainers, root); err != nil {
			return nil, err
		}
		*initialized = true
	}
	return k.startServer(p, dir, root)
}

// createObjects creates the pod's claims and its Pod object, once.
func (k *Kubelet) createObjects(p *pod) error {
	k.mu.Lock()
	done := p.uid != ""
	k.mu.Unlock()
	if done {
		return nil
	}
	for _, c := range p.claims {
		if _, err := k.ensureClaim(p, c); err != nil {
			return err
		}
	}
	o := k.podObject(p)
	ctx, cancel := k.apiContext()
	defer cancel()
	err := k.c.Create(ctx, o)
	if kerrors.IsAlreadyExists(err) {
		// A pod of an earlier run of the kubelet, or of a StatefulSet of
		// the same name: this one replaces it.
		old := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: p.key.Namespace, Name: p.key.Name}}
		if err := k.deleteObject(old); err != nil {
			return err
		}
		err = k.c.Create(ctx, o)
	}
	if err != nil {
		return errors.Wrapf(err, "cannot create pod %s", p.key)
	}
	k.mu.Lock()
	p.uid, p.created, p.createdAt = o.UID, o.CreationTimestamp, time.Now()
	k.mu.Unlock()
	return errors.Wrap(k.writePodStatus(p), "cannot write the status of a new pod")
}

// podObject is the Pod the StatefulSet controller would create.
func (k *Kubelet) podObject(p *pod) *corev1.Pod {
	spec := *p.template.Spec.DeepCopy()
	spec.Hostname, spec.Subdomain = p.key.Name, p.service
	for _, c := range p.claims {
		v := corev1.Volume{Name: c.Name, VolumeSource: corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{
			ClaimName: claimName(c.Name, p.owner.Name, p.ordinal),
		}}}
		replaced := false
		for i := range spec.Volumes {
			if spec.Volumes[i].Name == c.Name {
				spec.Volumes[i], replaced = v, true
			}
		}
		if !replaced {
			spec.Volumes = append(spec.Volumes, v)
		}
	}
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Namespace:       p.key.Namespace,
			Name:            p.key.Name,
			Labels:          p.labels,
			Annotations:     maps.Clone(p.template.Annotations),
			OwnerReferences: []metav1.OwnerReference{p.owner},
		},
		Spec: spec,
	}
}

// writePodStatus writes what the kubelet knows of the pod into its Pod
// object: its address, phase Running once its server started, and the
// Ready condition.
func (k *Kubelet) writePodStatus(p *pod) error {
	ctx, cancel := k.apiContext()
	defer cancel()
	var err error
	// A conflict is someone else's write in between: read and try again.
	for range 5 {
		if err = k.tryWritePodStatus(ctx, p); !kerrors.IsConflict(err) {
			break
		}
	}
	return errors.Wrapf(err, "cannot write the status of pod %s", p.key)
}

func (k *Kubelet) tryWritePodStatus(ctx context.Context, p *pod) error {
	o := &corev1.Pod{}
	if err := k.c.Get(ctx, p.key, o); err != nil {
		return client.IgnoreNotFound(err)
	}
	k.mu.Lock()
	if o.UID != p.uid || p.terminating {
		k.mu.Unlock()
		return nil
	}
	o.Status = k.podStatus(p)
	k.mu.Unlock()
	return k.c.Status().Update(ctx, o)
}

// podStatus is the status of the pod now. k.mu is held.
func (k *Kubelet) podStatus(p *pod) corev1.PodStatus {
	addr := k.slot(p.key).addr.String()
	cond := func(t corev1.PodConditionType, ok bool) corev1.PodCondition {
		s := corev1.ConditionFalse
		if ok {
			s = corev1.ConditionTrue
		}
		return corev1.PodCondition{Type: t, Status: s, LastTransitionTime: metav1.Now()}
	}
	start := p.created
	st := corev1.PodStatus{
		Phase:     corev1.PodPending,
		HostIP:    "127.0.0.1",
		HostIPs:   []corev1.HostIP{{IP: "127.0.0.1"}},
		PodIP:     addr,
		PodIPs:    []corev1.PodIP{{IP: addr}},
		StartTime: &start,
		Conditions: []corev1.PodCondition{
			cond(corev1.PodScheduled, true),
			cond(corev1.PodInitialized, p.node != nil || p.restarts > 0),
			cond(corev1.ContainersReady, p.ready),
			cond(corev1.PodReady, p.ready),
		},
	}
	if p.node != nil || p.restarts > 0 {
		st.Phase = corev1.PodRunning
	}
	for _, c := range p.template.Spec.Containers {
		cs := corev1.ContainerStatus{Name: c.Name, Image: c.Image, RestartCount: p.restarts}
		switch {
		case c.Name != serverContainer(p.template.Spec.Containers):
			// Only the server runs here; the others (an exporter) are
			// taken as running so that they do not hold the pod back.
			cs.Ready, cs.Started = true, ptr.To(true)
			cs.State.Running = &corev1.ContainerStateRunning{StartedAt: p.created}
		case p.node != nil:
			cs.Ready, cs.Started = p.ready, ptr.To(true)
			cs.State.Running = &corev1.ContainerStateRunning{StartedAt: p.started}
		default:
			cs.Started = ptr.To(false)
			cs.State.Waiting = &corev1.ContainerStateWaiting{Reason: reason(p.waiting), Message: p.waiting}
		}
		st.ContainerStatuses = append(st.ContainerStatuses, cs)
	}
	return st
}

// reason is the first word of why a container waits, as a reason.
func reason(waiting string) string {
	for i, r := range waiting {
		if r == ':' || r == ' ' {
			return waiting[:i]
		}
	}
	return waiting
}

// finish ends a terminated pod: it stops its server and, unless the
// kubelet is closing, deletes the Pod object and the claims its policy
// deletes; then the pod is gone and its ordinal free.
func (k *Kubelet) finish(p *pod) {
	k.mu.Lock()
	n := p.node
	p.node, p.ready, p.terminating = nil, false, true
	del := p.deleteClaims
	k.mu.Unlock()
	if n != nil && n.Running() {
		if err := n.Stop(); err != nil {
			k.logf("%v", err)
			k.fail(err)
		}
	}
	if k.ctx.Err() == nil {
		o := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: p.key.Namespace, Name: p.key.Name}}
		if p.uid != "" {
			if err := k.deleteObject(o, client.Preconditions{UID: &p.uid}); err != nil && !kerrors.IsConflict(err) {
				k.logf("%v", err)
			}
		}
		if del {
			for _, c := range p.claims {
				k.deleteClaim(p.key.Namespace, claimName(c.Name, p.owner.Name, p.ordinal))
			}
		}
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if del {
		delete(p.set.claimed, p.ordinal)
	}
	if p.set.pods[p.ordinal] == p {
		delete(p.set.pods, p.ordinal)
	}
	if k.byName[p.key] == p {
		delete(k.byName, p.key)
	}
	k.logf("pod %s is gone", p.key)
}

// pvcProtection is the finalizer the API server puts on every claim.
const pvcProtection = "kubernetes.io/pvc-protection"

// claimName is the name the StatefulSet controller gives the claim of a
// template for an ordinal.
func claimName(claim, sts string, ord int) string {
	return fmt.Sprintf("%s-%s-%d", claim, sts, ord)
}

// ensureClaim returns the claim of a template for the pod, creating it,
// bound, when there is none, and its data directory.
func (k *Kubelet) ensureClaim(p *pod, tmpl corev1.PersistentVolumeClaim) (*corev1.PersistentVolumeClaim, error) {
	ctx, cancel := k.apiContext()
	defer cancel()
	key := types.NamespacedName{Namespace: p.key.Namespace, Name: claimName(tmpl.Name, p.owner.Name, p.ordinal)}
	c := &corev1.PersistentVolumeClaim{}
	err := k.c.Get(ctx, key, c)
	if kerrors.IsNotFound(err) {
		labels := maps.Clone(tmpl.Labels)
		if labels == nil {
			labels = map[string]string{}
		}
		maps.Copy(labels, p.selector)
		c = &corev1.PersistentVolumeClaim{
			ObjectMeta: metav1.ObjectMeta{Namespace: key.Namespace, Name: key.Name, Labels: labels, Annotations: tmpl.Annotations},
			Spec:       *tmpl.Spec.DeepCopy(),
		}
		if err := k.c.Create(ctx, c); err != nil {
			return nil, errors.Wrapf(err, "cannot create claim %s", key)
		}
		// No provisioner runs: the claim is bound to its directory.
		c.Status = corev1.PersistentVolumeClaimStatus{
			Phase:       corev1.ClaimBound,
			AccessModes: c.Spec.AccessModes,
			Capacity:    c.Spec.Resources.Requests,
		}
		if err := k.c.Status().Update(ctx, c); err != nil {
			return nil, errors.Wrapf(err, "cannot bind claim %s", key)
		}
		k.logf("created claim %s", key)
	} else if err != nil {
		return nil, errors.Wrapf(err, "cannot get claim %s", key)
	}
	if err := os.MkdirAll(k.claimDir(c), 0o700); err != nil {
		return nil, errors.Wrapf(err, "cannot create the directory of claim %s", key)
	}
	return c, nil
}

// claimDir is where a claim's data lives: as long as the claim object,
// whose UID names it, so that a claim deleted and created again starts
// empty.
func (k *Kubelet) claimDir(c *corev1.PersistentVolumeClaim) string {
	return filepath.Join(k.dir, "volumes", c.Namespace, c.Name+"-"+string(c.UID))
}

// deleteClaim deletes a claim and its data, as a storage class with the
// Delete reclaim policy does.
func (k *Kubelet) deleteClaim(namespace, name string) {
	ctx, cancel := k.apiContext()
	defer cancel()
	c := &corev1.PersistentVolumeClaim{}
	if err := k.c.Get(ctx, types.NamespacedName{Namespace: namespace, Name: name}, c); err != nil {
		if !kerrors.IsNotFound(err) {
			k.logf("cannot get claim %s/%s: %v", namespace, name, err)
		}
		return
	}
	// No pvc-protection controller runs to lift its finalizer once no pod
	// uses the claim; the claim's pod is gone, so it goes now.
	if controllerutil.RemoveFinalizer(c, pvcProtection) {
		if err := k.c.Update(ctx, c); err != nil {
			k.logf("cannot remove the finalizer of claim %s/%s: %v", namespace, name, err)
			return
		}
	}
	if err := k.deleteObject(c, client.Preconditions{UID: &c.UID}); err != nil {
		k.logf("%v", err)
		return
	}
	if err := os.RemoveAll(k.claimDir(c)); err != nil {
		k.logf("cannot remove the data of claim %s/%s: %v", namespace, name, err)
	}
	k.logf("deleted claim %s/%s", namespace, name)
}
