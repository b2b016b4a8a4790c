// Package gcp checks the Google Cloud deployment in deploy/gcp: Terraform formatting, tflint,
// the structure of the modules (parsed with HCL), terraform validate and terraform test (plan
// and apply runs against a mock provider), and the shape of cloudbuild.yaml.
package gcp

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/docpipe/docpipe/internal/testenv"
)

func TestTerraformFormat(t *testing.T) {
	bin := testenv.Tool(t, "terraform", "install Terraform 1.11 or later")
	out, err := exec.Command(bin, "fmt", "-check", "-recursive", "-diff", ".").CombinedOutput()
	if err != nil {
		t.Errorf("terraform fmt -check: %v; run terraform fmt -recursive deploy/gcp\n%s", err, out)
	}
}

func TestTerraformLint(t *testing.T) {
	bin := testenv.Tool(t, "tflint", "run scripts/gcp.sh, which builds tflint into the tool cache")
	cmd := exec.Command(bin, "--recursive", "--config="+mustAbs(t, ".tflint.hcl"), "--format=compact")
	cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+filepath.Join(t.TempDir(), "none.tfrc"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("tflint: %v\n%s", err, out)
	}
}

// TestTerraformValidate runs terraform init, validate and the tests in tests/ (plan and apply
// runs against a mock provider). It needs the hashicorp/google provider in a filesystem mirror,
// $DOCPIPE_GCP_MIRROR, which scripts/gcp.sh builds from Go modules (docs/gcp.md); without it the
// test skips, and in CI fails.
func TestTerraformValidate(t *testing.T) {
	bin := testenv.Tool(t, "terraform", "install Terraform 1.11 or later")
	mirror := os.Getenv("DOCPIPE_GCP_MIRROR")
	if mirror == "" || !exists(filepath.Join(mirror, "registry.terraform.io", "hashicorp", "google")) {
		testenv.Missing(t, "no Terraform filesystem mirror holds hashicorp/google; run scripts/gcp.sh, "+
			"which builds one and sets DOCPIPE_GCP_MIRROR")
	}
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "stack")
	if err := os.CopyFS(dir, os.DirFS(".")); err != nil {
		t.Fatalf("copy the stack: %v", err)
	}
	env := testenv.TerraformEnv(t, mirror)
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Dir, cmd.Env = dir, env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("terraform %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	run("init", "-backend=false", "-no-color")
	run("validate", "-no-color")
	out := run("test", "-no-color")
	m := regexp.MustCompile(`Success! (\d+) passed, 0 failed`).FindStringSubmatch(out)
	if m == nil || m[1] == "0" {
		t.Fatalf("terraform test passed no test:\n%s", out)
	}
	if strings.Contains(out, "skipped") {
		t.Errorf("terraform test skipped runs:\n%s", out)
	}
	t.Logf("terraform test: %s passed", m[1])
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func mustAbs(t *testing.T, path string) string {
	t.Helper()
	abs, err := filepath.Abs(path)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}
