package ocr

import (
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/docpipe/docpipe/internal/document"
	"github.com/docpipe/docpipe/internal/ocr/ocrtest"
)

var (
	corpusDir  string
	corpusOnce sync.Once
	corpus     *ocrtest.Corpus
	corpusErr  error

	poolOnce   sync.Once
	sharedPool *Pool
	poolErr    error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if sharedPool != nil {
		sharedPool.Close()
	}
	if corpusDir != "" {
		os.RemoveAll(corpusDir)
	}
	os.Exit(code)
}

// testCorpus builds the corpus once per test binary.
func testCorpus(tb testing.TB) *ocrtest.Corpus {
	tb.Helper()
	corpusOnce.Do(func() {
		if corpusDir, corpusErr = os.MkdirTemp("", "ocr-corpus-"); corpusErr != nil {
			return
		}
		corpus, corpusErr = ocrtest.Build(corpusDir)
	})
	if corpusErr != nil {
		tb.Fatalf("build corpus: %v", corpusErr)
	}
	return corpus
}

// testPool returns a pool shared by the tests, with default options.
func testPool(tb testing.TB) *Pool {
	tb.Helper()
	poolOnce.Do(func() { sharedPool, poolErr = New(Options{}) })
	if poolErr != nil {
		tb.Fatalf("New: %v", poolErr)
	}
	return sharedPool
}

func newPool(tb testing.TB, opt Options) *Pool {
	tb.Helper()
	p, err := New(opt)
	if err != nil {
		tb.Fatalf("New(%+v): %v", opt, err)
	}
	tb.Cleanup(func() { p.Close() })
	return p
}

// checkPages compares recognized pages with a corpus document's reference.
func checkPages(t *testing.T, d ocrtest.Doc, pages []document.Page) {
	t.Helper()
	if len(pages) != len(d.Pages) {
		t.Fatalf("%s: got %d pages, want %d", d.Name, len(pages), len(d.Pages))
	}
	for i, p := range pages {
		cer := ocrtest.CER(p.Text, d.Pages[i])
		t.Logf("%-24s page %d  CER %.2f%%  confidence %3.0f  source %s", d.Name, i+1, 100*cer, p.Confidence, p.Source)
		if p.Number != i+1 {
			t.Errorf("%s page %d: Number = %d", d.Name, i+1, p.Number)
		}
		if p.Source != d.Sources[i] {
			t.Errorf("%s page %d: Source = %q, want %q", d.Name, i+1, p.Source, d.Sources[i])
		}
		if cer > d.Class.MaxCER() {
			t.Errorf("%s page %d: CER %.2f%% > %.0f%% (%s)\ngot:  %q\nwant: %q", d.Name, i+1, 100*cer,
				100*d.Class.MaxCER(), d.Class, ocrtest.Normalize(p.Text), ocrtest.Normalize(d.Pages[i]))
		}
		if d.Class == ocrtest.Exact && p.Text != d.Pages[i] {
			t.Errorf("%s page %d: text layer not exact:\ngot:  %q\nwant: %q", d.Name, i+1, p.Text, d.Pages[i])
		}
		switch {
		case p.Source == document.SourceOCR && p.Layout == nil:
			t.Errorf("%s page %d: read by OCR but no layout", d.Name, i+1)
		case p.Source == document.SourceOCR && p.Layout.Words() != len(strings.Fields(p.Text)):
			t.Errorf("%s page %d: layout holds %d words, text %d", d.Name, i+1, p.Layout.Words(), len(strings.Fields(p.Text)))
		case p.Source == document.SourceTextLayer && p.Layout != nil:
			t.Errorf("%s page %d: text layer page has a layout", d.Name, i+1)
		}
		if p.Confidence < 0 || p.Confidence > 100 {
			t.Errorf("%s page %d: Confidence = %v, want 0..100", d.Name, i+1, p.Confidence)
		}
	}
}
