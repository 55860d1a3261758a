package e2e

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	authzv1 "k8s.io/api/authorization/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/xp-aerospike/xp-aerospike/test/e2e/controlplane"
)

// coreUser is the identity Crossplane core runs as in a cluster.
const coreUser = "system:serviceaccount:crossplane-system:crossplane"

// grantCore applies the ClusterRole the README tells platform teams to
// apply, beside a ClusterRole that aggregates every role labelled for
// Crossplane (as Crossplane's own chart installs it) bound to core's
// service account. The aggregation controller fills it in.
func grantCore(t *testing.T, cp *controlplane.ControlPlane, root string) {
	t.Helper()
	ctx := context.Background()
	ours := &rbacv1.ClusterRole{}
	readYAML(t, filepath.Join(root, "cluster", "rbac", "aggregate-to-crossplane.yaml"), ours)
	core := &rbacv1.ClusterRole{
		ObjectMeta: metav1.ObjectMeta{Name: "crossplane"},
		AggregationRule: &rbacv1.AggregationRule{ClusterRoleSelectors: []metav1.LabelSelector{
			{MatchLabels: map[string]string{"rbac.crossplane.io/aggregate-to-crossplane": "true"}},
		}},
	}
	binding := &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "crossplane"},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: core.Name},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: coreUser}},
	}
	for _, o := range []client.Object{ours, core, binding} {
		if err := cp.Client.Create(ctx, o); err != nil {
			t.Fatalf("cannot apply %T %s: %v", o, o.GetName(), err)
		}
	}
}

// coreMayManageWhatIsComposed asserts, with the apiserver's own
// authorizer, that core's service account may manage every kind the
// database's composite composed, in the database's namespace, through the
// aggregated ClusterRole alone.
func (l *lifecycle) coreMayManageWhatIsComposed(t *testing.T) {
	ctx := context.Background()
	kinds := map[schema.GroupVersionKind]bool{}
	for _, r := range l.composedRefs(t) {
		kinds[r.GroupVersionKind()] = true
	}
	for gvk := range kinds {
		mapping, err := l.c.RESTMapper().RESTMapping(gvk.GroupKind(), gvk.Version)
		if err != nil {
			t.Fatal(err)
		}
		for _, verb := range []string{"get", "list", "watch", "create", "update", "patch", "delete"} {
			l.wait(t, 30*time.Second, fmt.Sprintf("core may %s %s", verb, mapping.Resource.GroupResource()), func() error {
				sar := &authzv1.SubjectAccessReview{Spec: authzv1.SubjectAccessReviewSpec{
					User: coreUser,
					ResourceAttributes: &authzv1.ResourceAttributes{
						Namespace: l.db.Namespace, Verb: verb,
						Group: mapping.Resource.Group, Version: mapping.Resource.Version, Resource: mapping.Resource.Resource,
					},
				}}
				if err := l.c.Create(ctx, sar); err != nil {
					return err
				}
				if !sar.Status.Allowed {
					return fmt.Errorf("denied: %s", sar.Status.Reason)
				}
				return nil
			})
		}
	}
}
