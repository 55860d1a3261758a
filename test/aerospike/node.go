package aerospike

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	as "github.com/aerospike/aerospike-client-go/v8"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// Log lines the harness watches for.
const (
	logReady = "service ready: soon there will be cake!"
	// asd does not fail when a port is taken: it logs this and retries
	// until it can bind.
	logPortInUse = " in use, waiting"
	logCritical  = "CRITICAL ("
)

// Bounds of the waits that concern one process.
const (
	// stopTimeout bounds a clean shutdown (about 1 s when idle) before
	// SIGKILL.
	stopTimeout = 30 * time.Second
	// killTimeout bounds how long a SIGKILLed process takes to be reaped.
	killTimeout = 10 * time.Second
	// infoTimeout bounds one info request.
	infoTimeout = 5 * time.Second
	// tailLines is how much of a node's log a failure message quotes.
	tailLines = 25
)

// errPortInUse tells Start to retry a node on other ports.
var errPortInUse = errors.New("a port is in use")

// A Node is one Aerospike server of a Cluster: an asd process the harness
// started, or a server named by AEROSPIKE_ADDRESS, which the harness can
// ask but not stop.
type Node struct {
	c     *Cluster
	name  string
	dir   string
	host  *as.Host
	ports Ports
	bin   Binary

	mu   sync.Mutex
	proc *process
	// last is the most recent process, kept after it exited so that its
	// log and exit status can still be reported.
	last *process
}

// process is one run of asd.
type process struct {
	cmd      *exec.Cmd
	done     chan struct{}
	err      error // valid once done is closed
	logStart int64
	// expected is set by Stop and Kill, so that cleanup can tell a node
	// the test stopped from one that died by itself.
	expected bool
}

// Name is the harness's name for the node, such as n0, used in messages
// and as the name of its directory.
func (n *Node) Name() string { return n.name }

// Version is the server version the node runs, or "" for an external
// server.
func (n *Node) Version() string { return n.bin.Version }

// Dir is the node's directory: aerospike.conf, asd.log, work/ and data/.
// It survives Stop, Kill and Start, and is removed after the test.
func (n *Node) Dir() string { return n.dir }

// LogPath is the file that collects the node's stdout and stderr across
// all its runs.
func (n *Node) LogPath() string { return filepath.Join(n.dir, "asd.log") }

// Host is the node's service address, for clients.
func (n *Node) Host() *as.Host { return as.NewHost(n.host.Name, n.host.Port) }

// Ports are the node's ports; zero for an external server.
func (n *Node) Ports() Ports { return n.ports }

// Running reports whether the node's process is alive (always true for an
// external server).
func (n *Node) Running() bool {
	if n.external() {
		return true
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.proc != nil
}

// PID is the operating-system id of the node's running process, or 0 when
// none runs: a test tells a node that kept running from one that
// restarted by it.
func (n *Node) PID() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.proc == nil || n.proc.cmd.Process == nil {
		return 0
	}
	return n.proc.cmd.Process.Pid
}

func (n *Node) external() bool { return n.bin.Path == "" }

// String returns the node's name and service address.
func (n *Node) String() string {
	return fmt.Sprintf("%s (%s:%d)", n.name, n.host.Name, n.host.Port)
}

// Start starts the node's process with the same directory, ports and data
// files as before, and waits until it reports service ready. A node the
// cluster has added is started already; Start is for after Stop or Kill.
func (n *Node) Start() error {
	if n.external() {
		return errors.Errorf("cannot start %s: it is a server the harness did not start", n)
	}
	return n.start(false)
}

// Restart stops the node cleanly and starts it again.
func (n *Node) Restart() error {
	if err := n.Stop(); err != nil {
		return err
	}
	return n.Start()
}

// Upgrade stops the node cleanly and starts it again with the server of
// another version (see Env.Binary), with the same directory, ports and data
// files: what a rolling upgrade does to one pod.
func (n *Node) Upgrade(version string) error {
	b, err := LookupEnv().Binary(version)
	if err != nil {
		return errors.Wrapf(err, "cannot upgrade %s", n)
	}
	if err := n.Stop(); err != nil {
		return err
	}
	n.bin = b
	return n.Start()
}

