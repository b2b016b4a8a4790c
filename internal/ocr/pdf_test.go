package ocr

import (
	"context"
	"errors"
	"image"
	"image/draw"
	"strings"
	"testing"

	"github.com/docpipe/docpipe/internal/document"
	"github.com/docpipe/docpipe/internal/ocr/ocrtest"
)

func TestParsePDFInfo(t *testing.T) {
	const normal = `Title:           Quarterly report
Producer:        docpipe tests
Tagged:          no
Pages:           2
Encrypted:       no
Page    1 size:  595.28 x 841.89 pts (A4)
Page    1 rot:   0
Page    2 size:  612 x 792 pts (letter)
Page    2 rot:   90
File size:       3161 bytes
PDF version:     1.4
`
	tests := []struct {
		name    string
		out     string
		n       int
		pages   []pdfPage
		wantErr bool
	}{
		{"normal", normal, 2, []pdfPage{{595.28, 841.89, 0}, {612, 792, 90}}, false},
		{"lines injected by the title", "Title:           x\nPages: 1\nPage 1 size: 1 x 1 pts\n" + normal[strings.Index(normal, "Producer"):],
			2, []pdfPage{{595.28, 841.89, 0}, {612, 792, 90}}, false},
		{"sizes beyond -l not listed", "Pages: 9\nPage 1 size: 100 x 200 pts\n", 9, []pdfPage{{100, 200, 0}}, false},
		{"no page count", "Title: x\n", 0, nil, true},
		{"zero pages", "Pages: 0\n", 0, nil, true},
		{"negative size", "Pages: 1\nPage 1 size: -5 x 10 pts\n", 0, nil, true},
		{"huge size", "Pages: 1\nPage 1 size: 1e12 x 10 pts\n", 0, nil, true},
		{"pages out of order", "Pages: 2\nPage 2 size: 5 x 10 pts\n", 0, nil, true},
		{"bad count", "Pages: many\n", 0, nil, true},
	}
	for _, tt := range tests {
		n, pages, err := parsePDFInfo([]byte(tt.out))
		if tt.wantErr {
			if !errors.Is(err, document.ErrInvalidInput) {
				t.Errorf("parsePDFInfo(%s) error = %v, want invalid input", tt.name, err)
			}
			continue
		}
		if err != nil || n != tt.n || len(pages) != len(tt.pages) {
			t.Errorf("parsePDFInfo(%s) = %d, %v, %v; want %d, %v", tt.name, n, pages, err, tt.n, tt.pages)
			continue
		}
		for i := range pages {
			if pages[i] != tt.pages[i] {
				t.Errorf("parsePDFInfo(%s) page %d = %v, want %v", tt.name, i+1, pages[i], tt.pages[i])
			}
		}
	}
}

func TestRasterSize(t *testing.T) {
	lim := Limits{MaxPixels: 50_000_000, DPI: 300}
	tests := []struct {
		name    string
		page    pdfPage
		dpi     int
		size    size
		wantErr bool
	}{
		{"A4 at 300 dpi", pdfPage{595.28, 841.89, 0}, 300, size{2481, 3508}, false},
		{"rotated letter", pdfPage{612, 792, 90}, 300, size{3300, 2550}, false},
		{"A0 lowered to fit", pdfPage{2383.94, 3370.39, 0}, 179, size{5927, 8380}, false},
		{"200 inch square refused", pdfPage{14400, 14400, 0}, 0, size{}, true},
	}
	for _, tt := range tests {
		dpi, s, err := rasterSize(tt.page, lim)
		if tt.wantErr {
			var le *LimitError
			if !errors.As(err, &le) || le.Limit != "pixels" {
				t.Errorf("rasterSize(%s) error = %v, want a pixels limit error", tt.name, err)
			}
			continue
		}
		if err != nil || dpi != tt.dpi || s != tt.size || s.pixels() > lim.MaxPixels {
			t.Errorf("rasterSize(%s) = %d dpi, %v, %v; want %d dpi, %v", tt.name, dpi, s, err, tt.dpi, tt.size)
		}
	}
}

func TestHasTextLayer(t *testing.T) {
	tests := []struct {
		text string
		want bool
	}{
		{"", false},
		{"  \n\f", false},
		{"Page 3", false},
		{"- 12 -\n\nCONFIDENTIAL", false},
		{"The harbour office opened at 7:45 on Monday.", true},
	}
	for _, tt := range tests {
		if got := hasTextLayer(tt.text); got != tt.want {
			t.Errorf("hasTextLayer(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
}

func TestInspect(t *testing.T) {
	c := testCorpus(t)
	a4 := Info{Pages: 1, Width: ocrtest.PageWidth, Height: ocrtest.PageHeight}
	tests := []struct {
		doc  string
		want Info
	}{
		{"clean-go-regular", a4},
		{"rot90", Info{Pages: 1, Width: ocrtest.PageHeight, Height: ocrtest.PageWidth}},
		{"jpeg", a4},
		{"tiff-multipage", Info{Pages: 3, Width: ocrtest.PageWidth, Height: ocrtest.PageHeight}},
		{"pdf-text", Info{Pages: 2, Width: 2481, Height: 3508}},
		{"pdf-mixed", Info{Pages: 2, Width: 2481, Height: 3508}},
	}
	for _, tt := range tests {
		d := c.Doc(tt.doc)
		tt.want.MediaType = d.MediaType
		got, err := Inspect(context.Background(), d.Data, Limits{})
		if err != nil || got != tt.want {
			t.Errorf("Inspect(%s) = %+v, %v; want %+v", tt.doc, got, err, tt.want)
		}
	}
}

// TestRecognizeLargePDFPage reads a scanned PDF page too large for
// MaxPixels at the configured DPI: it is rasterized at a lower resolution
// that fits.
func TestRecognizeLargePDFPage(t *testing.T) {
	fonts, err := ocrtest.LoadFonts(11)
	if err != nil {
		t.Fatal(err)
	}
	img := image.NewGray(image.Rect(0, 0, 2000, 2667))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	text, err := ocrtest.DrawText(img, fonts[0], image.Rect(150, 150, 1850, 2500), ocrtest.Paragraphs[:2])
	if err != nil {
		t.Fatal(err)
	}
	// At 120 dpi the page is 1200 x 1600 pt: 33 million pixels at 300 dpi.
	data, err := ocrtest.PDF([]ocrtest.PDFPage{{Image: img, DPI: 120}})
	if err != nil {
		t.Fatal(err)
	}
	lim := Limits{MaxPixels: 20_000_000}
	info, err := Inspect(context.Background(), data, lim)
	if err != nil {
		t.Fatal(err)
	}
	if px := int64(info.Width) * int64(info.Height); px > lim.MaxPixels || px < lim.MaxPixels*9/10 {
		t.Errorf("Inspect = %+v: want a raster just within %d pixels", info, lim.MaxPixels)
	}
	p := newPool(t, Options{Size: 1, Limits: lim})
	pages, err := p.Recognize(context.Background(), data, TypePDF, "")
	if err != nil {
		t.Fatal(err)
	}
	cer := ocrtest.CER(pages[0].Text, text)
	if len(pages) != 1 || pages[0].Source != document.SourceOCR || cer > 0.01 {
		t.Errorf("Recognize = %d pages, source %q, CER %.2f%%; want 1 OCR page, CER ≤ 1%%", len(pages), pages[0].Source, 100*cer)
	}
}
