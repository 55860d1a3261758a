package xpkg

import (
	"context"
	"strings"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// Push runs the real crossplane CLI at cli to push files, the package files
// of one package (one per platform, or one for a Configuration), as ref,
// REGISTRY/REPOSITORY:TAG:
//
//	cli xpkg push --package-files=FILE[,FILE...] ref
//
// More than one file makes an OCI image index of them, one manifest per
// platform. env, when not nil, is the CLI's whole environment (a test
// gives it an empty DOCKER_CONFIG); otherwise it inherits this process's,
// with the registry credentials `docker login` left there.
func Push(ctx context.Context, cli, ref string, env []string, files ...string) error {
	if len(files) == 0 {
		return errors.Errorf("no package files to push as %s", ref)
	}
	return runCLI(ctx, cli, "", env, "xpkg", "push", "--package-files="+strings.Join(files, ","), ref)
}
