package ocrtest

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"image"
	"image/jpeg"
	"strings"
)

// A PDFPage is one page of a PDF written by PDF: lines of text set in
// Helvetica, a scanned image filling the page, or both (text over image).
type PDFPage struct {
	Lines []string    // text, one entry per line; ASCII only
	Image *image.Gray // embedded losslessly (FlateDecode), unless JPEG is set
	JPEG  []byte      // a greyscale JPEG embedded as is (DCTDecode)
	DPI   float64     // resolution of the image; sets the page size (default DPI)

	// Width and Height set the size in points of a page without an image
	// (default A4).
	Width, Height float64
}

// A4 page size in points, used for pages without an image.
const (
	a4Width  = 595.28
	a4Height = 841.89
)

// PDF writes a minimal PDF 1.4 file with a real text layer for text lines
// and an image XObject for scanned pages.
func PDF(pages []PDFPage) ([]byte, error) {
	w := &pdfWriter{}
	w.buf.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	const catalog, pagesObj, fontObj = 1, 2, 3
	w.offsets = make([]int, 3)
	var kids []string
	next := 4
	type planned struct{ page, content, image int }
	plan := make([]planned, len(pages))
	for i, p := range pages {
		plan[i] = planned{page: next, content: next + 1}
		next += 2
		if p.Image != nil || p.JPEG != nil {
			plan[i].image = next
			next++
		}
		kids = append(kids, fmt.Sprintf("%d 0 R", plan[i].page))
	}
	w.object(catalog, fmt.Sprintf("<< /Type /Catalog /Pages %d 0 R >>", pagesObj))
	w.object(pagesObj, fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), len(pages)))
	w.object(fontObj, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
	for i, p := range pages {
		width, height := a4Width, a4Height
		if p.Width > 0 && p.Height > 0 {
			width, height = p.Width, p.Height
		}
		var content strings.Builder
		resources := fmt.Sprintf("/Font << /F1 %d 0 R >>", fontObj)
		if plan[i].image != 0 {
			iw, ih, dict, data, err := pdfImage(p)
			if err != nil {
				return nil, fmt.Errorf("page %d: %w", i+1, err)
			}
			dpi := p.DPI
			if dpi == 0 {
				dpi = DPI
			}
			width, height = float64(iw)*72/dpi, float64(ih)*72/dpi
			resources += fmt.Sprintf(" /XObject << /Im1 %d 0 R >>", plan[i].image)
			fmt.Fprintf(&content, "q %.2f 0 0 %.2f 0 0 cm /Im1 Do Q\n", width, height)
			w.stream(plan[i].image, dict, data)
		}
		if len(p.Lines) > 0 {
			fmt.Fprintf(&content, "BT /F1 11 Tf 14 TL 72 %.2f Td\n", height-90)
			for _, l := range p.Lines {
				fmt.Fprintf(&content, "(%s) Tj T*\n", pdfEscape(l))
			}
			content.WriteString("ET\n")
		}
		w.object(plan[i].page, fmt.Sprintf("<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %.2f %.2f] /Resources << %s >> /Contents %d 0 R >>",
			pagesObj, width, height, resources, plan[i].content))
		w.stream(plan[i].content, "", []byte(content.String()))
	}
	return w.finish(catalog), nil
}

func pdfImage(p PDFPage) (w, h int, dict string, data []byte, err error) {
	if p.JPEG != nil {
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(p.JPEG))
		if err != nil {
			return 0, 0, "", nil, fmt.Errorf("embedded JPEG: %w", err)
		}
		dict = fmt.Sprintf("/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode",
			cfg.Width, cfg.Height)
		return cfg.Width, cfg.Height, dict, p.JPEG, nil
	}
	b := p.Image.Bounds()
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	for y := range b.Dy() {
		zw.Write(p.Image.Pix[y*p.Image.Stride : y*p.Image.Stride+b.Dx()])
	}
	zw.Close()
	dict = fmt.Sprintf("/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode",
		b.Dx(), b.Dy())
	return b.Dx(), b.Dy(), dict, z.Bytes(), nil
}

type pdfWriter struct {
	buf     bytes.Buffer
	offsets []int
}

func (w *pdfWriter) object(n int, body string) {
	w.begin(n)
	fmt.Fprintf(&w.buf, "%d 0 obj\n%s\nendobj\n", n, body)
}

func (w *pdfWriter) stream(n int, dict string, data []byte) {
	w.begin(n)
	fmt.Fprintf(&w.buf, "%d 0 obj\n<< %s /Length %d >>\nstream\n", n, dict, len(data))
	w.buf.Write(data)
	w.buf.WriteString("\nendstream\nendobj\n")
}

// finish writes the cross-reference table and trailer, with object root as the catalog.
func (w *pdfWriter) finish(root int) []byte {
	xref := w.buf.Len()
	fmt.Fprintf(&w.buf, "xref\n0 %d\n0000000000 65535 f \n", len(w.offsets)+1)
	for _, off := range w.offsets {
		fmt.Fprintf(&w.buf, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&w.buf, "trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(w.offsets)+1, root, xref)
	return w.buf.Bytes()
}

func (w *pdfWriter) begin(n int) {
	for len(w.offsets) < n {
		w.offsets = append(w.offsets, 0)
	}
	w.offsets[n-1] = w.buf.Len()
}

func pdfEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `(`, `\(`, `)`, `\)`).Replace(s)
}

// WrapChars breaks text into lines of at most n characters at spaces.
func WrapChars(text string, n int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(text) {
		if line != "" && len(line)+1+len(w) > n {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}

// DeepPagesPDF returns a valid one-page PDF whose page tree is levels deep: each Pages node
// holds the next as its only kid. Small on disk, slow for a reader to walk.
func DeepPagesPDF(levels int) []byte {
	var w pdfWriter
	w.buf.WriteString("%PDF-1.4\n")
	w.object(1, "<< /Type /Catalog /Pages 2 0 R >>")
	for i := range levels {
		n := 2 + i
		parent := ""
		if i > 0 {
			parent = fmt.Sprintf(" /Parent %d 0 R", n-1)
		}
		w.object(n, fmt.Sprintf("<< /Type /Pages /Kids [%d 0 R] /Count 1%s >>", n+1, parent))
	}
	page := 2 + levels
	w.object(page, fmt.Sprintf("<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] >>", page-1))
	return w.finish(1)
}

// FillsPDF returns a valid one-page PDF whose content stream fills the whole page fills times,
// Flate-compressed: a small file that keeps a renderer busy for as long as fills says.
func FillsPDF(fills int) []byte {
	var z bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&z, zlib.BestCompression)
	op := []byte("0 0 612 792 re f\n")
	for range fills {
		zw.Write(op)
	}
	zw.Close()
	var w pdfWriter
	w.buf.WriteString("%PDF-1.4\n")
	w.object(1, "<< /Type /Catalog /Pages 2 0 R >>")
	w.object(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
	w.object(3, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>")
	w.stream(4, "/Filter /FlateDecode", z.Bytes())
	return w.finish(1)
}
