package ocr

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/docpipe/docpipe/internal/document"
	"github.com/docpipe/docpipe/internal/ocr/ocrtest"
)

// hostile returns inputs that must be refused, each with a check of the
// error beyond its wrapping document.ErrInvalidInput.
func hostile(t *testing.T) []struct {
	name  string
	data  []byte
	check func(error) bool
} {
	c := testCorpus(t)
	png := c.Doc("clean-go-regular").Data
	jpg := c.Doc("jpeg").Data
	tif := c.Doc("tiff-multipage").Data
	pdf := c.Doc("pdf-text").Data
	corruptPNG := append([]byte(nil), png...)
	for i := len(png) / 2; i < len(png)/2+64; i++ {
		corruptPNG[i] ^= 0x5a
	}
	manyPages := make([]ocrtest.PDFPage, 7)
	for i := range manyPages {
		manyPages[i].Lines = []string{"Page of a document that is too long for the limits."}
	}
	longPDF := mustPDF(t, manyPages)
	hugePage := mustPDF(t, []ocrtest.PDFPage{{Lines: []string{"A poster far too large to rasterize."}, Width: 14400, Height: 14400}})

	unsupported := func(err error) bool { return errors.Is(err, ErrUnsupportedType) }
	limit := func(kind string, max, got int64) func(error) bool {
		return func(err error) bool {
			var le *LimitError
			return errors.As(err, &le) && *le == LimitError{Limit: kind, Max: max, Got: got}
		}
	}
	says := func(s string) func(error) bool {
		return func(err error) bool { return strings.Contains(err.Error(), s) }
	}
	return []struct {
		name  string
		data  []byte
		check func(error) bool
	}{
		{"empty", nil, unsupported},
		{"exe named .pdf", append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"), make([]byte, 512)...), unsupported},
		{"html", []byte("<!DOCTYPE html>\n<html><head><title>invoice.pdf</title></head><body>Hello</body></html>\n"), unsupported},
		{"truncated png", png[:len(png)/2], says("PNG: truncated")},
		{"corrupt png", corruptPNG, says("cannot decode PNG")},
		{"truncated jpeg", jpg[:len(jpg)/2], says("JPEG: truncated")},
		{"truncated tiff", tif[:len(tif)/2], says("TIFF page 2")},
		{"truncated pdf", pdf[:len(pdf)/2], says("PDF: truncated")},
		{"pdf without body", []byte("%PDF-1.4\n%%EOF\n"), says("pdfinfo failed")},
		{"pixel bomb png", ocrtest.BombPNG(30000, 30000), limit("pixels", testLimits.MaxPixels, 30000*30000)},
		{"pixel bomb tiff", ocrtest.BombTIFF(1, 30000, 30000), limit("pixels", testLimits.MaxPixels, 30000*30000)},
		{"too many tiff pages", ocrtest.BombTIFF(6, 100, 100), limit("pages", int64(testLimits.MaxPages), 6)},
		{"too many pdf pages", longPDF, limit("pages", int64(testLimits.MaxPages), 7)},
		{"pdf page too large even at MinDPI", hugePage, limit("pixels", testLimits.MaxPixels, 14400*14400)},
	}
}

var testLimits = Limits{MaxPages: 5, MaxPixels: 40_000_000}

func mustPDF(t *testing.T, pages []ocrtest.PDFPage) []byte {
	t.Helper()
	data, err := ocrtest.PDF(pages)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestInspectRefuses(t *testing.T) {
	for _, tt := range hostile(t) {
		info, err := Inspect(context.Background(), tt.data, testLimits)
		if strings.HasPrefix(tt.name, "corrupt") {
			if err != nil {
				t.Errorf("Inspect(%s) = %v; its headers are sound, only decoding can tell", tt.name, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("Inspect(%s) = %+v, want an error", tt.name, info)
			continue
		}
		if !errors.Is(err, document.ErrInvalidInput) || !tt.check(err) {
			t.Errorf("Inspect(%s) error = %v", tt.name, err)
		}
	}
}

func TestRecognizeRefuses(t *testing.T) {
	p := newPool(t, Options{Size: 1, Limits: testLimits})
	for _, tt := range hostile(t) {
		before := decodes.Load()
		pages, err := p.Recognize(context.Background(), tt.data, "application/pdf", "")
		if err == nil {
			t.Errorf("Recognize(%s) = %d pages, want an error", tt.name, len(pages))
			continue
		}
		if !errors.Is(err, document.ErrInvalidInput) || !tt.check(err) {
			t.Errorf("Recognize(%s) error = %v", tt.name, err)
		}
		if strings.Contains(tt.name, "bomb") && decodes.Load() != before {
			t.Errorf("Recognize(%s) decoded the image before refusing it", tt.name)
		}
		t.Logf("%-34s %v", tt.name, err)
	}
	d := testCorpus(t).Doc("table")
	pages, err := p.Recognize(context.Background(), d.Data, d.MediaType, "")
	if err != nil {
		t.Fatalf("Recognize after refusals: %v", err)
	}
	checkPages(t, d, pages)
}

// TestPixelBombCheap checks that a decompression bomb is refused from its
// header: quickly, and without allocating anything like its pixels.
func TestPixelBombCheap(t *testing.T) {
	bomb := ocrtest.BombPNG(30000, 30000)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	_, err := Inspect(context.Background(), bomb, Limits{})
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)
	var le *LimitError
	if !errors.As(err, &le) || le.Got != 900_000_000 || le.Max != DefaultMaxPixels {
		t.Fatalf("Inspect(bomb) error = %v, want a pixels limit error", err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<20 {
		t.Errorf("Inspect(bomb) allocated %d bytes", alloc)
	}
	if elapsed > 100*time.Millisecond {
		t.Errorf("Inspect(bomb) took %v", elapsed)
	}
	if len(bomb) > 200<<10 {
		t.Errorf("bomb is %d bytes; it should be small", len(bomb))
	}
}

// TestInspectTimeBound: the check of an upload runs inside its request, so it must end in time
// whatever the file; a PDF whose page tree is 50,000 levels deep takes pdfinfo about a second.
func TestInspectTimeBound(t *testing.T) {
	deep := ocrtest.DeepPagesPDF(50_000)
	lim := testLimits
	lim.InspectTime = 50 * time.Millisecond
	start := time.Now()
	_, err := Inspect(context.Background(), deep, lim)
	if !errors.Is(err, document.ErrInvalidInput) || !strings.Contains(err.Error(), "too complex to check") {
		t.Errorf("Inspect(deep page tree) error = %v, want invalid input, too complex to check", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("Inspect took %v with a bound of %v", took, lim.InspectTime)
	}
	info, err := Inspect(context.Background(), ocrtest.DeepPagesPDF(3), testLimits)
	if err != nil || info.Pages != 1 {
		t.Errorf("Inspect(shallow page tree) = %+v, %v; want 1 page", info, err)
	}
}
