package ocr

/*
#include <stdlib.h>
#include <leptonica/allheaders.h>
*/
import "C"

import (
	"context"
	"fmt"
	"strconv"
	"unsafe"

	"github.com/docpipe/docpipe/internal/document"
)

// Preview renders page (1-based) of a document as a PNG whose longer side is at most maxSide
// pixels: a picture to look at, not to read text from. The document is checked against lim
// from its headers first, as for OCR. A page the document does not have is
// document.ErrNotFound; a document that cannot be rendered wraps document.ErrInvalidInput.
func Preview(ctx context.Context, data []byte, page, maxSide int, lim Limits) ([]byte, error) {
	mt := sniff(data)
	if mt == "" {
		return nil, fmt.Errorf("ocr: %w", ErrUnsupportedType)
	}
	pdfPath := ""
	if mt == TypePDF {
		path, remove, err := tempPDF(data)
		if err != nil {
			return nil, err
		}
		defer remove()
		pdfPath = path
	}
	in, err := inspect(ctx, data, mt, pdfPath, lim.withDefaults())
	if err != nil {
		return nil, fmt.Errorf("ocr: %w", err)
	}
	if page < 1 || page > len(in.pages) {
		return nil, fmt.Errorf("ocr: page %d of %d: %w", page, len(in.pages), document.ErrNotFound)
	}
	var p *pix
	if mt == TypePDF {
		n := strconv.Itoa(page)
		out, err := run(ctx, 3*maxSide*maxSide+64, nil, "pdftoppm",
			"-scale-to", strconv.Itoa(maxSide), "-cropbox", "-f", n, "-l", n, pdfPath)
		if err != nil {
			return nil, fmt.Errorf("ocr: render PDF page %d: %w", page, err)
		}
		p, err = decodePix(out, "image/x-portable-pixmap", 0)
		if err != nil {
			return nil, fmt.Errorf("ocr: %w", err)
		}
	} else if p, err = decodePix(data, mt, page-1); err != nil {
		return nil, fmt.Errorf("ocr: %w", err)
	}
	defer p.free()
	return p.png(maxSide)
}

// png encodes p as a PNG, scaled down so that its longer side is at most maxSide.
func (p *pix) png(maxSide int) ([]byte, error) {
	src := p.p
	if C.pixGetDepth(src) == 1 {
		gray := C.pixConvertTo8(src, 0)
		if gray == nil {
			return nil, fmt.Errorf("ocr: preview: cannot convert a bilevel image")
		}
		defer C.pixDestroy(&gray)
		src = gray
	}
	if side := max(C.pixGetWidth(src), C.pixGetHeight(src)); int(side) > maxSide {
		f := C.l_float32(float64(maxSide) / float64(side))
		scaled := C.pixScale(src, f, f)
		if scaled == nil {
			return nil, fmt.Errorf("ocr: preview: cannot scale the page")
		}
		defer C.pixDestroy(&scaled)
		src = scaled
	}
	var buf *C.l_uint8
	var n C.size_t
	if C.pixWriteMemPng(&buf, &n, src, 0) != 0 {
		return nil, fmt.Errorf("ocr: preview: cannot encode PNG")
	}
	defer C.free(unsafe.Pointer(buf))
	return C.GoBytes(unsafe.Pointer(buf), C.int(n)), nil
}
