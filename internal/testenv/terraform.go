package testenv

import (
	"os"
	"path/filepath"
	"testing"
)

// TerraformEnv writes a Terraform CLI configuration that installs providers from the filesystem
// mirror only, and returns the environment that makes terraform use it without prompts.
func TerraformEnv(tb testing.TB, mirror string) []string {
	tb.Helper()
	rc := filepath.Join(tb.TempDir(), "terraformrc")
	cfg := `provider_installation {
  filesystem_mirror {
    path    = "` + mirror + `"
    include = ["registry.terraform.io/*/*"]
  }
  direct {
    exclude = ["registry.terraform.io/*/*"]
  }
}
`
	if err := os.WriteFile(rc, []byte(cfg), 0o600); err != nil {
		tb.Fatal(err)
	}
	return append(os.Environ(), "TF_CLI_CONFIG_FILE="+rc, "TF_IN_AUTOMATION=1", "TF_INPUT=0", "CHECKPOINT_DISABLE=1")
}
