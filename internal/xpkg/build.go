package xpkg

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// Build runs the real crossplane CLI at cli to build the package whose
// crossplane.yaml is in packageRoot into the file out:
//
//	cli xpkg build --package-root=packageRoot --examples-root=examplesRoot
//	    [--embed-runtime-image-tarball=runtimeTarball] --package-file=out
//
// It is the CLI rather than a library call because the CLI is what users
// and releases build with: its parser and linter decide whether a package
// is valid, and its output is what core will unpack.
//
// examplesRoot may be empty for a package without examples. The CLI would
// then read ./examples relative to its working folder, which from the
// repository root is the render inputs in examples/, not package examples;
// so Build names a folder that does not exist instead, which the CLI takes
// as "no examples". runtimeTarball may be empty for a package without a
// runtime, such as a Configuration; otherwise it is an image tarball, as
// WriteRuntimeTarball writes. Relative paths are made absolute, because the
// CLI skips every package file whose path contains the examples root as
// written, so a short relative one could hide package files.
func Build(ctx context.Context, cli, packageRoot, examplesRoot, runtimeTarball, out string) error {
	abs := func(p string) (string, error) {
		a, err := filepath.Abs(p)
		return a, errors.Wrapf(err, "cannot make %s absolute", p)
	}

	root, err := abs(packageRoot)
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(root, "crossplane.yaml")); err != nil {
		return errors.Wrapf(err, "%s is not a package root", root)
	}
	dst, err := abs(out)
	if err != nil {
		return err
	}

	if examplesRoot == "" {
		none, err := os.MkdirTemp("", "xpkg-no-examples-")
		if err != nil {
			return errors.Wrap(err, "cannot make a folder for the absent examples")
		}
		defer func() { _ = os.RemoveAll(none) }()
		examplesRoot = filepath.Join(none, "none")
	}
	ex, err := abs(examplesRoot)
	if err != nil {
		return err
	}

	args := []string{"xpkg", "build", "--package-root=" + root, "--examples-root=" + ex}
	if runtimeTarball != "" {
		rt, err := abs(runtimeTarball)
		if err != nil {
			return err
		}
		args = append(args, "--embed-runtime-image-tarball="+rt)
	}
	args = append(args, "--package-file="+dst)

	// The CLI resolves nothing against its working folder now, but a
	// folder of its own keeps a future default from picking up whatever
	// the caller happens to run in.
	return runCLI(ctx, cli, filepath.Dir(dst), nil, args...)
}

// runCLI runs the crossplane CLI at cli with args in dir, with the
// environment env (nil: this process's), and returns an error carrying what
// the CLI said when it fails.
func runCLI(ctx context.Context, cli, dir string, env []string, args ...string) error {
	cmd := exec.CommandContext(ctx, cli, args...) //nolint:gosec // The CLI the caller built or was given.
	cmd.Dir = dir
	cmd.Env = env
	var output bytes.Buffer
	cmd.Stdout = &output
	cmd.Stderr = &output
	if err := cmd.Run(); err != nil {
		return errors.Errorf("%s %s: %w: %s", cli, strings.Join(args, " "), err, bytes.TrimSpace(output.Bytes()))
	}
	return nil
}
