// Command xpkg builds and publishes xp-aerospike's packages; `make xpkg`
// and `make publish` run it.
//
//	go run ./hack/xpkg build --cli=CROSSPLANE --version=v0.2.0 --revision=SHA \
//	    [--registry=xpkg.crossplane.io/xp-aerospike] [--platforms=linux/amd64,linux/arm64] [--output=_output/xpkg]
//	go run ./hack/xpkg push --cli=CROSSPLANE --registry=REGISTRY [--output=_output/xpkg]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"strings"

	"github.com/xp-aerospike/xp-aerospike/internal/xpkg"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("xpkg: ")
	if err := run(); err != nil {
		log.Fatal(err)
	}
}

// run is main, apart from the exit, so that its deferred calls run.
func run() error {
	if len(os.Args) < 2 {
		return errors.New("usage: xpkg build|push [flags]")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	cli := fs.String("cli", "crossplane", "the crossplane CLI")
	output := fs.String("output", "_output/xpkg", "the folder of the package files and their manifest")
	registry := fs.String("registry", xpkg.DefaultRegistry, "where the packages are pushed; a Configuration's dependency names the function there")

	var err error
	switch os.Args[1] {
	case "build":
		version := fs.String("version", "", "the packages' semantic version and tag")
		revision := fs.String("revision", "", "the commit the packages are built from")
		platforms := fs.String("platforms", strings.Join(xpkg.Platforms, ","), "the os/arch pairs of the runtimes")
		_ = fs.Parse(os.Args[2:])
		err = build(ctx, xpkg.Release{
			Root: ".", CLI: *cli, Version: *version, Revision: *revision, Registry: strings.TrimSuffix(*registry, "/"),
			Platforms: strings.Split(*platforms, ","), Packages: xpkg.Packages, Output: *output, Logf: log.Printf,
		})
	case "push":
		_ = fs.Parse(os.Args[2:])
		err = push(ctx, *cli, *output, strings.TrimSuffix(*registry, "/"))
	default:
		err = fmt.Errorf("unknown command %q: want build or push", os.Args[1])
	}
	return err
}

func build(ctx context.Context, r xpkg.Release) error {
	m, err := r.Build(ctx)
	if err != nil {
		return err
	}
	fmt.Printf("%s %s for %s, in %s:\n", m.Version, m.Revision, m.Registry, r.Output)
	for _, b := range m.Packages {
		for _, f := range b.Files {
			line := fmt.Sprintf("  %-44s %s", f.Path, f.Digest)
			if f.Runtime != nil {
				line += fmt.Sprintf("  runtime image %.1f MB compressed, %.1f MB unpacked", mb(f.Runtime.Compressed), mb(f.Runtime.Uncompressed))
			}
			fmt.Println(line)
		}
	}
	return nil
}

// push publishes the release in dir to registry, which must be the one
// it was built for: its Configurations name the function there.
func push(ctx context.Context, cli, dir, registry string) error {
	m, err := xpkg.ReadManifest(dir)
	if err != nil {
		return err
	}
	if registry != m.Registry {
		return fmt.Errorf("the packages in %s were built for %s, whose function their Configurations depend on; build them for %s first (make xpkg REGISTRY=%s)", dir, m.Registry, registry, registry)
	}
	refs, err := m.Push(ctx, cli, dir, registry, nil)
	if err != nil {
		return err
	}
	for _, b := range m.Packages {
		fmt.Println("pushed", refs[b.Name])
	}
	return nil
}

func mb(n int64) float64 { return float64(n) / 1e6 }
