package events

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	docblob "github.com/docpipe/docpipe/internal/blob"
	"github.com/docpipe/docpipe/internal/document"
	"github.com/docpipe/docpipe/internal/store"
	"github.com/docpipe/docpipe/internal/store/sqlite"
	gcblob "gocloud.dev/blob"
)

// completer is a worker that stores one page of text for every job it is given.
type completer struct {
	store *store.Store
	runs  atomic.Int32
}

func (c *completer) Process(ctx context.Context, job document.Job) {
	c.runs.Add(1)
	_ = c.store.Complete(ctx, job, []document.Page{{Number: 1, Text: "pushed"}})
}

// fixture is a real SQLite store and file bucket with helpers to put documents in them.
type fixture struct {
	st     *store.Store
	bucket *gcblob.Bucket
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "docpipe.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	bucket, err := docblob.Open(t.Context(), (&url.URL{Scheme: "file", Path: t.TempDir()}).String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bucket.Close() })
	return &fixture{st: st, bucket: bucket}
}

// stored writes an original and, withDocument, commits its document; it returns the id.
func (f *fixture) stored(t *testing.T, withDocument bool) string {
	t.Helper()
	id := document.NewID(time.Now())
	original := []byte("png " + id)
	if err := f.bucket.WriteAll(t.Context(), docblob.Key(id), original, nil); err != nil {
		t.Fatal(err)
	}
	if withDocument {
		sum := sha256.Sum256(original)
		d := &document.Document{ID: id, Owner: "alice", Name: "a.png", ContentType: "image/png", Size: int64(len(original)),
			SHA256: hex.EncodeToString(sum[:]), BlobKey: docblob.Key(id)}
		if err := f.st.Create(t.Context(), d); err != nil {
			t.Fatal(err)
		}
	}
	return id
}

func (f *fixture) processor(w Worker) *Processor {
	return &Processor{Store: f.st, Bucket: f.bucket, Worker: w, Lease: time.Minute}
}

func TestPush(t *testing.T) {
	ctx := t.Context()
	f := newFixture(t)
	st := f.st
	worker := &completer{store: st}
	h := &Push{Processor: f.processor(worker), Decode: GCS}
	stored := func(withDocument bool) string { return f.stored(t, withDocument) }
	deliver := func(id string) *httptest.ResponseRecorder {
		t.Helper()
		req := httptest.NewRequest("POST", "/events", strings.NewReader(storageObject(docblob.Key(id))))
		for k, v := range binaryHeaders(typeFinalized) {
			req.Header[k] = v
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}

	id := stored(true)
	if rec := deliver(id); rec.Code != http.StatusNoContent {
		t.Fatalf("first delivery = %d %s, want 204", rec.Code, rec.Body)
	}
	if d, err := st.Get(ctx, "alice", id); err != nil || d.Status != document.StatusDone {
		t.Fatalf("after the event the document is %+v, %v; want done", d, err)
	}
	if rec := deliver(id); rec.Code != http.StatusNoContent || worker.runs.Load() != 1 {
		t.Errorf("redelivery = %d with %d runs, want 204 and still 1 run", rec.Code, worker.runs.Load())
	}

	leased := stored(true)
	if _, err := st.ClaimDocument(ctx, leased, time.Minute); err != nil {
		t.Fatal(err)
	}
	rec := deliver(leased)
	if secs, _ := strconv.Atoi(rec.Header().Get("Retry-After")); rec.Code != http.StatusServiceUnavailable || secs < 50 || secs > 61 {
		t.Errorf("job leased elsewhere = %d, Retry-After %q; want 503 after about a minute", rec.Code, rec.Header().Get("Retry-After"))
	}

	if rec := deliver(stored(false)); rec.Code != http.StatusInternalServerError {
		t.Errorf("original without a document = %d, want 500 (redeliver until committed or dead-lettered)", rec.Code)
	}
	if rec := deliver(document.NewID(time.Now())); rec.Code != http.StatusNoContent {
		t.Errorf("deleted document = %d, want 204", rec.Code)
	}

	tests := []struct {
		name string
		body string
		want int
	}{
		{"malformed", `{"message":`, http.StatusBadRequest},
		{"too large", `{"message":"` + strings.Repeat("x", maxPushBytes) + `"}`, http.StatusRequestEntityTooLarge},
		{"other event", push("OBJECT_DELETE", docblob.Key(id), ""), http.StatusNoContent},
	}
	for _, tt := range tests {
		req := httptest.NewRequest("POST", "/events", strings.NewReader(tt.body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != tt.want {
			t.Errorf("%s: %d %s, want %d", tt.name, rec.Code, rec.Body, tt.want)
		}
		if tt.want >= 400 && rec.Header().Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s: Content-Type %q, want a problem", tt.name, rec.Header().Get("Content-Type"))
		}
	}
}
