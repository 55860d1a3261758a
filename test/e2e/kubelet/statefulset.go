package kubelet

import (
	"context"
	"encoding/json"
	"hash/fnv"
	"maps"
	"slices"
	"strconv"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	kerrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/rand"
	"k8s.io/utils/ptr"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// A set is what the kubelet remembers of one StatefulSet: the revisions
// of its template it has seen, as the controller keeps ControllerRevisions,
// and its pods by ordinal.
type set struct {
	key types.NamespacedName
	uid types.UID
	// current is status.currentRevision: the revision of the last
	// completed rollout.
	current   string
	revisions map[string]*corev1.PodTemplateSpec
	pods      map[int]*pod
	// claimed are the ordinals that have claims, kept or not by a pod.
	claimed     map[int]bool
	claims      []string
	whenDeleted appsv1.PersistentVolumeClaimRetentionPolicyType
	// deleted is set once the StatefulSet is gone and its pods go.
	deleted bool
}

// Labels the StatefulSet controller puts on its pods.
const (
	labelPodName  = "statefulset.kubernetes.io/pod-name"
	labelRevision = appsv1.ControllerRevisionHashLabelKey
	labelPodIndex = appsv1.PodIndexLabel
)

// revision names a pod template as the StatefulSet controller names its
// ControllerRevisions: the StatefulSet's name and a hash of the template.
func revision(sts *appsv1.StatefulSet) (string, error) {
	b, err := json.Marshal(sts.Spec.Template)
	if err != nil {
		return "", errors.Wrap(err, "cannot hash the pod template")
	}
	h := fnv.New32a()
	_, _ = h.Write(b)
	return sts.Name + "-" + rand.SafeEncodeString(strconv.FormatUint(uint64(h.Sum32()), 10)), nil
}

// sync moves one StatefulSet a step towards its spec, as the StatefulSet
// controller does, and writes its status. k.mu is held: every action only
// changes what the kubelet remembers and starts or ends a pod's goroutine.
func (k *Kubelet) sync(ctx context.Context, sts *appsv1.StatefulSet) error {
	key := types.NamespacedName{Namespace: sts.Namespace, Name: sts.Name}
	s := k.sets[key]
	if s != nil && s.uid != sts.UID {
		// A new StatefulSet of an old name: the old one's pods go first.
		k.deleteSet(s)
		return nil
	}
	update, err := revision(sts)
	if err != nil {
		return err
	}
	if s == nil {
		s = &set{
			key: key, uid: sts.UID, current: sts.Status.CurrentRevision,
			revisions: map[string]*corev1.PodTemplateSpec{},
			pods:      map[int]*pod{}, claimed: map[int]bool{},
		}
		k.sets[key] = s
	}
	if s.revisions[update] == nil {
		s.revisions[update] = sts.Spec.Template.DeepCopy()
	}
	if s.current == "" || s.revisions[s.current] == nil && len(s.pods) == 0 {
		s.current = update
	}
	s.claims = s.claims[:0]
	for _, c := range sts.Spec.VolumeClaimTemplates {
		s.claims = append(s.claims, c.Name)
	}
	s.whenDeleted = appsv1.RetainPersistentVolumeClaimRetentionPolicyType
	if p := sts.Spec.PersistentVolumeClaimRetentionPolicy; p != nil && p.WhenDeleted != "" {
		s.whenDeleted = p.WhenDeleted
	}

	k.step(s, sts, update)
	return k.writeStatus(ctx, s, sts, update)
}

// step takes the StatefulSet controller's next step: create the missing
// pods in ordinal order, then remove those beyond the replicas from the
// highest, then replace those of an old revision from the highest down to
// the partition. With OrderedReady pods each waits until every pod before
// it runs ready.
func (k *Kubelet) step(s *set, sts *appsv1.StatefulSet, update string) {
	replicas := int(ptr.Deref(sts.Spec.Replicas, 1))
	ordered := sts.Spec.PodManagementPolicy != appsv1.ParallelPodManagement
	rolling := sts.Spec.UpdateStrategy.Type != appsv1.OnDeleteStatefulSetStrategyType
	partition := 0
	if ru := sts.Spec.UpdateStrategy.RollingUpdate; rolling && ru != nil && ru.Partition != nil {
		partition = int(*ru.Partition)
	}

	for ord := range replicas {
		p := s.pods[ord]
		switch {
		case p == nil:
			// Below the partition a new pod gets the current template:
			// the rollout has not reached it.
			rev := update
			if rolling && ord < partition && s.revisions[s.current] != nil {
				rev = s.current
			}
			k.createPod(s, sts, ord, rev)
			if ordered {
				return
			}
		case p.terminating, !p.ready:
			if ordered {
				return
			}
		}
	}

	if k.scaleDown(s, sts, replicas, ordered) || !rolling {
		return
	}
	k.roll(s, update, replicas, partition)
}

// scaleDown stops the pods beyond replicas, from the highest; with ordered
// it stops one and reports true, as the step then ends.
func (k *Kubelet) scaleDown(s *set, sts *appsv1.StatefulSet, replicas int, ordered bool) bool {
	whenScaled := appsv1.RetainPersistentVolumeClaimRetentionPolicyType
	if p := sts.Spec.PersistentVolumeClaimRetentionPolicy; p != nil && p.WhenScaled != "" {
		whenScaled = p.WhenScaled
	}
	condemned := slices.Sorted(maps.Keys(s.pods))
	slices.Reverse(condemned)
	for _, ord := range condemned {
		if ord < replicas {
			break
		}
		p := s.pods[ord]
		if !p.terminating {
			k.logf("scaling StatefulSet %s down to %d: stopping pod %s", s.key, replicas, p.key.Name)
			k.terminate(p, whenScaled == appsv1.DeletePersistentVolumeClaimRetentionPolicyType)
		}
		if ordered {
			return true
		}
	}
	return false
}

// roll replaces the first pod of an old revision, from the highest ordinal
// down to the partition, once every pod above it runs ready.
func (k *Kubelet) roll(s *set, update string, replicas, partition int) {
	for ord := replicas - 1; ord >= partition; ord-- {
		p := s.pods[ord]
		if p == nil {
			return
		}
		if p.revision != update && !p.terminating {
			k.logf("rolling StatefulSet %s to %s: restarting pod %s", s.key, update, p.key.Name)
			k.terminate(p, false)
			return
		}
		if p.terminating || !p.ready {
			return
		}
	}
}

// writeStatus writes the StatefulSet's status from its pods, as the
// controller computes it, when it changed.
func (k *Kubelet) writeStatus(ctx context.Context, s *set, sts *appsv1.StatefulSet, update string) error {
	st := appsv1.StatefulSetStatus{
		ObservedGeneration: sts.Generation,
		CurrentRevision:    s.current,
		UpdateRevision:     update,
		CollisionCount:     sts.Status.CollisionCount,
		Conditions:         sts.Status.Conditions,
	}
	for _, p := range s.pods {
		st.Replicas++
		if p.ready && !p.terminating {
			st.ReadyReplicas++
			st.AvailableReplicas++
		}
		if p.terminating {
			continue
		}
		if p.revision == s.current {
			st.CurrentReplicas++
		}
		if p.revision == update {
			st.UpdatedReplicas++
		}
	}
	// A rollout is complete once every pod runs ready on the update
	// revision; it becomes the current one.
	if sts.Spec.UpdateStrategy.Type != appsv1.OnDeleteStatefulSetStrategyType &&
		st.UpdatedReplicas == st.Replicas && st.ReadyReplicas == st.Replicas {
		st.CurrentReplicas = st.UpdatedReplicas
		st.CurrentRevision = update
		s.current = update
		// Revisions no pod runs are history.
		for rev := range s.revisions {
			if rev != update {
				delete(s.revisions, rev)
			}
		}
	}
	if equality.Semantic.DeepEqual(st, sts.Status) {
		return nil
	}
	o := sts.DeepCopy()
	o.Status = st
	err := k.c.Status().Update(ctx, o)
	if kerrors.IsConflict(err) {
		// The StatefulSet changed since it was read: the next sync
		// writes the status of the new one.
		return nil
	}
	return errors.Wrap(err, "cannot write the status")
}

// deleteSet stops the pods of a StatefulSet that is gone and, when its
// policy says so, deletes its claims: what the garbage collector does in a
// cluster. k.mu is held.
func (k *Kubelet) deleteSet(s *set) {
	if !s.deleted {
		k.logf("StatefulSet %s is gone: stopping its %d pod(s)", s.key, len(s.pods))
		s.deleted = true
	}
	del := s.whenDeleted == appsv1.DeletePersistentVolumeClaimRetentionPolicyType
	for _, p := range s.pods {
		if !p.terminating {
			k.terminate(p, del)
		}
	}
	if len(s.pods) > 0 {
		return
	}
	delete(k.sets, s.key)
	if !del {
		return
	}
	// The claims of pods scaled away earlier go too.
	for ord := range s.claimed {
		for _, c := range s.claims {
			name := claimName(c, s.key.Name, ord)
			k.pods.Go(func() { k.deleteClaim(s.key.Namespace, name) })
		}
	}
}
