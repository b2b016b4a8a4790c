// Package observability holds the tests of docpipe's Prometheus configuration and rules.
package observability

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/docpipe/docpipe/internal/testenv"
)

func promtool(t *testing.T) string {
	return testenv.Tool(t, "promtool", "install the prometheus package (scripts/deps.sh --test)")
}

func run(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command(promtool(t), args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Errorf("promtool %v: %v\n%s", args, err, out)
	}
}

func TestPrometheusConfig(t *testing.T) {
	run(t, "prometheus", "check", "config", "prometheus.yml")
}

func TestRules(t *testing.T) {
	rules, _ := filepath.Glob("prometheus/rules/*.yml")
	if len(rules) == 0 {
		t.Fatal("no rule files in prometheus/rules")
	}
	run(t, ".", append([]string{"check", "rules"}, rules...)...)
}

// Every rule file has a unit test file, and all of them pass.
func TestRuleUnitTests(t *testing.T) {
	rules, _ := filepath.Glob("prometheus/rules/*.yml")
	var tests []string
	for _, r := range rules {
		name := filepath.Base(r)
		test := filepath.Join("tests", name[:len(name)-len(".yml")]+"_test.yml")
		if _, err := os.Stat(filepath.Join("prometheus", test)); err != nil {
			t.Errorf("%s has no unit tests: %v", r, err)
			continue
		}
		tests = append(tests, test)
	}
	run(t, "prometheus", append([]string{"test", "rules"}, tests...)...)
}
