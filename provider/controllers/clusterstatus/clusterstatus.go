// Package clusterstatus observes Aerospike clusters: nodes, versions,
// stability, migrations and namespace availability. It changes nothing. The
// function's day-2 plan reads what it reports before every step that could
// put data at risk, so it must be exact, and cheap: one info round trip per
// node per poll in the steady state.
package clusterstatus

import (
	"context"
	"slices"
	"strconv"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/crossplane/crossplane-runtime/v2/pkg/controller"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"

	"github.com/xp-aerospike/xp-aerospike/apis/provider/v1alpha1"
	"github.com/xp-aerospike/xp-aerospike/provider/aerospike"
	"github.com/xp-aerospike/xp-aerospike/provider/controllers/connect"
)

// Info is what the controller needs of a cluster.
type Info interface {
	// Nodes returns the nodes the client sees.
	Nodes() []aerospike.Node
	// InfoAll asks every node, one round trip each.
	InfoAll(commands ...string) (map[string]map[string]string, error)
}

// Setup adds a controller that reconciles ClusterStatuses.
func Setup(mgr ctrl.Manager, o controller.Options, c *connect.Connector) error {
	k := connect.Kind[*v1alpha1.ClusterStatus]{GVK: v1alpha1.ClusterStatusGroupVersionKind, Object: &v1alpha1.ClusterStatus{}, List: &v1alpha1.ClusterStatusList{}}
	return connect.Setup(mgr, o, k, c,
		func(s *connect.Session) Info { return s.Client },
		func(info Info) connect.External[*v1alpha1.ClusterStatus] { return &external{info: info} })
}

type external struct {
	info Info
}

// nodeCommands are asked of every node on every poll.
var nodeCommands = []string{"build", "edition", "statistics", "namespaces"}

func (e *external) Observe(_ context.Context, cs *v1alpha1.ClusterStatus) (managed.ExternalObservation, error) {
	// Ask for the namespaces seen last time in the same round trip; only a
	// namespace added since costs a second one.
	known := make([]string, 0, len(cs.Status.AtProvider.Namespaces))
	for _, ns := range cs.Status.AtProvider.Namespaces {
		known = append(known, ns.Name)
	}
	// A node that does not answer is reported, not fatal: the others'
	// answers still say what the cluster is doing, and it is not stable.
	answers, err := e.info.InfoAll(append(slices.Clone(nodeCommands), nsCommands(known)...)...)
	if err != nil && !aerospike.IsUnreachable(err) {
		cs.SetConditions(xpv2.Unavailable().WithMessage(err.Error()))
		return managed.ExternalObservation{}, err
	}
	names := namespaces(answers)
	if missing := without(names, known); len(missing) > 0 {
		more, err := e.info.InfoAll(nsCommands(missing)...)
		if err != nil && !aerospike.IsUnreachable(err) {
			return managed.ExternalObservation{}, err
		}
		for node, a := range more {
			for k, v := range a {
				if answers[node] != nil {
					answers[node][k] = v
				}
			}
		}
	}
	cs.Status.AtProvider = Observe(e.info.Nodes(), answers, names)
	now := metav1.Now()
	cs.Status.AtProvider.ObservedTime = &now
	cs.SetConditions(xpv2.Available())
	return managed.ExternalObservation{ResourceExists: true, ResourceUpToDate: true}, nil
}

// Create, Update and Delete change nothing: a ClusterStatus only observes.
func (e *external) Create(context.Context, *v1alpha1.ClusterStatus) (managed.ExternalCreation, error) {
	return managed.ExternalCreation{}, nil
}

func (e *external) Update(context.Context, *v1alpha1.ClusterStatus) (managed.ExternalUpdate, error) {
	return managed.ExternalUpdate{}, nil
}

func (e *external) Delete(context.Context, *v1alpha1.ClusterStatus) (managed.ExternalDelete, error) {
	return managed.ExternalDelete{}, nil
}

func nsCommands(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = "namespace/" + n
	}
	return out
}

// namespaces returns every namespace any node reports, sorted.
func namespaces(answers map[string]map[string]string) []string {
	var out []string
	for _, a := range answers {
		for _, n := range aerospike.ParseList(a["namespaces"]) {
			if !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
	}
	slices.Sort(out)
	return out
}

func without(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

// Observe summarises the nodes' answers. The cluster is stable when the
// client sees every node the nodes count, every node agrees on the cluster
// key and size, the cluster has integrity, and no partition is migrating.
func Observe(nodes []aerospike.Node, answers map[string]map[string]string, names []string) v1alpha1.ClusterStatusObservation {
	o := v1alpha1.ClusterStatusObservation{ClusterSize: int32(len(nodes))} //nolint:gosec // At most 256 nodes.
	stable := len(nodes) > 0
	key := ""
	for _, n := range nodes {
		a, ok := answers[n.Name]
		if !ok {
			stable = false
			continue
		}
		st := aerospike.ParseStats(a["statistics"])
		ns := v1alpha1.NodeStatus{
			Name:                       n.Name,
			Address:                    n.Address,
			Build:                      a["build"],
			Edition:                    a["edition"],
			ClusterSize:                int32(atoi(st["cluster_size"])), //nolint:gosec // At most 256 nodes.
			ClusterKey:                 st["cluster_key"],
			MigratePartitionsRemaining: atoi(st["migrate_partitions_remaining"]),
		}
		o.Nodes = append(o.Nodes, ns)
		o.MigratePartitionsRemaining += ns.MigratePartitionsRemaining
		if key == "" {
			key = ns.ClusterKey
		}
		stable = stable && ns.ClusterKey == key && ns.ClusterKey != "" &&
			ns.ClusterSize == o.ClusterSize && st["cluster_integrity"] == "true" &&
			ns.MigratePartitionsRemaining == 0
	}
	migrating := int64(0)
	for _, name := range names {
		s := v1alpha1.NamespaceStatus{Name: name}
		for _, n := range nodes {
			st := aerospike.ParseStats(answers[n.Name]["namespace/"+name])
			if len(st) == 0 {
				continue
			}
			s.ReplicationFactor = max(s.ReplicationFactor, int32(atoi(st["effective_replication_factor"]))) //nolint:gosec // At most 256.
			s.Objects += atoi(st["master_objects"])
			// Every node reports the same partition map; the worst view
			// counts.
			s.UnavailablePartitions = max(s.UnavailablePartitions, atoi(st["unavailable_partitions"]))
			s.DeadPartitions = max(s.DeadPartitions, atoi(st["dead_partitions"]))
			s.StopWrites = s.StopWrites || st["stop_writes"] == "true"
			s.DataUsedPercent = max(s.DataUsedPercent, int32(atoi(st["data_used_pct"]))) //nolint:gosec // A percentage.
			migrating += atoi(st["migrate_tx_partitions_remaining"]) + atoi(st["migrate_rx_partitions_remaining"])
		}
		stable = stable && s.UnavailablePartitions == 0 && s.DeadPartitions == 0
		o.Namespaces = append(o.Namespaces, s)
	}
	// A node's own count and its namespaces' counts must all be zero: a
	// node that just joined may report one before the other.
	o.Stable = stable && o.MigratePartitionsRemaining == 0 && migrating == 0
	return o
}

func atoi(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}
