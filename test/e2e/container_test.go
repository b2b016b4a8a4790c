package e2e

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/docpipe/docpipe/internal/ocr/ocrtest"
	"github.com/docpipe/docpipe/internal/testenv"
)

// TestContainer checks the image named by DOCPIPE_IMAGE (scripts/image.sh builds it and sets
// it): its metadata, and that it serves and OCRs with a read-only root filesystem, a tmpfs
// /tmp, a data volume, no capabilities and its own non-root user, as docs/container.md says.
func TestContainer(t *testing.T) {
	image := os.Getenv("DOCPIPE_IMAGE")
	if image == "" {
		t.Skip("DOCPIPE_IMAGE is not set; scripts/image.sh builds the image and runs this test")
	}
	podman := testenv.Tool(t, "podman", "install it with scripts/deps.sh --test")

	t.Run("metadata", func(t *testing.T) {
		var info []struct {
			Config struct {
				User         string
				Env          []string
				Entrypoint   []string
				Cmd          []string
				ExposedPorts map[string]struct{}
				Labels       map[string]string
			}
			HealthCheck *struct{ Test []string }
		}
		out := mustPodman(t, podman, "image", "inspect", image)
		if err := json.Unmarshal([]byte(out), &info); err != nil || len(info) != 1 {
			t.Fatalf("podman image inspect: %v\n%s", err, out)
		}
		c := info[0].Config
		if c.User != "65532:65532" {
			t.Errorf("User = %q, want the numeric non-root 65532:65532", c.User)
		}
		if got, want := c.Entrypoint, []string{"docpipe"}; !slices.Equal(got, want) {
			t.Errorf("Entrypoint = %q, want %q", got, want)
		}
		if got, want := c.Cmd, []string{"serve"}; !slices.Equal(got, want) {
			t.Errorf("Cmd = %q, want %q", got, want)
		}
		for _, want := range []string{"DOCPIPE_ADDR=0.0.0.0:8080", "DOCPIPE_DATA_DIR=/var/lib/docpipe", "OMP_THREAD_LIMIT=1"} {
			if !slices.Contains(c.Env, want) {
				t.Errorf("Env = %q, want it to hold %s", c.Env, want)
			}
		}
		if _, ok := c.ExposedPorts["8080/tcp"]; !ok {
			t.Errorf("ExposedPorts = %v, want 8080/tcp", c.ExposedPorts)
		}
		if hc := info[0].HealthCheck; hc == nil || !slices.Equal(hc.Test, []string{"CMD", "docpipe", "healthcheck"}) {
			t.Errorf("HealthCheck = %+v, want CMD docpipe healthcheck", hc)
		}
		for _, key := range []string{"title", "description", "source", "version", "revision", "licenses", "created"} {
			if c.Labels["org.opencontainers.image."+key] == "" {
				t.Errorf("label org.opencontainers.image.%s is missing or empty", key)
			}
		}
	})

	t.Run("serve", func(t *testing.T) {
		p, ctr := runContainer(t, podman, image)

		if out, err := podmanCmd(podman, "healthcheck", "run", ctr); err != nil {
			t.Errorf("podman healthcheck run: %v\n%s", err, out)
		}
		if out, err := podmanCmd(podman, "exec", ctr, "id", "-u"); err != nil || strings.TrimSpace(out) != "65532" {
			t.Errorf("id -u in the container = %q (%v), want 65532", out, err)
		}
		// Not merely "permission denied" for a non-root user: the filesystem itself refuses.
		if _, err := podmanCmd(podman, "exec", ctr, "touch", "/usr/local/bin/x"); err == nil || !strings.Contains(err.Error(), "Read-only file system") {
			t.Errorf("touch in the root filesystem: %v, want a read-only file system error", err)
		}

		_, png := scan(t, paragraphs)
		d := p.upload("invoice 2041.png", png)
		d = p.waitStatus(d.ID, 2*time.Minute, "done", "failed")
		if d.Status != "done" {
			t.Fatalf("PNG document = %+v, want done", d)
		}
		if text := p.getText("/v1/documents/" + d.ID + "/text"); !hasWords(text, "invoice", "harbour", "crane", "thirty") {
			t.Errorf("PNG text = %q, want the words of the scan", text)
		}

		// A scanned PDF goes through poppler and a temporary file in /tmp.
		img, _ := scan(t, []string{"Delivery note for twelve pallets of copper wire."})
		pdf, err := ocrtest.PDF([]ocrtest.PDFPage{{Image: img}})
		if err != nil {
			t.Fatal(err)
		}
		d = p.upload("delivery.pdf", pdf)
		d = p.waitStatus(d.ID, 2*time.Minute, "done", "failed")
		if d.Status != "done" {
			t.Fatalf("PDF document = %+v, want done", d)
		}
		if text := p.getText("/v1/documents/" + d.ID + "/text"); !hasWords(text, "delivery", "twelve", "pallets", "copper") {
			t.Errorf("PDF text = %q, want the words of the scan", text)
		}
	})
}

