package names

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/util/validation"
)

func TestFor(t *testing.T) {
	long := strings.Repeat("a", 63)
	cases := map[string]struct {
		reason string
		xr     string
		want   map[string]string
	}{
		"Short": {
			reason: "a short name is used as is",
			xr:     "orders",
			want: map[string]string{
				"client":     "orders",
				"headless":   "orders-headless",
				"config":     "orders-config",
				"secret":     "orders-connection",
				"sts":        "orders-3",
				"pdb":        "orders",
				"stsBigRack": "orders-1000000",
			},
		},
		"LeadingDigit": {
			reason: "Service names must start with a letter",
			xr:     "1db",
			want: map[string]string{
				"client":     "as-1db",
				"headless":   "as-1db-headless",
				"config":     "as-1db-config",
				"secret":     "as-1db-connection",
				"sts":        "as-1db-3",
				"pdb":        "as-1db",
				"stsBigRack": "as-1db-1000000",
			},
		},
		"Long": {
			reason: "a 63 character name is shortened with a hash to fit every limit",
			xr:     long,
			want: map[string]string{
				"client":     long,
				"headless":   strings.Repeat("a", 45) + "-" + shortHash(long) + "-headless",
				"config":     strings.Repeat("a", 47) + "-" + shortHash(long) + "-config",
				"secret":     strings.Repeat("a", 43) + "-" + shortHash(long) + "-connection",
				"sts":        strings.Repeat("a", 41) + "-" + shortHash(long) + "-3",
				"pdb":        long,
				"stsBigRack": strings.Repeat("a", 35) + "-" + shortHash(long) + "-1000000",
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			n := For(tc.xr)
			got := map[string]string{
				"client":     n.ClientService(),
				"headless":   n.HeadlessService(),
				"config":     n.ConfigMap(),
				"secret":     n.ConnectionSecret(),
				"sts":        n.StatefulSet(3),
				"pdb":        n.PodDisruptionBudget(),
				"stsBigRack": n.StatefulSet(1000000),
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s: -want +got:\n%s", tc.reason, diff)
			}
		})
	}
}

// TestNamesAreValid checks every derived name against the API server's own
// rules, for names of every length and shape an XR may have.
func TestNamesAreValid(t *testing.T) {
	for _, xr := range []string{"a", "0", "orders", "my.db.v2", "9-lives", strings.Repeat("x", 63), strings.Repeat("7", 63), strings.Repeat("a.", 31) + "a"} {
		n := For(xr)
		for what, name := range map[string]string{
			"client": n.ClientService(), "headless": n.HeadlessService(), "pdb": n.PodDisruptionBudget(),
			"config": n.ConfigMap(), "secret": n.ConnectionSecret(),
		} {
			if errs := validation.IsDNS1035Label(name); len(errs) > 0 {
				t.Errorf("For(%q) %s name %q: %v", xr, what, name, errs)
			}
		}
		for _, rack := range []int32{0, 1, 1000000} {
			sts := n.StatefulSet(rack)
			if len(sts) > MaxStatefulSet {
				t.Errorf("For(%q).StatefulSet(%d) = %q: longer than %d", xr, rack, sts, MaxStatefulSet)
			}
			// The pod with the highest ordinal a database can have.
			if errs := validation.IsDNS1123Label(sts + "-255"); len(errs) > 0 {
				t.Errorf("pod name of For(%q).StatefulSet(%d): %v", xr, rack, errs)
			}
		}
		for k, v := range n.Labels("database") {
			if errs := validation.IsValidLabelValue(v); len(errs) > 0 {
				t.Errorf("For(%q) label %s=%q: %v", xr, k, v, errs)
			}
		}
	}
}

func TestNamesDoNotCollide(t *testing.T) {
	a, b := For("my.db"), For("my-db")
	if a.ClientService() == b.ClientService() {
		t.Errorf("For(%q) and For(%q) share the Service name %q", "my.db", "my-db", a.ClientService())
	}
	x, y := For(strings.Repeat("a", 60)+"xyz"), For(strings.Repeat("a", 60)+"xyw")
	if x.HeadlessService() == y.HeadlessService() {
		t.Errorf("two long names share the headless Service name %q", x.HeadlessService())
	}
}

func TestVolume(t *testing.T) {
	cases := map[string]string{
		"orders": "data-orders",
		"Orders": "data-orders-" + shortHash("Orders"),
		"my_ns":  "data-my-ns-" + shortHash("my_ns"),
		"my-ns":  "data-my-ns",
	}
	for ns, want := range cases {
		got := Volume(ns)
		if got != want {
			t.Errorf("Volume(%q) = %q, want %q", ns, got, want)
		}
		if errs := validation.IsDNS1123Label(got); len(errs) > 0 {
			t.Errorf("Volume(%q) = %q: %v", ns, got, errs)
		}
	}
}

func TestMember(t *testing.T) {
	n := For("orders")
	cases := map[string]string{
		"orders-app": "orders-user-orders-app",
		"Orders_App": "orders-user-orders-app-" + shortHash("Orders_App"),
		"a.b@c":      "orders-user-a-b-c-" + shortHash("a.b@c"),
	}
	for name, want := range cases {
		got := n.Member("user", name)
		if got != want {
			t.Errorf("Member(user, %q) = %q, want %q", name, got, want)
		}
		if errs := validation.IsDNS1123Label(got); len(errs) > 0 {
			t.Errorf("Member(user, %q) = %q: %v", name, got, errs)
		}
	}
	if n.Member("user", "Orders_App") == n.Member("user", "orders-app") {
		t.Error("two users share an object name")
	}
	long := n.Member("role", strings.Repeat("r", 63))
	if len(long) > MaxLabel {
		t.Errorf("Member of a long name is %d long", len(long))
	}
}
