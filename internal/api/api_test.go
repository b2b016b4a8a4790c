package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"image"
	"image/color"
	"image/png"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/docpipe/docpipe/internal/blob"
	"github.com/docpipe/docpipe/internal/document"
	"github.com/docpipe/docpipe/internal/ocr"
	"github.com/docpipe/docpipe/internal/ocr/ocrtest"
	"github.com/docpipe/docpipe/internal/search"
	"github.com/docpipe/docpipe/internal/store"
	"github.com/docpipe/docpipe/internal/store/sqlite"
	"github.com/docpipe/docpipe/internal/telemetry"
	gcblob "gocloud.dev/blob"
)

type env struct {
	t       testing.TB
	srv     *Server
	store   *store.Store
	blobDir string
}

// newEnv serves the API over a real SQLite store and a real blob directory. The caller is named
// by the X-Test-User header (alice by default), standing in for the identity layer.
func newEnv(t testing.TB, tweak func(*Options)) *env {
	t.Helper()
	dir := t.TempDir()
	st, err := sqlite.Open(context.Background(), filepath.Join(dir, "docpipe.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	blobDir := filepath.Join(dir, "blobs")
	b, err := blob.Open(context.Background(), "file://"+filepath.ToSlash(blobDir))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	opt := Options{
		Store: st, Bucket: b,
		Identify: func(r *http.Request) (string, error) {
			if u := r.Header.Get("X-Test-User"); u != "" {
				return u, nil
			}
			return "alice", nil
		},
		Metrics:   telemetry.NewMetrics(telemetry.Build{}),
		Log:       slog.New(slog.DiscardHandler),
		Limits:    ocr.Limits{MaxPages: 10, MaxPixels: 20_000_000},
		MaxUpload: 1 << 20,
		Preview: func(ctx context.Context, data []byte, page int) ([]byte, error) {
			return ocr.Preview(ctx, data, page, 100, ocr.Limits{MaxPages: 10, MaxPixels: 20_000_000})
		},
	}
	if tweak != nil {
		tweak(&opt)
	}
	return &env{t: t, srv: New(opt), store: st, blobDir: blobDir}
}

func (e *env) do(req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	e.srv.ServeHTTP(rec, req)
	return rec
}

func (e *env) get(path, user string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("GET", path, nil)
	if user != "" {
		req.Header.Set("X-Test-User", user)
	}
	return e.do(req)
}

type file struct {
	name string
	data []byte
}

func multipartBody(t testing.TB, files ...file) (io.Reader, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("note", "ignored")
	for _, f := range files {
		w, err := mw.CreateFormFile("file", f.name)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write(f.data)
	}
	_ = mw.Close()
	return &buf, mw.FormDataContentType()
}

func (e *env) upload(user string, files ...file) *httptest.ResponseRecorder {
	body, ct := multipartBody(e.t, files...)
	req := httptest.NewRequest("POST", "/v1/documents", body)
	req.Header.Set("Content-Type", ct)
	if user != "" {
		req.Header.Set("X-Test-User", user)
	}
	return e.do(req)
}

// pngs counts the pictures pngBytes made, so that each has bytes of its own: the same bytes
// twice would be a duplicate.
var pngs atomic.Int64

func pngBytes(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	img.SetGray(w/2, h/2, color.Gray{})
	n := pngs.Add(1)
	img.Pix[int(n)%len(img.Pix)] = uint8(254 - n/int64(len(img.Pix))%200)
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func decode[T any](t *testing.T, rec *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatalf("decode %q: %v", rec.Body.String(), err)
	}
	return v
}

type docs struct {
	Documents  []document.Document `json:"documents"`
	NextCursor string              `json:"next_cursor"`
}

func wantProblem(t *testing.T, rec *httptest.ResponseRecorder, status int, detail string) {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("status = %d, want %d; body %s", rec.Code, status, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("Content-Type = %q, want application/problem+json", ct)
	}
	p := decode[Problem](t, rec)
	if p.Status != status || p.Title == "" || !strings.Contains(p.Detail, detail) {
		t.Errorf("problem = %+v, want status %d and detail containing %q", p, status, detail)
	}
}

// finish completes a document's OCR job with text, as a worker would.
func (e *env) finish(text string) {
	e.t.Helper()
	job, err := e.store.Claim(context.Background(), time.Minute)
	if err != nil {
		e.t.Fatal(err)
	}
	pages := []document.Page{{Number: 1, Text: text, Confidence: 95, Source: document.SourceOCR}}
	if err := e.store.Complete(context.Background(), job, pages); err != nil {
		e.t.Fatal(err)
	}
}

func TestUploadListGet(t *testing.T) {
	e := newEnv(t, nil)
	rec := e.upload("", file{"../../etc/passwd scan.png", pngBytes(t, 40, 30)}, file{"b.png", pngBytes(t, 20, 20)})
	if rec.Code != http.StatusAccepted {
		t.Fatalf("upload: %d %s", rec.Code, rec.Body)
	}
	created := decode[docs](t, rec).Documents
	if len(created) != 2 {
		t.Fatalf("created %d documents, want 2", len(created))
	}
	if got, want := rec.Header().Get("Location"), "/v1/documents/"+created[0].ID; got != want {
		t.Errorf("Location = %q, want %q", got, want)
	}
	first := created[0]
	if first.Name != "passwd scan.png" || first.ContentType != "image/png" || first.Status != document.StatusQueued {
		t.Errorf("created = %+v", first)
	}
	if _, err := os.Stat(filepath.Join(e.blobDir, "originals", first.ID)); err != nil {
		t.Errorf("original not stored under its id: %v", err)
	}

	list := decode[docs](t, e.get("/v1/documents", ""))
	if len(list.Documents) != 2 || list.Documents[0].ID != created[1].ID {
		t.Errorf("list = %+v, want both, newest first", list.Documents)
	}
	page1 := e.get("/v1/documents?limit=1", "")
	p1 := decode[docs](t, page1)
	if len(p1.Documents) != 1 || p1.NextCursor == "" || !strings.Contains(page1.Header().Get("Link"), `rel="next"`) {
		t.Fatalf("first page = %+v, Link %q", p1, page1.Header().Get("Link"))
	}
	p2 := decode[docs](t, e.get("/v1/documents?limit=1&cursor="+url.QueryEscape(p1.NextCursor), ""))
	if len(p2.Documents) != 1 || p2.Documents[0].ID != created[0].ID || p2.NextCursor != "" {
		t.Errorf("second page = %+v", p2)
	}
	if got := decode[docs](t, e.get("/v1/documents?status=done", "")); len(got.Documents) != 0 {
		t.Errorf("status=done lists %d documents, want 0", len(got.Documents))
	}

	rec = e.get("/v1/documents/"+first.ID, "")
	if rec.Code != http.StatusOK || decode[document.Document](t, rec).ID != first.ID {
		t.Errorf("get: %d %s", rec.Code, rec.Body)
	}
}

func TestRawUpload(t *testing.T) {
	e := newEnv(t, nil)
	req := httptest.NewRequest("POST", "/v1/documents", bytes.NewReader(pngBytes(t, 10, 10)))
	req.Header.Set("Content-Type", "application/pdf") // a lie: the bytes decide
	req.Header.Set("Content-Disposition", `attachment; filename="scans/../résumé.png"`)
	rec := e.do(req)
	if rec.Code != http.StatusAccepted {
		t.Fatalf("raw upload: %d %s", rec.Code, rec.Body)
	}
	d := decode[docs](t, rec).Documents[0]
	if d.ContentType != "image/png" || d.Name != "résumé.png" {
		t.Errorf("document = %+v, want sniffed image/png and no directories in the name", d)
	}
}

func TestBadUploadsChangeNothing(t *testing.T) {
	exe := append([]byte("MZ\x90\x00\x03\x00\x00\x00"), bytes.Repeat([]byte{0}, 200)...)
	png := pngBytes(t, 10, 10)
	tests := []struct {
		name   string
		files  []file
		raw    []byte
		status int
		detail string
	}{
		{"exe named pdf", []file{{"invoice.pdf", exe}}, nil, http.StatusUnsupportedMediaType, "invoice.pdf"},
		{"one bad among good", []file{{"ok.png", png}, {"x.pdf", exe}}, nil, http.StatusUnsupportedMediaType, "x.pdf"},
		{"truncated png", []file{{"t.png", png[:len(png)/2]}}, nil, http.StatusUnprocessableEntity, "t.png"},
		{"pixel bomb", []file{{"bomb.png", ocrtest.BombPNG(30000, 30000)}}, nil, http.StatusUnprocessableEntity, "pixels"},
		{"too large", []file{{"big.png", append(png, bytes.Repeat([]byte{0}, 2<<20)...)}}, nil, http.StatusRequestEntityTooLarge, "limit"},
		{"no files", nil, nil, http.StatusBadRequest, "no file"},
		{"empty file", []file{{"e.png", nil}}, nil, http.StatusBadRequest, "empty"},
		{"empty raw body", nil, []byte{}, http.StatusBadRequest, "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, nil)
			var rec *httptest.ResponseRecorder
			if tt.raw != nil {
				rec = e.do(httptest.NewRequest("POST", "/v1/documents", bytes.NewReader(tt.raw)))
			} else {
				rec = e.upload("", tt.files...)
			}
			wantProblem(t, rec, tt.status, tt.detail)
			if got := decode[docs](t, e.get("/v1/documents", "")); len(got.Documents) != 0 {
				t.Errorf("%d documents exist after a rejected upload", len(got.Documents))
			}
			if entries, _ := os.ReadDir(filepath.Join(e.blobDir, "originals")); len(entries) != 0 {
				t.Errorf("%d blobs stored after a rejected upload", len(entries))
			}
		})
	}
}

func TestOwnersAreIsolated(t *testing.T) {
	e := newEnv(t, nil)
	rec := e.upload("alice", file{"a.png", pngBytes(t, 10, 10)})
	id := decode[docs](t, rec).Documents[0].ID
	e.finish("alice private words")

	for _, path := range []string{"/v1/documents/" + id, "/v1/documents/" + id + "/text", "/v1/documents/" + id + "/content"} {
		wantProblem(t, e.get(path, "mallory"), http.StatusNotFound, "no such document")
	}
	for _, method := range []string{"DELETE"} {
		req := httptest.NewRequest(method, "/v1/documents/"+id, nil)
		req.Header.Set("X-Test-User", "mallory")
		wantProblem(t, e.do(req), http.StatusNotFound, "no such document")
	}
	req := httptest.NewRequest("POST", "/v1/documents/"+id+"/reprocess", nil)
	req.Header.Set("X-Test-User", "mallory")
	wantProblem(t, e.do(req), http.StatusNotFound, "no such document")
	if got := decode[docs](t, e.get("/v1/documents", "mallory")); len(got.Documents) != 0 {
		t.Errorf("mallory lists %d documents", len(got.Documents))
	}
	res := decode[struct{ Total int }](t, e.get("/v1/search?q=private", "mallory"))
	if res.Total != 0 {
		t.Errorf("mallory's search finds %d documents", res.Total)
	}
	if rec := e.get("/v1/documents/"+id, "alice"); rec.Code != http.StatusOK {
		t.Errorf("alice cannot see her own document: %d", rec.Code)
	}
}

func TestTextContentReprocessDelete(t *testing.T) {
	e := newEnv(t, nil)
	data := pngBytes(t, 64, 48)
	id := decode[docs](t, e.upload("", file{`quote "me".png`, data})).Documents[0].ID

	wantProblem(t, e.get("/v1/documents/"+id+"/text", ""), http.StatusConflict, "queued")
	reprocess := func() *httptest.ResponseRecorder {
		return e.do(httptest.NewRequest("POST", "/v1/documents/"+id+"/reprocess", nil))
	}
	wantProblem(t, reprocess(), http.StatusConflict, "")

	e.finish("The quick brown fox")
	rec := e.get("/v1/documents/"+id+"/text", "")
	if rec.Code != http.StatusOK || rec.Body.String() != "The quick brown fox" || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/plain") {
		t.Errorf("text: %d %q %q", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	}
	rec = e.get("/v1/documents/"+id+"/text?format=json", "")
	pages := decode[struct{ Pages []document.Page }](t, rec).Pages
	if len(pages) != 1 || pages[0].Number != 1 || pages[0].Text != "The quick brown fox" {
		t.Errorf("json text = %+v", pages)
	}

	rec = e.get("/v1/documents/"+id+"/content", "")
	if rec.Code != http.StatusOK || !bytes.Equal(rec.Body.Bytes(), data) {
		t.Fatalf("content: %d, %d bytes", rec.Code, rec.Body.Len())
	}
	h := rec.Header()
	if h.Get("Content-Type") != "image/png" || h.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("content headers = %v", h)
	}
	if got, want := h.Get("Content-Disposition"), `attachment; filename="quote \"me\".png"`; got != want {
		t.Errorf("Content-Disposition = %s, want %s", got, want)
	}
	req := httptest.NewRequest("GET", "/v1/documents/"+id+"/content", nil)
	req.Header.Set("Range", "bytes=8-15")
	rec = e.do(req)
	if rec.Code != http.StatusPartialContent || !bytes.Equal(rec.Body.Bytes(), data[8:16]) {
		t.Errorf("range: %d %x, want 206 %x", rec.Code, rec.Body.Bytes(), data[8:16])
	}
	req = httptest.NewRequest("GET", "/v1/documents/"+id+"/content", nil)
	req.Header.Set("If-None-Match", h.Get("ETag"))
	if rec = e.do(req); rec.Code != http.StatusNotModified {
		t.Errorf("If-None-Match: %d, want 304", rec.Code)
	}

	if rec := reprocess(); rec.Code != http.StatusAccepted || decode[document.Document](t, rec).Status != document.StatusQueued {
		t.Errorf("reprocess of a done document: %d %s", rec.Code, rec.Body)
	}
	e.finish("The quick brown fox again")

	if rec := e.do(httptest.NewRequest("DELETE", "/v1/documents/"+id, nil)); rec.Code != http.StatusNoContent {
		t.Fatalf("delete: %d %s", rec.Code, rec.Body)
	}
	wantProblem(t, e.get("/v1/documents/"+id, ""), http.StatusNotFound, "")
	if res := decode[struct{ Total int }](t, e.get("/v1/search?q=fox", "")); res.Total != 0 {
		t.Errorf("deleted document still found by search")
	}
	if _, err := os.Stat(filepath.Join(e.blobDir, "originals", id)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("original still on disk after delete: %v", err)
	}
}

