// Package loglevels holds the levels of a logging sink's contexts on every
// node of a cluster with log-set, which changes a running server. Like
// set-config, log-set applies to the node it is sent to only, so every node
// is set and verified, one by one; a node that restarts comes back with its
// configuration file's levels, which is drift put right on the next poll.
//
// The server names a sink by an id its logs info command lists (0:stderr
// for the console sink when it is the first), reports a sink's levels with
// log/<id> as context:LEVEL;…, and applies only the first context of a
// log-set, so each context is set with a command of its own.
package loglevels

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/crossplane/crossplane-runtime/v2/pkg/controller"
	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/xp-aerospike/xp-aerospike/apis/provider/v1alpha1"
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

// Setup adds a controller that reconciles LogLevels.
func Setup(mgr ctrl.Manager, o controller.Options, c *connect.Connector) error {
	k := connect.Kind[*v1alpha1.LogLevels]{GVK: v1alpha1.LogLevelsGroupVersionKind, Object: &v1alpha1.LogLevels{}, List: &v1alpha1.LogLevelsList{}}
	return connect.Setup(mgr, o, k, c,
		func(s *connect.Session) Nodes { return s.Client },
		func(n Nodes) connect.External[*v1alpha1.LogLevels] { return &external{nodes: n} })
}

// NewExternal returns the client that brings a LogLevels' levels to every
// node of a cluster with log-set, for tests that drive a real cluster
// without a controller. Disconnect calls release.
func NewExternal(n Nodes, release func()) managed.TypedExternalClient[*v1alpha1.LogLevels] {
	return connect.Releasing[*v1alpha1.LogLevels](&external{nodes: n}, release)
}

type external struct {
	nodes Nodes
}

// anyContext is the context that sets every context's level.
const anyContext = "any"

// consoleSink is the console sink's path as the logs info command lists it.
const consoleSink = "stderr"

// sinkPath is how the logs info command lists a sink aerospike.conf names
// sink.
func sinkPath(sink string) string {
	if sink == "" || sink == "console" {
		return consoleSink
	}
	return sink
}

func logCmd(id int32) string { return "log/" + strconv.Itoa(int(id)) }

// Observe reads the sink's levels on every node: one round trip each, as
// long as the sink has the id 0 it has as the first sink, and one more for
// a node where it has another.
func (e *external) Observe(_ context.Context, ll *v1alpha1.LogLevels) (managed.ExternalObservation, error) {
	p := ll.Spec.ForProvider
	path := sinkPath(p.Sink)
	answers, err := e.nodes.InfoAll("logs", logCmd(0))
	if err != nil {
		return managed.ExternalObservation{}, err
	}
	upToDate := true
	obs := v1alpha1.LogLevelsObservation{}
	for _, node := range slices.Sorted(maps.Keys(answers)) {
		a := answers[node]
		id, ok := sinkID(a["logs"], path)
		if !ok {
			return managed.ExternalObservation{}, errors.Errorf("node %s has no log sink %q (its sinks: %q); name a sink its aerospike.conf has", node, p.Sink, a["logs"])
		}
		levels := a[logCmd(0)]
		if id != 0 {
			res, err := e.nodes.Info(node, logCmd(id))
			if err != nil {
				return managed.ExternalObservation{}, err
			}
			levels = res[logCmd(id)]
		}
		if strings.HasPrefix(levels, "ERROR") || levels == "" {
			return managed.ExternalObservation{}, errors.Errorf("node %s cannot report the levels of log sink %d: %q", node, id, levels)
		}
		n, same, err := compare(node, id, parseLevels(levels), p.Levels)
		if err != nil {
			return managed.ExternalObservation{}, err
		}
		upToDate = upToDate && same
		obs.Nodes = append(obs.Nodes, n)
	}
	ll.Status.AtProvider = obs
	ll.SetConditions(xpv2.Available())
	// The sink always exists: the node's configuration file has it.
	return managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: upToDate}, nil
}

