package securityserver

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	as "github.com/aerospike/aerospike-client-go/v8"

	"github.com/xp-aerospike/xp-aerospike/test/testenv"
)

// This file starts a real Aerospike Community server for the tests that
// must agree with one. It is deliberately small: test/aerospike has the
// full harness; this package must not depend on it.

// communityConfig is the minimal single-node loopback configuration
// (shared/aerospike/README.md). Replication factor 1, as the fake reports.
const communityConfig = `service {
	run-as-daemon false
	work-directory {{dir}}/work
	pidfile {{dir}}/asd.pid
	cluster-name securityserver
}
mod-lua {
	user-path {{dir}}/work/usr/udf/lua
}
logging {
	console {
		context any warning
	}
}
network {
	service {
		address 127.0.0.1
		access-address 127.0.0.1
		port {{service}}
	}
	heartbeat {
		mode mesh
		address 127.0.0.1
		port {{heartbeat}}
	}
	fabric {
		address 127.0.0.1
		port {{fabric}}
	}
}
namespace test {
	replication-factor 1
	storage-engine memory {
		data-size 1G
	}
}
`

// communityBinary finds asd: $AEROSPIKE_ASD, else the 8.1.2.0 binary in
// shared/aerospike next to the repository. When there is none it returns ""
// after a skipped subtest that says how to get one, or fails t if CI=true.
func communityBinary(t *testing.T) string {
	t.Helper()
	path := os.Getenv("AEROSPIKE_ASD")
	if path == "" {
		out, err := exec.CommandContext(t.Context(), "go", "env", "GOMOD").Output()
		if err != nil {
			t.Fatalf("cannot find the repository root with go env GOMOD: %v", err)
		}
		root := filepath.Dir(strings.TrimSpace(string(out)))
		path = filepath.Join(root, "..", "shared", "aerospike", "asd-ce-8.1.2.0")
	}
	if _, err := os.Stat(path); err != nil {
		msg := fmt.Sprintf("no Aerospike Community server at %s (%v): set AEROSPIKE_ASD to an asd binary "+
			"(linux/amd64, e.g. shared/aerospike/asd-ce-8.1.2.0) to compare with a real server", path, err)
		if testenv.CI() {
			t.Fatal(msg)
		}
		t.Run("CommunityServer", func(t *testing.T) { t.Skip(msg) })
		return ""
	}
	return path
}

// startCommunity runs a real Community server for the rest of t and returns
// its address once a client can connect to it, or nil when there is no
// binary (see communityBinary).
func startCommunity(t *testing.T) *as.Host {
	t.Helper()
	bin := communityBinary(t)
	if bin == "" {
		return nil
	}
	dir := t.TempDir()
	for _, d := range []string{"work/smd", "work/usr/udf/lua"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o750); err != nil {
			t.Fatal(err)
		}
	}
	ports := freePorts(t, 3)
	conf := strings.NewReplacer("{{dir}}", dir, "{{service}}", fmt.Sprint(ports[0]),
		"{{fabric}}", fmt.Sprint(ports[1]), "{{heartbeat}}", fmt.Sprint(ports[2])).Replace(communityConfig)
	confPath := filepath.Join(dir, "aerospike.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	logPath := filepath.Join(dir, "asd.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close() // asd holds its own descriptor.
	logs := func() string { b, _ := os.ReadFile(logPath); return string(b) }
	cmd := exec.CommandContext(context.Background(), bin, "--foreground", "--config-file", confPath)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatalf("cannot start %s: %v", bin, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM) // asd shuts down cleanly in about a second
		select {
		case <-exited: //nolint:errcheck // Stopped by the test: the exit status says nothing.
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited //nolint:errcheck // Killed: the exit status says nothing.
		}
	})

	host := as.NewHost("127.0.0.1", ports[0])
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := dial(host, "", "")
		if err == nil {
			c.Close()
			return host
		}
		select {
		case werr := <-exited:
			t.Fatalf("asd exited before serving (%v):\n%s", werr, logs())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("asd did not serve within 30s: %v\n%s", err, logs())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// freePorts finds n ports free on 127.0.0.1 by listening and letting go.
// Another process could take one in between; asd would then fail to start
// and the test says so.
func freePorts(t *testing.T, n int) []int {
	t.Helper()
	ports := make([]int, 0, n)
	// Every listener is held until all n are chosen, so the ports differ.
	lns := make([]net.Listener, 0, n)
	defer func() {
		for _, ln := range lns {
			_ = ln.Close()
		}
	}()
	var lc net.ListenConfig
	for range n {
		ln, err := lc.Listen(t.Context(), "tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		lns = append(lns, ln)
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
	}
	return ports
}
