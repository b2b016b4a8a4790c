// Package compose holds the test of deploy/compose/compose.yaml; Docker is not needed.
package compose

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
)

func load(t *testing.T) *types.Project {
	t.Helper()
	opts, err := cli.NewProjectOptions([]string{"compose.yaml"},
		cli.WithWorkingDirectory("."),
		cli.WithEnv([]string{}),
		cli.WithProfiles([]string{"*"}),
		cli.WithResolvedPaths(true),
	)
	if err != nil {
		t.Fatal(err)
	}
	p, err := opts.LoadProject(context.Background())
	if err != nil {
		t.Fatalf("load compose.yaml: %v", err)
	}
	return p
}

// The file loads with the compose-spec loader and has every service the stack needs.
func TestComposeLoads(t *testing.T) {
	p := load(t)
	var names []string
	for name := range p.Services {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, want := range []string{"api", "worker", "postgres", "prometheus", "grafana"} {
		if !slices.Contains(names, want) {
			t.Errorf("services = %v, want %s among them", names, want)
		}
	}
	for _, role := range []string{"api", "worker"} {
		s := p.Services[role]
		if got := strings.Join(s.Command, " "); got != role {
			t.Errorf("%s runs %q, want %q", role, got, role)
		}
		if s.Environment["DOCPIPE_ADDR"] == nil || *s.Environment["DOCPIPE_ADDR"] != ":8080" {
			t.Errorf("%s must listen on :8080 where Prometheus scrapes it", role)
		}
	}
}

// Every file or directory the services bind-mount exists in the repository.
func TestComposeBindMountsExist(t *testing.T) {
	p := load(t)
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	binds := 0
	for name, s := range p.Services {
		for _, v := range s.Volumes {
			if v.Type != types.VolumeTypeBind {
				continue
			}
			binds++
			if rel, err := filepath.Rel(root, v.Source); err != nil || strings.HasPrefix(rel, "..") {
				t.Errorf("%s mounts %s, outside the repository", name, v.Source)
				continue
			}
			if _, err := os.Stat(v.Source); err != nil {
				t.Errorf("%s mounts %s: %v", name, v.Source, err)
			}
		}
	}
	if binds == 0 {
		t.Fatal("no bind mounts found; the Prometheus and Grafana configuration is not mounted")
	}
	dashboards, _ := filepath.Glob(filepath.Join(root, "deploy/observability/grafana/dashboards/*.json"))
	if len(dashboards) == 0 {
		t.Error("no dashboards to mount in deploy/observability/grafana/dashboards")
	}
}

// Grafana's dashboard provider reads the directory the dashboards are mounted at.
func TestGrafanaProvisioningPath(t *testing.T) {
	p := load(t)
	provider, err := os.ReadFile("../observability/grafana/provisioning/dashboards/docpipe.yml")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range p.Services["grafana"].Volumes {
		if strings.HasSuffix(v.Source, "grafana/dashboards") {
			if !strings.Contains(string(provider), "path: "+v.Target+"\n") {
				t.Errorf("dashboards are mounted at %s but the provider reads another path", v.Target)
			}
			return
		}
	}
	t.Error("grafana does not mount the generated dashboards")
}

// docpipe's roles use the PostgreSQL service and wait for it to be healthy.
func TestComposeUsesPostgres(t *testing.T) {
	p := load(t)
	for _, role := range []string{"api", "worker"} {
		s := p.Services[role]
		url := s.Environment["DOCPIPE_DATABASE_URL"]
		if url == nil || !strings.HasPrefix(*url, "postgres://") || !strings.Contains(*url, "@postgres:5432/") {
			t.Errorf("%s: DOCPIPE_DATABASE_URL = %v, want the postgres service", role, url)
		}
		if d, ok := s.DependsOn["postgres"]; !ok || d.Condition != types.ServiceConditionHealthy {
			t.Errorf("%s does not wait for a healthy postgres", role)
		}
	}
}