// runContainer starts image with a read-only root filesystem, a tmpfs /tmp, a fresh named volume
// for its data and every capability dropped, published on a free port of 127.0.0.1, and waits
// for /healthz. The container and volume are removed when the test ends.
func runContainer(t *testing.T, podman, image string) (*proc, string) {
	t.Helper()
	volume := "docpipe-e2e-" + rand.Text()[:10]
	if out, err := podmanCmd(podman, "volume", "create", volume); err != nil {
		t.Fatalf("podman volume create: %v\n%s", err, out)
	}
	t.Cleanup(func() {
		if out, err := podmanCmd(podman, "volume", "rm", "--force", volume); err != nil {
			t.Errorf("podman volume rm: %v\n%s", err, out)
		}
	})
	_, port, err := net.SplitHostPort(freeAddr(t))
	if err != nil {
		t.Fatal(err)
	}
	out, err := podmanCmd(podman, "run", "--detach",
		"--read-only", "--read-only-tmpfs=false", "--tmpfs", "/tmp:rw,nosuid,nodev,size=256m",
		"--volume", volume+":/var/lib/docpipe",
		"--cap-drop", "ALL", "--security-opt", "no-new-privileges",
		"--publish", "127.0.0.1:"+port+":8080",
		"--env", "DOCPIPE_OCR_ENGINES=1", "--env", "DOCPIPE_POLL_INTERVAL=200ms",
		// The image listens on 0.0.0.0 for the published port, which is on 127.0.0.1 only.
		"--env", "DOCPIPE_AUTH_NONE_ON_NETWORK=true",
		image)
	if err != nil {
		t.Fatalf("podman run: %v\n%s", err, out)
	}
	ctr := strings.TrimSpace(out)
	t.Cleanup(func() {
		if t.Failed() {
			logs, err := exec.Command(podman, "logs", ctr).CombinedOutput()
			t.Logf("container logs (%v):\n%s", err, logs)
		}
		if out, err := podmanCmd(podman, "rm", "--force", "--time", "5", ctr); err != nil {
			t.Errorf("podman rm: %v\n%s", err, out)
		}
	})

	p := &proc{t: t, url: "http://127.0.0.1:" + port}
	deadline := time.Now().Add(time.Minute)
	for {
		resp, err := http.Get(p.url + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p, ctr
			}
		}
		if state, _ := podmanCmd(podman, "inspect", "--format", "{{.State.Status}}", ctr); strings.TrimSpace(state) == "exited" {
			logs, _ := exec.Command(podman, "logs", ctr).CombinedOutput()
			t.Fatalf("container exited at start:\n%s", logs)
		}
		if time.Now().After(deadline) {
			t.Fatalf("container did not answer /healthz within a minute (last error %v)", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// podmanCmd runs podman with args and a timeout, returning its standard output. Its standard
// error, where podman also logs what it could not do on a machine without systemd, goes into
// the error.
func podmanCmd(podman string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var stderr strings.Builder
	cmd := exec.CommandContext(ctx, podman, args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return string(out), fmt.Errorf("podman %s: %w: %s", args[0], err, stderr.String())
	}
	return string(out), nil
}

// mustPodman is podmanCmd that fails the test on error.
func mustPodman(t *testing.T, podman string, args ...string) string {
	t.Helper()
	out, err := podmanCmd(podman, args...)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	return out
}
