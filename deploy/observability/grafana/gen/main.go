// Command gen writes docpipe's Grafana dashboards, built with the Grafana Foundation SDK, as
// JSON files into deploy/observability/grafana/dashboards.
//
// Run it from the repository root after changing a dashboard:
//
//	go run ./deploy/observability/grafana/gen
//
// A test fails when the committed JSON differs from what the generator produces.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
)

func main() {
	out := flag.String("out", "deploy/observability/grafana/dashboards", "directory to write the dashboards to")
	flag.Parse()
	files, err := render()
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(*out, name), data, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "gen:", err)
			os.Exit(1)
		}
	}
}