func TestSearch(t *testing.T) {
	e := newEnv(t, nil)
	for range 3 {
		e.upload("", file{"a.png", pngBytes(t, 10, 10)})
	}
	e.finish("invoice number 42 from ACME corporation")
	e.finish("a letter about the weather")
	e.finish("second invoice reminder")

	type result struct {
		Query      string
		Total      int
		NextOffset *int `json:"next_offset"`
		Hits       []struct {
			Document document.Document
			Page     int
			Snippet  []struct {
				Text  string
				Match bool
			}
		}
	}
	rec := e.get("/v1/search?q=invoice&limit=1", "")
	res := decode[result](t, rec)
	if rec.Code != http.StatusOK || res.Total != 2 || len(res.Hits) != 1 || res.NextOffset == nil || *res.NextOffset != 1 {
		t.Fatalf("search: %d %s", rec.Code, rec.Body)
	}
	marked := false
	for _, f := range res.Hits[0].Snippet {
		marked = marked || (f.Match && strings.EqualFold(f.Text, "invoice"))
	}
	if !marked {
		t.Errorf("snippet %+v does not mark the match", res.Hits[0].Snippet)
	}
	if res := decode[result](t, e.get(`/v1/search?q=`+url.QueryEscape(`"invoice number"`), "")); res.Total != 1 {
		t.Errorf("phrase matched %d, want 1", res.Total)
	}
	if res := decode[result](t, e.get(`/v1/search?q=weath*`, "")); res.Total != 1 {
		t.Errorf("prefix matched %d, want 1", res.Total)
	}
	for _, q := range []string{`"`, `NEAR(invoice`, `invoice AND OR NOT`, `col:invoice`, `^invoice`, `invoice)*(`, `'; DROP TABLE documents; --`} {
		rec := e.get("/v1/search?q="+url.QueryEscape(q), "")
		if rec.Code != http.StatusOK && rec.Code != http.StatusBadRequest {
			t.Errorf("q=%q: %d %s", q, rec.Code, rec.Body)
		}
	}
	for _, tt := range []struct {
		q, sort string
		want    []string
	}{
		{"invoices", "", []string{"invoice number 42 from ACME corporation", "second invoice reminder"}},
		{"-invoice", "", []string{"a letter about the weather"}},
		{"invoice OR weather", "newest", []string{"second invoice reminder", "a letter about the weather", "invoice number 42 from ACME corporation"}},
		{"invoice OR weather", "oldest", []string{"invoice number 42 from ACME corporation", "a letter about the weather", "second invoice reminder"}},
		{"invoice type:png", "relevance", []string{"invoice number 42 from ACME corporation", "second invoice reminder"}},
		{"invoice type:pdf", "", nil},
	} {
		rec := e.get("/v1/search?q="+url.QueryEscape(tt.q)+"&sort="+tt.sort, "")
		res := decode[result](t, rec)
		var got []string
		for _, h := range res.Hits {
			var text []string
			for _, f := range h.Snippet {
				text = append(text, f.Text)
			}
			got = append(got, strings.Join(text, ""))
		}
		if tt.sort == "" || tt.sort == "relevance" {
			slices.Sort(got)
		}
		if rec.Code != http.StatusOK || !slices.Equal(got, tt.want) {
			t.Errorf("search %q sort %q = %d %q, want %q", tt.q, tt.sort, rec.Code, got, tt.want)
		}
	}
	wantProblem(t, e.get("/v1/search", ""), http.StatusBadRequest, "q")
	wantProblem(t, e.get("/v1/search?q=x&limit=1000", ""), http.StatusBadRequest, "limit")
	wantProblem(t, e.get("/v1/search?q=x&sort=size", ""), http.StatusBadRequest, "sort")
	wantProblem(t, e.get("/v1/search?q=type:exe", ""), http.StatusBadRequest, "type:exe")
}

