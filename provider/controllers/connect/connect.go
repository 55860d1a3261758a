// Package connect turns a managed resource's provider config reference into
// a pooled Aerospike client: it tracks the resource's use of the provider
// config, reads the config and its credentials, and takes the config's
// client from the pool, which opens one only when there is none or the
// config or credentials changed. Setup builds every managed kind's
// controller on it, so each controller only says what it needs of the
// client and how it observes and changes its resources.
package connect

import (
	"context"
	"crypto/tls"
	"crypto/x509"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/resource"

	"github.com/xp-aerospike/xp-aerospike/apis/provider/v1alpha1"
	"github.com/xp-aerospike/xp-aerospike/provider/aerospike"
)

// Tracker records that a managed resource uses its provider config.
type Tracker interface {
	Track(ctx context.Context, mg resource.ModernManaged) error
}

// Connector connects managed resources to their clusters.
type Connector struct {
	kube  client.Client
	usage Tracker
	pool  *aerospike.Pool[*aerospike.Client]
}

// NewConnector returns a Connector that reads provider configs and Secrets
// with kube, records usage with usage and takes clients from pool.
func NewConnector(kube client.Client, usage Tracker, pool *aerospike.Pool[*aerospike.Client]) *Connector {
	return &Connector{kube: kube, usage: usage, pool: pool}
}

// Session is a managed resource's use of its cluster's client.
type Session struct {
	// Client of the cluster, shared with every other resource of the same
	// provider config.
	Client *aerospike.Client

	// Release gives the client back; call it in Disconnect.
	Release func()

	// Hosts are the seeds of the cluster, as host:port.
	Hosts []string

	// Secret is known only to those who can read the provider config's
	// credentials: it keys fingerprints of other secrets (passwords), so
	// they can be compared without being stored.
	Secret []byte

	// ConnectionDetails are the provider config's extra connection
	// details for applications.
	ConnectionDetails map[string]string
}

// Connect returns the session of mg with its provider config's cluster.
func (c *Connector) Connect(ctx context.Context, mg resource.ModernManaged) (*Session, error) {
	if err := c.usage.Track(ctx, mg); err != nil {
		return nil, errors.Wrap(err, "cannot track provider config usage")
	}
	key, spec, cfg, err := c.read(ctx, mg)
	if err != nil {
		return nil, err
	}
	cl, release, err := c.pool.Acquire(key, cfg)
	if err != nil {
		return nil, errors.Wrapf(err, "cannot connect with %s %s", key, cfg)
	}
	hosts := make([]string, len(cfg.Hosts))
	for i, h := range cfg.Hosts {
		hosts[i] = h.String()
	}
	return &Session{Client: cl, Release: release, Hosts: hosts, Secret: []byte(cfg.Digest()), ConnectionDetails: spec.ConnectionDetails}, nil
}

// Config reads mg's provider config and credentials into a client config,
// and returns the pool key of the provider config.
func (c *Connector) Config(ctx context.Context, mg resource.ModernManaged) (string, aerospike.Config, error) {
	key, _, cfg, err := c.read(ctx, mg)
	return key, cfg, err
}

