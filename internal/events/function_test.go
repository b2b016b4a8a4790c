package events

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/docpipe/docpipe/internal/document"
)

// exampleID is the document id in the committed invocation examples.
const exampleID = "01jdz5g1q0v7h3k8m2n4p6r8t0"

// example reads an invocation the Functions host sends, from the contract's examples, with the
// document id replaced by id.
func example(t *testing.T, name, id string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "deploy", "azure", "function", "examples", name))
	if err != nil {
		t.Fatal(err)
	}
	return strings.ReplaceAll(string(b), exampleID, id)
}

func invoke(t *testing.T, h http.Handler, path, body string) (int, invocationResult) {
	t.Helper()
	req := httptest.NewRequest("POST", path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var res invocationResult
	if err := json.Unmarshal(rec.Body.Bytes(), &res); err != nil {
		t.Fatalf("POST %s: answer %q is not a custom handler response: %v", path, rec.Body, err)
	}
	if res.Outputs == nil || res.ReturnValue != nil || len(res.Logs) == 0 {
		t.Errorf("POST %s: answer %s, want Outputs {}, Logs and a null ReturnValue", path, rec.Body)
	}
	return rec.Code, res
}

func TestFunctionOCR(t *testing.T) {
	f := newFixture(t)
	worker := &completer{store: f.st}
	fn := &Function{Processor: f.processor(worker)}
	h := fn.Handler()
	done := func(id string) bool {
		d, err := f.st.Get(t.Context(), "alice", id)
		return err == nil && d.Status == document.StatusDone
	}

	for _, name := range []string{"request-eventgrid.json", "request-cloudevent.json"} {
		id := f.stored(t, true)
		if code, res := invoke(t, h, "/ocr", example(t, name, id)); code != http.StatusOK || !done(id) {
			t.Errorf("%s: %d %v, document done %v; want 200 and done", name, code, res.Logs, done(id))
		}
	}
	runs := worker.runs.Load()
	id := f.stored(t, true)
	invoke(t, h, "/ocr", example(t, "request-eventgrid.json", id))
	if code, _ := invoke(t, h, "/ocr", example(t, "request-eventgrid.json", id)); code != http.StatusOK || worker.runs.Load() != runs+1 {
		t.Errorf("redelivery = %d after %d runs, want 200 and one run", code, worker.runs.Load()-runs)
	}

	leased := f.stored(t, true)
	if _, err := f.st.ClaimDocument(t.Context(), leased, time.Minute); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		body string
		want int
	}{
		{"leased elsewhere", example(t, "request-eventgrid.json", leased), http.StatusInternalServerError},
		{"original without a document", example(t, "request-eventgrid.json", f.stored(t, false)), http.StatusInternalServerError},
		{"deleted document", example(t, "request-eventgrid.json", document.NewID(time.Now())), http.StatusOK},
		{"blob deleted", strings.Replace(example(t, "request-eventgrid.json", id), "BlobCreated", "BlobDeleted", 1), http.StatusOK},
		{"another prefix", strings.Replace(example(t, "request-eventgrid.json", id), "blobs/originals/", "blobs/previews/", 1), http.StatusOK},
		{"not an invocation", `{"Data":`, http.StatusInternalServerError},
		{"another binding", `{"Data":{"blob":{}},"Metadata":{}}`, http.StatusInternalServerError},
		{"not a storage event", `{"Data":{"event":{"eventType":"Microsoft.Resources.ResourceWriteSuccess","subject":"/x"}}}`, http.StatusInternalServerError},
		{"event string not JSON", `{"Data":{"event":"{\"eventType\":"}}`, http.StatusInternalServerError},
	}
	for _, tt := range tests {
		if code, res := invoke(t, h, "/ocr", tt.body); code != tt.want {
			t.Errorf("%s: %d %v, want %d", tt.name, code, res.Logs, tt.want)
		}
	}
}

func TestFunctionSweep(t *testing.T) {
	f := newFixture(t)
	worker := &completer{store: f.st}
	ids := []string{f.stored(t, true), f.stored(t, true)}
	fn := &Function{Processor: f.processor(worker), Drain: func(ctx context.Context) (int, error) {
		n := 0
		for {
			job, err := f.st.Claim(ctx, time.Minute)
			if errors.Is(err, document.ErrNoJob) {
				return n, nil
			}
			if err != nil {
				return n, err
			}
			worker.Process(ctx, job)
			n++
		}
	}}
	code, res := invoke(t, fn.Handler(), "/sweep", example(t, "request-timer.json", ""))
	if code != http.StatusOK || !slices.Equal(res.Logs, []string{"2 jobs processed"}) {
		t.Errorf("sweep = %d %q, want 200 and 2 jobs processed", code, res.Logs)
	}
	for _, id := range ids {
		if d, err := f.st.Get(t.Context(), "alice", id); err != nil || d.Status != document.StatusDone {
			t.Errorf("%s after the sweep: %+v, %v; want done", id, d, err)
		}
	}
	if code, _ := invoke(t, fn.Handler(), "/sweep", `{"Data":{"event":{}}}`); code != http.StatusInternalServerError {
		t.Errorf("sweep without a timer binding = %d, want 500", code)
	}
}
