// Package ocr turns page images and PDFs into text with Tesseract.
//
// A Pool owns a fixed number of Tesseract engines, each on its own OS
// thread, and spreads the pages of every document over them. Input is
// identified by its bytes, never by its declared type, and checked against
// Limits from its headers before any page is decoded, so hostile files
// (decompression bombs, endless page counts, truncated data) are refused
// cheaply with errors that wrap document.ErrInvalidInput.
package ocr

import (
	"errors"
	"fmt"
	"time"

	"github.com/docpipe/docpipe/internal/document"
)

// Media types this package reads.
const (
	TypePNG  = "image/png"
	TypeJPEG = "image/jpeg"
	TypeTIFF = "image/tiff"
	TypePDF  = "application/pdf"
)

// Defaults used for zero fields of Limits.
const (
	DefaultMaxPages  = 500
	DefaultMaxPixels = 50_000_000
	DefaultDPI       = 300
	// DefaultInspectTime bounds Inspect: the check of an upload runs inside its request.
	DefaultInspectTime = 10 * time.Second
	// MinDPI is the lowest resolution a PDF page is rasterized at; see Limits.
	MinDPI = 72
)

// Limits bound the work one document may cause. Zero fields take the
// defaults above.
//
// A PDF page without a text layer is rasterized at DPI; if that raster
// would exceed MaxPixels, the page is rasterized at the highest lower
// resolution that fits instead, and refused only if even MinDPI does not fit.
type Limits struct {
	MaxPages  int   // pages per document
	MaxPixels int64 // pixels per page image (width*height), checked from headers BEFORE decoding
	DPI       int   // rasterization resolution for PDF pages without a text layer (default 300)

	InspectTime time.Duration // how long Inspect may take (default DefaultInspectTime)
}

func (l Limits) withDefaults() Limits {
	if l.MaxPages <= 0 {
		l.MaxPages = DefaultMaxPages
	}
	if l.MaxPixels <= 0 {
		l.MaxPixels = DefaultMaxPixels
	}
	if l.DPI <= 0 {
		l.DPI = DefaultDPI
	}
	if l.InspectTime <= 0 {
		l.InspectTime = DefaultInspectTime
	}
	return l
}

// ErrUnsupportedType means the input is not a PNG, JPEG, TIFF or PDF file.
// It wraps document.ErrInvalidInput.
var ErrUnsupportedType = fmt.Errorf("unsupported file type (want PNG, JPEG, TIFF or PDF): %w", document.ErrInvalidInput)

// ErrClosed is returned by Recognize after Close.
var ErrClosed = errors.New("ocr: pool closed")

// A LimitError reports input refused because it exceeds a Limits field.
// It unwraps to document.ErrInvalidInput.
type LimitError struct {
	Limit    string // "pages" or "pixels"
	Max, Got int64
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("too many %s: %d, limit %d", e.Limit, e.Got, e.Max)
}

// Unwrap returns document.ErrInvalidInput.
func (e *LimitError) Unwrap() error { return document.ErrInvalidInput }

// invalid returns an error wrapping document.ErrInvalidInput.
func invalid(format string, args ...any) error {
	return fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), document.ErrInvalidInput)
}
