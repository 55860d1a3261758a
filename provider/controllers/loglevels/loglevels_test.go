package loglevels

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
	"github.com/crossplane/crossplane-runtime/v2/pkg/reconciler/managed"
	"github.com/crossplane/crossplane-runtime/v2/pkg/test"

	"github.com/xp-aerospike/xp-aerospike/apis/provider/v1alpha1"
)

// fakeNodes answers logs and log/<id> from levels and sinks, and log-set
// with answer, or with refuse's answer for a node when set.
type fakeNodes struct {
	sinks  map[string]string // node -> logs answer; "0:stderr" when unset
	levels map[string]string // node -> log/<id> answer
	sent   []string
	answer string
	refuse map[string]string // node -> log-set answer
}

func (f *fakeNodes) logs(node string) string {
	if s, ok := f.sinks[node]; ok {
		return s
	}
	return "0:stderr"
}

func (f *fakeNodes) InfoAll(cmds ...string) (map[string]map[string]string, error) {
	out := map[string]map[string]string{}
	for node := range f.levels {
		out[node] = map[string]string{}
		for _, c := range cmds {
			out[node][c], _ = f.answerFor(node, c)
		}
	}
	return out, nil
}

func (f *fakeNodes) answerFor(node, cmd string) (string, bool) {
	switch {
	case cmd == "logs":
		return f.logs(node), false
	case strings.HasPrefix(cmd, "log/"):
		if strings.Contains(f.logs(node), strings.TrimPrefix(cmd, "log/")+":") {
			return f.levels[node], false
		}
		return "ERROR::bad-id", false
	}
	return "", true
}

func (f *fakeNodes) Info(node string, cmds ...string) (map[string]string, error) {
	if a, set := f.answerFor(node, cmds[0]); !set {
		return map[string]string{cmds[0]: a}, nil
	}
	f.sent = append(f.sent, node+" "+cmds[0])
	if r, ok := f.refuse[node]; ok {
		return map[string]string{cmds[0]: r}, nil
	}
	return map[string]string{cmds[0]: f.answer}, nil
}

func ll(sink string, levels map[string]v1alpha1.LogLevel) *v1alpha1.LogLevels {
	return &v1alpha1.LogLevels{Spec: v1alpha1.LogLevelsSpec{ForProvider: v1alpha1.LogLevelsParameters{Sink: sink, Levels: levels}}}
}