// Stop sends SIGTERM and waits for a clean shutdown, which flushes
// persistent storage; after stopTimeout it sends SIGKILL and fails. It
// fails too when asd exits with an error.
func (n *Node) Stop() error {
	p, err := n.running("stop")
	if err != nil {
		return err
	}
	n.expect(p)
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(stopTimeout):
		if err := p.kill(); err != nil {
			return errors.Wrapf(err, "cannot stop %s: no clean shutdown within %s of SIGTERM", n, stopTimeout)
		}
		return errors.Errorf("cannot stop %s: no clean shutdown within %s of SIGTERM, killed it\n%s", n, stopTimeout, n.tail())
	}
	if p.err != nil {
		return errors.Wrapf(p.err, "cannot stop %s cleanly\n%s", n, n.tail())
	}
	return nil
}

// Kill sends SIGKILL, as a crash or an OOM kill would, and waits for the
// process to be gone.
func (n *Node) Kill() error {
	p, err := n.running("kill")
	if err != nil {
		return err
	}
	n.expect(p)
	return errors.Wrapf(p.kill(), "cannot kill %s", n)
}

// kill sends SIGKILL and waits, boundedly, for the process to be reaped.
func (p *process) kill() error {
	_ = p.cmd.Process.Kill()
	select {
	case <-p.done:
		return nil
	case <-time.After(killTimeout):
		return errors.Errorf("process %d still runs %s after SIGKILL", p.cmd.Process.Pid, killTimeout)
	}
}

// expect marks p's end as the test's doing.
func (n *Node) expect(p *process) {
	n.mu.Lock()
	defer n.mu.Unlock()
	p.expected = true
}

// running returns the live process, for an action that needs one.
func (n *Node) running(action string) (*process, error) {
	if n.external() {
		return nil, errors.Errorf("cannot %s %s: it is a server the harness did not start", action, n)
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.proc == nil {
		return nil, errors.Errorf("cannot %s %s: it is not running", action, n)
	}
	return n.proc, nil
}

// Info sends info commands to the node over a connection of its own, so it
// works before the client has found the node, and returns the answers by
// command.
func (n *Node) Info(cmds ...string) (map[string]string, error) {
	p := as.NewClientPolicy()
	p.Timeout = infoTimeout
	conn, err := as.NewConnection(p, n.host)
	if err != nil {
		return nil, errors.Wrapf(err, "cannot connect to %s", n)
	}
	defer conn.Close()
	res, err := conn.RequestInfo(cmds...)
	if err != nil {
		return nil, errors.Wrapf(err, "cannot send info %q to %s", cmds, n)
	}
	return res, nil
}

// Stats returns the node's `statistics`, parsed, such as cluster_size.
func (n *Node) Stats() (map[string]string, error) {
	return n.infoPairs("statistics")
}

// NamespaceStats returns the node's statistics of one namespace, such as
// objects and migrate_tx_partitions_remaining.
func (n *Node) NamespaceStats(ns string) (map[string]string, error) {
	return n.infoPairs("namespace/" + ns)
}

// infoPairs sends one info command whose answer is k=v;k=v.
func (n *Node) infoPairs(cmd string) (map[string]string, error) {
	res, err := n.Info(cmd)
	if err != nil {
		return nil, err
	}
	v, ok := res[cmd]
	if !ok {
		return nil, errors.Errorf("cannot get %q from %s: no answer", cmd, n)
	}
	if strings.HasPrefix(v, "ERROR") {
		return nil, errors.Errorf("cannot get %q from %s: %s", cmd, n, v)
	}
	return parsePairs(v), nil
}

// parsePairs splits k=v;k=v.
func parsePairs(s string) map[string]string {
	m := map[string]string{}
	for kv := range strings.SplitSeq(strings.TrimSpace(s), ";") {
		if k, v, ok := strings.Cut(kv, "="); ok {
			m[k] = v
		}
	}
	return m
}

// ID returns the node ID the server reports, which is the client's name
// for the node.
func (n *Node) ID() (string, error) {
	res, err := n.Info("node")
	if err != nil {
		return "", err
	}
	if res["node"] == "" {
		return "", errors.Errorf("cannot get the node ID of %s: empty answer", n)
	}
	return res["node"], nil
}

// RSS returns the resident memory of the node's process in bytes, from
// /proc.
func (n *Node) RSS() (int64, error) {
	p, err := n.running("measure")
	if err != nil {
		return 0, err
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		return 0, errors.Wrapf(err, "cannot read the status of %s", n)
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			f := strings.Fields(v)
			kb, err := strconv.ParseInt(f[0], 10, 64)
			if err != nil || len(f) != 2 || f[1] != "kB" {
				return 0, errors.Errorf("cannot parse VmRSS of %s: %q", n, line)
			}
			return kb << 10, nil
		}
	}
	return 0, errors.Errorf("cannot find VmRSS of %s in /proc", n)
}

