package asconfig

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSchemaFor(t *testing.T) {
	type args struct {
		version string
	}
	type want struct {
		schema string
		err    string // a substring of the error; empty for none
	}
	cases := map[string]struct {
		reason string
		args   args
		want   want
	}{
		"PatchRelease": {
			reason: "a patch release uses its line's newest schema",
			args:   args{version: "8.1.2.0"},
			want:   want{schema: "8.1.1"},
		},
		"Between": {
			reason: "a release between schema lines uses the older line",
			args:   args{version: "8.0.0.15"},
			want:   want{schema: "8.0.0"},
		},
		"BuildSuffix": {
			reason: "an image's build suffix does not change the configuration",
			args:   args{version: "7.2.0.6_1"},
			want:   want{schema: "7.2.0"},
		},
		"ThreeNumbers": {
			reason: "a three-number version is its line's first release",
			args:   args{version: "8.1.0"},
			want:   want{schema: "8.1.0"},
		},
		"Oldest": {
			reason: "the oldest line is supported from its first release",
			args:   args{version: "7.0.0.0"},
			want:   want{schema: "7.0.0"},
		},
		"Future": {
			reason: "a release newer than every schema uses the newest",
			args:   args{version: "9.0.0.0"},
			want:   want{schema: "8.1.1"},
		},
		"TooOld": {
			reason: "6.x wrote its configuration differently (memory-size, data-in-memory)",
			args:   args{version: "6.4.0.0"},
			want:   want{err: "the oldest supported version is 7.0.0"},
		},
		"Garbage": {
			reason: "a version is numbers",
			args:   args{version: "latest"},
			want:   want{err: `cannot parse server version "latest"`},
		},
		"TooManyNumbers": {
			reason: "a version has at most four numbers",
			args:   args{version: "8.1.0.0.1"},
			want:   want{err: "want three or four numbers"},
		},
		"Empty": {
			reason: "an empty version is refused",
			args:   args{version: ""},
			want:   want{err: "cannot parse server version"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			s, err := SchemaFor(tc.args.version)
			if tc.want.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.want.err) {
					t.Fatalf("%s: SchemaFor(%q): want error containing %q, got %v", tc.reason, tc.args.version, tc.want.err, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("%s: SchemaFor(%q): %v", tc.reason, tc.args.version, err)
			}
			if diff := cmp.Diff(tc.want.schema, s.Version()); diff != "" {
				t.Errorf("%s: SchemaFor(%q).Version(): -want +got:\n%s", tc.reason, tc.args.version, diff)
			}
		})
	}
}

// TestCatalog parses every vendored schema: a refreshed file the parser
// cannot read fails here, not in a user's reconcile.
func TestCatalog(t *testing.T) {
	got := make([]string, 0, len(catalog))
	for _, l := range catalog {
		s, err := l.get()
		if err != nil {
			t.Fatalf("schema %s: %v", l.file, err)
		}
		got = append(got, s.Version())
	}
	want := []string{"7.0.0", "7.1.0", "7.2.0", "8.0.0", "8.1.0", "8.1.1"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("vendored schemas: -want +got:\n%s", diff)
	}
}

// TestSchemaKeywords checks the vendored schemas use only the keywords the
// validator implements: a refreshed file that starts using, say, allOf or
// pattern would otherwise be half-enforced without a word.
func TestSchemaKeywords(t *testing.T) {
	supported := map[string]bool{
		"type": true, "properties": true, "additionalProperties": true, "required": true,
		"items": true, "minItems": true, "enum": true, "minimum": true, "maximum": true,
		"oneOf": true, "anyOf": true, "not": true, "format": true,
		"enterpriseOnly": true, "dynamic": true,
		"$schema": true, "default": true, "description": true, // annotations
	}
	formats := map[string]bool{"hostname": true}
	for _, l := range catalog {
		b, err := schemaFiles.ReadFile(l.file)
		if err != nil {
			t.Fatal(err)
		}
		var root map[string]any
		if err := json.Unmarshal(b, &root); err != nil {
			t.Fatal(err)
		}
		var walk func(n map[string]any, at string)
		walk = func(n map[string]any, at string) {
			for _, k := range slices.Sorted(maps.Keys(n)) {
				if !supported[k] {
					t.Errorf("%s: %s uses keyword %q, which the validator does not implement", l.file, at, k)
				}
			}
			if f, ok := n["format"].(string); ok && !formats[f] {
				t.Errorf("%s: %s uses format %q, which the validator does not implement", l.file, at, f)
			}
			if props, ok := n["properties"].(map[string]any); ok {
				for k, p := range props {
					if m, ok := p.(map[string]any); ok {
						walk(m, at+"."+k)
					}
				}
			}
			for _, k := range []string{"items", "not", "additionalProperties"} {
				if m, ok := n[k].(map[string]any); ok {
					walk(m, at+"."+k)
				}
			}
			for _, k := range []string{"oneOf", "anyOf"} {
				branches, _ := n[k].([]any)
				for _, b := range branches {
					if m, ok := b.(map[string]any); ok {
						walk(m, at+"."+k)
					}
				}
			}
		}
		walk(root, "root")
	}
}