// searchStore answers every search with res.
type searchStore struct {
	Store
	res store.SearchResult
}

func (s searchStore) Search(context.Context, string, search.Query, store.SearchOptions) (store.SearchResult, error) {
	return s.res, nil
}

// TestSearchWireFormat pins the JSON of a search answer, which clients such as the web app
// decode.
func TestSearchWireFormat(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	d := document.Document{ID: "d1", Owner: "alice", Name: "a.png", ContentType: "image/png", Size: 7,
		SHA256: "ab", BlobKey: "originals/d1", Status: document.StatusDone, Pages: 2, Attempts: 1, CreatedAt: at, UpdatedAt: at,
		Title: "a", Date: "2025-12-31", DateSource: document.DateText, Tags: []string{"tax"}}
	tests := []struct {
		name, query string
		res         store.SearchResult
		want        string
	}{
		{"none", "q=kiwi", store.SearchResult{},
			`{"hits":[],"query":"kiwi","total":0}`},
		{"more", "q=kiwi&limit=1", store.SearchResult{Total: 3, Hits: []store.Hit{{Document: d, Page: 2, Score: 1.5,
			Snippet: []store.Fragment{{Text: "a <b> "}, {Text: "kiwi", Match: true}}}}},
			`{"hits":[{"document":{"id":"d1","name":"a.png","content_type":"image/png","size":7,"sha256":"ab","status":"done","pages":2,"title":"a","date":"2025-12-31","date_source":"text","tags":["tax"],"attempts":1,"created_at":"2026-01-02T03:04:05Z","updated_at":"2026-01-02T03:04:05Z"},"page":2,"snippet":[{"text":"a <b> "},{"text":"kiwi","match":true}],"score":1.5}],"next_offset":1,"query":"kiwi","total":3}`},
		{"capped", "q=kiwi&offset=1", store.SearchResult{Total: 2, Capped: true, Hits: []store.Hit{{Document: d, Page: 1}}},
			`{"capped":true,"hits":[{"document":{"id":"d1","name":"a.png","content_type":"image/png","size":7,"sha256":"ab","status":"done","pages":2,"title":"a","date":"2025-12-31","date_source":"text","tags":["tax"],"attempts":1,"created_at":"2026-01-02T03:04:05Z","updated_at":"2026-01-02T03:04:05Z"},"page":1,"snippet":null,"score":0}],"query":"kiwi","total":2}`},
	}
	for _, tt := range tests {
		e := newEnv(t, func(o *Options) { o.Store = searchStore{Store: o.Store, res: tt.res} })
		rec := e.get("/v1/search?"+tt.query, "")
		if got := strings.TrimSpace(rec.Body.String()); rec.Code != http.StatusOK || got != tt.want {
			t.Errorf("%s: %d %s\nwant %s", tt.name, rec.Code, got, tt.want)
		}
	}
}

