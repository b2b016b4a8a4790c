// Command dockerlint checks Dockerfiles with BuildKit's lint rules, the
// checks `docker build --check` runs, without a daemon or a registry: every
// base image resolves to a stub configuration for the target platform. Like
// BuildKit it reads a file's `# check=` directive, so experimental rules run
// when the file asks for them (`# check=experimental=all`).
//
// Usage:
//
//	dockerlint FILE...
//
// It prints each finding as FILE:LINE: RULE: message and exits 1 if there is
// any finding or a file does not parse, 2 on bad usage.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"sort"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	"github.com/moby/buildkit/frontend/dockerfile/dockerfile2llb"
	"github.com/moby/buildkit/frontend/dockerui"
	"github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

func main() {
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: dockerlint FILE...")
	}
	flag.Parse()
	if flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	os.Exit(run(context.Background(), os.Stdout, os.Stderr, flag.Args()))
}

func run(ctx context.Context, stdout, stderr io.Writer, files []string) int {
	code := 0
	for _, name := range files {
		dt, err := os.ReadFile(name)
		if err != nil {
			fmt.Fprintf(stderr, "dockerlint: %v\n", err)
			code = 1
			continue
		}
		findings, err := lint(ctx, name, dt)
		if err != nil {
			fmt.Fprintf(stderr, "dockerlint: %v\n", err)
			code = 1
		}
		for _, f := range findings {
			fmt.Fprintln(stdout, f)
			code = 1
		}
	}
	return code
}

// A finding is one rule's warning at a line of a Dockerfile.
type finding struct {
	File string
	Line int
	Rule string
	Msg  string
}

func (f finding) String() string { return fmt.Sprintf("%s:%d: %s: %s", f.File, f.Line, f.Rule, f.Msg) }

// lint runs BuildKit's rules over the Dockerfile dt, named name in findings.
// A Dockerfile that does not parse or cannot be converted is an error; the
// rules found so far are still returned.
func lint(ctx context.Context, name string, dt []byte) ([]finding, error) {
	platform := ocispecs.Platform{OS: "linux", Architecture: runtime.GOARCH}
	res, err := dockerfile2llb.DockerfileLint(ctx, dt, dockerfile2llb.ConvertOpt{
		Config: dockerui.Config{
			TargetPlatforms: []ocispecs.Platform{platform},
			BuildPlatforms:  []ocispecs.Platform{platform},
		},
		SourceMap:    &llb.SourceMap{Filename: name, Language: "Dockerfile", Data: dt, Definition: &llb.Definition{}},
		MetaResolver: stubResolver{},
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	var findings []finding
	for _, w := range res.Warnings {
		line := 0
		if w.Location != nil && len(w.Location.Ranges) > 0 {
			line = int(w.Location.Ranges[0].Start.Line)
		}
		findings = append(findings, finding{File: name, Line: line, Rule: w.RuleName, Msg: w.Detail})
	}
	sort.SliceStable(findings, func(i, j int) bool { return findings[i].Line < findings[j].Line })
	if res.Error != nil {
		return findings, fmt.Errorf("%s: %s", name, res.Error.Message)
	}
	return findings, nil
}

// stubResolver answers every base image with an empty configuration for
// the requested platform, so linting needs no registry.
type stubResolver struct{}

func (stubResolver) ResolveImageConfig(_ context.Context, ref string, opt sourceresolver.Opt) (string, digest.Digest, []byte, error) {
	p := ocispecs.Platform{OS: "linux", Architecture: runtime.GOARCH}
	if opt.ImageOpt != nil && opt.ImageOpt.Platform != nil {
		p = *opt.ImageOpt.Platform
	}
	dt, err := json.Marshal(ocispecs.Image{Platform: p, RootFS: ocispecs.RootFS{Type: "layers"}})
	if err != nil {
		return "", "", nil, err
	}
	return ref, digest.FromBytes(dt), dt, nil
}