// TestSchemaForConcurrent loads one schema from many goroutines at once:
// under -race, a schema parsed twice or shared unsafely fails.
func TestSchemaForConcurrent(t *testing.T) {
	var wg sync.WaitGroup
	got := make([]*Schema, 32)
	for i := range got {
		wg.Go(func() {
			s, err := SchemaFor("7.1.0.3")
			if err != nil {
				t.Error(err)
				return
			}
			got[i] = s
			_ = s.Validate(minimal(), i%2 == 0, nil)
		})
	}
	wg.Wait()
	for _, s := range got[1:] {
		// Each caller gets its own Schema naming its server version; the
		// parsed tree behind them must be one.
		if s.root != got[0].root {
			t.Fatal("SchemaFor parsed the same schema more than once")
		}
	}
}

func TestParseVersion(t *testing.T) {
	type want struct {
		v   Version
		err bool
	}
	cases := map[string]struct {
		reason string
		arg    string
		want   want
	}{
		"Four":         {reason: "a release has four numbers", arg: "8.0.0.15", want: want{v: Version{8, 0, 0, 15}}},
		"Three":        {reason: "a line's first release may omit the fourth", arg: "8.1.0", want: want{v: Version{8, 1, 0, 0}}},
		"Build":        {reason: "the build suffix is dropped", arg: "7.2.0.6_1", want: want{v: Version{7, 2, 0, 6}}},
		"BadBuild":     {reason: "the build suffix is a number", arg: "7.2.0.6_x", want: want{err: true}},
		"Sign":         {reason: "signs are not numbers here", arg: "8.+1.0", want: want{err: true}},
		"Negative":     {reason: "negative numbers are refused", arg: "8.-1.0", want: want{err: true}},
		"Two":          {reason: "two numbers name no release", arg: "8.1", want: want{err: true}},
		"Prefix":       {reason: "a v prefix is not a version", arg: "v8.1.0", want: want{err: true}},
		"EmptyNumber":  {reason: "every number is present", arg: "8..0", want: want{err: true}},
		"HugeOverflow": {reason: "a number beyond int is refused, not wrapped", arg: "99999999999999999999.0.0", want: want{err: true}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			v, err := ParseVersion(tc.arg)
			if (err != nil) != tc.want.err {
				t.Fatalf("%s: ParseVersion(%q): error %v, want error %v", tc.reason, tc.arg, err, tc.want.err)
			}
			if diff := cmp.Diff(tc.want.v, v); diff != "" {
				t.Errorf("%s: ParseVersion(%q): -want +got:\n%s", tc.reason, tc.arg, diff)
			}
		})
	}
}

func TestVersionCompare(t *testing.T) {
	cases := map[string]struct {
		a, b string
		want int
	}{
		"Older":      {a: "8.0.0.15", b: "8.1.0", want: -1},
		"Newer":      {a: "8.1.2.0", b: "8.1.1.9", want: 1},
		"Same":       {a: "8.1.0", b: "8.1.0.0", want: 0},
		"BuildIsAll": {a: "7.2.0.6_1", b: "7.2.0.6", want: 0},
		"Numeric":    {a: "7.10.0.0", b: "7.9.0.0", want: 1},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			a, errA := ParseVersion(tc.a)
			b, errB := ParseVersion(tc.b)
			if errA != nil || errB != nil {
				t.Fatal(errA, errB)
			}
			if got := a.Compare(b); got != tc.want {
				t.Errorf("%s.Compare(%s) = %d, want %d", tc.a, tc.b, got, tc.want)
			}
		})
	}
	if got := (Version{8, 0, 0, 15}).String(); got != "8.0.0.15" {
		t.Errorf("String() = %q, want 8.0.0.15", got)
	}
}

func TestDynamic(t *testing.T) {
	s, err := SchemaFor("8.1.2.0")
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		reason string
		path   []string
		want   bool
	}{
		"NamespaceTTL":        {reason: "default-ttl changes live", path: []string{"namespaces", "default-ttl"}, want: true},
		"ReplicationFactor":   {reason: "replication-factor needs a restart", path: []string{"namespaces", "replication-factor"}, want: false},
		"ServiceProtoFdMax":   {reason: "proto-fd-max changes live", path: []string{"service", "proto-fd-max"}, want: true},
		"WorkDirectory":       {reason: "work-directory needs a restart", path: []string{"service", "work-directory"}, want: false},
		"HeartbeatPort":       {reason: "ports need a restart", path: []string{"network", "heartbeat", "port"}, want: false},
		"StorageEngineDefrag": {reason: "typed sections are looked up through their branches", path: []string{"namespaces", "storage-engine", "defrag-lwm-pct"}, want: true},
		"MemoryDataSize":      {reason: "a memory namespace's size needs a restart", path: []string{"namespaces", "storage-engine", "data-size"}, want: false},
		"SetStopWrites":       {reason: "named lists nest", path: []string{"namespaces", "sets", "stop-writes-count"}, want: true},
		"LoggingContext":      {reason: "log levels change live", path: []string{"logging", "any"}, want: true},
		"Section":             {reason: "a section itself is not a setting", path: []string{"service"}, want: false},
		"Unknown":             {reason: "an unknown setting is not dynamic: a restart is the safe answer", path: []string{"service", "no-such-thing"}, want: false},
		"UnknownDeep":         {reason: "a path through a setting finds nothing", path: []string{"service", "proto-fd-max", "x"}, want: false},
		"Empty":               {reason: "no path names no setting", path: nil, want: false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := s.Dynamic(tc.path...); got != tc.want {
				t.Errorf("%s: Dynamic(%q) = %v, want %v", tc.reason, tc.path, got, tc.want)
			}
		})
	}
}
