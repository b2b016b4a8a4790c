package api

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/docpipe/docpipe/internal/blob"
	gcblob "gocloud.dev/blob"
)

func TestSearchablePDF(t *testing.T) {
	e := newEnv(t, nil)
	id := decode[docs](t, e.upload("", file{"Rechnung März.png", pngBytes(t, 64, 48)})).Documents[0].ID
	path := "/v1/documents/" + id + "/pdf"
	wantProblem(t, e.get(path, ""), http.StatusConflict, "queued")
	e.finish("Rechnung")
	wantProblem(t, e.get(path, ""), http.StatusNotFound, "reprocess")

	pdf := []byte("%PDF-1.7\n% the worker's searchable PDF\n%%EOF\n")
	if err := e.srv.opt.Bucket.Upload(context.Background(), blob.SearchableKey(id), bytes.NewReader(pdf), &gcblob.WriterOptions{ContentType: "application/pdf"}); err != nil {
		t.Fatal(err)
	}
	rec := e.get(path, "")
	if rec.Code != http.StatusOK || rec.Body.String() != string(pdf) {
		t.Fatalf("GET pdf: %d %q", rec.Code, rec.Body)
	}
	h := rec.Header()
	if got, want := h.Get("Content-Disposition"), `attachment; filename*=utf-8''Rechnung%20M%C3%A4rz.pdf`; got != want {
		t.Errorf("Content-Disposition = %s, want %s", got, want)
	}
	if h.Get("Content-Type") != "application/pdf" || h.Get("X-Content-Type-Options") != "nosniff" || h.Get("ETag") == "" {
		t.Errorf("headers = %v", h)
	}
	req := httptest.NewRequest("GET", path, nil)
	req.Header.Set("Range", "bytes=0-7")
	if rec := e.do(req); rec.Code != http.StatusPartialContent || rec.Body.String() != "%PDF-1.7" {
		t.Errorf("range: %d %q", rec.Code, rec.Body)
	}
	wantProblem(t, e.get(path, "mallory"), http.StatusNotFound, "no such document")

	if rec := e.do(httptest.NewRequest("DELETE", "/v1/documents/"+id, nil)); rec.Code != http.StatusNoContent {
		t.Fatalf("delete: %d %s", rec.Code, rec.Body)
	}
	if _, err := os.Stat(filepath.Join(e.blobDir, "searchable", id+".pdf")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("searchable PDF still on disk after delete: %v", err)
	}
}
