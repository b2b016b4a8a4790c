package e2e

import (
	"image"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/docpipe/docpipe/internal/ocr/ocrtest"
)

// A worker killed with SIGKILL in the middle of OCR loses nothing: once its lease expires a new
// worker takes the job over, and the document ends up done exactly once.
func TestWorkerKilledMidOCR(t *testing.T) {
	data := t.TempDir()
	shared := []string{"DOCPIPE_DATA_DIR=" + data, "DOCPIPE_JOB_LEASE=2s", "DOCPIPE_OCR_ENGINES=1"}
	api := start(t, "api", append(shared, "DOCPIPE_AUTH=none")...)

	img, _ := scan(t, []string{"Eight pages of the same crane maintenance log keep the worker busy."})
	pages := make([]*image.Gray, 8)
	for i := range pages {
		pages[i] = img
	}
	d := api.upload("log.tiff", ocrtest.TIFF(pages))

	first := start(t, "worker", shared...)
	api.waitStatus(d.ID, 30*time.Second, "processing")
	time.Sleep(500 * time.Millisecond)
	signal(t, first, syscall.SIGKILL)
	_ = first.wait(10 * time.Second)
	if got := api.waitStatus(d.ID, time.Second, "processing", "done"); got.Status != "processing" {
		t.Fatalf("the document finished before the kill (%s); the test needs a longer job", got.Status)
	}

	start(t, "worker", shared...)
	got := api.waitStatus(d.ID, 2*time.Minute, "done", "failed")
	if got.Status != "done" || got.Attempts != 2 || got.Pages != 8 {
		t.Fatalf("after the crash: %+v, want done after 2 attempts with 8 pages", got)
	}
	var text struct {
		Pages []struct {
			Number int
			Text   string
		}
	}
	api.getJSON("/v1/documents/"+d.ID+"/text?format=json", &text)
	if len(text.Pages) != 8 {
		t.Fatalf("%d pages of text, want 8 (no duplicates, none lost)", len(text.Pages))
	}
	for i, p := range text.Pages {
		if p.Number != i+1 || !strings.Contains(strings.ToLower(p.Text), "crane") {
			t.Errorf("page %d = %d %q", i+1, p.Number, p.Text)
		}
	}
	var res struct{ Total int }
	api.getJSON("/v1/search?q=crane", &res)
	if res.Total != 1 {
		t.Errorf("search finds %d documents, want exactly 1", res.Total)
	}
}