// compare returns what a node reports for the levels want names, and
// whether it matches: each named context at its level, and, when want
// names any, every other context at any's level.
func compare(node string, id int32, have map[string]string, want map[string]v1alpha1.LogLevel) (v1alpha1.NodeLogLevels, bool, error) {
	n := v1alpha1.NodeLogLevels{Node: node, SinkID: id, Levels: map[string]string{}}
	same := true
	for _, k := range slices.Sorted(maps.Keys(want)) {
		if k == anyContext {
			continue
		}
		v, ok := have[k]
		if !ok {
			return n, false, errors.Errorf("node %s reports no logging context %q; name one its log/%d info command lists", node, k, id)
		}
		n.Levels[k] = v
		same = same && strings.EqualFold(v, string(want[k]))
	}
	if all, ok := want[anyContext]; ok {
		for _, k := range slices.Sorted(maps.Keys(have)) {
			if _, named := want[k]; !named && !strings.EqualFold(have[k], string(all)) {
				n.Levels[k] = have[k]
				same = false
			}
		}
	}
	return n, same, nil
}

// Create has nothing to create: the sink exists; Observe reports it so, and
// Update sets the levels.
func (e *external) Create(context.Context, *v1alpha1.LogLevels) (managed.ExternalCreation, error) {
	return managed.ExternalCreation{}, nil
}

// Update sets, node by node, each context the node reports at another
// level, one log-set each. When another context differs from any's level,
// any is set first, which resets every context, and then every named one.
// What a node refuses is an error naming the node and the server's answer;
// the other nodes are still set.
func (e *external) Update(_ context.Context, ll *v1alpha1.LogLevels) (managed.ExternalUpdate, error) {
	p := ll.Spec.ForProvider
	var refused []string
	for _, n := range ll.Status.AtProvider.Nodes {
		var pending []string
		reset := false
		for _, k := range slices.Sorted(maps.Keys(n.Levels)) {
			if _, named := p.Levels[k]; !named {
				reset = true
			}
		}
		for _, k := range slices.Sorted(maps.Keys(p.Levels)) {
			switch {
			case k == anyContext && reset:
				pending = append([]string{anyContext}, pending...)
			case k == anyContext:
			case reset || !strings.EqualFold(n.Levels[k], string(p.Levels[k])):
				pending = append(pending, k)
			}
		}
		answers, err := aerospike.SetOnNode(e.nodes.Info, n.Node, pending, func(k string) string {
			return fmt.Sprintf("log-set:id=%d;%s=%s", n.SinkID, k, p.Levels[k])
		})
		if err != nil {
			return managed.ExternalUpdate{}, err
		}
		for _, k := range pending {
			if r, ok := answers[k]; ok {
				refused = append(refused, fmt.Sprintf("node %s refused %s=%s: %s", n.Node, k, p.Levels[k], r))
			}
		}
	}
	if len(refused) > 0 {
		return managed.ExternalUpdate{}, errors.Errorf("log sink %q: %s", p.Sink, strings.Join(refused, "; "))
	}
	return managed.ExternalUpdate{}, nil
}

// Delete leaves the levels as they are: a node logs at its configuration
// file's levels again once it restarts.
func (e *external) Delete(context.Context, *v1alpha1.LogLevels) (managed.ExternalDelete, error) {
	return managed.ExternalDelete{}, nil
}

// sinkID finds a sink's id in the answer to logs: id:path;….
func sinkID(logs, path string) (int32, bool) {
	for _, s := range strings.Split(logs, ";") {
		id, p, ok := strings.Cut(s, ":")
		if !ok || p != path {
			continue
		}
		n, err := strconv.ParseInt(id, 10, 32)
		if err != nil {
			return 0, false
		}
		return int32(n), true
	}
	return 0, false
}

// parseLevels reads the answer to log/<id>: context:LEVEL;….
func parseLevels(s string) map[string]string {
	out := map[string]string{}
	for _, kv := range strings.Split(s, ";") {
		if k, v, ok := strings.Cut(kv, ":"); ok && k != "" {
			out[k] = v
		}
	}
	return out
}
