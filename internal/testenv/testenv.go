// Package testenv finds the external programs tests run against: real
// servers, emulators and command-line tools.
package testenv

import (
	"bytes"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"
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

// Start runs cmd in a process group of its own until the test ends, collecting its output, and
// returns once ready reports nil. It fails the test if cmd exits first or is not ready within
// timeout; at the end it kills the group and, if the test failed, logs the output.
//
// Under go test -short (make check) it skips the test instead: -short means no external servers.
func Start(tb testing.TB, cmd *exec.Cmd, timeout time.Duration, ready func() error) {
	tb.Helper()
	if testing.Short() {
		tb.Skipf("-short: not starting %s", filepath.Base(cmd.Path))
	}
	name := filepath.Base(cmd.Path)
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	// Its own process group, so the children of wrapper scripts (gcloud's Java, npm's node) end
	// with it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		tb.Fatalf("start %s: %v", name, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	tb.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-exited
		if tb.Failed() {
			tb.Logf("%s output:\n%s", name, out.String())
		}
	})
	deadline := time.Now().Add(timeout)
	for {
		err := ready()
		if err == nil {
			return
		}
		select {
		case werr := <-exited:
			exited <- werr
			tb.Fatalf("%s exited before it was ready: %v\n%s", name, werr, out.String())
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			tb.Fatalf("%s not ready within %v: %v\n%s", name, timeout, err, out.String())
		}
	}
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort(tb testing.TB) int {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("find a free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// HTTPReady returns a readiness check that succeeds once url answers with any status.
func HTTPReady(url string) func() error {
	return func() error {
		resp, err := http.Get(url)
		if err != nil {
			return err
		}
		resp.Body.Close()
		return nil
	}
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