func TestRateLimit(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.RateLimit, o.RateBurst = 1, 2 })
	var codes []int
	for range 3 {
		codes = append(codes, e.get("/v1/documents", "").Code)
	}
	if codes[0] != 200 || codes[1] != 200 || codes[2] != http.StatusTooManyRequests {
		t.Errorf("codes = %v, want 200 200 429", codes)
	}
	rec := e.get("/v1/documents", "")
	if rec.Header().Get("Retry-After") == "" {
		t.Errorf("429 without Retry-After")
	}
	if got := e.get("/v1/documents", "bob").Code; got != 200 {
		t.Errorf("another user is limited too: %d", got)
	}
	if got := e.get("/healthz", "").Code; got != 200 {
		t.Errorf("healthz is rate limited: %d", got)
	}
}

func TestRoutingProblems(t *testing.T) {
	e := newEnv(t, nil)
	wantProblem(t, e.get("/nope", ""), http.StatusNotFound, "no such route")
	rec := e.do(httptest.NewRequest("PUT", "/v1/documents", nil))
	wantProblem(t, rec, http.StatusMethodNotAllowed, "method")
	if rec.Header().Get("Allow") == "" {
		t.Errorf("405 without Allow header")
	}
	wantProblem(t, e.get("/v1/documents/not-an-id", ""), http.StatusNotFound, "")
	wantProblem(t, e.get("/v1/documents?status=lost", ""), http.StatusBadRequest, "status")
	wantProblem(t, e.get("/v1/documents?cursor=not-a-cursor", ""), http.StatusBadRequest, "")
}

