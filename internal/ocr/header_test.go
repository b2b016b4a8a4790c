package ocr

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"errors"
	"slices"
	"testing"

	"github.com/docpipe/docpipe/internal/document"
	"github.com/docpipe/docpipe/internal/ocr/ocrtest"
)

func TestPNGSize(t *testing.T) {
	c := testCorpus(t)
	clean := c.Doc("clean-go-regular").Data
	bomb := ocrtest.BombPNG(30000, 30000)
	tests := []struct {
		name       string
		data       []byte
		wantW      int64
		wantH      int64
		wantErrMsg bool
	}{
		{"page", clean, ocrtest.PageWidth, ocrtest.PageHeight, false},
		{"rotated page", c.Doc("rot90").Data, ocrtest.PageHeight, ocrtest.PageWidth, false},
		{"bomb", bomb, 30000, 30000, false},
		{"truncated", clean[:len(clean)/2], 0, 0, true},
		{"no IEND", clean[:len(clean)-12], 0, 0, true},
		{"header only", clean[:33], 0, 0, true},
		{"signature only", clean[:8], 0, 0, true},
		{"zero width", withBytes(clean, 16, 0, 0, 0, 0), 0, 0, true},
	}
	for _, src := range sourceKinds {
		for _, tt := range tests {
			w, h, err := pngSize(src.open(tt.data))
			if tt.wantErrMsg {
				if !errors.Is(err, document.ErrInvalidInput) {
					t.Errorf("pngSize(%s, %s) error = %v, want invalid input", src.name, tt.name, err)
				}
				continue
			}
			if err != nil || w != tt.wantW || h != tt.wantH {
				t.Errorf("pngSize(%s, %s) = %d, %d, %v; want %d, %d", src.name, tt.name, w, h, err, tt.wantW, tt.wantH)
			}
		}
	}
}

// sourceKinds are the ways a document is read for its checks: whole in memory, and from a
// reader through a window of a few bytes, so that reads cross windows everywhere.
var sourceKinds = []struct {
	name string
	open func([]byte) *source
}{
	{"bytes", bytesSource},
	{"reader", func(data []byte) *source { return readerSource(bytes.NewReader(data), int64(len(data)), 5) }},
}

func TestJPEGSize(t *testing.T) {
	c := testCorpus(t)
	jpg := c.Doc("jpeg").Data
	tests := []struct {
		name    string
		data    []byte
		w, h    int64
		wantErr bool
	}{
		{"page", jpg, ocrtest.PageWidth, ocrtest.PageHeight, false},
		{"truncated image data", jpg[:len(jpg)/2], 0, 0, true},
		{"truncated header", jpg[:20], 0, 0, true},
		{"no EOI", jpg[:len(jpg)-2], 0, 0, true},
		{"SOI only", []byte{0xFF, 0xD8, 0xFF}, 0, 0, true},
		{"scan before frame", []byte{0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x02, 0xFF, 0xD9}, 0, 0, true},
		{"garbage after SOI", []byte{0xFF, 0xD8, 0xFF, 0xE0, 0xFF, 0xFF, 0x00}, 0, 0, true},
		{"10 scans", ocrtest.WithScans(jpg, 9), ocrtest.PageWidth, ocrtest.PageHeight, false},
		{"100 scans", ocrtest.WithScans(jpg, maxJPEGScans(ocrtest.PageWidth*ocrtest.PageHeight)-1), ocrtest.PageWidth, ocrtest.PageHeight, false},
		{"too many scans", ocrtest.WithScans(jpg, maxJPEGScans(ocrtest.PageWidth*ocrtest.PageHeight)), 0, 0, true},
		{"30,000 scans", ocrtest.WithScans(jpg, 29_999), 0, 0, true},
	}
	for _, src := range sourceKinds {
		for _, tt := range tests {
			w, h, err := jpegSize(src.open(tt.data))
			if tt.wantErr {
				if !errors.Is(err, document.ErrInvalidInput) {
					t.Errorf("jpegSize(%s, %s) error = %v, want invalid input", src.name, tt.name, err)
				}
				continue
			}
			if err != nil || w != tt.w || h != tt.h {
				t.Errorf("jpegSize(%s, %s) = %d, %d, %v; want %d, %d", src.name, tt.name, w, h, err, tt.w, tt.h)
			}
		}
	}
}

func TestMaxJPEGScans(t *testing.T) {
	tests := []struct {
		pixels int64
		want   int
	}{{0, 100}, {2550 * 3300, 100}, {30_000_000, 50}, {60_000_000, 25}, {1 << 40, 10}}
	for _, tt := range tests {
		if got := maxJPEGScans(tt.pixels); got != tt.want {
			t.Errorf("maxJPEGScans(%d) = %d, want %d", tt.pixels, got, tt.want)
		}
	}
}

func TestTIFFPages(t *testing.T) {
	c := testCorpus(t)
	multi := c.Doc("tiff-multipage").Data
	page := size{ocrtest.PageWidth, ocrtest.PageHeight}
	tests := []struct {
		name     string
		data     []byte
		maxPages int
		want     []size
	}{
		{"multi-page", multi, 10, []size{page, page, page}},
		{"exactly at limit", multi, 3, []size{page, page, page}},
		{"big-endian", tinyTIFF(binary.BigEndian, false, 7, 5), 10, []size{{7, 5}}},
		{"bigtiff", tinyTIFF(binary.LittleEndian, true, 9, 4), 10, []size{{9, 4}}},
		{"bigtiff big-endian", tinyTIFF(binary.BigEndian, true, 3, 2), 10, []size{{3, 2}}},
		{"bomb headers", ocrtest.BombTIFF(2, 30000, 30000), 10, []size{{30000, 30000}, {30000, 30000}}},
	}
	for _, src := range sourceKinds {
		for _, tt := range tests {
			got, err := tiffPages(src.open(tt.data), tt.maxPages)
			if err != nil || !equalSizes(got, tt.want) {
				t.Errorf("tiffPages(%s, %s) = %v, %v; want %v", src.name, tt.name, got, err, tt.want)
			}
		}
	}
}

