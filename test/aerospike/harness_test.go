package aerospike

import (
	"net"
	"strings"
	"testing"
)

// TestRefusedConfig boots a config the server refuses and expects the
// error to quote the server's reason.
func TestRefusedConfig(t *testing.T) {
	t.Parallel()
	Require(t)
	conf := strings.Replace(renderedMinimal, "data-size 1073741824", "data-size 1048576", 1)
	_, err := bootCluster(t, []byte(conf), "", 1)
	if err == nil {
		t.Fatal("bootCluster() of a config with a 1 MiB data-size succeeded, want asd to refuse it")
	}
	for _, want := range []string{"it exited before it was ready", "aerospike.conf line 33: data-size 1048576", "CRITICAL lines:", "data-size must be >="} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("bootCluster() error does not contain %q:\n%v", want, err)
		}
	}
}

// TestPortCollision hands a node a port another listener holds: asd waits
// for it rather than failing, and the harness moves the node to new ports.
// It is not parallel because it replaces pickPorts; parallel tests start
// only after it has put it back.
func TestPortCollision(t *testing.T) {
	RequireBinary(t, "")
	l, err := (&net.ListenConfig{}).Listen(t.Context(), "tcp", net.JoinHostPort(loopback, "0"))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = l.Close() }()
	taken := l.Addr().(*net.TCPAddr).Port
	calls := 0
	defer func(orig func(int) ([]int, error)) { pickPorts = orig }(pickPorts)
	pickPorts = func(n int) ([]int, error) {
		calls++
		p, err := freePorts(n)
		if err == nil && calls == 1 {
			p[1] = taken // the fabric port, which asd binds first
		}
		return p, err
	}
	c := Start(t, Options{})
	n := c.Nodes()[0]
	if calls < 2 || n.Ports().Fabric == taken {
		t.Errorf("node runs on fabric port %d after %d port picks; want a second pick away from the taken port %d", n.Ports().Fabric, calls, taken)
	}
	if !strings.Contains(string(n.logSince(0)), logPortInUse) {
		t.Errorf("the log of %s does not show the first run waiting for port %d", n, taken)
	}
}
