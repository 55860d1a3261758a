package asconfig

import (
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSchemaFor(t *testing.T) {
	cases := map[string]struct {
		reason  string
		version string
		want    string
		err     bool
	}{
		"Exact":          {reason: "a version line's first release uses its own schema", version: "8.1.0.0", want: "8.1.0"},
		"Newer":          {reason: "a patch release uses its line's schema", version: "8.1.2.0", want: "8.1.1"},
		"BuildSuffix":    {reason: "a build suffix does not change the configuration", version: "7.2.0.6_1", want: "7.2.0"},
		"ThreeParts":     {reason: "a three-part version is accepted", version: "8.0.0", want: "8.0.0"},
		"Between":        {reason: "a version between lines uses the older line", version: "8.0.0.15", want: "8.0.0"},
		"FutureRelease":  {reason: "a release newer than every schema uses the newest", version: "9.0.0.0", want: "8.1.1"},
		"TooOld":         {reason: "6.x uses a configuration syntax this project does not write", version: "6.4.0.0", err: true},
		"Garbage":        {reason: "a version is dotted numbers", version: "latest", err: true},
		"TooManyNumbers": {reason: "a version has at most four numbers", version: "8.1.0.0.1", err: true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			s, err := SchemaFor(tc.version)
			if (err != nil) != tc.err {
				t.Fatalf("%s: SchemaFor(%q) error = %v, want error %v", tc.reason, tc.version, err, tc.err)
			}
			if err == nil && s.Version() != tc.want {
				t.Errorf("%s: SchemaFor(%q) = %s, want %s", tc.reason, tc.version, s.Version(), tc.want)
			}
		})
	}
}

// TestSchemaForConcurrent loads one schema from many goroutines at once:
// under -race, a schema parsed twice or shared unsafely fails.
func TestSchemaForConcurrent(t *testing.T) {
	var wg sync.WaitGroup
	got := make([]*Schema, 16)
	for i := range got {
		wg.Go(func() {
			s, err := SchemaFor("7.1.0.3")
			if err != nil {
				t.Error(err)
			}
			got[i] = s
		})
	}
	wg.Wait()
	for _, s := range got[1:] {
		if s != got[0] {
			t.Fatal("SchemaFor parsed the same schema more than once")
		}
	}
}

func TestParseVersionCompare(t *testing.T) {
	a, _ := ParseVersion("8.0.0.15")
	b, _ := ParseVersion("8.1.0")
	if a.Compare(b) != -1 || b.Compare(a) != 1 || a.Compare(a) != 0 {
		t.Errorf("Compare(8.0.0.15, 8.1.0) is wrong")
	}
	if diff := cmp.Diff("8.0.0.15", a.String()); diff != "" {
		t.Errorf("String(): -want +got:\n%s", diff)
	}
}

func TestDynamic(t *testing.T) {
	s, err := SchemaFor("8.1.1.0")
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		path []string
		want bool
	}{
		"NamespaceTTL":       {path: []string{"namespaces", "default-ttl"}, want: true},
		"ReplicationFactor":  {path: []string{"namespaces", "replication-factor"}, want: false},
		"ServiceProtoFdMax":  {path: []string{"service", "proto-fd-max"}, want: true},
		"HeartbeatPort":      {path: []string{"network", "heartbeat", "port"}, want: false},
		"StorageEngineBlock": {path: []string{"namespaces", "storage-engine", "defrag-lwm-pct"}, want: true},
		"MemoryDataSize":     {path: []string{"namespaces", "storage-engine", "data-size"}, want: false},
		"SetStopWrites":      {path: []string{"namespaces", "sets", "stop-writes-count"}, want: true},
		"Unknown":            {path: []string{"service", "no-such-thing"}, want: false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := s.Dynamic(tc.path...); got != tc.want {
				t.Errorf("Dynamic(%q) = %v, want %v", tc.path, got, tc.want)
			}
		})
	}
}
