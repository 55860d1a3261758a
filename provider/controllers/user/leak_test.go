package user

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/crossplane/crossplane-runtime/v2/pkg/event"
	"github.com/crossplane/crossplane-runtime/v2/pkg/logging"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/xp-aerospike/xp-aerospike/apis/provider/v1alpha1"
	"github.com/xp-aerospike/xp-aerospike/provider/controllers/connect"
	"github.com/xp-aerospike/xp-aerospike/test/securityserver"
)

// recorder keeps every log line and event, to search them for secrets.
type recorder struct {
	mu    sync.Mutex
	lines []string
}

func (r *recorder) add(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lines = append(r.lines, s)
}

func (r *recorder) all() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.lines, "\n")
}

type logger struct {
	r  *recorder
	kv []any
}

func (l logger) Info(msg string, kv ...any)  { l.r.add(fmt.Sprint("INFO ", msg, l.kv, kv)) }
func (l logger) Debug(msg string, kv ...any) { l.r.add(fmt.Sprint("DEBUG ", msg, l.kv, kv)) }
func (l logger) WithValues(kv ...any) logging.Logger {
	return logger{r: l.r, kv: append(append([]any{}, l.kv...), kv...)}
}

type events struct{ r *recorder }

func (e events) Event(_ runtime.Object, ev event.Event) {
	e.r.add(fmt.Sprint("EVENT ", ev.Type, " ", ev.Reason, " ", ev.Message, " ", ev.Annotations))
}
func (e events) WithAnnotations(...string) event.Recorder { return e }

// mgr is just enough of a manager for crossplane-runtime's reconciler.
type mgr struct {
	manager.Manager
	c client.Client
	s *runtime.Scheme
}

func (m mgr) GetClient() client.Client   { return m.c }
func (m mgr) GetScheme() *runtime.Scheme { return m.s }

// TestNoPasswordLeaks runs crossplane-runtime's real managed reconciler over
// a User against the Enterprise security test server, through creation, a
// password rotation, a failed command and deletion, and searches every log
// line, event and the User object for the passwords. The connection Secret
// is the one place a password belongs, and the test checks it is there.
func TestNoPasswordLeaks(t *testing.T) {
	const first, second = "Fir5t-Passw0rd-Unique", "Sec0nd-Passw0rd-Unique"
	s := securityserver.Start(t)
	cl, err := dialAdmin(t, s, "admin")
	if err != nil {
		t.Fatal(err)
	}

	sch := runtime.NewScheme()
	_ = corev1.AddToScheme(sch)
	_ = v1alpha1.AddToScheme(sch)
	u := &v1alpha1.User{
		ObjectMeta: metav1.ObjectMeta{Namespace: "team", Name: "app"},
		Spec: v1alpha1.UserSpec{
			ManagedResourceSpec: xpv2.ManagedResourceSpec{
				WriteConnectionSecretToReference: &xpv2.LocalSecretReference{Name: "app-conn"},
				ProviderConfigReference:          &xpv2.ProviderConfigReference{Kind: "ProviderConfig", Name: "db"},
				ManagementPolicies:               xpv2.ManagementPolicies{xpv2.ManagementActionAll},
			},
			ForProvider: v1alpha1.UserParameters{
				Roles:             []string{"read"},
				PasswordSecretRef: xpv2.LocalSecretKeySelector{LocalSecretReference: xpv2.LocalSecretReference{Name: "pw"}, Key: "password"},
			},
		},
	}
	pw := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "team", Name: "pw"}, Data: map[string][]byte{"password": []byte(first)}}
	kube := fake.NewClientBuilder().WithScheme(sch).WithObjects(u, pw).WithStatusSubresource(&v1alpha1.User{}).Build()

	rec := &recorder{}
	session := &Session{Users: cl, Hosts: []string{s.Host().String()}, Secret: []byte("k")}
	r := managed.NewReconciler(mgr{c: kube, s: sch},
		resource.ManagedKind(v1alpha1.UserGroupVersionKind),
		managed.WithTypedExternalConnector[*v1alpha1.User](managed.TypedExternalConnectorFn[*v1alpha1.User](
			func(context.Context, *v1alpha1.User) (managed.TypedExternalClient[*v1alpha1.User], error) {
				return connect.Releasing[*v1alpha1.User](&external{kube: kube, s: session}, func() {}), nil
			})),
		managed.WithLogger(logger{r: rec}),
		managed.WithRecorder(events{r: rec}),
		managed.WithPollInterval(time.Minute),
		managed.WithCreationGracePeriod(0),
	)
	ctx := context.Background()
	req := reconcile.Request{NamespacedName: types.NamespacedName{Namespace: "team", Name: "app"}}
	reconcileN := func(n int) {
		t.Helper()
		for range n {
			if _, err := r.Reconcile(ctx, req); err != nil {
				t.Fatalf("Reconcile(): %v", err)
			}
		}
	}

	reconcileN(3) // create, then observe
	if err := login(t, s, "app", first); err != nil {
		t.Fatalf("the user was not created with its password: %v", err)
	}

	pw.Data["password"] = []byte(second)
	if err := kube.Update(ctx, pw); err != nil {
		t.Fatal(err)
	}
	reconcileN(2) // rotate
	if err := login(t, s, "app", second); err != nil {
		t.Fatalf("the password was not rotated: %v", err)
	}

	s.DropReplies(1) // a failed command: its error is logged and recorded
	reconcileN(1)
	s.ClearFaults()

	conn := &corev1.Secret{}
	if err := kube.Get(ctx, types.NamespacedName{Namespace: "team", Name: "app-conn"}, conn); err != nil {
		t.Fatalf("no connection Secret: %v", err)
	}
	if string(conn.Data[v1alpha1.ConnectionKeyPassword]) != second {
		t.Errorf("the connection Secret holds %q, want the current password", conn.Data[v1alpha1.ConnectionKeyPassword])
	}

	got := &v1alpha1.User{}
	if err := kube.Get(ctx, req.NamespacedName, got); err != nil {
		t.Fatal(err)
	}
	if err := kube.Delete(ctx, got); err != nil {
		t.Fatal(err)
	}
	reconcileN(1)

	obj, _ := json.Marshal(got)
	haystack := rec.all() + "\n" + string(obj)
	if len(rec.lines) == 0 {
		t.Fatal("nothing was logged or recorded: the search proves nothing")
	}
	for _, secret := range []string{first, second} {
		if strings.Contains(haystack, secret) {
			t.Errorf("a password appears in logs, events or the User object:\n%s", haystack)
		}
	}
	if meta.GetExternalName(got) != "app" || !strings.Contains(string(obj), "passwordFingerprint") {
		t.Errorf("the User object lacks its external name or fingerprint: %s", obj)
	}
	t.Logf("searched %d log lines and events and the User object", len(rec.lines))
}
