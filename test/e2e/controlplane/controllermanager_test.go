package controlplane

import (
	"context"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	kerrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"

	"github.com/xp-aerospike/xp-aerospike/test/testenv"
)

// gcTimeout bounds what the garbage collector and the namespace controller
// are given to act; both act on watch events, within a second or two here.
const gcTimeout = 30 * time.Second

// TestControllerManager runs kube-controller-manager with the controllers
// the e2e needs and checks that they do their jobs: dependents go with
// their owner, and a deleted namespace goes with what it holds.
func TestControllerManager(t *testing.T) {
	cp := StartAPIServer(t, Options{Assets: testenv.Require(t, "KUBEBUILDER_ASSETS", "a folder with kube-apiserver and etcd (`make e2e-tools`)"), Dir: t.TempDir()})
	cp.RunControllerManager(t, testenv.Require(t, "KUBE_CONTROLLER_MANAGER", "the kube-controller-manager binary"), "garbagecollector", "namespace")
	ctx := t.Context()

	for _, policy := range []metav1.DeletionPropagation{metav1.DeletePropagationBackground, metav1.DeletePropagationForeground} {
		t.Run("GarbageCollection"+string(policy), func(t *testing.T) {
			owner := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "owner-" + strings.ToLower(string(policy)), Namespace: metav1.NamespaceDefault}}
			if err := cp.Client.Create(ctx, owner); err != nil {
				t.Fatal(err)
			}
			dependent := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{
				Name: "dependent-" + strings.ToLower(string(policy)), Namespace: metav1.NamespaceDefault,
				// As Crossplane owns what it composes: a controller
				// reference that blocks a foreground deletion of the owner.
				OwnerReferences: []metav1.OwnerReference{{
					APIVersion: "v1", Kind: "ConfigMap", Name: owner.Name, UID: owner.UID,
					Controller: ptr.To(true), BlockOwnerDeletion: ptr.To(true),
				}},
			}}
			if err := cp.Client.Create(ctx, dependent); err != nil {
				t.Fatal(err)
			}
			if err := cp.Client.Delete(ctx, owner, client.PropagationPolicy(policy)); err != nil {
				t.Fatal(err)
			}
			// A foreground deletion leaves the owner until the garbage
			// collector has deleted its blocking dependents; without it
			// the owner would stay forever.
			for _, o := range []client.Object{dependent, owner} {
				if err := cp.Wait(gcTimeout, o.GetName()+" is deleted", gone(ctx, cp.Client, o)); err != nil {
					t.Fatal(err)
				}
			}
		})
	}

	t.Run("NamespaceDeletion", func(t *testing.T) {
		ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "doomed"}}
		if err := cp.Client.Create(ctx, ns); err != nil {
			t.Fatal(err)
		}
		held := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "held", Namespace: ns.Name}}
		if err := cp.Client.Create(ctx, held); err != nil {
			t.Fatal(err)
		}
		if err := cp.Client.Delete(ctx, ns); err != nil {
			t.Fatal(err)
		}
		// The namespace stays Terminating, with its "kubernetes"
		// finalizer, until the namespace controller has emptied it.
		if err := cp.Wait(gcTimeout, "namespace "+ns.Name+" is deleted", gone(ctx, cp.Client, ns)); err != nil {
			t.Fatal(err)
		}
		if err := gone(ctx, cp.Client, held)(); err != nil {
			t.Fatal(err)
		}
	})
}

// gone returns a check that o no longer exists.
func gone(ctx context.Context, c client.Client, o client.Object) func() error {
	return func() error {
		err := c.Get(ctx, client.ObjectKeyFromObject(o), o)
		switch {
		case kerrors.IsNotFound(err):
			return nil
		case err != nil:
			return err
		}
		return errors.Errorf("%s still exists (deletion timestamp %v, finalizers %v)", o.GetName(), o.GetDeletionTimestamp(), o.GetFinalizers())
	}
}