func TestReadiness(t *testing.T) {
	e := newEnv(t, nil)
	if rec := e.get("/readyz", ""); rec.Code != http.StatusOK {
		t.Errorf("readyz = %d, want 200", rec.Code)
	}
	e.srv.SetReady(false)
	wantProblem(t, e.get("/readyz", ""), http.StatusServiceUnavailable, "shutting down")
	if rec := e.get("/healthz", ""); rec.Code != http.StatusOK {
		t.Errorf("healthz while draining = %d, want 200", rec.Code)
	}
	e.srv.SetReady(true)
	e.store.Close()
	wantProblem(t, e.get("/readyz", ""), http.StatusServiceUnavailable, "store")
}

func TestOpsOnlyServesNoAPI(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.OpsOnly = true })
	if rec := e.get("/metrics", ""); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "go_goroutines") {
		t.Errorf("metrics: %d", rec.Code)
	}
	if rec := e.get("/v1/documents", ""); rec.Code != http.StatusNotFound {
		t.Errorf("ops-only server answers the API: %d", rec.Code)
	}
}

// Every route the server has is in the OpenAPI document, and every operation there is served.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	var spec struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(openapiSpec, &spec); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(spec.OpenAPI, "3.1") {
		t.Errorf("openapi = %q, want 3.1.x", spec.OpenAPI)
	}
	inSpec := map[string]bool{}
	for path, ops := range spec.Paths {
		for method := range ops {
			if method == "parameters" {
				continue
			}
			inSpec[strings.ToUpper(method)+" "+path] = true
		}
	}
	e := newEnv(t, nil)
	served := map[string]bool{}
	for _, rt := range e.srv.routes() {
		served[rt.pattern] = true
		if !inSpec[rt.pattern] {
			t.Errorf("route %q is not in openapi.json", rt.pattern)
		}
	}
	for op := range inSpec {
		if !served[op] {
			t.Errorf("openapi.json has %q, which no route serves", op)
		}
	}
	rec := e.get("/openapi.json", "")
	if rec.Code != http.StatusOK || !bytes.Equal(rec.Body.Bytes(), openapiSpec) {
		t.Errorf("/openapi.json: %d", rec.Code)
	}
}