// TestTIFFOrientation checks that the header size of a page with an
// Orientation tag is the size Leptonica decodes it to, which is what the
// pixel limits must be checked on: orientations 5 to 8 swap the sides.
func TestTIFFOrientation(t *testing.T) {
	for _, typ := range []uint64{1, 3, 4, 8} { // BYTE, SHORT, LONG, SSHORT
		for v := range uint64(10) {
			data := tinyTIFF(binary.LittleEndian, false, 24, 16, [3]uint64{tagOrientation, typ, v})
			pages, err := tiffPages(bytesSource(data), 1)
			if err != nil {
				t.Fatalf("tiffPages(orientation %d, type %d): %v", v, typ, err)
			}
			img, err := decodePix(data, TypeTIFF, 0)
			if err != nil {
				t.Fatalf("decodePix(orientation %d, type %d): %v", v, typ, err)
			}
			got := img.size()
			img.free()
			want := size{24, 16}
			if v >= 5 && v <= 8 {
				want = size{16, 24}
			}
			if pages[0] != want || got != want {
				t.Errorf("orientation %d, type %d: headers %v, decoded %v; want %v", v, typ, pages[0], got, want)
			}
		}
	}
}

func TestTIFFPagesRefuses(t *testing.T) {
	c := testCorpus(t)
	multi := c.Doc("tiff-multipage").Data
	loop := ocrtest.BombTIFF(2, 10, 10)
	// Point the second directory's next-IFD offset back at the first one.
	first := binary.LittleEndian.Uint32(loop[4:])
	copy(loop[len(loop)-4:], binary.LittleEndian.AppendUint32(nil, first))
	self := ocrtest.BombTIFF(1, 10, 10)
	copy(self[len(self)-4:], self[4:8])
	tests := []struct {
		name string
		data []byte
	}{
		{"truncated", multi[:len(multi)/2]},
		{"truncated first page", multi[:len(multi)/5]},
		{"header only", multi[:8]},
		{"short", multi[:5]},
		{"bad magic", withBytes(multi, 2, 41)},
		{"directory loop", loop},
		{"directory points at itself", self},
		{"first directory out of range", withBytes(multi, 4, 0xff, 0xff, 0xff, 0x7f)},
	}
	for _, src := range sourceKinds {
		for _, tt := range tests {
			_, err := tiffPages(src.open(tt.data), 10)
			if !errors.Is(err, document.ErrInvalidInput) {
				t.Errorf("tiffPages(%s, %s) error = %v, want invalid input", src.name, tt.name, err)
			}
		}

		_, err := tiffPages(src.open(multi), 2)
		var le *LimitError
		if !errors.As(err, &le) || *le != (LimitError{Limit: "pages", Max: 2, Got: 3}) {
			t.Errorf("tiffPages(%s, 3 pages, max 2) error = %v, want pages limit 3 > 2", src.name, err)
		}
	}
}

// tinyTIFF returns a one-page TIFF of w x h in the given byte order, classic
// or BigTIFF, whose single strip holds w*h zero bytes. Extra entries
// {tag, type, value} are added in tag order.
func tinyTIFF(bo byteOrder, big bool, w, h int, extra ...[3]uint64) []byte {
	var out []byte
	if bo == binary.BigEndian {
		out = []byte("MM")
	} else {
		out = []byte("II")
	}
	put := func(n int, v uint64) {
		switch n {
		case 2:
			out = bo.AppendUint16(out, uint16(v))
		case 4:
			out = bo.AppendUint32(out, uint32(v))
		default:
			out = bo.AppendUint64(out, v)
		}
	}
	offSize, countSize := 4, 2
	if big {
		offSize, countSize = 8, 8
		put(2, 43)
		put(2, 8)
		put(2, 0)
	} else {
		put(2, 42)
	}
	headerEnd := len(out) + offSize
	strip := headerEnd
	put(offSize, uint64(headerEnd+w*h))
	out = append(out, make([]byte, w*h)...)
	entries := [][3]uint64{{256, 4, uint64(w)}, {257, 4, uint64(h)}, {258, 3, 8}, {262, 3, 1},
		{273, 4, uint64(strip)}, {278, 4, uint64(h)}, {279, 4, uint64(w * h)}}
	entries = append(entries, extra...)
	slices.SortFunc(entries, func(a, b [3]uint64) int { return cmp.Compare(a[0], b[0]) })
	put(countSize, uint64(len(entries)))
	for _, e := range entries {
		put(2, e[0])
		put(2, e[1])
		put(offSize, 1)
		switch e[1] {
		case 1: // BYTE
			out = append(out, byte(e[2]))
			out = append(out, make([]byte, offSize-1)...)
		case 3, 8: // SHORT, SSHORT
			put(2, e[2])
			out = append(out, make([]byte, offSize-2)...)
		default:
			put(4, e[2])
			out = append(out, make([]byte, offSize-4)...)
		}
	}
	put(offSize, 0)
	return out
}

type byteOrder interface {
	binary.ByteOrder
	binary.AppendByteOrder
}

func withBytes(data []byte, at int, b ...byte) []byte {
	out := append([]byte(nil), data...)
	copy(out[at:], b)
	return out
}

func equalSizes(a, b []size) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
