package api

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/docpipe/docpipe/internal/blob"
	"github.com/docpipe/docpipe/internal/ocr"
	"github.com/docpipe/docpipe/internal/ocr/ocrtest"
)

// countingPreview wraps ocr.Preview and counts its calls.
func countingPreview(calls *atomic.Int32) func(context.Context, []byte, int) ([]byte, error) {
	return func(ctx context.Context, data []byte, page int) ([]byte, error) {
		calls.Add(1)
		return ocr.Preview(ctx, data, page, 100, ocr.Limits{MaxPages: 10, MaxPixels: 20_000_000})
	}
}

func TestPagePictureDrawnOnce(t *testing.T) {
	var calls atomic.Int32
	e := newEnv(t, func(o *Options) { o.Preview = countingPreview(&calls) })
	id := decode[docs](t, e.upload("alice", file{"tall.png", pngBytes(t, 300, 600)})).Documents[0].ID
	path := "/v1/documents/" + id + "/pages/1/image"

	first := e.get(path, "alice")
	second := e.get(path, "alice")
	for i, rec := range []*httptest.ResponseRecorder{first, second} {
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "image/png" || rec.Header().Get("ETag") == "" {
			t.Fatalf("request %d: %d %v", i+1, rec.Code, rec.Header())
		}
	}
	if first.Body.String() != second.Body.String() {
		t.Error("the kept picture differs from the one drawn")
	}
	if got := calls.Load(); got != 1 {
		t.Errorf("page drawn %d times for two requests, want once", got)
	}
	kept := filepath.Join(e.blobDir, "pictures", id, "1.png")
	if _, err := os.Stat(kept); err != nil {
		t.Fatalf("picture not kept in the bucket: %v", err)
	}

	if rec := e.do(httptest.NewRequest("DELETE", "/v1/documents/"+id, nil)); rec.Code != http.StatusNoContent {
		t.Fatalf("delete = %d", rec.Code)
	}
	if _, err := os.Stat(kept); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("picture of a deleted document: stat = %v, want it gone", err)
	}
}

// A page that takes longer than RenderTimeout to draw costs the server that long once: the
// renderer is stopped, and later requests are answered from the record of the failure.
func TestPagePictureTooComplex(t *testing.T) {
	var calls atomic.Int32
	e := newEnv(t, func(o *Options) {
		o.Preview = countingPreview(&calls)
		o.RenderTimeout = time.Second
	})
	id := decode[docs](t, e.upload("alice", file{"fills.pdf", ocrtest.FillsPDF(3_000_000)})).Documents[0].ID
	path := "/v1/documents/" + id + "/pages/1/image"

	start := time.Now()
	wantProblem(t, e.get(path, "alice"), http.StatusUnprocessableEntity, "too complex")
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("drawing was stopped after %v, want about the 1 s allowed", took)
	}
	wantProblem(t, e.get(path, "alice"), http.StatusUnprocessableEntity, "too complex")
	if got := calls.Load(); got != 1 {
		t.Errorf("page tried %d times, want once", got)
	}
}

// With every renderer busy a request waits a while, then hears 503; a client that leaves
// while its page is drawn stops the drawing and leaves no record behind.
func TestPagePictureBounded(t *testing.T) {
	started, release := make(chan struct{}, 1), make(chan struct{})
	var stopped atomic.Bool
	e := newEnv(t, func(o *Options) {
		o.Renders = 1
		o.Preview = func(ctx context.Context, data []byte, page int) ([]byte, error) {
			started <- struct{}{}
			select {
			case <-release:
				return ocr.Preview(ctx, data, page, 100, ocr.Limits{})
			case <-ctx.Done():
				stopped.Store(true)
				return nil, ctx.Err()
			}
		}
	})
	e.srv.renderWait = 200 * time.Millisecond
	id := decode[docs](t, e.upload("alice", file{"a.png", pngBytes(t, 200, 200)})).Documents[0].ID
	path := "/v1/documents/" + id + "/pages/1/image"

	ctx, leave := context.WithCancel(context.Background())
	done := make(chan *httptest.ResponseRecorder)
	go func() {
		req := httptest.NewRequestWithContext(ctx, "GET", path, nil)
		done <- e.do(req)
	}()
	<-started
	rec := e.get(path, "alice")
	wantProblem(t, rec, http.StatusServiceUnavailable, "busy")
	if rec.Header().Get("Retry-After") == "" {
		t.Error("503 without Retry-After")
	}
	leave()
	<-done
	if !stopped.Load() {
		t.Error("drawing went on after the client left")
	}
	if _, err := os.Stat(filepath.Join(e.blobDir, "pictures", id, "1.failed")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a client leaving was recorded as a failure: stat = %v", err)
	}

	close(release)
	go func() { <-started }()
	if rec := e.get(path, "alice"); rec.Code != http.StatusOK {
		t.Errorf("after the renderer was free: %d %s", rec.Code, rec.Body)
	}
}

// TestThumbnail: the worker's thumbnail is served with an ETag; a document without one is 404.
func TestThumbnail(t *testing.T) {
	e := newEnv(t, nil)
	d := decode[uploaded](t, e.upload("", file{"a.png", pngBytes(t, 40, 30)})).Documents[0]
	wantProblem(t, e.get("/v1/documents/"+d.ID+"/thumbnail", ""), http.StatusNotFound, "no thumbnail")
	if err := os.MkdirAll(filepath.Join(e.blobDir, filepath.FromSlash(blob.PicturePrefix(d.ID))), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(e.blobDir, filepath.FromSlash(blob.ThumbnailKey(d.ID))), []byte("\x89PNG small"), 0o600); err != nil {
		t.Fatal(err)
	}
	rec := e.get("/v1/documents/"+d.ID+"/thumbnail", "")
	if rec.Code != http.StatusOK || rec.Body.String() != "\x89PNG small" || rec.Header().Get("Content-Type") != "image/png" {
		t.Fatalf("thumbnail = %d %q", rec.Code, rec.Body)
	}
	req := httptest.NewRequest("GET", "/v1/documents/"+d.ID+"/thumbnail", nil)
	req.Header.Set("If-None-Match", rec.Header().Get("ETag"))
	if rec := e.do(req); rec.Code != http.StatusNotModified {
		t.Errorf("thumbnail with its ETag = %d, want 304", rec.Code)
	}
	wantProblem(t, e.get("/v1/documents/"+d.ID+"/thumbnail", "bob"), http.StatusNotFound, "no such document")
}
