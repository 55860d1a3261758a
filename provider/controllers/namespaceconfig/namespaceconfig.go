// Package namespaceconfig holds namespace settings on every node of a
// cluster with set-config, which changes a running server. Aerospike applies
// set-config to the node it is sent to only, so every node is set and
// verified, one by one; a node that joins later with other values is drift
// and is put right on the next poll.
//
// Only settings the server can change live are accepted: the version's
// configuration schema says which. A setting that needs a restart belongs in
// the AerospikeDatabase's configuration, where changing it rolls the pods.
package namespaceconfig

import (
	"context"
	"fmt"
	"slices"
	"strings"

	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/crossplane/crossplane-runtime/v2/pkg/controller"
	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/xp-aerospike/xp-aerospike/apis/provider/v1alpha1"
	"github.com/xp-aerospike/xp-aerospike/internal/asconfig"
	"github.com/xp-aerospike/xp-aerospike/provider/aerospike"
	"github.com/xp-aerospike/xp-aerospike/provider/controllers/connect"
)

// Nodes is what the controller needs of a cluster.
type Nodes interface {
	// InfoAll asks every node, one round trip each.
	InfoAll(commands ...string) (map[string]map[string]string, error)
	// Info asks one node.
	Info(node string, commands ...string) (map[string]string, error)
}

// Dynamic reports whether a namespace setting, named as get-config names it
// (default-ttl, storage-engine.defrag-lwm-pct), can change live on a server
// of the given build.
type Dynamic func(build, setting string) (bool, error)

// Setup adds a controller that reconciles NamespaceConfigs.
func Setup(mgr ctrl.Manager, o controller.Options, c *connect.Connector, dynamic Dynamic) error {
	k := connect.Kind[*v1alpha1.NamespaceConfig]{GVK: v1alpha1.NamespaceConfigGroupVersionKind, Object: &v1alpha1.NamespaceConfig{}, List: &v1alpha1.NamespaceConfigList{}}
	return connect.Setup(mgr, o, k, c,
		func(s *connect.Session) Nodes { return s.Client },
		func(n Nodes) connect.External[*v1alpha1.NamespaceConfig] {
			return &external{nodes: n, dynamic: dynamic}
		})
}

// NewExternal returns the client that brings a NamespaceConfig's settings
// to every node of a cluster with set-config, refusing those dynamic says
// need a restart, for tests that drive a real cluster without a
// controller. Disconnect calls release.
func NewExternal(n Nodes, dynamic Dynamic, release func()) managed.TypedExternalClient[*v1alpha1.NamespaceConfig] {
	return connect.Releasing[*v1alpha1.NamespaceConfig](&external{nodes: n, dynamic: dynamic}, release)
}

type external struct {
	nodes   Nodes
	dynamic Dynamic
}

func getConfig(ns string) string { return "get-config:context=namespace;id=" + ns }

func (e *external) Observe(_ context.Context, nc *v1alpha1.NamespaceConfig) (managed.ExternalObservation, error) {
	p := nc.Spec.ForProvider
	cmd := getConfig(p.Namespace)
	answers, err := e.nodes.InfoAll("build", cmd)
	if err != nil {
		return managed.ExternalObservation{}, err
	}
	upToDate := true
	obs := v1alpha1.NamespaceConfigObservation{}
	for _, node := range sortedKeys(answers) {
		a := answers[node]
		if err := e.checkDynamic(a["build"], p.Settings); err != nil {
			return managed.ExternalObservation{}, err
		}
		if strings.HasPrefix(a[cmd], "ERROR") || a[cmd] == "" {
			return managed.ExternalObservation{}, errors.Errorf("node %s has no namespace %q: %s", node, p.Namespace, a[cmd])
		}
		have := aerospike.ParseStats(a[cmd])
		ns := v1alpha1.NodeSettings{Node: node, Settings: map[string]string{}}
		for k, want := range p.Settings {
			v, ok := have[k]
			if !ok {
				return managed.ExternalObservation{}, errors.Errorf("node %s (server %s) reports no setting %q for namespace %q; check its name as get-config shows it, for example storage-engine.defrag-lwm-pct", node, a["build"], k, p.Namespace)
			}
			ns.Settings[k] = v
			upToDate = upToDate && v == want
		}
		obs.Nodes = append(obs.Nodes, ns)
	}
	nc.Status.AtProvider = obs
	nc.SetConditions(xpv2.Available())
	// The namespace itself always exists: the AerospikeDatabase owns it.
	return managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: upToDate}, nil
}

