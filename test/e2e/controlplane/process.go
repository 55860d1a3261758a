package controlplane

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// stopTimeout bounds a clean shutdown before the process is killed.
const stopTimeout = 15 * time.Second

// A Process is a program the harness runs beside the test: Crossplane
// core, our function, our provider. Its output goes to a log file, whose
// tail a failing test prints; it is stopped when the test ends, also when
// the test fails.
type Process struct {
	name string
	cmd  *exec.Cmd
	log  string
	done chan struct{}
	err  error // valid once done is closed

	mu      sync.Mutex
	stopped bool
}

// Run starts a program with args and the extra environment env, logging
// to dir/name.log, and stops it when t ends.
func Run(t testing.TB, dir, name, bin string, args, env []string) *Process {
	t.Helper()
	p, err := run(dir, name, bin, args, env)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := p.Stop(); err != nil {
			t.Logf("%s: %v", name, err)
		}
		if t.Failed() {
			t.Logf("%s", p.Tail(40))
		}
	})
	return p
}

func run(dir, name, bin string, args, env []string) (*Process, error) {
	log := filepath.Join(dir, name+".log")
	f, err := os.Create(log)
	if err != nil {
		return nil, errors.Wrapf(err, "cannot create the log of %s", name)
	}
	cmd := exec.CommandContext(context.Background(), bin, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = f, f
	// Its own process group, so that a stop reaches what it starts.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		_ = f.Close()
		return nil, errors.Wrapf(err, "cannot start %s (%s)", name, bin)
	}
	p := &Process{name: name, cmd: cmd, log: log, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		_ = f.Close()
		close(p.done)
	}()
	return p, nil
}

// Exited reports whether the process has ended, and how, if it was not
// stopped by the harness.
func (p *Process) Exited() error {
	select {
	case <-p.done:
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.stopped {
			return nil
		}
		return errors.Errorf("%s exited: %v\n%s", p.name, p.err, p.Tail(30))
	default:
		return nil
	}
}

// Stop sends SIGTERM to the process group and SIGKILL after stopTimeout.
func (p *Process) Stop() error {
	p.mu.Lock()
	p.stopped = true
	p.mu.Unlock()
	select {
	case <-p.done:
		return nil
	default:
	}
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-p.done:
		return nil
	case <-time.After(stopTimeout):
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		<-p.done
		return errors.Errorf("did not stop within %s of SIGTERM; killed", stopTimeout)
	}
}

// Tail returns the last n lines of the process's log, for a person
// debugging a failure.
func (p *Process) Tail(n int) string {
	b, err := os.ReadFile(p.log)
	if err != nil {
		return fmt.Sprintf("%s: no log: %v", p.name, err)
	}
	lines := bytes.Split(bytes.TrimRight(b, "\n"), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return fmt.Sprintf("last %d lines of %s (%s):\n  %s", len(lines), p.name, p.log, strings.ReplaceAll(string(bytes.Join(lines, []byte("\n"))), "\n", "\n  "))
}