// read returns mg's provider config's pool key, spec and client config.
func (c *Connector) read(ctx context.Context, mg resource.ModernManaged) (string, v1alpha1.ProviderConfigSpec, aerospike.Config, error) {
	fail := func(err error) (string, v1alpha1.ProviderConfigSpec, aerospike.Config, error) {
		return "", v1alpha1.ProviderConfigSpec{}, aerospike.Config{}, err
	}
	ref := mg.GetProviderConfigReference()
	if ref == nil {
		return fail(errors.New("no providerConfigRef"))
	}
	var spec v1alpha1.ProviderConfigSpec
	var secretNS, key string
	switch ref.Kind {
	case v1alpha1.ProviderConfigKind:
		pc := &v1alpha1.ProviderConfig{}
		if err := c.kube.Get(ctx, types.NamespacedName{Namespace: mg.GetNamespace(), Name: ref.Name}, pc); err != nil {
			return fail(errors.Wrapf(err, "cannot get ProviderConfig %s/%s", mg.GetNamespace(), ref.Name))
		}
		spec, secretNS = pc.Spec, pc.GetNamespace()
		key = ref.Kind + "/" + pc.GetNamespace() + "/" + pc.GetName()
	case v1alpha1.ClusterProviderConfigKind, "":
		pc := &v1alpha1.ClusterProviderConfig{}
		if err := c.kube.Get(ctx, types.NamespacedName{Name: ref.Name}, pc); err != nil {
			return fail(errors.Wrapf(err, "cannot get ClusterProviderConfig %s", ref.Name))
		}
		spec = pc.Spec
		if spec.Credentials.SecretRef != nil {
			secretNS = spec.Credentials.SecretRef.Namespace
		}
		key = v1alpha1.ClusterProviderConfigKind + "//" + pc.GetName()
	default:
		return fail(errors.Errorf("providerConfigRef.kind %q is neither %s nor %s", ref.Kind, v1alpha1.ProviderConfigKind, v1alpha1.ClusterProviderConfigKind))
	}
	cfg, err := c.config(ctx, spec, secretNS)
	return key, spec, cfg, errors.Wrapf(err, "cannot read %s", key)
}

func (c *Connector) config(ctx context.Context, spec v1alpha1.ProviderConfigSpec, secretNS string) (aerospike.Config, error) {
	hosts, err := aerospike.ParseHosts(spec.Hosts, int(spec.Port))
	if err != nil {
		return aerospike.Config{}, err
	}
	cfg := aerospike.Config{Hosts: hosts, ClusterName: spec.ClusterName}
	if t := spec.Timeouts; t != nil {
		if t.Connect != nil {
			cfg.ConnectTimeout = t.Connect.Duration
		}
		if t.Command != nil {
			cfg.CommandTimeout = t.Command.Duration
		}
	}
	switch spec.Credentials.Source {
	case v1alpha1.CredentialsNone, "":
	case v1alpha1.CredentialsSecret:
		ref := spec.Credentials.SecretRef
		if ref == nil || ref.Name == "" || secretNS == "" {
			return aerospike.Config{}, errors.New("credentials.secretRef must name a Secret (and, for a ClusterProviderConfig, its namespace)")
		}
		data, err := c.secret(ctx, secretNS, ref.Name)
		if err != nil {
			return aerospike.Config{}, err
		}
		uk, pk := or(ref.UsernameKey, "username"), or(ref.PasswordKey, "password")
		cfg.User, cfg.Password = string(data[uk]), string(data[pk])
		if cfg.User == "" || cfg.Password == "" {
			return aerospike.Config{}, errors.Errorf("Secret %s/%s must hold keys %q and %q", secretNS, ref.Name, uk, pk)
		}
	default:
		return aerospike.Config{}, errors.Errorf("unknown credentials source %q", spec.Credentials.Source)
	}
	if spec.TLS != nil {
		tc := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: spec.TLS.Name}
		if ca := spec.TLS.CASecretRef; ca != nil {
			data, err := c.secret(ctx, or(ca.Namespace, secretNS), ca.Name)
			if err != nil {
				return aerospike.Config{}, err
			}
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(data[ca.Key]) {
				return aerospike.Config{}, errors.Errorf("key %q of Secret %s/%s holds no PEM certificate", ca.Key, ca.Namespace, ca.Name)
			}
			tc.RootCAs = pool
		}
		cfg.TLS, cfg.TLSName = tc, spec.TLS.Name
	}
	return cfg, nil
}

func (c *Connector) secret(ctx context.Context, ns, name string) (map[string][]byte, error) {
	s := &corev1.Secret{}
	if err := c.kube.Get(ctx, types.NamespacedName{Namespace: ns, Name: name}, s); err != nil {
		return nil, errors.Wrapf(err, "cannot get Secret %s/%s", ns, name)
	}
	return s.Data, nil
}

func or(v, def string) string {
	if v != "" {
		return v
	}
	return def
}
