package connect

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	kerrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/test"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/xp-aerospike/xp-aerospike/apis/provider/v1alpha1"
	"github.com/xp-aerospike/xp-aerospike/provider/aerospike"
)

func user(kind, name string) *v1alpha1.User {
	return &v1alpha1.User{
		ObjectMeta: metav1.ObjectMeta{Namespace: "team", Name: "u"},
		Spec: v1alpha1.UserSpec{ManagedResourceSpec: xpv2.ManagedResourceSpec{
			ProviderConfigReference: &xpv2.ProviderConfigReference{Kind: kind, Name: name},
		}},
	}
}

// notFound is the error the API server returns for a missing ProviderConfig.
func notFound(name string) error {
	return kerrors.NewNotFound(schema.GroupResource{Group: v1alpha1.Group, Resource: "providerconfigs"}, name)
}

func TestConfig(t *testing.T) {
	s := runtime.NewScheme()
	_ = corev1.AddToScheme(s)
	_ = v1alpha1.AddToScheme(s)
	creds := func(ns string) *v1alpha1.CredentialsSecretRef {
		return &v1alpha1.CredentialsSecretRef{Name: "admin", Namespace: ns}
	}
	kube := fake.NewClientBuilder().WithScheme(s).WithObjects(
		&v1alpha1.ProviderConfig{ObjectMeta: metav1.ObjectMeta{Namespace: "team", Name: "db"}, Spec: v1alpha1.ProviderConfigSpec{
			Hosts: []string{"db.team.svc", "db-0.db:3100"}, Port: 3000, ClusterName: "db",
			Credentials: v1alpha1.ProviderCredentials{Source: v1alpha1.CredentialsSecret, SecretRef: creds("elsewhere")},
		}},
		&v1alpha1.ProviderConfig{ObjectMeta: metav1.ObjectMeta{Namespace: "team", Name: "nokeys"}, Spec: v1alpha1.ProviderConfigSpec{
			Hosts: []string{"a"}, Credentials: v1alpha1.ProviderCredentials{Source: v1alpha1.CredentialsSecret, SecretRef: &v1alpha1.CredentialsSecretRef{Name: "empty"}},
		}},
		&v1alpha1.ClusterProviderConfig{ObjectMeta: metav1.ObjectMeta{Name: "shared"}, Spec: v1alpha1.ProviderConfigSpec{
			Hosts: []string{"shared.svc"}, Credentials: v1alpha1.ProviderCredentials{Source: v1alpha1.CredentialsSecret, SecretRef: creds("platform")},
		}},
		&v1alpha1.ClusterProviderConfig{ObjectMeta: metav1.ObjectMeta{Name: "open"}, Spec: v1alpha1.ProviderConfigSpec{Hosts: []string{"open.svc"}}},
		&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "team", Name: "admin"}, Data: map[string][]byte{"username": []byte("team-admin"), "password": []byte("p1")}},
		&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "platform", Name: "admin"}, Data: map[string][]byte{"username": []byte("platform-admin"), "password": []byte("p2")}},
		&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "team", Name: "empty"}},
	).Build()
	c := NewConnector(kube, nil, nil)
	cases := map[string]struct {
		reason    string
		mg        *v1alpha1.User
		wantKey   string
		wantUser  string
		wantHosts []aerospike.Host
		err       error
	}{
		"ProviderConfig": {
			reason:  "a ProviderConfig reads Secrets in its own namespace only, whatever secretRef.namespace says",
			mg:      user(v1alpha1.ProviderConfigKind, "db"),
			wantKey: "ProviderConfig/team/db", wantUser: "team-admin",
			wantHosts: []aerospike.Host{{Name: "db.team.svc", Port: 3000}, {Name: "db-0.db", Port: 3100}},
		},
		"ClusterProviderConfig": {
			reason:  "a ClusterProviderConfig reads the Secret in the namespace it names",
			mg:      user(v1alpha1.ClusterProviderConfigKind, "shared"),
			wantKey: "ClusterProviderConfig//shared", wantUser: "platform-admin",
			wantHosts: []aerospike.Host{{Name: "shared.svc", Port: 3000}},
		},
		"NoCredentials": {
			reason:  "source None logs in as nobody",
			mg:      user(v1alpha1.ClusterProviderConfigKind, "open"),
			wantKey: "ClusterProviderConfig//open", wantHosts: []aerospike.Host{{Name: "open.svc", Port: 3000}},
		},
		"MissingKeys": {
			reason: "a Secret without the keys is an error",
			mg:     user(v1alpha1.ProviderConfigKind, "nokeys"),
			err:    errors.Wrap(errors.New(`Secret team/empty must hold keys "username" and "password"`), "cannot read ProviderConfig/team/nokeys"),
		},
		"MissingPC": {
			reason: "a missing config is an error",
			mg:     user(v1alpha1.ProviderConfigKind, "nope"),
			err:    errors.Wrap(notFound("nope"), "cannot get ProviderConfig team/nope"),
		},
		"UnknownKind": {
			reason: "only the two kinds exist",
			mg:     user("Other", "db"),
			err:    errors.New(`providerConfigRef.kind "Other" is neither ProviderConfig nor ClusterProviderConfig`),
		},
		"OtherNSIsNot": {
			reason: "a ProviderConfig of another namespace is not found",
			mg:     func() *v1alpha1.User { u := user(v1alpha1.ProviderConfigKind, "db"); u.Namespace = "other"; return u }(),
			err:    errors.Wrap(notFound("db"), "cannot get ProviderConfig other/db"),
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			key, cfg, err := c.Config(context.Background(), tc.mg)
			if diff := cmp.Diff(tc.err, err, test.EquateErrors()); diff != "" {
				t.Fatalf("%s: Config() error -want +got:\n%s", tc.reason, diff)
			}
			if tc.err != nil {
				return
			}
			if key != tc.wantKey || cfg.User != tc.wantUser || len(cfg.Hosts) != len(tc.wantHosts) {
				t.Fatalf("%s: key %q user %q hosts %v", tc.reason, key, cfg.User, cfg.Hosts)
			}
			for i := range tc.wantHosts {
				if cfg.Hosts[i] != tc.wantHosts[i] {
					t.Errorf("%s: host %d = %v, want %v", tc.reason, i, cfg.Hosts[i], tc.wantHosts[i])
				}
			}
		})
	}
}
