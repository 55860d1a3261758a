package user

import (
	"context"
	"strings"
	"testing"

	"github.com/aerospike/aerospike-client-go/v8/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	corev1 "k8s.io/api/core/v1"
	kerrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/meta"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	"github.com/crossplane/crossplane-runtime/v2/pkg/test"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/xp-aerospike/xp-aerospike/apis/provider/v1alpha1"
	"github.com/xp-aerospike/xp-aerospike/provider/aerospike"
)

var errBoom = errors.New("boom")

// fakeUsers records the calls a test expects and answers QueryUser.
type fakeUsers struct {
	user  *aerospike.User
	err   error
	calls []string
}

func (f *fakeUsers) QueryUser(name string) (*aerospike.User, error) {
	f.calls = append(f.calls, "query "+name)
	return f.user, f.err
}

func (f *fakeUsers) CreateUser(name, _ string, roles []string) error {
	f.calls = append(f.calls, "create "+name+" "+strings.Join(roles, ","))
	return f.err
}

func (f *fakeUsers) DropUser(name string) error {
	f.calls = append(f.calls, "drop "+name)
	return f.err
}

func (f *fakeUsers) SetPassword(name, _ string) error {
	f.calls = append(f.calls, "set-password "+name)
	return f.err
}

func (f *fakeUsers) GrantRoles(name string, roles []string) error {
	f.calls = append(f.calls, "grant "+name+" "+strings.Join(roles, ","))
	return f.err
}

func (f *fakeUsers) RevokeRoles(name string, roles []string) error {
	f.calls = append(f.calls, "revoke "+name+" "+strings.Join(roles, ","))
	return f.err
}

func notFound() error { return &aerospike.Error{Code: types.INVALID_USER, Message: "no user"} }

func kube(t testing.TB, password string) client.Reader {
	t.Helper()
	s := runtime.NewScheme()
	_ = corev1.AddToScheme(s)
	objs := []client.Object{}
	if password != "" {
		objs = append(objs, &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Namespace: "team", Name: "pw"},
			Data:       map[string][]byte{"password": []byte(password)},
		})
	}
	return fake.NewClientBuilder().WithScheme(s).WithObjects(objs...).Build()
}

func user(fingerprint string, observedRoles []string, roles ...string) *v1alpha1.User {
	u := &v1alpha1.User{
		ObjectMeta: metav1.ObjectMeta{Namespace: "team", Name: "app"},
		Spec: v1alpha1.UserSpec{ForProvider: v1alpha1.UserParameters{
			Roles:             roles,
			PasswordSecretRef: xpv2.LocalSecretKeySelector{LocalSecretReference: xpv2.LocalSecretReference{Name: "pw"}, Key: "password"},
		}},
	}
	u.Status.AtProvider = v1alpha1.UserObservation{Roles: observedRoles, PasswordFingerprint: fingerprint}
	meta.SetExternalName(u, "app-user")
	return u
}

func session(f *fakeUsers) *Session {
	return &Session{Users: f, Hosts: []string{"db-0.db:3000", "db-1.db:3000"}, Secret: []byte("k")}
}

// details are the connection details of app-user with password.
func details(password string) managed.ConnectionDetails {
	return managed.ConnectionDetails{
		v1alpha1.ConnectionKeyHost: []byte("db-0.db"), v1alpha1.ConnectionKeyPort: []byte("3000"),
		v1alpha1.ConnectionKeySeeds: []byte("db-0.db:3000,db-1.db:3000"),
		v1alpha1.ConnectionKeyUser:  []byte("app-user"), v1alpha1.ConnectionKeyPassword: []byte(password),
	}
}

func fp(password string) string {
	return (&external{s: session(nil)}).fingerprint(password)
}

