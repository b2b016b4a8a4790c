package ocr

/*
#include <leptonica/allheaders.h>
*/
import "C"

import (
	"strings"
	"sync/atomic"
	"unsafe"
)

// decodes counts calls to decodePix, so tests can tell that a hostile image
// was refused before it reached a decoder.
var decodes atomic.Int64

// A pix is a decoded page image in C memory.
type pix struct{ p *C.PIX }

// decodePix decodes page (0-based, for TIFF) of an image in data. The
// caller must have checked the image's dimensions against its limits.
func decodePix(data []byte, mediaType string, page int) (*pix, error) {
	decodes.Add(1)
	if len(data) == 0 {
		return nil, invalid("empty image")
	}
	ptr, n := (*C.l_uint8)(unsafe.Pointer(&data[0])), C.size_t(len(data))
	var p *C.PIX
	if mediaType == TypeTIFF {
		p = C.pixReadMemTiff(ptr, n, C.l_int32(page))
	} else {
		p = C.pixReadMem(ptr, n)
	}
	if p == nil {
		return nil, invalid("cannot decode %s image: corrupt or truncated data", shortType(mediaType))
	}
	if err := normalize(&p); err != nil {
		C.pixDestroy(&p)
		return nil, err
	}
	return &pix{p}, nil
}

// normalize converts p in place to a depth Tesseract reads well: 1, 8 or 32
// bits without a colormap, with any alpha channel blended onto white.
func normalize(p **C.PIX) error {
	for range 3 {
		var out *C.PIX
		switch {
		case C.pixGetSpp(*p) == 4:
			out = C.pixAlphaBlendUniform(*p, 0xffffff00)
		case C.pixGetColormap(*p) != nil:
			out = C.pixRemoveColormap(*p, C.REMOVE_CMAP_BASED_ON_SRC)
		default:
			switch C.pixGetDepth(*p) {
			case 1, 8, 32:
				return nil
			}
			out = C.pixConvertTo8(*p, 0)
		}
		if out == nil {
			break
		}
		C.pixDestroy(p)
		*p = out
	}
	return invalid("cannot convert image of depth %d", int(C.pixGetDepth(*p)))
}

func (p *pix) depth() int { return int(C.pixGetDepth(p.p)) }

func (p *pix) size() size {
	return size{int64(C.pixGetWidth(p.p)), int64(C.pixGetHeight(p.p))}
}

// resolution returns the image's recorded resolution if it is plausible for
// a scan, and 0 otherwise.
func (p *pix) resolution() int {
	res := int(C.pixGetYRes(p.p))
	if res < 70 || res > 2400 {
		return 0
	}
	return res
}

// Recognition works on pages of at most maxDPI, or of at most maxUnknownSide pixels on their long
// side when the resolution is unknown: past that Tesseract reads no better, while its memory
// grows with the pixels (a 60-megapixel colour page took an engine to 893 MB).
const (
	maxDPI         = 400
	targetDPI      = 300
	maxUnknownSide = 5000 // an A4 page at about 425 dpi
)

// prepare readies p for recognition at dpi (0 when unknown): 8-bit grey unless it is bilevel,
// and shrunk to targetDPI or maxUnknownSide when larger. It returns the dpi to tell Tesseract.
func (p *pix) prepare(dpi int) (int, error) {
	scale := 1.0
	switch long := max(int(C.pixGetWidth(p.p)), int(C.pixGetHeight(p.p))); {
	case dpi > maxDPI:
		scale = float64(targetDPI) / float64(dpi)
	case dpi == 0 && long > maxUnknownSide:
		scale = float64(maxUnknownSide) / float64(long)
	}
	if C.pixGetDepth(p.p) == 32 || scale < 1 && C.pixGetDepth(p.p) == 1 {
		if err := p.replace(C.pixConvertTo8(p.p, 0)); err != nil {
			return 0, err
		}
	}
	if scale < 1 {
		if err := p.replace(C.pixScale(p.p, C.l_float32(scale), C.l_float32(scale))); err != nil {
			return 0, err
		}
		if dpi > 0 {
			dpi = targetDPI
			C.pixSetResolution(p.p, C.l_int32(dpi), C.l_int32(dpi))
		}
	}
	return dpi, nil
}

// blankContrast is the widest range of grey a page may span and still hold nothing to read.
const blankContrast = 16

// blank reports whether p, prepared, holds nothing to read: bilevel without a black pixel, or
// grey with its darkest and lightest pixels at most blankContrast levels apart. Tesseract finds
// no text on such a page either, but takes a second or more to say so.
func (p *pix) blank() bool {
	switch C.pixGetDepth(p.p) {
	case 1:
		var empty C.l_int32
		return C.pixZero(p.p, &empty) == 0 && empty == 1
	case 8:
		if C.pixGetColormap(p.p) != nil {
			return false
		}
		var lo, hi C.l_int32
		if C.pixGetExtremeValue(p.p, 1, C.L_SELECT_MIN, nil, nil, nil, &lo) != 0 ||
			C.pixGetExtremeValue(p.p, 1, C.L_SELECT_MAX, nil, nil, nil, &hi) != 0 {
			return false
		}
		return hi-lo <= blankContrast
	}
	return false
}

// replace makes out, the result of a Leptonica operation on p, the new p.
func (p *pix) replace(out *C.PIX) error {
	if out == nil {
		return invalid("cannot prepare the page image for recognition")
	}
	C.pixDestroy(&p.p)
	p.p = out
	return nil
}

func (p *pix) free() {
	if p.p != nil {
		C.pixDestroy(&p.p)
	}
}

func shortType(mediaType string) string {
	_, s, _ := strings.Cut(mediaType, "/")
	return strings.ToUpper(strings.TrimPrefix(s, "x-portable-"))
}