func TestObserve(t *testing.T) {
	both := func(a, b string) map[string]string { return map[string]string{"A": a, "B": b} }
	cases := map[string]struct {
		reason    string
		sinks     map[string]string
		levels    map[string]string
		sink      string
		want      map[string]v1alpha1.LogLevel
		upToDate  bool
		wantNodes []v1alpha1.NodeLogLevels
		err       error
	}{
		"UpToDate": {
			reason:    "every node reports the levels, in the server's upper case",
			levels:    both("misc:INFO;migrate:DEBUG;namespace:WARNING", "misc:INFO;migrate:DEBUG;namespace:WARNING"),
			want:      map[string]v1alpha1.LogLevel{"any": "info", "migrate": "debug", "namespace": "warning"},
			upToDate:  true,
			wantNodes: []v1alpha1.NodeLogLevels{{Node: "A", Levels: map[string]string{"migrate": "DEBUG", "namespace": "WARNING"}}, {Node: "B", Levels: map[string]string{"migrate": "DEBUG", "namespace": "WARNING"}}},
		},
		"OneNode": {
			reason:    "one node differs: log-set reached one node only",
			levels:    both("misc:INFO;migrate:DEBUG", "misc:INFO;migrate:INFO"),
			want:      map[string]v1alpha1.LogLevel{"migrate": "debug"},
			wantNodes: []v1alpha1.NodeLogLevels{{Node: "A", Levels: map[string]string{"migrate": "DEBUG"}}, {Node: "B", Levels: map[string]string{"migrate": "INFO"}}},
		},
		"AnyDiffers": {
			reason:    "a context the spec does not name logs at another level than any's: a level dropped from the spec",
			levels:    both("misc:INFO;migrate:INFO;hb:DEBUG", "misc:INFO;migrate:INFO;hb:INFO"),
			want:      map[string]v1alpha1.LogLevel{"any": "info"},
			wantNodes: []v1alpha1.NodeLogLevels{{Node: "A", Levels: map[string]string{"hb": "DEBUG"}}, {Node: "B", Levels: map[string]string{}}},
		},
		"FileSink": {
			reason:    "a file sink is found by its path, with its own id",
			sinks:     map[string]string{"A": "0:stderr;1:/var/log/asd.log", "B": "0:stderr;1:/var/log/asd.log"},
			levels:    both("migrate:DEBUG", "migrate:DEBUG"),
			sink:      "/var/log/asd.log",
			want:      map[string]v1alpha1.LogLevel{"migrate": "debug"},
			upToDate:  true,
			wantNodes: []v1alpha1.NodeLogLevels{{Node: "A", SinkID: 1, Levels: map[string]string{"migrate": "DEBUG"}}, {Node: "B", SinkID: 1, Levels: map[string]string{"migrate": "DEBUG"}}},
		},
		"NoSink": {
			reason: "a sink the nodes lack",
			levels: both("migrate:DEBUG", "migrate:DEBUG"),
			sink:   "/var/log/asd.log",
			want:   map[string]v1alpha1.LogLevel{"migrate": "debug"},
			err:    errors.New(`node A has no log sink "/var/log/asd.log" (its sinks: "0:stderr"); name a sink its aerospike.conf has`),
		},
		"UnknownContext": {
			reason: "a context the server does not report",
			levels: both("migrate:DEBUG", "migrate:DEBUG"),
			want:   map[string]v1alpha1.LogLevel{"nope": "debug"},
			err:    errors.New(`node A reports no logging context "nope"; name one its log/0 info command lists`),
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			l := ll(tc.sink, tc.want)
			got, err := (&external{nodes: &fakeNodes{sinks: tc.sinks, levels: tc.levels}}).Observe(context.Background(), l)
			if diff := cmp.Diff(tc.err, err, test.EquateErrors()); diff != "" {
				t.Fatalf("%s: Observe() error -want +got:\n%s", tc.reason, diff)
			}
			// The sink always exists; an error reports nothing.
			want := managed.ExternalObservation{ResourceExists: tc.err == nil, ResourceUpToDate: tc.upToDate}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s: Observe() -want +got:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.wantNodes, l.Status.AtProvider.Nodes); diff != "" {
				t.Errorf("%s: status.atProvider.nodes -want +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// TestUpdate: log-set goes to the nodes that differ, one command per
// context (the server applies only a command's first), any first when it
// must reset a context the spec no longer names; what a node refuses is an
// error naming it, and the other nodes are still set.
func TestUpdate(t *testing.T) {
	cases := map[string]struct {
		reason   string
		levels   map[string]string
		want     map[string]v1alpha1.LogLevel
		refuse   map[string]string
		wantSent []string
		err      error
	}{
		"OnlyWhatDiffers": {
			reason:   "each node gets the contexts it reports differently",
			levels:   map[string]string{"A": "misc:INFO;migrate:INFO;namespace:WARNING", "B": "misc:INFO;migrate:DEBUG;namespace:INFO"},
			want:     map[string]v1alpha1.LogLevel{"any": "info", "migrate": "debug", "namespace": "warning"},
			wantSent: []string{"A log-set:id=0;migrate=debug", "B log-set:id=0;namespace=warning"},
		},
		"ResetThroughAny": {
			reason:   "a context left at a level the spec dropped is reset through any, then the named ones are set again",
			levels:   map[string]string{"A": "misc:INFO;migrate:DEBUG;hb:DEBUG"},
			want:     map[string]v1alpha1.LogLevel{"any": "info", "migrate": "debug"},
			wantSent: []string{"A log-set:id=0;any=info", "A log-set:id=0;migrate=debug"},
		},
		"Refused": {
			reason:   "a node that refuses is named; the other is still set",
			levels:   map[string]string{"A": "migrate:INFO", "B": "migrate:INFO"},
			want:     map[string]v1alpha1.LogLevel{"migrate": "debug"},
			refuse:   map[string]string{"A": "ERROR:4:bad parameter"},
			wantSent: []string{"A log-set:id=0;migrate=debug", "B log-set:id=0;migrate=debug"},
			err:      errors.New(`log sink "console": node A refused migrate=debug: ERROR:4:bad parameter`),
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			f := &fakeNodes{levels: tc.levels, answer: "ok", refuse: tc.refuse}
			e := &external{nodes: f}
			l := ll("console", tc.want)
			if _, err := e.Observe(context.Background(), l); err != nil {
				t.Fatal(err)
			}
			_, err := e.Update(context.Background(), l)
			if diff := cmp.Diff(tc.err, err, test.EquateErrors()); diff != "" {
				t.Errorf("%s: Update() error -want +got:\n%s", tc.reason, diff)
			}
			if diff := cmp.Diff(tc.wantSent, f.sent); diff != "" {
				t.Errorf("%s: Update() sent -want +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestSinkID(t *testing.T) {
	cases := map[string]struct {
		logs, path string
		id         int32
		ok         bool
	}{
		"Console": {logs: "0:stderr", path: "stderr", id: 0, ok: true},
		"File":    {logs: "0:stderr;1:/var/log/asd.log", path: "/var/log/asd.log", id: 1, ok: true},
		"Missing": {logs: "0:stderr", path: "/var/log/asd.log"},
		"Garbled": {logs: "x:stderr", path: "stderr"},
	}
	for name, tc := range cases {
		if id, ok := sinkID(tc.logs, tc.path); id != tc.id || ok != tc.ok {
			t.Errorf("%s: sinkID(%q, %q) = %d, %v; want %d, %v", name, tc.logs, tc.path, id, ok, tc.id, tc.ok)
		}
	}
}
