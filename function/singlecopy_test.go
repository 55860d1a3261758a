package main

import (
	"strings"
	"testing"
	"time"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
)

func warnings(rsp *fnv1.RunFunctionResponse) []string {
	return results(rsp, fnv1.Severity_SEVERITY_WARNING)
}

// singleCopy is the minimal example with its namespace at replication
// factor 1 on the given storage, settled and observed stable.
func singleCopy(t *testing.T, storage string) (map[string]any, map[string]map[string]any) {
	t.Helper()
	xr := exampleXR(t, "minimal-community")
	ns := xr["spec"].(map[string]any)["namespaces"].([]any)[0].(map[string]any)
	ns["replicationFactor"] = 1
	if storage != "memory" {
		ns["storage"] = map[string]any{"type": storage, "size": "10Gi"}
	}
	observed := settled(t, xr)
	observed["cluster-status"] = stableCluster(3, time.Unix(1000, 0))
	return xr, observed
}

// TestSingleCopyNodeLossIsConfirmed: with one copy of each record, a node
// that leaves takes its records with it, and a memory namespace's node that
// restarts comes back empty. Both are refused, saying what is lost, until
// the user confirms; a persistent namespace's restart only makes its
// records unavailable for a while, which is a warning.
func TestSingleCopyNodeLossIsConfirmed(t *testing.T) {
	cases := map[string]struct {
		reason  string
		storage string
		edit    func(spec map[string]any)
		refuse  string // a fragment of the Fatal; "" when none
		warn    string // a fragment of a Warning; "" when none
	}{
		"ScaleDownMemory": {
			reason:  "a memory namespace's records on the leaving node are gone",
			storage: "memory",
			edit:    func(spec map[string]any) { spec["size"] = 2 },
			refuse:  `namespace "cache" keeps one copy of each record (replicationFactor 1): removing a node loses every record it holds`,
		},
		"ScaleDownFile": {
			reason:  "a persistent namespace's records on the leaving node leave the cluster with it",
			storage: "file",
			edit:    func(spec map[string]any) { spec["size"] = 2 },
			refuse:  "removing a node loses every record it holds",
		},
		"RollMemory": {
			reason:  "a memory namespace's node restarts empty",
			storage: "memory",
			edit: func(spec map[string]any) {
				spec["aerospikeConfig"] = map[string]any{"service": map[string]any{"proto-fd-max": 20000}}
			},
			refuse: "restarting a node empties it",
		},
		"RollFile": {
			reason:  "a persistent namespace survives a restart, unavailable meanwhile",
			storage: "file",
			edit: func(spec map[string]any) {
				spec["aerospikeConfig"] = map[string]any{"service": map[string]any{"proto-fd-max": 20000}}
			},
			warn: "unavailable while the node that holds them restarts",
		},
		"ScaleUp": {
			reason:  "adding a node loses nothing",
			storage: "memory",
			edit:    func(spec map[string]any) { spec["size"] = 4 },
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			xr, observed := singleCopy(t, tc.storage)
			tc.edit(xr["spec"].(map[string]any))
			rsp := run(t, newRequest(t, xr, observed))
			f := strings.Join(fatals(rsp), "; ")
			switch {
			case tc.refuse == "" && f != "":
				t.Fatalf("%s: refused: %s", tc.reason, f)
			case tc.refuse != "" && !strings.Contains(f, tc.refuse):
				t.Fatalf("%s: Fatal %q, want it to say %q", tc.reason, f, tc.refuse)
			}
			if w := strings.Join(warnings(rsp), "; "); tc.warn != "" && !strings.Contains(w, tc.warn) {
				t.Errorf("%s: warnings %q, want one saying %q", tc.reason, w, tc.warn)
			}
			if tc.refuse == "" {
				return
			}
			if !strings.Contains(f, "single-copy/cache") {
				t.Errorf("%s: the Fatal does not say how to confirm: %s", tc.reason, f)
			}
			xr["metadata"].(map[string]any)["annotations"] = map[string]any{"aerospike.xp-aerospike.io/confirm-data-loss": "single-copy/cache"}
			if f := fatals(run(t, newRequest(t, xr, observed))); len(f) > 0 {
				t.Errorf("%s: confirmed, still refused: %v", tc.reason, f)
			}
		})
	}
}