// start writes the node's config and runs asd until it reports service
// ready. first marks the node's first start, when a port another process
// took is reported as errPortInUse so the caller can move the node; later
// asd simply waits for its ports, as it does after a crash in production.
func (n *Node) start(first bool) error {
	n.mu.Lock()
	if n.proc != nil {
		n.mu.Unlock()
		return errors.Errorf("cannot start %s: it is running", n)
	}
	n.mu.Unlock()
	conf, err := n.c.conf(n)
	if err != nil {
		return errors.Wrapf(err, "cannot write the config of %s", n)
	}
	confPath := filepath.Join(n.dir, "aerospike.conf")
	if err := os.WriteFile(confPath, conf, 0o600); err != nil {
		return errors.Wrapf(err, "cannot write the config of %s", n)
	}
	log, err := os.OpenFile(n.LogPath(), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return errors.Wrapf(err, "cannot open the log of %s", n)
	}
	defer func() { _ = log.Close() }() // The child has its own descriptor.
	fi, err := log.Stat()
	if err != nil {
		return errors.Wrapf(err, "cannot open the log of %s", n)
	}
	_, _ = fmt.Fprintf(log, "=== xp-aerospike harness: %s %s --foreground --config-file %s\n", time.Now().Format(time.RFC3339), n.bin.Path, confPath)

	cmd := exec.CommandContext(context.Background(), n.bin.Path, "--foreground", "--config-file", confPath)
	cmd.Dir = n.dir
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{
		// Its own process group keeps a terminal's Ctrl-C for the test
		// binary, which then takes the server down with it.
		Setpgid: true,
		// No server may outlive the test binary, even one killed by
		// go test -timeout before any cleanup runs.
		Pdeathsig: syscall.SIGKILL,
	}
	p := &process{cmd: cmd, done: make(chan struct{}), logStart: fi.Size()}
	if err := spawn(cmd); err != nil {
		return errors.Wrapf(err, "cannot start %s for %s", n.bin.Path, n)
	}
	go func() {
		p.err = cmd.Wait()
		n.mu.Lock()
		if n.proc == p {
			n.proc = nil
		}
		n.mu.Unlock()
		close(p.done)
	}()
	n.mu.Lock()
	n.proc, n.last = p, p
	n.mu.Unlock()

	if err := n.waitReady(p, first); err != nil {
		n.expect(p)
		if kerr := p.kill(); kerr != nil {
			return errors.Join(err, kerr)
		}
		return err
	}
	return nil
}

