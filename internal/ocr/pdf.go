package ocr

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"unicode"
)

// A pdfPage is a page's crop box in points and its rotation in degrees, as
// pdfinfo reports them.
type pdfPage struct {
	w, h float64
	rot  int
}

// maxPageSide bounds the page sides accepted from pdfinfo, in points: ten
// times the 200 inches PDF allows without a UserUnit.
const maxPageSide = 144000

// pdfPages runs pdfinfo on the PDF at path, or on stdin if path is "-", and
// returns the raster each page would get within lim.
func pdfPages(ctx context.Context, path string, stdin []byte, lim Limits) ([]pageSpec, error) {
	out, err := run(ctx, 64<<10+128*lim.MaxPages, stdin, "pdfinfo", "-f", "1", "-l", strconv.Itoa(lim.MaxPages), path)
	if err != nil {
		return nil, err
	}
	n, pages, err := parsePDFInfo(out)
	if err != nil {
		return nil, err
	}
	if n > lim.MaxPages {
		return nil, &LimitError{Limit: "pages", Max: int64(lim.MaxPages), Got: int64(n)}
	}
	if len(pages) != n {
		return nil, invalid("PDF: pdfinfo reported %d page sizes for %d pages", len(pages), n)
	}
	specs := make([]pageSpec, n)
	for i, p := range pages {
		dpi, px, err := rasterSize(p, lim)
		if err != nil {
			return nil, fmt.Errorf("PDF page %d (%.0fx%.0f pt): %w", i+1, p.w, p.h, err)
		}
		specs[i] = pageSpec{size: px, dpi: dpi}
	}
	return specs, nil
}

// parsePDFInfo reads the page count and page sizes from pdfinfo's output.
// Only lines after the last "Pages:" line are trusted for sizes, since the
// document's own metadata (its title, say) is printed before it.
func parsePDFInfo(out []byte) (n int, pages []pdfPage, err error) {
	i := bytes.LastIndex(out, []byte("\nPages:"))
	if i < 0 {
		if !bytes.HasPrefix(out, []byte("Pages:")) {
			return 0, nil, invalid("PDF: pdfinfo reported no page count")
		}
	} else {
		out = out[i+1:]
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 64<<10)
	sc.Scan()
	n, err = strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(sc.Text(), "Pages:")))
	if err != nil || n < 0 {
		return 0, nil, invalid("PDF: bad page count %q", sc.Text())
	}
	if n == 0 {
		return 0, nil, invalid("PDF has no pages")
	}
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || f[0] != "Page" {
			continue
		}
		num, err := strconv.Atoi(f[1])
		if err != nil || num < 1 || num > len(pages)+1 || num > n {
			return 0, nil, invalid("PDF: unexpected pdfinfo line %q", sc.Text())
		}
		if num == len(pages)+1 {
			pages = append(pages, pdfPage{})
		}
		p := &pages[num-1]
		switch {
		case f[2] == "size:" && len(f) >= 6 && f[4] == "x":
			p.w, err = strconv.ParseFloat(f[3], 64)
			if err == nil {
				p.h, err = strconv.ParseFloat(f[5], 64)
			}
			if err != nil || !(p.w > 0 && p.w <= maxPageSide && p.h > 0 && p.h <= maxPageSide) {
				return 0, nil, invalid("PDF page %d: bad size %q", num, sc.Text())
			}
		case f[2] == "rot:":
			p.rot, err = strconv.Atoi(f[3])
			if err != nil {
				return 0, nil, invalid("PDF page %d: bad rotation %q", num, sc.Text())
			}
		}
	}
	for i, p := range pages {
		if p.w == 0 {
			return 0, nil, invalid("PDF page %d: no size", i+1)
		}
	}
	return n, pages, nil
}

// rasterSize returns the resolution to rasterize p at and the raster's
// size: lim.DPI if the raster fits lim.MaxPixels, else the highest
// resolution down to MinDPI that does.
func rasterSize(p pdfPage, lim Limits) (int, size, error) {
	at := func(dpi int) size {
		s := size{int64(math.Ceil(p.w * float64(dpi) / 72)), int64(math.Ceil(p.h * float64(dpi) / 72))}
		if p.rot%180 != 0 {
			s.w, s.h = s.h, s.w
		}
		return s
	}
	dpi := lim.DPI
	if px := at(dpi).pixels(); px > lim.MaxPixels {
		dpi = int(float64(dpi) * math.Sqrt(float64(lim.MaxPixels)/float64(px)))
		for dpi >= MinDPI && at(dpi).pixels() > lim.MaxPixels {
			dpi--
		}
	}
	if dpi < MinDPI {
		return 0, size{}, &LimitError{Limit: "pixels", Max: lim.MaxPixels, Got: at(MinDPI).pixels()}
	}
	return dpi, at(dpi), nil
}

// pdfText returns the text layer of each of the n pages of the PDF at path,
// laid out as pdftotext -layout does. A document that forbids copying text
// is reported as having no text layer.
func pdfText(ctx context.Context, path string, n int) ([]string, error) {
	out, err := run(ctx, n*(2<<20), nil, "pdftotext", "-layout", "-enc", "UTF-8", path, "-")
	var te *toolError
	if errors.As(err, &te) && te.code == 3 {
		return make([]string, n), nil
	}
	if err != nil {
		return nil, err
	}
	texts := strings.Split(string(out), "\f")
	if len(texts) < n {
		return nil, invalid("PDF: pdftotext returned %d pages of %d", len(texts), n)
	}
	return texts[:n], nil
}

// minTextLayer is the number of letters and digits a page's text layer
// needs to be used instead of OCR. Scans often carry a stray text object
// (a stamp, a page number) over an image that holds the real content.
const minTextLayer = 16

func hasTextLayer(text string) bool {
	n := 0
	for _, r := range text {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if n++; n >= minTextLayer {
				return true
			}
		}
	}
	return false
}

// rasterize renders page (1-based) of the PDF at path as an 8-bit PGM.
func rasterize(ctx context.Context, path string, page int, spec pageSpec) ([]byte, error) {
	n := strconv.Itoa(page)
	return run(ctx, int(spec.size.pixels())+64, nil, "pdftoppm",
		"-r", strconv.Itoa(spec.dpi), "-gray", "-cropbox", "-f", n, "-l", n,
		"-W", strconv.FormatInt(spec.size.w, 10), "-H", strconv.FormatInt(spec.size.h, 10), path)
}

// tempPDF writes data to a temporary file for the poppler tools and
// returns its path and a function that removes it.
func tempPDF(data []byte) (string, func(), error) {
	f, err := os.CreateTemp("", "docpipe-ocr-*.pdf")
	if err != nil {
		return "", nil, fmt.Errorf("temporary PDF: %w", err)
	}
	remove := func() { os.Remove(f.Name()) }
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		remove()
		return "", nil, fmt.Errorf("temporary PDF: %w", err)
	}
	return f.Name(), remove, nil
}
