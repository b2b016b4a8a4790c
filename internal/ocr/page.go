package ocr

import (
	"context"
	"strings"

	"github.com/docpipe/docpipe/internal/document"
)

// Tesseract page segmentation modes used here.
const (
	psmAuto        = 3 // PSM_AUTO: full layout analysis, no OSD
	psmSingleBlock = 6 // PSM_SINGLE_BLOCK: one uniform block of text
)

// page decodes or rasterizes page i of in and recognizes it on e.
func (p *Pool) page(ctx context.Context, e *engine, in *input, i int) (document.Page, error) {
	spec := in.pages[i]
	var (
		img *pix
		err error
		dpi = spec.dpi
	)
	if in.mediaType == TypePDF {
		var raster []byte
		if raster, err = rasterize(ctx, in.pdfPath, i+1, spec); err != nil {
			return document.Page{}, err
		}
		img, err = decodePix(raster, "image/x-portable-graymap", 0)
	} else {
		img, err = decodePix(in.data, in.mediaType, i)
	}
	if err != nil {
		return document.Page{}, err
	}
	defer img.free()
	if got := img.size(); got.pixels() > p.opt.Limits.MaxPixels {
		return document.Page{}, &LimitError{Limit: "pixels", Max: p.opt.Limits.MaxPixels, Got: got.pixels()}
	}
	if dpi == 0 {
		dpi = img.resolution()
	}
	if dpi, err = img.prepare(dpi); err != nil {
		return document.Page{}, err
	}
	sz := img.size()
	layout := &document.Layout{Width: int(sz.w), Height: int(sz.h), DPI: dpi}
	if img.blank() {
		return document.Page{Number: i + 1, Source: document.SourceOCR, Layout: layout}, nil
	}
	if err := e.use(in.lang); err != nil {
		return document.Page{}, err
	}
	r, err := e.recognize(ctx, img, dpi, psmAuto)
	if err != nil {
		return document.Page{}, err
	}
	layout.Rotation, layout.Lines = r.upright, r.lines
	return document.Page{Number: i + 1, Text: trimText(r.text), Confidence: float64(r.conf), Source: document.SourceOCR, Layout: layout}, nil
}

// trimText drops the trailing blank lines and form feeds both Tesseract and
// pdftotext end a page with.
func trimText(s string) string {
	return strings.TrimRight(s, " \n\f")
}
