package external

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/xp-aerospike/xp-aerospike/function/internal/layout"
	"github.com/xp-aerospike/xp-aerospike/test/testenv"
)

// TestExternalScript runs the init container's script with the local
// /bin/sh and sed over a copy of the ConfigMap's volume: it waits for its
// pod's entry, then writes the rack's configuration with the address.
func TestScript(t *testing.T) {
	if _, err := exec.LookPath("sed"); err != nil {
		testenv.Unavailable(t, "no sed, which the init container's script runs")
	}
	cases := map[string]struct {
		reason string
		entry  string
		// resolve says the host is a name the script must wait to
		// resolve.
		resolve bool
		want    string
	}{
		"LoadBalancerIP":       {reason: "a load balancer's IP and port", entry: "203.0.113.10:3000", want: "alternate-access-address 203.0.113.10\nalternate-access-port 3000\n"},
		"LoadBalancerHostname": {reason: "a load balancer's host name, once it resolves", entry: "lb-1.elb.example.com:3000", resolve: true, want: "alternate-access-address lb-1.elb.example.com\nalternate-access-port 3000\n"},
		"IPv6":                 {reason: "an IPv6 address keeps its colons", entry: "2001:db8::1:3000", want: "alternate-access-address 2001:db8::1\nalternate-access-port 3000\n"},
		"NodePort":             {reason: "a node port on the pod's own node", entry: ":31234", want: "alternate-access-address 192.0.2.7\nalternate-access-port 31234\n"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			cmDir, confDir := filepath.Join(dir, "configmap"), filepath.Join(dir, "conf")
			for _, d := range []string{cmDir, confDir} {
				if err := os.MkdirAll(d, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			rack := "service {\n\talternate-access-address " + AddressPlaceholder + "\n\talternate-access-port " + PortPlaceholder + "\n}\n"
			if err := os.WriteFile(filepath.Join(cmDir, "rack-1.conf"), []byte(rack), 0o644); err != nil {
				t.Fatal(err)
			}
			script := Script("rack-1.conf")
			script = strings.ReplaceAll(script, ConfigMapDir, cmDir)
			script = strings.ReplaceAll(script, layout.ConfDir, confDir)
			script = strings.ReplaceAll(script, "sleep "+externalPollSeconds, "sleep 0.1")

			// A getent that resolves nothing until the name's record
			// exists: an address never needs it.
			bin := filepath.Join(dir, "bin")
			resolvable := filepath.Join(dir, "resolvable")
			if err := os.MkdirAll(bin, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(bin, "getent"), []byte("#!/bin/sh\n[ -e "+resolvable+" ]\n"), 0o755); err != nil {
				t.Fatal(err)
			}

			cmd := exec.CommandContext(t.Context(), "/bin/sh", "-c", script)
			cmd.Env = append(os.Environ(), "POD_NAME=db-1-0", "HOST_IP=192.0.2.7", "PATH="+bin+":"+os.Getenv("PATH"))
			var out strings.Builder
			cmd.Stdout, cmd.Stderr = &out, &out
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case err := <-done:
				t.Fatalf("the script must wait for its pod's address, it ended: %v\n%s", err, out.String())
			case <-time.After(300 * time.Millisecond):
			}
			// What the kubelet does when the function writes the address.
			if err := os.WriteFile(filepath.Join(cmDir, Key("db-1-0")), []byte(tc.entry), 0o644); err != nil {
				t.Fatal(err)
			}
			if tc.resolve {
				select {
				case err := <-done:
					t.Fatalf("the script must wait for the name to resolve, it ended: %v\n%s", err, out.String())
				case <-time.After(300 * time.Millisecond):
				}
				if err := os.WriteFile(resolvable, nil, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("script: %v\n%s", err, out.String())
				}
			case <-time.After(10 * time.Second):
				_ = cmd.Process.Kill()
				t.Fatalf("the script did not see its pod's address:\n%s", out.String())
			}
			got, err := os.ReadFile(filepath.Join(confDir, layout.ConfFile))
			if err != nil {
				t.Fatal(err)
			}
			want := "service {\n\t" + strings.ReplaceAll(strings.TrimSuffix(tc.want, "\n"), "\n", "\n\t") + "\n}\n"
			if diff := cmp.Diff(want, string(got)); diff != "" {
				t.Errorf("%s: aerospike.conf -want +got:\n%s", tc.reason, diff)
			}
		})
	}
}