func TestObserve(t *testing.T) {
	cases := map[string]struct {
		reason   string
		users    *fakeUsers
		password string
		user     *v1alpha1.User
		want     managed.ExternalObservation
		err      error
		wantCond xpv2.ConditionReason
	}{
		"Missing": {
			reason: "a user the cluster does not know does not exist",
			users:  &fakeUsers{err: notFound()},
			user:   user("", nil, "read"),
			want:   managed.ExternalObservation{ResourceExists: false},
		},
		"UpToDate": {
			reason:   "same roles and an unchanged password are up to date",
			users:    &fakeUsers{user: &aerospike.User{Name: "app-user", Roles: []string{"read", "write"}}},
			password: "s3cret",
			user:     user(fp("s3cret"), nil, "write", "read"),
			want:     managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true, ConnectionDetails: details("s3cret")},
			wantCond: xpv2.ReasonAvailable,
		},
		"RolesDrifted": {
			reason:   "a role granted outside the spec is drift",
			users:    &fakeUsers{user: &aerospike.User{Name: "app-user", Roles: []string{"read", "sys-admin"}}},
			password: "s3cret",
			user:     user(fp("s3cret"), nil, "read"),
			want:     managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: false, ConnectionDetails: details("s3cret")},
			wantCond: xpv2.ReasonAvailable,
		},
		"PasswordRotated": {
			reason:   "a new password in the Secret is drift",
			users:    &fakeUsers{user: &aerospike.User{Name: "app-user", Roles: []string{"read"}}},
			password: "n3w",
			user:     user(fp("s3cret"), nil, "read"),
			want:     managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: false, ConnectionDetails: details("n3w")},
			wantCond: xpv2.ReasonAvailable,
		},
		"CommunityEdition": {
			reason:   "a cluster without security gets a condition, not a retry storm",
			users:    &fakeUsers{err: &aerospike.Error{Code: types.SECURITY_NOT_SUPPORTED}},
			user:     user("", nil, "read"),
			want:     managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true},
			wantCond: xpv2.ReasonUnavailable,
		},
		"ServerError": {
			reason: "other errors are returned",
			users:  &fakeUsers{err: errBoom},
			user:   user("", nil, "read"),
			err:    errBoom,
		},
		"NoSecret": {
			reason: "a missing password Secret is an error",
			users:  &fakeUsers{user: &aerospike.User{Name: "app-user"}},
			user:   user("", nil),
			err:    errors.Wrap(kerrors.NewNotFound(schema.GroupResource{Resource: "secrets"}, "pw"), `cannot get the password Secret "pw"`),
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			e := &external{kube: kube(t, tc.password), s: session(tc.users)}
			got, err := e.Observe(context.Background(), tc.user)
			if diff := cmp.Diff(tc.err, err, test.EquateErrors()); diff != "" {
				t.Fatalf("%s: Observe() error -want +got:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s: Observe(): -want +got:\n%s", tc.reason, diff)
			}
			if c := tc.user.GetCondition(xpv2.TypeReady); tc.wantCond != "" && c.Reason != tc.wantCond {
				t.Errorf("%s: Ready condition reason %q, want %q", tc.reason, c.Reason, tc.wantCond)
			}
			if n := len(tc.users.calls); n != 1 {
				t.Errorf("%s: Observe made %d calls to the cluster, want 1: %q", tc.reason, n, tc.users.calls)
			}
		})
	}
}

func TestCreateUpdateDelete(t *testing.T) {
	f := &fakeUsers{}
	e := &external{kube: kube(t, "s3cret"), s: session(f)}
	u := user("", nil, "read", "write")
	if _, err := e.Create(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	if u.Status.AtProvider.PasswordFingerprint != fp("s3cret") {
		t.Error("Create must record the password's fingerprint")
	}
	if strings.Contains(u.Status.AtProvider.PasswordFingerprint, "s3cret") {
		t.Error("the fingerprint reveals the password")
	}

	// Roles drift both ways and the password rotates: one grant, one revoke,
	// one password change.
	f.calls = nil
	u = user(fp("old"), []string{"read", "sys-admin"}, "read", "write")
	if _, err := e.Update(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	want := []string{"grant app-user write", "revoke app-user sys-admin", "set-password app-user"}
	if diff := cmp.Diff(want, f.calls); diff != "" {
		t.Errorf("Update(): calls -want +got:\n%s", diff)
	}

	// Nothing drifted: nothing is sent.
	f.calls = nil
	u = user(fp("s3cret"), []string{"read", "write"}, "write", "read")
	if _, err := e.Update(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	if len(f.calls) != 0 {
		t.Errorf("Update() without drift sent %q", f.calls)
	}

	f.err = notFound()
	if _, err := e.Delete(context.Background(), u); err != nil {
		t.Errorf("deleting a user that is already gone must succeed: %v", err)
	}
	f.err = errBoom
	if _, err := e.Delete(context.Background(), u); !errors.Is(err, errBoom) {
		t.Errorf("Delete() = %v; a failed drop must return its error", err)
	}
}

func TestDiff(t *testing.T) {
	g, r := diff([]string{"a", "b", "b"}, []string{"c", "b", "c"})
	if diff := cmp.Diff([]string{"c"}, g); diff != "" {
		t.Errorf("grant: %s", diff)
	}
	if diff := cmp.Diff([]string{"a"}, r); diff != "" {
		t.Errorf("revoke: %s", diff)
	}
}

// TestConnectionDetailsCarryTheProviderConfigsExtras: the provider config's
// connection details (the TLS name and port) reach the user's connection
// Secret, and never replace what the provider itself writes.
func TestConnectionDetailsCarryTheProviderConfigsExtras(t *testing.T) {
	s := session(nil)
	s.ConnectionDetails = map[string]string{
		v1alpha1.ConnectionKeyTLSName: "aerospike.example.com",
		v1alpha1.ConnectionKeyTLSPort: "4333",
		v1alpha1.ConnectionKeyUser:    "someone-else",
	}
	got := (&external{s: s}).details("app-user", "s3cret")
	want := managed.ConnectionDetails{
		v1alpha1.ConnectionKeyHost: []byte("db-0.db"), v1alpha1.ConnectionKeyPort: []byte("3000"),
		v1alpha1.ConnectionKeySeeds: []byte("db-0.db:3000,db-1.db:3000"),
		v1alpha1.ConnectionKeyUser:  []byte("app-user"), v1alpha1.ConnectionKeyPassword: []byte("s3cret"),
		v1alpha1.ConnectionKeyTLSName: []byte("aerospike.example.com"), v1alpha1.ConnectionKeyTLSPort: []byte("4333"),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("connection details -want +got:\n%s", diff)
	}
}
