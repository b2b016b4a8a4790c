package vision

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/docpipe/docpipe/internal/document"
)

// FuzzDecode feeds response bodies to the decoders of results and errors:
// they must never panic, and a result they accept must have exactly the
// document's pages, numbered in order, with confidences within 0..100.
func FuzzDecode(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no seed files: %v", err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		for _, pages := range []int{1, 3} {
			f.Add(b, pages)
		}
	}
	f.Add([]byte(`{"status":"succeeded","analyzeResult":{"readResults":[{"page":2,"lines":[]},{"page":1,"lines":[{"text":"a","words":[{"confidence":7}]}]}]}}`), 2)
	f.Add([]byte(`{"status":"succeeded","analyzeResult":{"readResults":[{"page":1},{"page":1}]}}`), 2)
	f.Fuzz(func(t *testing.T, body []byte, want int) {
		if want < 1 || want > 2000 {
			return
		}
		e := decodeError(http.StatusBadRequest, body)
		if e.Error() == "" {
			t.Error("empty error message")
		}
		op, err := decodeOperation(body)
		if err != nil || op.Status != statusSucceeded {
			return
		}
		pages, err := op.pages(want)
		if err != nil {
			return
		}
		if len(pages) != want {
			t.Fatalf("%d pages, want %d", len(pages), want)
		}
		for i, p := range pages {
			if p.Number != i+1 || p.Source != document.SourceOCR || p.Confidence < 0 || p.Confidence > 100 {
				t.Errorf("page %d: %+v", i+1, p)
			}
		}
	})
}
