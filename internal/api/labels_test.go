package api

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docpipe/docpipe/internal/document"
)

type uploaded struct {
	Documents  []document.Document `json:"documents"`
	Duplicates []struct {
		Name     string            `json:"name"`
		Document document.Document `json:"document"`
	} `json:"duplicates"`
}

// TestUploadDuplicates: a file the owner has already is not stored again, and the answer names
// the document that has it; another owner's copy is theirs.
func TestUploadDuplicates(t *testing.T) {
	e := newEnv(t, nil)
	scan := pngBytes(t, 40, 30)
	first := decode[uploaded](t, e.upload("", file{"scan.png", scan})).Documents[0]

	rec := e.upload("", file{"again.png", scan})
	if rec.Code != http.StatusOK {
		t.Fatalf("upload of the same file: %d %s, want 200", rec.Code, rec.Body)
	}
	got := decode[uploaded](t, rec)
	if len(got.Documents) != 0 || len(got.Duplicates) != 1 || got.Duplicates[0].Name != "again.png" || got.Duplicates[0].Document.ID != first.ID {
		t.Errorf("upload of the same file = %+v, want one duplicate of %s", got, first.ID)
	}
	if loc := rec.Header().Get("Location"); loc != "/v1/documents/"+first.ID {
		t.Errorf("Location = %q, want the existing document", loc)
	}

	rec = e.upload("", file{"new.png", pngBytes(t, 40, 30)}, file{"copy.png", scan})
	if rec.Code != http.StatusAccepted {
		t.Fatalf("upload of a new file and a known one: %d %s, want 202", rec.Code, rec.Body)
	}
	got = decode[uploaded](t, rec)
	if len(got.Documents) != 1 || got.Documents[0].Name != "new.png" || len(got.Duplicates) != 1 || got.Duplicates[0].Document.ID != first.ID {
		t.Errorf("mixed upload = %+v, want new.png created and copy.png a duplicate of %s", got, first.ID)
	}
	if n := len(decode[docs](t, e.get("/v1/documents", "")).Documents); n != 2 {
		t.Errorf("%d documents, want 2", n)
	}
	if entries, _ := os.ReadDir(filepath.Join(e.blobDir, "originals")); countBlobs(entries) != 2 {
		t.Errorf("%d originals stored, want 2", countBlobs(entries))
	}
	if rec := e.upload("bob", file{"scan.png", scan}); rec.Code != http.StatusAccepted {
		t.Errorf("another owner's upload of the same file: %d %s, want 202", rec.Code, rec.Body)
	}
}

func countBlobs(entries []os.DirEntry) int {
	n := 0
	for _, f := range entries {
		if !strings.HasSuffix(f.Name(), ".attrs") {
			n++
		}
	}
	return n
}

func (e *env) patch(id, user, contentType, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("PATCH", "/v1/documents/"+id, strings.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	if user != "" {
		req.Header.Set("X-Test-User", user)
	}
	return e.do(req)
}

// TestPatch: a merge patch changes a document's title, notes and date, which search then finds,
// and null takes them away.
func TestPatch(t *testing.T) {
	e := newEnv(t, nil)
	d := decode[uploaded](t, e.upload("", file{"scan-7.png", pngBytes(t, 40, 30)})).Documents[0]
	e.finish("Invoice of 02.03.2024")
	if got := decode[document.Document](t, e.get("/v1/documents/"+d.ID, "")); got.Date != "2024-03-02" || got.DateSource != document.DateText || got.Title != "scan-7" {
		t.Errorf("after OCR: title %q, date %s (%s); want scan-7 and 2024-03-02 from the text", got.Title, got.Date, got.DateSource)
	}

	rec := e.patch(d.ID, "", "application/merge-patch+json", `{"title": "Gas bill", "notes": "paid in cash", "date": "2024-04-01"}`)
	if rec.Code != http.StatusOK {
		t.Fatalf("PATCH: %d %s", rec.Code, rec.Body)
	}
	got := decode[document.Document](t, rec)
	if got.Title != "Gas bill" || got.Notes != "paid in cash" || got.Date != "2024-04-01" || got.DateSource != document.DateUser {
		t.Errorf("PATCH = %+v", got)
	}
	if rec.Header().Get("ETag") == "" || rec.Header().Get("ETag") == etag(d) {
		t.Errorf("ETag = %q, want a new one", rec.Header().Get("ETag"))
	}
	for _, q := range []string{"gas", "cash", "name%3Abill"} {
		if res := decode[struct{ Total int }](t, e.get("/v1/search?q="+q, "")); res.Total != 1 {
			t.Errorf("search %s: %d hits, want 1", q, res.Total)
		}
	}

	rec = e.patch(d.ID, "", "application/json", `{"title": null, "date": null}`)
	got = decode[document.Document](t, rec)
	if rec.Code != http.StatusOK || got.Title != "scan-7" || got.Notes != "paid in cash" || got.Date != "2024-03-02" {
		t.Errorf("PATCH of nulls: %d %+v; want the file's title, the notes kept and the text's date", rec.Code, got)
	}

	for _, tt := range []struct {
		name, contentType, body string
		status                  int
		detail                  string
	}{
		{"unknown member", "application/json", `{"name": "x.pdf"}`, http.StatusBadRequest, `"name" cannot be changed`},
		{"not an object", "application/json", `["title"]`, http.StatusBadRequest, "not a JSON object"},
		{"not a string", "application/json", `{"title": 7}`, http.StatusBadRequest, "title must be a string"},
		{"two values", "application/json", `{} {}`, http.StatusBadRequest, "more than one"},
		{"bad date", "application/json", `{"date": "2024-13-01"}`, http.StatusBadRequest, "YYYY-MM-DD"},
		{"long title", "application/json", `{"title": "` + strings.Repeat("x", document.MaxTitle+1) + `"}`, http.StatusBadRequest, "title is longer"},
		{"form", "application/x-www-form-urlencoded", `title=x`, http.StatusUnsupportedMediaType, "merge-patch"},
		{"too large", "application/json", `{"notes": "` + strings.Repeat("x", maxPatch) + `"}`, http.StatusRequestEntityTooLarge, "larger"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			wantProblem(t, e.patch(d.ID, "", tt.contentType, tt.body), tt.status, tt.detail)
		})
	}
	wantProblem(t, e.patch(d.ID, "bob", "application/json", `{"title": "mine"}`), http.StatusNotFound, "no such document")
	if got := decode[document.Document](t, e.get("/v1/documents/"+d.ID, "")); got.Title != "scan-7" || got.Notes != "paid in cash" {
		t.Errorf("after refused patches: %+v", got)
	}
}
