// Package testenv finds the external programs tests run against: real
// servers, emulators and command-line tools.
package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// CI reports whether the tests run in CI (CI=true), where nothing may be
// skipped for want of a tool.
func CI() bool { return os.Getenv("CI") == "true" }

// Tool returns the path of the program name, looked up in PATH and then in
// the tool cache that scripts/tools.sh fills. If it is missing the test is
// skipped, or, in CI, failed; hint says how to get it.
func Tool(tb testing.TB, name, hint string) string {
	tb.Helper()
	if path, err := exec.LookPath(name); err == nil {
		return path
	}
	if path := filepath.Join(CacheDir(), "bin", name); executable(path) {
		return path
	}
	Missing(tb, name+" not found; "+hint)
	return ""
}

// Missing skips the test for want of something it needs, or fails it in CI.
func Missing(tb testing.TB, msg string) {
	tb.Helper()
	if CI() {
		tb.Fatal(msg + " (required in CI)")
	}
	tb.Skip(msg)
}

// CacheDir is where scripts/tools.sh keeps tools it built, keyed on
// version: $DOCPIPE_CACHE, or docpipe under the user's cache directory.
func CacheDir() string {
	if d := os.Getenv("DOCPIPE_CACHE"); d != "" {
		return d
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return filepath.Join(os.TempDir(), "docpipe-cache")
	}
	return filepath.Join(d, "docpipe")
}

func executable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}
