package asconfig

import (
	"bytes"
	"encoding/json"
	"flag"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// full exercises every construct the writer knows. Its output was checked by
// hand to start the real 8.1.2.0 server (with loopback addresses and a
// writable work directory); a later harness boots every rendered
// configuration for real.
func full() Conf {
	return Conf{
		"service": Conf{"cluster-name": "orders", "proto-fd-max": int64(20000), "work-directory": "/opt/aerospike/work", "run-as-daemon": false},
		"logging": []any{
			Conf{"name": "console", "any": "info", "hb": "warning", "aggr": "debug"},
			Conf{"name": "/var/log/aerospike.log", "any": "critical"},
		},
		"network": Conf{
			"service":   Conf{"port": int64(3000), "addresses": []any{"any"}},
			"fabric":    Conf{"port": int64(3001)},
			"heartbeat": Conf{"mode": "mesh", "port": int64(3002), "interval": float64(150), "mesh-seed-address-ports": []any{"a.example:3002", "b.example:3002"}},
		},
		"namespaces": []any{
			Conf{
				"name": "orders", "replication-factor": int64(2), "default-ttl": int64(2592000), "nsup-period": int64(120),
				"sets":           []any{Conf{"name": "s1", "stop-writes-count": int64(1000)}},
				"storage-engine": Conf{"type": "device", "files": []any{"/data/orders.dat"}, "filesize": int64(4 << 30), "defrag-lwm-pct": int64(50)},
			},
			Conf{
				"name": "cache", "replication-factor": json.Number("1"),
				"storage-engine": Conf{"type": "memory", "data-size": uint64(1 << 30)},
			},
			Conf{
				"name": "shadowed", "storage-engine": Conf{"type": "memory", "devices": []any{"/dev/a:/dev/shadow"}},
				"index-type": Conf{"type": "shmem"},
			},
		},
		"mod-lua":  Conf{"user-path": "/opt/aerospike/work/usr/udf/lua"},
		"security": Conf{},
	}
}

func TestWriteGolden(t *testing.T) {
	got, err := Write(full())
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "full.conf")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("Write(): -want +got:\n%s", diff)
	}
}

func TestWriteDeterministic(t *testing.T) {
	first, _ := Write(full())
	for range 20 {
		if got, _ := Write(full()); !bytes.Equal(first, got) {
			t.Fatal("Write gave different bytes for the same configuration")
		}
	}
}

func TestWriteErrors(t *testing.T) {
	cases := map[string]Conf{
		"TypedWithoutType":   {"namespaces": []any{Conf{"name": "a", "storage-engine": Conf{"data-size": int64(1)}}}},
		"NamedWithoutName":   {"namespaces": []any{Conf{"replication-factor": int64(1)}}},
		"LoggingWithoutName": {"logging": []any{Conf{"any": "info"}}},
		"ScalarTopLevel":     {"service": "x"},
		"Unwritable":         {"service": Conf{"x": []any{Conf{}, struct{}{}}}},
		"Infinite":           {"service": Conf{"x": []any{math.Inf(1)}}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := Write(c); err == nil {
				t.Errorf("Write(%v): want an error", c)
			}
		})
	}
}

func FuzzWrite(f *testing.F) {
	b, _ := json.Marshal(full())
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) {
		var c Conf
		if err := json.Unmarshal(b, &c); err != nil {
			t.Skip()
		}
		_, _ = Write(c)
	})
}
