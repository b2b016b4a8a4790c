package ocr

import (
	"bytes"
	"context"
	"fmt"
)

// An input is a document whose type is known and whose pages have been
// checked against the limits, from headers only.
type input struct {
	mediaType string
	data      []byte
	pages     []pageSpec
	pdfPath   string // the PDF on disk, for the poppler tools
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
	mt := sniff(data)
	if mt == "" {
		return Info{}, fmt.Errorf("ocr: %w", ErrUnsupportedType)
	}
	lim = lim.withDefaults()
	checkCtx, cancel := context.WithTimeout(ctx, lim.InspectTime)
	defer cancel()
	in, err := inspect(checkCtx, data, mt, "-", lim)
	if err != nil {
		if ctx.Err() == nil && checkCtx.Err() != nil {
			err = invalid("%s: too complex to check within %v", shortType(mt), lim.InspectTime)
		}
		return Info{}, fmt.Errorf("ocr: %w", err)
	}
	info := Info{MediaType: mt, Pages: len(in.pages)}
	var largest int64
	for _, p := range in.pages {
		if px := p.size.pixels(); px > largest {
			largest, info.Width, info.Height = px, int(p.size.w), int(p.size.h)
		}
	}
	return info, nil
}

// inspect checks data of type mt against lim. A PDF is read from pdfPath,
// or from data through standard input if pdfPath is "-".
func inspect(ctx context.Context, data []byte, mt, pdfPath string, lim Limits) (*input, error) {
	in := &input{mediaType: mt, data: data}
	var err error
	switch mt {
	case TypePDF:
		if !bytes.Contains(data[max(0, len(data)-1024):], []byte("%%EOF")) {
			return nil, invalid("PDF: truncated (no %%EOF marker at the end)")
		}
		var stdin []byte
		if pdfPath == "-" {
			stdin = data
		}
		in.pdfPath = pdfPath
		in.pages, err = pdfPages(ctx, pdfPath, stdin, lim)
		return in, err
	case TypeTIFF:
		var sizes []size
		if sizes, err = tiffPages(data, lim.MaxPages); err != nil {
			return nil, err
		}
		for _, s := range sizes {
			in.pages = append(in.pages, pageSpec{size: s})
		}
	default:
		var s size
		if mt == TypePNG {
			s.w, s.h, err = pngSize(data)
		} else {
			s.w, s.h, err = jpegSize(data)
		}
		if err != nil {
			return nil, err
		}
		in.pages = []pageSpec{{size: s}}
	}
	for i, p := range in.pages {
		if px := p.size.pixels(); px > lim.MaxPixels {
			err := &LimitError{Limit: "pixels", Max: lim.MaxPixels, Got: px}
			if len(in.pages) > 1 {
				return nil, fmt.Errorf("page %d is %dx%d: %w", i+1, p.size.w, p.size.h, err)
			}
			return nil, fmt.Errorf("image is %dx%d: %w", p.size.w, p.size.h, err)
		}
	}
	return in, nil
}
