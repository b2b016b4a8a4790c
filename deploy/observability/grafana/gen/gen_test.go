package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/grafana/grafana-foundation-sdk/go/cog/plugins"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
)

const dir = "../dashboards"

// The committed dashboards are exactly what the generator produces now.
func TestCommittedDashboardsAreGenerated(t *testing.T) {
	files, err := render()
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range files {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Errorf("%v; run `go run ./deploy/observability/grafana/gen` from the repository root", err)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from the generator's output; run `go run ./deploy/observability/grafana/gen` from the repository root", name)
		}
	}
	committed, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	for _, path := range committed {
		if _, ok := files[filepath.Base(path)]; !ok {
			t.Errorf("%s is not produced by the generator; delete it", path)
		}
	}
}

// Every dashboard reads back through the SDK, every panel has a query, and ids and uids are unique.
func TestDashboardsRoundTrip(t *testing.T) {
	plugins.RegisterDefaultPlugins()
	files, err := render()
	if err != nil {
		t.Fatal(err)
	}
	var uids []string
	for name, data := range files {
		var d dashboard.Dashboard
		if err := json.Unmarshal(data, &d); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if d.Uid == nil || slices.Contains(uids, *d.Uid) {
			t.Errorf("%s: missing or duplicate uid", name)
		} else {
			uids = append(uids, *d.Uid)
		}
		ids := map[uint32]bool{}
		for _, p := range d.Panels {
			switch {
			case p.RowPanel != nil:
				if ids[p.RowPanel.Id] {
					t.Errorf("%s: duplicate panel id %d", name, p.RowPanel.Id)
				}
				ids[p.RowPanel.Id] = true
			case p.Panel != nil:
				if p.Panel.Id == nil || ids[*p.Panel.Id] {
					t.Errorf("%s: panel %q has a missing or duplicate id", name, deref(p.Panel.Title))
					continue
				}
				ids[*p.Panel.Id] = true
				if len(p.Panel.Targets) == 0 {
					t.Errorf("%s: panel %q has no query", name, deref(p.Panel.Title))
				}
			}
		}
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
