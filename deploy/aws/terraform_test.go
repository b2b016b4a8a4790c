// Package aws_test checks the Terraform stack in deploy/aws: formatting, validation, tflint,
// plan-level `terraform test` with a mock provider, and a real apply against moto followed by
// an end-to-end run of docpipe on what the apply created.
package aws_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/docpipe/docpipe/internal/store/postgres/pgtest"
	"github.com/docpipe/docpipe/internal/testenv"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// providerVersion is the hashicorp/aws version the lock file pins.
const providerVersion = "5.100.0"

// stack is a copy of deploy/aws in a temporary directory, run with a CLI configuration that
// installs the AWS provider from a local filesystem mirror only.
type stack struct {
	t   *testing.T
	bin string
	dir string
	env []string
}

// newStack copies the stack (without .terraform and Go files) to a temporary directory.
func newStack(t *testing.T) *stack {
	t.Helper()
	bin := testenv.Tool(t, "terraform", "install Terraform 1.6 or later")
	mirror := providerMirror(t)
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "stack")
	copyStack(t, ".", dir)
	env := testenv.TerraformEnv(t, mirror)
	return &stack{t: t, bin: bin, dir: dir, env: env}
}

// providerMirror finds a filesystem mirror that holds the pinned AWS provider: $DOCPIPE_TF_MIRROR,
// or where machine images and Terraform's docs put one.
func providerMirror(t *testing.T) string {
	t.Helper()
	home, _ := os.UserHomeDir()
	for _, dir := range []string{
		os.Getenv("DOCPIPE_TF_MIRROR"), "/opt/tf-plugins", "/usr/share/terraform/plugins",
		"/usr/local/share/terraform/plugins", filepath.Join(home, ".terraform.d", "plugins"),
	} {
		if dir == "" {
			continue
		}
		if _, err := os.Stat(filepath.Join(dir, "registry.terraform.io", "hashicorp", "aws", providerVersion)); err == nil {
			return dir
		}
	}
	testenv.Missing(t, "no Terraform filesystem mirror holds hashicorp/aws "+providerVersion+"; set DOCPIPE_TF_MIRROR")
	return ""
}

func copyStack(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, path)
		if d.IsDir() {
			if d.Name() == ".terraform" {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(to, rel), 0o750)
		}
		if strings.HasSuffix(path, ".go") || strings.HasPrefix(d.Name(), "terraform.tfstate") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), b, 0o600)
	})
	if err != nil {
		t.Fatalf("copy the stack: %v", err)
	}
}

// run runs terraform with args in the stack and returns its standard output.
func (s *stack) run(args ...string) (string, error) {
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(s.bin, args...)
	cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = s.dir, s.env, &stdout, &stderr
	err := cmd.Run()
	if err != nil {
		err = &runError{args: args, err: err, out: stdout.String() + stderr.String()}
	}
	return stdout.String(), err
}

type runError struct {
	args []string
	err  error
	out  string
}

func (e *runError) Error() string {
	return "terraform " + strings.Join(e.args, " ") + ": " + e.err.Error() + "\n" + e.out
}

func (e *runError) Unwrap() error { return e.err }

// must runs terraform and fails the test if it fails.
func (s *stack) must(args ...string) string {
	s.t.Helper()
	out, err := s.run(args...)
	if err != nil {
		s.t.Fatal(err)
	}
	return out
}

// exitCode is terraform's exit status in err, 0 for nil.
func exitCode(err error) int {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}

func (s *stack) write(name, content string) {
	s.t.Helper()
	if err := os.WriteFile(filepath.Join(s.dir, name), []byte(content), 0o600); err != nil {
		s.t.Fatal(err)
	}
}

func TestTerraformFormat(t *testing.T) {
	bin := testenv.Tool(t, "terraform", "install Terraform 1.6 or later")
	out, err := exec.Command(bin, "fmt", "-check", "-recursive", "-diff", ".").CombinedOutput()
	if err != nil {
		t.Errorf("terraform fmt -check: %v; run terraform fmt -recursive deploy/aws\n%s", err, out)
	}
}

// TestTerraformValidate initialises without a backend, with the committed lock file read-only,
// validates, runs tflint (core ruleset) and the plan-level tests in tests/ with a mock provider.
func TestTerraformValidate(t *testing.T) {
	s := newStack(t)
	s.must("init", "-backend=false", "-lockfile=readonly")
	s.must("validate")

	t.Run("tflint", func(t *testing.T) {
		tflint := testenv.Tool(t, "tflint", "run scripts/aws.sh, which builds tflint into the tool cache")
		cmd := exec.Command(tflint, "--recursive", "--config="+filepath.Join(s.dir, ".tflint.hcl"), "--format=compact")
		cmd.Dir, cmd.Env = s.dir, s.env
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("tflint: %v\n%s", err, out)
		}
	})
	t.Run("terraform test", func(t *testing.T) {
		out, err := s.run("test", "-no-color")
		if err != nil {
			t.Fatal(err)
		}
		m := regexp.MustCompile(`Success! (\d+) passed, 0 failed`).FindStringSubmatch(out)
		if m == nil || m[1] == "0" {
			t.Errorf("terraform test passed no test:\n%s", out)
		}
		t.Log(lastLine(out))
	})
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	return s[strings.LastIndex(s, "\n")+1:]
}

// outputs returns the stack's outputs.
func (s *stack) outputs() map[string]any {
	s.t.Helper()
	var raw map[string]struct {
		Value any `json:"value"`
	}
	if err := json.Unmarshal([]byte(s.must("output", "-json")), &raw); err != nil {
		s.t.Fatalf("terraform output -json: %v", err)
	}
	out := make(map[string]any)
	for k, v := range raw {
		out[k] = v.Value
	}
	return out
}
