package ocr

import (
	"context"
	"errors"
	"image"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/docpipe/docpipe/internal/document"
	"github.com/docpipe/docpipe/internal/ocr/ocrtest"
)

// fourPages returns a four-page TIFF and the text of its pages.
func fourPages(t *testing.T) ocrtest.Doc {
	t.Helper()
	fonts, err := ocrtest.LoadFonts(11)
	if err != nil {
		t.Fatal(err)
	}
	d := ocrtest.Doc{Name: "four-pages", MediaType: TypeTIFF, Class: ocrtest.Clean}
	var imgs []*image.Gray
	for i := range 4 {
		img, text, err := ocrtest.TextPage(fonts[i%len(fonts)], ocrtest.Paragraphs[i:i+2])
		if err != nil {
			t.Fatal(err)
		}
		imgs = append(imgs, img)
		d.Pages = append(d.Pages, text)
		d.Sources = append(d.Sources, document.SourceOCR)
	}
	d.Data = ocrtest.TIFF(imgs)
	return d
}

func TestRecognizeSpreadsPages(t *testing.T) {
	d := fourPages(t)
	p := newPool(t, Options{Size: 2})
	if busy, size := p.Stats(); busy != 0 || size != 2 {
		t.Fatalf("idle Stats() = %d, %d; want 0, 2", busy, size)
	}
	done := make(chan struct{})
	var pages []document.Page
	var err error
	go func() {
		defer close(done)
		pages, err = p.Recognize(context.Background(), d.Data, "", "")
	}()
	maxBusy := 0
	for running := true; running; {
		select {
		case <-done:
			running = false
		case <-time.After(2 * time.Millisecond):
			busy, _ := p.Stats()
			maxBusy = max(maxBusy, busy)
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	if maxBusy != 2 {
		t.Errorf("at most %d engines were busy on a 4-page document, want 2", maxBusy)
	}
	checkPages(t, d, pages)
	if busy, _ := p.Stats(); busy != 0 {
		t.Errorf("Stats() after Recognize: busy = %d, want 0", busy)
	}
}

// TestRecognizeTimeout stops a page in the middle of recognition and then
// uses the same engine again.
func TestRecognizeTimeout(t *testing.T) {
	d := denseDoc(t)
	p := newPool(t, Options{Size: 1})
	start := time.Now()
	if _, err := p.Recognize(context.Background(), d.Data, d.MediaType, ""); err != nil {
		t.Fatal(err)
	}
	full := time.Since(start)

	const timeout = 400 * time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	start = time.Now()
	_, err := p.Recognize(ctx, d.Data, d.MediaType, "")
	stopped := time.Since(start)
	t.Logf("full page %v, stopped after %v", full, stopped)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Recognize with %v timeout: error = %v, want deadline exceeded", timeout, err)
	}
	if errors.Is(err, document.ErrInvalidInput) {
		t.Errorf("a timeout must not be reported as invalid input: %v", err)
	}
	if stopped > full/2 {
		t.Errorf("Recognize took %v to notice a %v timeout (a full page takes %v)", stopped, timeout, full)
	}

	pages, err := p.Recognize(context.Background(), d.Data, d.MediaType, "")
	if err != nil {
		t.Fatalf("Recognize after a timeout: %v", err)
	}
	checkPages(t, d, pages)
}

// TestRecognizePDFTimeout ends the context at various points of a scanned
// PDF's processing (pdfinfo, pdftotext, pdftoppm, Tesseract): the error
// must be the context's, never invalid input.
func TestRecognizePDFTimeout(t *testing.T) {
	d := testCorpus(t).Doc("pdf-scan-flate")
	p := testPool(t)
	for _, timeout := range []time.Duration{time.Millisecond, 20 * time.Millisecond, 60 * time.Millisecond, 150 * time.Millisecond, 400 * time.Millisecond} {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		_, err := p.Recognize(ctx, d.Data, d.MediaType, "")
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, document.ErrInvalidInput) {
			t.Errorf("Recognize with %v timeout: error = %v, want only deadline exceeded", timeout, err)
		}
	}
}

// denseDoc is a page full of text, slow to recognize.
func denseDoc(t *testing.T) ocrtest.Doc {
	t.Helper()
	fonts, err := ocrtest.LoadFonts(10)
	if err != nil {
		t.Fatal(err)
	}
	paras := append(append([]string{}, ocrtest.Paragraphs...), ocrtest.Paragraphs[:5]...)
	img, text, err := ocrtest.TextPage(fonts[1], paras)
	if err != nil {
		t.Fatal(err)
	}
	data, err := ocrtest.PNG(img)
	if err != nil {
		t.Fatal(err)
	}
	return ocrtest.Doc{Name: "dense", MediaType: TypePNG, Data: data, Pages: []string{text},
		Sources: []string{document.SourceOCR}, Class: ocrtest.Clean}
}

