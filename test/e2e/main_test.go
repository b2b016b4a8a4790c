// Package e2e tests the real docpipe binary across process boundaries: HTTP, signals, crashes.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/docpipe/docpipe/internal/store/postgres/pgtest"
)

// bin is the docpipe binary built once for all tests.
var bin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "docpipe-e2e")
	if err != nil {
		panic(err)
	}
	bin = filepath.Join(dir, "docpipe")
	build := exec.Command("go", "build", "-o", bin, "github.com/docpipe/docpipe/cmd/docpipe")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build docpipe:", err)
		os.Exit(1)
	}
	code := pgtest.Run(m)
	os.RemoveAll(dir)
	os.Exit(code)
}

// proc is a running docpipe process.
type proc struct {
	t     testing.TB
	cmd   *exec.Cmd
	url   string
	logs  *bytes.Buffer
	done  chan error
	token string // bearer token the request helpers send, if set
	tmp   string // TMPDIR of the process, if the test gave it one
}

// do sends req with the proc's bearer token, if it has one.
func (p *proc) do(req *http.Request) *http.Response {
	p.t.Helper()
	if p.token != "" {
		req.Header.Set("Authorization", "Bearer "+p.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		p.t.Fatal(err)
	}
	return resp
}

func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// start runs `docpipe role` with env on top of a clean environment and waits until /healthz
// answers. It listens on a free port unless env sets DOCPIPE_ADDR. The process is killed when the
// test ends if it is still running.
func start(t testing.TB, role string, env ...string) *proc {
	t.Helper()
	addr := freeAddr(t)
	for _, kv := range env {
		if a, ok := strings.CutPrefix(kv, "DOCPIPE_ADDR="); ok {
			addr = a
		}
	}
	cmd := exec.Command(bin, role)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "OMP_THREAD_LIMIT=1",
		"DOCPIPE_ADDR=" + addr, "DOCPIPE_LOG_FORMAT=json", "DOCPIPE_POLL_INTERVAL=100ms"}, env...)
	p := &proc{t: t, cmd: cmd, url: "http://" + addr, logs: &bytes.Buffer{}, done: make(chan error, 1)}
	cmd.Stdout, cmd.Stderr = p.logs, p.logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-p.done
		if t.Failed() {
			t.Logf("%s logs:\n%s", role, p.logs)
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(p.url + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p
			}
		}
		select {
		case err := <-p.done:
			p.done <- err
			t.Fatalf("docpipe %s exited at start: %v\n%s", role, err, p.logs)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("docpipe %s did not become healthy:\n%s", role, p.logs)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// wait returns the process's exit error, failing the test if it does not exit in time.
func (p *proc) wait(d time.Duration) error {
	p.t.Helper()
	select {
	case err := <-p.done:
		p.done <- err
		return err
	case <-time.After(d):
		p.t.Fatalf("process did not exit within %v", d)
		return nil
	}
}

type document struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Status   string `json:"status"`
	Error    string `json:"error"`
	Pages    int    `json:"pages"`
	Lang     string `json:"lang"`
	Attempts int    `json:"attempts"`
}

func (p *proc) upload(name string, data []byte) document {
	p.t.Helper()
	return p.uploadTo("/v1/documents", name, data)
}

// uploadTo uploads data as a raw body to path, /v1/documents with parameters.
func (p *proc) uploadTo(path, name string, data []byte) document {
	p.t.Helper()
	req, _ := http.NewRequest("POST", p.url+path, bytes.NewReader(data))
	req.Header.Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", name))
	resp := p.do(req)
	defer resp.Body.Close()
	var body struct{ Documents []document }
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || resp.StatusCode != http.StatusAccepted {
		p.t.Fatalf("upload %s: %s %v", name, resp.Status, err)
	}
	return body.Documents[0]
}

func (p *proc) getJSON(path string, v any) int {
	p.t.Helper()
	req, _ := http.NewRequest("GET", p.url+path, nil)
	resp := p.do(req)
	defer resp.Body.Close()
	if v != nil {
		_ = json.NewDecoder(resp.Body).Decode(v)
	}
	return resp.StatusCode
}

func (p *proc) delete(path string) int {
	p.t.Helper()
	req, _ := http.NewRequest("DELETE", p.url+path, nil)
	resp := p.do(req)
	resp.Body.Close()
	return resp.StatusCode
}

func (p *proc) getText(path string) string {
	p.t.Helper()
	req, _ := http.NewRequest("GET", p.url+path, nil)
	resp := p.do(req)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		p.t.Fatalf("GET %s: %s %s", path, resp.Status, b)
	}
	return string(b)
}

// waitStatus polls the document until its status is one of want.
func (p *proc) waitStatus(id string, timeout time.Duration, want ...string) document {
	p.t.Helper()
	deadline := time.Now().Add(timeout)
	var d document
	for time.Now().Before(deadline) {
		p.getJSON("/v1/documents/"+id, &d)
		for _, w := range want {
			if d.Status == w {
				return d
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	p.t.Fatalf("document %s is %q after %v, want %v", id, d.Status, timeout, want)
	return d
}

func signal(t *testing.T, p *proc, sig syscall.Signal) {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
}

func hasWords(text string, words ...string) bool {
	lower := strings.ToLower(text)
	for _, w := range words {
		if !strings.Contains(lower, strings.ToLower(w)) {
			return false
		}
	}
	return true
}

func runCmd(ctx context.Context, env []string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "OMP_THREAD_LIMIT=1"}, env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}