// waitReady waits for the log line that says the node serves clients,
// then for an info answer on the service port.
func (n *Node) waitReady(p *process, first bool) error {
	deadline := time.Now().Add(n.c.timeout)
	for {
		log := n.logSince(p.logStart)
		select {
		case <-p.done:
			return errors.Errorf("cannot start %s (asd %s): it exited before it was ready: %v\n%s%s", n, n.bin.Version, p.err, n.quoteConf(log), describeFailure(log))
		case <-n.c.cancel:
			return errors.Errorf("cannot start %s: canceled before it was ready", n)
		default:
		}
		if first && bytes.Contains(log, []byte(logPortInUse)) {
			return errPortInUse
		}
		if bytes.Contains(log, []byte(logReady)) {
			res, err := n.Info("status")
			if err == nil && res["status"] == "ok" {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return errors.Errorf("cannot start %s (asd %s): no %q in its log, or no info answer, within %s\n%s", n, n.bin.Version, logReady, n.c.timeout, describeFailure(log))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// confLineRef finds the config line numbers asd's CRITICAL messages name,
// "line 33 :: data-size must be >= ...".
var confLineRef = regexp.MustCompile(`CRITICAL \(config\).* line (\d+) ::`)

// quoteConf quotes the lines of the node's aerospike.conf that CRITICAL
// messages name: they number the lines of the file asd read, which for a
// rendered config is the rewritten one.
func (n *Node) quoteConf(log []byte) string {
	conf, err := os.ReadFile(filepath.Join(n.dir, "aerospike.conf"))
	if err != nil {
		return ""
	}
	lines := strings.Split(string(conf), "\n")
	var b strings.Builder
	for _, m := range confLineRef.FindAllSubmatch(log, -1) {
		i, _ := strconv.Atoi(string(m[1]))
		if i >= 1 && i <= len(lines) {
			fmt.Fprintf(&b, "aerospike.conf line %d: %s\n", i, strings.TrimSpace(lines[i-1]))
		}
	}
	return b.String()
}

// logSince returns the log from offset on.
func (n *Node) logSince(offset int64) []byte {
	f, err := os.Open(n.LogPath())
	if err != nil {
		return nil
	}
	defer func() { _ = f.Close() }()
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return nil
	}
	b, _ := io.ReadAll(f)
	return b
}

// tail describes the last run's log for a failure message.
func (n *Node) tail() string {
	n.mu.Lock()
	p := n.last
	n.mu.Unlock()
	if p == nil {
		return ""
	}
	return describeFailure(n.logSince(p.logStart))
}

// describeFailure quotes the CRITICAL lines of a log, which say why asd
// refused to run, and its last lines.
func describeFailure(log []byte) string {
	var crit, all []string
	sc := bufio.NewScanner(bytes.NewReader(log))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if len(line) > 300 {
			line = line[:300] + "…"
		}
		if strings.Contains(line, logCritical) {
			crit = append(crit, line)
		}
		all = append(all, line)
	}
	var b strings.Builder
	if len(crit) > 0 {
		b.WriteString("CRITICAL lines:\n  " + strings.Join(crit, "\n  ") + "\n")
	}
	if len(all) > tailLines {
		all = all[len(all)-tailLines:]
	}
	fmt.Fprintf(&b, "last %d log lines:\n  %s", len(all), strings.Join(all, "\n  "))
	return b.String()
}

// spawnRequests go to one goroutine locked to its OS thread for the life of
// the test binary. Pdeathsig fires when the thread that started a child
// exits, and Go may retire threads; a thread that never exits makes
// Pdeathsig mean "when the test binary exits".
var spawnRequests = sync.OnceValue(func() chan spawnRequest {
	ch := make(chan spawnRequest)
	go func() {
		runtime.LockOSThread()
		raiseFileLimit()
		for r := range ch {
			r.err <- r.cmd.Start()
		}
	}()
	return ch
})

type spawnRequest struct {
	cmd *exec.Cmd
	err chan error
}

func spawn(cmd *exec.Cmd) error {
	r := spawnRequest{cmd: cmd, err: make(chan error, 1)}
	spawnRequests() <- r
	return <-r.err
}

// raiseFileLimit lets asd inherit the hard RLIMIT_NOFILE as its soft
// limit. asd refuses to start when the limit is below proto-fd-max (15000
// by default) and does not raise it itself; Go raises its own soft limit
// at start-up but gives children the original one, often 1024, unless the
// program sets the limit itself, which this does.
func raiseFileLimit() {
	var r syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r); err != nil {
		return
	}
	r.Cur = r.Max
	_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &r)
}
