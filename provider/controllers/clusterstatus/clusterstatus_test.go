package clusterstatus

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/test"

	"github.com/xp-aerospike/xp-aerospike/apis/provider/v1alpha1"
	"github.com/xp-aerospike/xp-aerospike/provider/aerospike"
)

type fakeInfo struct {
	nodes   []aerospike.Node
	answers map[string]map[string]string
	asked   [][]string
	err     error
}

func (f *fakeInfo) Nodes() []aerospike.Node { return f.nodes }

func (f *fakeInfo) InfoAll(cmds ...string) (map[string]map[string]string, error) {
	f.asked = append(f.asked, cmds)
	if f.err != nil {
		return nil, f.err
	}
	out := map[string]map[string]string{}
	for node, all := range f.answers {
		out[node] = map[string]string{}
		for _, c := range cmds {
			if v, ok := all[c]; ok {
				out[node][c] = v
			}
		}
	}
	return out, nil
}

func node(_, key, size, migrating string, ns map[string]string) map[string]string {
	a := map[string]string{
		"build": "8.1.2.0", "edition": "Aerospike Community Edition", "namespaces": "orders",
		"statistics": "cluster_size=" + size + ";cluster_key=" + key + ";cluster_integrity=true;migrate_partitions_remaining=" + migrating,
	}
	for k, v := range ns {
		a[k] = v
	}
	return a
}

const healthy = "effective_replication_factor=2;master_objects=50;unavailable_partitions=0;dead_partitions=0;stop_writes=false;data_used_pct=3;migrate_tx_partitions_remaining=0;migrate_rx_partitions_remaining=0"

func cluster(a, b map[string]string) *fakeInfo {
	return &fakeInfo{
		nodes:   []aerospike.Node{{Name: "A", Address: "10.0.0.1:3000"}, {Name: "B", Address: "10.0.0.2:3000"}},
		answers: map[string]map[string]string{"A": a, "B": b},
	}
}

func TestObserve(t *testing.T) {
	cases := map[string]struct {
		reason     string
		info       *fakeInfo
		wantStable bool
		wantMig    int64
	}{
		"Stable": {
			reason:     "agreeing keys and sizes, no migrations, every partition available",
			info:       cluster(node("A", "K1", "2", "0", map[string]string{"namespace/orders": healthy}), node("B", "K1", "2", "0", map[string]string{"namespace/orders": healthy})),
			wantStable: true,
		},
		"Migrating": {
			reason:  "partitions still moving",
			info:    cluster(node("A", "K1", "2", "12", map[string]string{"namespace/orders": healthy}), node("B", "K1", "2", "3", map[string]string{"namespace/orders": healthy})),
			wantMig: 15,
		},
		"NamespaceMigrating": {
			reason: "a namespace still receiving partitions while the node count reads 0",
			info: cluster(node("A", "K1", "2", "0", map[string]string{"namespace/orders": strings.Replace(healthy, "migrate_rx_partitions_remaining=0", "migrate_rx_partitions_remaining=9", 1)}),
				node("B", "K1", "2", "0", map[string]string{"namespace/orders": healthy})),
		},
		"SplitBrain": {
			reason: "two cluster keys: the nodes disagree on who is in the cluster",
			info:   cluster(node("A", "K1", "1", "0", map[string]string{"namespace/orders": healthy}), node("B", "K2", "1", "0", map[string]string{"namespace/orders": healthy})),
		},
		"NodeMissing": {
			reason: "the nodes count three but the client sees two",
			info:   cluster(node("A", "K1", "3", "0", map[string]string{"namespace/orders": healthy}), node("B", "K1", "3", "0", map[string]string{"namespace/orders": healthy})),
		},
		"DeadPartitions": {
			reason: "partitions whose every copy is gone",
			info: cluster(node("A", "K1", "2", "0", map[string]string{"namespace/orders": strings.Replace(healthy, "dead_partitions=0", "dead_partitions=4", 1)}),
				node("B", "K1", "2", "0", map[string]string{"namespace/orders": healthy})),
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			cs := &v1alpha1.ClusterStatus{}
			if _, err := (&external{info: tc.info}).Observe(context.Background(), cs); err != nil {
				t.Fatal(err)
			}
			got := cs.Status.AtProvider
			if got.Stable != tc.wantStable {
				t.Errorf("%s: stable = %v, want %v", tc.reason, got.Stable, tc.wantStable)
			}
			if got.MigratePartitionsRemaining != tc.wantMig {
				t.Errorf("%s: migrations = %d, want %d", tc.reason, got.MigratePartitionsRemaining, tc.wantMig)
			}
		})
	}
}

// TestObserveRoundTrips: the first poll learns the namespaces with a second
// round trip; every later poll needs one.
func TestObserveRoundTrips(t *testing.T) {
	info := cluster(node("A", "K1", "2", "0", map[string]string{"namespace/orders": healthy}), node("B", "K1", "2", "0", map[string]string{"namespace/orders": healthy}))
	cs := &v1alpha1.ClusterStatus{}
	e := &external{info: info}
	if _, err := e.Observe(context.Background(), cs); err != nil {
		t.Fatal(err)
	}
	if len(info.asked) != 2 {
		t.Fatalf("first poll: %d round trips, want 2", len(info.asked))
	}
	info.asked = nil
	if _, err := e.Observe(context.Background(), cs); err != nil {
		t.Fatal(err)
	}
	if len(info.asked) != 1 {
		t.Errorf("steady poll: %d round trips, want 1", len(info.asked))
	}
	want := v1alpha1.NamespaceStatus{Name: "orders", ReplicationFactor: 2, Objects: 100, DataUsedPercent: 3}
	if diff := cmp.Diff([]v1alpha1.NamespaceStatus{want}, cs.Status.AtProvider.Namespaces); diff != "" {
		t.Errorf("namespaces: -want +got:\n%s", diff)
	}
	if diff := cmp.Diff("8.1.2.0", cs.Status.AtProvider.Nodes[0].Build); diff != "" {
		t.Errorf("build: %s", diff)
	}
}

func TestObserveError(t *testing.T) {
	errBoom := errors.New("boom")
	cs := &v1alpha1.ClusterStatus{}
	_, err := (&external{info: &fakeInfo{err: errBoom}}).Observe(context.Background(), cs)
	if diff := cmp.Diff(errBoom, err, test.EquateErrors()); diff != "" {
		t.Errorf("a cluster that cannot answer: Observe() error -want +got:\n%s", diff)
	}
}
