package ocr

import (
	"bytes"
	"context"
	"fmt"
	"os"
)

// An input is a document whose type is known and whose pages have been
// checked against the limits, from headers only.
type input struct {
	mediaType string
	data      []byte
	pages     []pageSpec
	pdfPath   string // the PDF on disk, for the poppler tools
	lang      string // OCR languages, Tesseract codes joined by '+'
}

// A pageSpec is what is known about a page before it is decoded.
type pageSpec struct {
	size size   // pixels of the page image; for a PDF, of its raster at dpi
	dpi  int    // PDF only: resolution to rasterize at
	text string // PDF only: the page's text layer, if it has one
}

// Info describes a document as Inspect sees it.
type Info struct {
	MediaType     string
	Pages         int
	Width, Height int // of the largest page, 0 if unknown
}

// Inspect identifies data by its bytes and checks it against lim without
// decoding any page: it is cheap enough to run on every upload. Errors wrap
// document.ErrInvalidInput (see ErrUnsupportedType and LimitError) unless
// ctx ends or a poppler tool cannot be run.
func Inspect(ctx context.Context, data []byte, lim Limits) (Info, error) {
	return inspectSource(ctx, bytesSource(data), "-", data, lim)
}

// InspectFile is Inspect for the file at path, which it reads through a
// small window instead of whole: an image's headers (all of a JPEG, to count
// its scans), or a PDF's last bytes before pdfinfo reads the file itself.
// Errors are as for Inspect, and also report a file that cannot be read.
func InspectFile(ctx context.Context, path string, lim Limits) (Info, error) {
	f, err := os.Open(path)
	if err != nil {
		return Info{}, fmt.Errorf("ocr: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return Info{}, fmt.Errorf("ocr: %w", err)
	}
	return inspectSource(ctx, readerSource(f, fi.Size(), windowSize), path, nil, lim)
}

// inspectSource is Inspect of src; see inspect for pdfPath and stdin.
func inspectSource(ctx context.Context, src *source, pdfPath string, stdin []byte, lim Limits) (Info, error) {
	mt := sniff(src.head(sniffLen))
	if src.err != nil {
		return Info{}, fmt.Errorf("ocr: read: %w", src.err)
	}
	if mt == "" {
		return Info{}, fmt.Errorf("ocr: %w", ErrUnsupportedType)
	}
	lim = lim.withDefaults()
	checkCtx, cancel := context.WithTimeout(ctx, lim.InspectTime)
	defer cancel()
	pages, err := checkSource(checkCtx, src, mt, pdfPath, stdin, lim)
	if err != nil {
		if ctx.Err() == nil && checkCtx.Err() != nil {
			err = invalid("%s: too complex to check within %v", shortType(mt), lim.InspectTime)
		}
		return Info{}, fmt.Errorf("ocr: %w", err)
	}
	info := Info{MediaType: mt, Pages: len(pages)}
	var largest int64
	for _, p := range pages {
		if px := p.size.pixels(); px > largest {
			largest, info.Width, info.Height = px, int(p.size.w), int(p.size.h)
		}
	}
	return info, nil
}

// inspect checks data of type mt against lim. A PDF is read from pdfPath,
// or from data through standard input if pdfPath is "-".
func inspect(ctx context.Context, data []byte, mt, pdfPath string, lim Limits) (*input, error) {
	var stdin []byte
	if pdfPath == "-" {
		stdin = data
	}
	pages, err := checkSource(ctx, bytesSource(data), mt, pdfPath, stdin, lim)
	if err != nil {
		return nil, err
	}
	in := &input{mediaType: mt, data: data, pages: pages}
	if mt == TypePDF {
		in.pdfPath = pdfPath
	}
	return in, nil
}

// checkSource checks src, of type mt, against lim and returns its pages. A
// PDF is read by the poppler tools from pdfPath, or from stdin if pdfPath is
// "-".
func checkSource(ctx context.Context, src *source, mt, pdfPath string, stdin []byte, lim Limits) ([]pageSpec, error) {
	var (
		pages []pageSpec
		err   error
	)
	switch mt {
	case TypePDF:
		if !bytes.Contains(src.tail(1024), []byte("%%EOF")) {
			if src.err != nil {
				return nil, fmt.Errorf("read: %w", src.err)
			}
			return nil, invalid("PDF: truncated (no %%EOF marker at the end)")
		}
		return pdfPages(ctx, pdfPath, stdin, lim)
	case TypeTIFF:
		var sizes []size
		sizes, err = tiffPages(src, lim.MaxPages)
		for _, s := range sizes {
			pages = append(pages, pageSpec{size: s})
		}
	default:
		var s size
		if mt == TypePNG {
			s.w, s.h, err = pngSize(src)
		} else {
			s.w, s.h, err = jpegSize(src)
		}
		pages = []pageSpec{{size: s}}
	}
	if src.err != nil {
		return nil, fmt.Errorf("read: %w", src.err)
	}
	if err != nil {
		return nil, err
	}
	for i, p := range pages {
		if px := p.size.pixels(); px > lim.MaxPixels {
			err := &LimitError{Limit: "pixels", Max: lim.MaxPixels, Got: px}
			if len(pages) > 1 {
				return nil, fmt.Errorf("page %d is %dx%d: %w", i+1, p.size.w, p.size.h, err)
			}
			return nil, fmt.Errorf("image is %dx%d: %w", p.size.w, p.size.h, err)
		}
	}
	return pages, nil
}