// checkDynamic refuses settings the server cannot change live.
func (e *external) checkDynamic(build string, settings map[string]string) error {
	for _, k := range sortedKeys(settings) {
		ok, err := e.dynamic(build, k)
		if err != nil {
			return errors.Wrapf(err, "cannot tell whether %q can change live on server %s", k, build)
		}
		if !ok {
			return errors.Errorf("%q cannot change while server %s runs: it needs a restart; set it in the AerospikeDatabase's spec.aerospikeConfig instead, which rolls the pods one at a time", k, build)
		}
	}
	return nil
}

// Create has nothing to create: the namespace exists; Observe reports it
// so, and Update applies the settings.
func (e *external) Create(context.Context, *v1alpha1.NamespaceConfig) (managed.ExternalCreation, error) {
	return managed.ExternalCreation{}, nil
}

// Update sets, node by node, each setting the node reports differently.
// Some settings depend on others (a non-zero default-ttl is refused while
// nsup-period is 0), whatever order they are named in, so a node's refused
// settings are tried again as long as a round sets something; what is
// still refused is an error naming the node and the server's answer.
func (e *external) Update(_ context.Context, nc *v1alpha1.NamespaceConfig) (managed.ExternalUpdate, error) {
	p := nc.Spec.ForProvider
	var refused []string
	for _, n := range nc.Status.AtProvider.Nodes {
		var pending []string
		for _, k := range sortedKeys(p.Settings) {
			if n.Settings[k] != p.Settings[k] {
				pending = append(pending, k)
			}
		}
		answers, err := aerospike.SetOnNode(e.nodes.Info, n.Node, pending, func(k string) string {
			return fmt.Sprintf("set-config:context=namespace;id=%s;%s=%s", p.Namespace, key(k), p.Settings[k])
		})
		if err != nil {
			return managed.ExternalUpdate{}, err
		}
		for _, k := range pending {
			if r, ok := answers[k]; ok {
				refused = append(refused, fmt.Sprintf("node %s refused %s=%s: %s", n.Node, k, p.Settings[k], r))
			}
		}
	}
	if len(refused) > 0 {
		return managed.ExternalUpdate{}, errors.Errorf("namespace %q: %s", p.Namespace, strings.Join(refused, "; "))
	}
	return managed.ExternalUpdate{}, nil
}

// Delete leaves the settings as they are: there is no "unset", and the
// configuration file's values return at the next restart anyway.
func (e *external) Delete(context.Context, *v1alpha1.NamespaceConfig) (managed.ExternalDelete, error) {
	return managed.ExternalDelete{}, nil
}

// key is the set-config name of a setting get-config names with its
// section: storage-engine.defrag-lwm-pct is set as defrag-lwm-pct.
func key(setting string) string {
	if i := strings.LastIndex(setting, "."); i >= 0 {
		return setting[i+1:]
	}
	return setting
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// SchemaDynamic answers Dynamic from the configuration schema of the
// server's version: its "dynamic" flag says whether set-config can change a
// setting.
func SchemaDynamic(build, setting string) (bool, error) {
	s, err := asconfig.SchemaFor(build)
	if err != nil {
		return false, err
	}
	return s.Dynamic(append([]string{"namespaces"}, strings.Split(setting, ".")...)...), nil
}