func TestRecognizeCanceled(t *testing.T) {
	d := testCorpus(t).Doc("clean-go-regular")
	p := testPool(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	before := decodes.Load()
	_, err := p.Recognize(ctx, d.Data, d.MediaType, "")
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Recognize with a canceled context: error = %v, want context.Canceled", err)
	}
	if decodes.Load() != before {
		t.Errorf("Recognize decoded a page for a canceled context")
	}
}

// TestMediaTypeHint checks that the declared type never overrides the bytes.
func TestMediaTypeHint(t *testing.T) {
	d := testCorpus(t).Doc("table")
	p := testPool(t)
	for _, declared := range []string{"image/png", "application/pdf", "image/jpeg; q=1", "text/html", "", "nonsense/"} {
		pages, err := p.Recognize(context.Background(), d.Data, declared, "")
		if err != nil {
			t.Errorf("Recognize(PNG declared %q): %v", declared, err)
			continue
		}
		if cer := ocrtest.CER(pages[0].Text, d.Pages[0]); len(pages) != 1 || cer > 0.01 {
			t.Errorf("Recognize(PNG declared %q): %d pages, CER %.2f%%", declared, len(pages), 100*cer)
		}
	}
}

func TestClose(t *testing.T) {
	d := testCorpus(t).Doc("table")
	p, err := New(Options{Size: 1})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var pages []document.Page
	var recErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		pages, recErr = p.Recognize(context.Background(), d.Data, d.MediaType, "")
	}()
	for busy := 0; busy == 0; busy, _ = p.Stats() {
		time.Sleep(time.Millisecond)
	}
	if err := p.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	wg.Wait()
	if recErr != nil || len(pages) != 1 || ocrtest.CER(pages[0].Text, d.Pages[0]) > 0.01 {
		t.Errorf("Recognize in flight during Close = %d pages, %v; want the page read", len(pages), recErr)
	}
	if _, err := p.Recognize(context.Background(), d.Data, d.MediaType, ""); !errors.Is(err, ErrClosed) {
		t.Errorf("Recognize after Close: error = %v, want ErrClosed", err)
	}
	if err := p.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestNewFails(t *testing.T) {
	tests := []Options{
		{Size: 1, Lang: "klingon"},
		{Size: 1, TessdataDir: t.TempDir()},
		{Size: -1},
	}
	for _, opt := range tests {
		if p, err := New(opt); err == nil {
			p.Close()
			t.Errorf("New(%+v) succeeded, want an error", opt)
		}
	}
}

func TestErrors(t *testing.T) {
	if !errors.Is(ErrUnsupportedType, document.ErrInvalidInput) {
		t.Error("ErrUnsupportedType does not wrap document.ErrInvalidInput")
	}
	var err error = &LimitError{Limit: "pages", Max: 5, Got: 9}
	if !errors.Is(err, document.ErrInvalidInput) {
		t.Error("LimitError does not unwrap to document.ErrInvalidInput")
	}
	if got, want := err.Error(), "too many pages: 9, limit 5"; got != want {
		t.Errorf("LimitError.Error() = %q, want %q", got, want)
	}
}

// A page that takes longer than PageTimeout fails its document as invalid input, a permanent
// failure; the document's own deadline passing is not the page's fault.
func TestPageTimeout(t *testing.T) {
	slow := ocrtest.FillsPDF(3_000_000)
	p := newPool(t, Options{Size: 1, PageTimeout: time.Second})

	start := time.Now()
	_, err := p.Recognize(context.Background(), slow, TypePDF, "")
	if !errors.Is(err, document.ErrInvalidInput) || !strings.Contains(err.Error(), "page 1: took longer than the 1s a page may take") {
		t.Errorf("Recognize = %v, want page 1 over its time, as invalid input", err)
	}
	if took := time.Since(start); took > 15*time.Second {
		t.Errorf("the page was stopped after %v", took)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	_, err = p.Recognize(ctx, slow, TypePDF, "")
	if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, document.ErrInvalidInput) {
		t.Errorf("Recognize past the document's deadline = %v, want the deadline, not invalid input", err)
	}
}