func TestPageImage(t *testing.T) {
	e := newEnv(t, nil)
	up := decode[docs](t, e.upload("alice", file{"tall.png", pngBytes(t, 300, 600)}))
	id := up.Documents[0].ID
	path := "/v1/documents/" + id + "/pages/1/image"

	rec := e.get(path, "alice")
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "image/png" {
		t.Fatalf("page image = %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	img, err := png.Decode(rec.Body)
	if err != nil {
		t.Fatalf("page image is not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 50 || b.Dy() != 100 {
		t.Errorf("page image is %dx%d, want 50x100 (the longer side scaled to 100)", b.Dx(), b.Dy())
	}
	etag := rec.Header().Get("ETag")
	req := httptest.NewRequest("GET", path, nil)
	req.Header.Set("If-None-Match", etag)
	if rec := e.do(req); etag == "" || rec.Code != http.StatusNotModified {
		t.Errorf("revalidation with ETag %q = %d, want 304", etag, rec.Code)
	}

	wantProblem(t, e.get(path, "bob"), http.StatusNotFound, "no such document")
	wantProblem(t, e.get("/v1/documents/"+id+"/pages/2/image", "alice"), http.StatusNotFound, "no page 2")
	wantProblem(t, e.get("/v1/documents/"+id+"/pages/x/image", "alice"), http.StatusNotFound, "no page")
}

func TestCleanName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"scan.png", "scan.png"},
		{"invoice\u202Efdp.exe", "invoicefdp.exe"},
		{"\u2066a\u2067b\u2068c\u2069.pdf", "abc.pdf"},
		{"\u202Aa\u202Bb\u202Cc\u202Dd.png", "abcd.png"},
		{"\u200Eleft\u200F\u061C.tif", "left.tif"},
		{"\u202E", "document"},
		{"dir/\x1b[31mred.png", "[31mred.png"},
		{"نامه.pdf", "نامه.pdf"},
	}
	for _, tt := range tests {
		if got := cleanName(tt.in); got != tt.want {
			t.Errorf("cleanName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// A name stored before cleanName stripped bidirectional controls is cleaned when it is sent.
func TestContentDispositionIsClean(t *testing.T) {
	e := newEnv(t, nil)
	data := pngBytes(t, 10, 10)
	d := document.Document{Owner: "alice", Name: "invoice\u202Efdp.exe", ContentType: "image/png", Size: int64(len(data))}
	d.ID = document.NewID(time.Now())
	d.BlobKey = blob.Key(d.ID)
	if err := e.srv.opt.Bucket.Upload(context.Background(), d.BlobKey, bytes.NewReader(data), &gcblob.WriterOptions{ContentType: "image/png"}); err != nil {
		t.Fatal(err)
	}
	if err := e.store.Create(context.Background(), &d); err != nil {
		t.Fatal(err)
	}
	rec := e.get("/v1/documents/"+d.ID+"/content", "alice")
	if got, want := rec.Header().Get("Content-Disposition"), "attachment; filename=invoicefdp.exe"; rec.Code != http.StatusOK || got != want {
		t.Errorf("content: %d, Content-Disposition = %q, want %q", rec.Code, got, want)
	}
}

// A document's page count is left out until OCR has counted the pages, rather than said to be 0.
func TestPagesAbsentUntilCounted(t *testing.T) {
	e := newEnv(t, nil)
	rec := e.upload("", file{"a.png", pngBytes(t, 10, 10)})
	var up struct{ Documents []map[string]any }
	if err := json.Unmarshal(rec.Body.Bytes(), &up); err != nil || len(up.Documents) != 1 {
		t.Fatalf("upload: %d %s", rec.Code, rec.Body)
	}
	if p, ok := up.Documents[0]["pages"]; ok {
		t.Errorf("upload answers pages = %v for a document not yet counted, want no pages field", p)
	}
	id := up.Documents[0]["id"].(string)
	e.finish("text")
	got := decode[map[string]any](t, e.get("/v1/documents/"+id, ""))
	if got["pages"] != 1.0 {
		t.Errorf("done document: pages = %v, want 1", got["pages"])
	}
}

// fillingBucket is the real bucket until it has taken room uploads; then, like a full disk, it
// refuses more with ENOSPC.
type fillingBucket struct {
	Bucket
	room int
}

func (b *fillingBucket) Upload(ctx context.Context, key string, r io.Reader, opts *gcblob.WriterOptions) error {
	if b.room == 0 {
		return &os.PathError{Op: "write", Path: key, Err: syscall.ENOSPC}
	}
	b.room--
	return b.Bucket.Upload(ctx, key, r, opts)
}

// TestStorageFull: an upload that finds no room is 507 and changes nothing, not even for the
// files of the same request that fitted, and readiness goes false for a while.
func TestStorageFull(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.Bucket = &fillingBucket{Bucket: o.Bucket, room: 2} })
	rec := e.upload("", file{"a.png", pngBytes(t, 10, 10)}, file{"b.png", pngBytes(t, 10, 10)}, file{"c.png", pngBytes(t, 10, 10)})
	wantProblem(t, rec, http.StatusInsufficientStorage, "no room")
	if got := decode[docs](t, e.get("/v1/documents", "")); len(got.Documents) != 0 {
		t.Errorf("%d documents exist after an upload that did not fit", len(got.Documents))
	}
	if entries, _ := os.ReadDir(filepath.Join(e.blobDir, "originals")); len(entries) != 0 {
		t.Errorf("%d blobs stored after an upload that did not fit", len(entries))
	}
	wantProblem(t, e.get("/readyz", ""), http.StatusServiceUnavailable, "storage full")
	e.srv.full.Store(time.Now().Add(-fullFor).UnixNano())
	if rec := e.get("/readyz", ""); rec.Code != http.StatusOK {
		t.Errorf("readyz %v after the last full write = %d, want 200", fullFor, rec.Code)
	}
}
