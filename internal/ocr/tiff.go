package ocr

import "encoding/binary"

// size is the pixel dimensions of one page image.
type size struct{ w, h int64 }

func (s size) pixels() int64 {
	if s.w > 0 && s.h > (1<<62)/s.w {
		return 1 << 62
	}
	return s.w * s.h
}

// TIFF tags read by tiffPages.
const (
	tagWidth           = 256
	tagHeight          = 257
	tagStripOffsets    = 273
	tagOrientation     = 274
	tagStripByteCounts = 279
	tagTileOffsets     = 324
	tagTileByteCounts  = 325
)

// tiffPages walks the image file directories of a classic or BigTIFF file
// and returns the size of each page, checking that each page's strips or
// tiles lie inside the file. It reads at most maxPages directories in full;
// if there are more, it counts them and returns a *LimitError.
func tiffPages(r *source, maxPages int) ([]size, error) {
	t, first, err := newTIFFReader(r)
	if err != nil {
		return nil, err
	}
	var pages []size
	slow := first
	for off, n := first, 0; off != 0; n++ {
		var next uint64
		if n < maxPages {
			var s size
			s, next, err = t.page(off)
			if err != nil {
				return nil, invalid("TIFF page %d: %v", n+1, err)
			}
			pages = append(pages, s)
		} else if next, err = t.next(off); err != nil {
			return nil, invalid("TIFF page %d: %v", n+1, err)
		}
		off = next
		if n%2 == 1 {
			if slow, err = t.next(slow); err != nil {
				return nil, invalid("TIFF: %v", err)
			}
			if off != 0 && off == slow {
				return nil, invalid("TIFF: directory chain loops")
			}
		}
		if off == 0 && n+1 > maxPages {
			return nil, &LimitError{Limit: "pages", Max: int64(maxPages), Got: int64(n + 1)}
		}
	}
	if len(pages) == 0 {
		return nil, invalid("TIFF: no pages")
	}
	return pages, nil
}

type tiffReader struct {
	r    *source
	size uint64
	bo   binary.ByteOrder
	big  bool // BigTIFF: 8-byte offsets and counts
}

type tiffError string

func (e tiffError) Error() string { return string(e) }

const errTIFFTruncated = tiffError("truncated directory")

func newTIFFReader(r *source) (*tiffReader, uint64, error) {
	hdr, ok := r.at(0, 8)
	if !ok {
		return nil, 0, invalid("TIFF: truncated header")
	}
	t := &tiffReader{r: r, size: uint64(r.size), bo: binary.LittleEndian}
	if hdr[0] == 'M' {
		t.bo = binary.BigEndian
	}
	switch t.bo.Uint16(hdr[2:]) {
	case 42:
		return t, uint64(t.bo.Uint32(hdr[4:])), nil
	case 43:
		if t.bo.Uint16(hdr[4:]) != 8 || t.bo.Uint16(hdr[6:]) != 0 {
			return nil, 0, invalid("TIFF: bad BigTIFF header")
		}
		first, ok := t.uint(8, 8)
		if !ok {
			return nil, 0, invalid("TIFF: bad BigTIFF header")
		}
		t.big = true
		return t, first, nil
	}
	return nil, 0, invalid("TIFF: bad header")
}

// uint reads an n-byte unsigned integer at off, reporting false if it lies
// outside the file.
func (t *tiffReader) uint(off uint64, n int) (uint64, bool) {
	if off > t.size || t.size-off < uint64(n) {
		return 0, false
	}
	b, ok := t.r.at(int64(off), n)
	if !ok {
		return 0, false
	}
	switch n {
	case 1:
		return uint64(b[0]), true
	case 2:
		return uint64(t.bo.Uint16(b)), true
	case 4:
		return uint64(t.bo.Uint32(b)), true
	}
	return t.bo.Uint64(b), true
}

// dir returns the number of entries of the directory at off, where they
// start, and the size of one entry.
func (t *tiffReader) dir(off uint64) (count, start uint64, entrySize int, err error) {
	countSize, entrySize := 2, 12
	if t.big {
		countSize, entrySize = 8, 20
	}
	count, ok := t.uint(off, countSize)
	switch {
	case !ok:
		return 0, 0, 0, tiffError("directory beyond end of file (truncated?)")
	case count == 0:
		return 0, 0, 0, tiffError("empty directory")
	}
	start = off + uint64(countSize)
	if count > t.size/uint64(entrySize) {
		return 0, 0, 0, errTIFFTruncated
	}
	return count, start, entrySize, nil
}

// next returns the offset of the directory after the one at off.
func (t *tiffReader) next(off uint64) (uint64, error) {
	count, start, entrySize, err := t.dir(off)
	if err != nil {
		return 0, err
	}
	v, ok := t.uint(start+count*uint64(entrySize), t.offSize())
	if !ok {
		return 0, errTIFFTruncated
	}
	return v, nil
}

func (t *tiffReader) offSize() int {
	if t.big {
		return 8
	}
	return 4
}

// A tiffEntry is a directory entry holding integers; width is 0 for
// entries of other types.
type tiffEntry struct {
	count  uint64
	at     uint64 // where the values start
	width  int    // bytes per value
	signed bool
}

// value returns the i'th value of e, or 0 if it is negative.
func (t *tiffReader) value(e tiffEntry, i uint64) uint64 {
	v, _ := t.uint(e.at+i*uint64(e.width), e.width)
	if e.signed && v>>(8*e.width-1) != 0 {
		return 0
	}
	return v
}

// page reads the directory at off.
func (t *tiffReader) page(off uint64) (size, uint64, error) {
	count, start, entrySize, err := t.dir(off)
	if err != nil {
		return size{}, 0, err
	}
	entries := map[uint64]tiffEntry{}
	for i := range count {
		p := start + i*uint64(entrySize)
		tag, _ := t.uint(p, 2)
		if _, dup := entries[tag]; dup {
			continue // libtiff, too, keeps the first of duplicate tags
		}
		typ, _ := t.uint(p+2, 2)
		n, ok := t.uint(p+4, t.offSize())
		if !ok {
			return size{}, 0, errTIFFTruncated
		}
		e := tiffEntry{count: n, at: p + 4 + uint64(t.offSize())}
		switch typ {
		case 1, 6: // BYTE, SBYTE
			e.width = 1
		case 3, 8: // SHORT, SSHORT
			e.width = 2
		case 4, 9: // LONG, SLONG
			e.width = 4
		case 16, 17: // LONG8, SLONG8
			e.width = 8
		}
		e.signed = typ == 6 || typ == 8 || typ == 9 || typ == 17
		if e.width == 0 {
			entries[tag] = tiffEntry{}
			continue
		}
		if n > t.size {
			return size{}, 0, tiffError("bad value count")
		}
		if n*uint64(e.width) > uint64(t.offSize()) {
			e.at, _ = t.uint(e.at, t.offSize())
		}
		if e.at > t.size || n*uint64(e.width) > t.size-e.at {
			return size{}, 0, tiffError("tag values beyond end of file")
		}
		entries[tag] = e
	}
	next, ok := t.uint(start+count*uint64(entrySize), t.offSize())
	if !ok {
		return size{}, 0, errTIFFTruncated
	}
	w, okw := entries[tagWidth]
	h, okh := entries[tagHeight]
	if !okw || !okh || w.count < 1 || h.count < 1 || w.width == 0 || h.width == 0 {
		return size{}, 0, tiffError("no image dimensions")
	}
	s := size{int64(t.value(w, 0)), int64(t.value(h, 0))}
	if s.w <= 0 || s.h <= 0 || s.w > 1<<31-1 || s.h > 1<<31-1 {
		return size{}, 0, tiffError("bad image dimensions")
	}
	// Leptonica turns pages whose orientation swaps rows and columns, so
	// the decoded image, which the limits must describe, is s turned.
	if o, ok := entries[tagOrientation]; ok && o.width != 0 && o.count >= 1 {
		if v := t.value(o, 0); v >= 5 && v <= 8 {
			s.w, s.h = s.h, s.w
		}
	}
	offs, okOffs := entries[tagStripOffsets]
	counts, okCounts := entries[tagStripByteCounts]
	if !okOffs {
		offs, okOffs = entries[tagTileOffsets]
		counts, okCounts = entries[tagTileByteCounts]
	}
	if !okOffs || offs.count == 0 || offs.width == 0 {
		return size{}, 0, tiffError("no image data")
	}
	if okCounts && counts.width != 0 {
		if counts.count != offs.count {
			return size{}, 0, tiffError("strip offsets and byte counts disagree")
		}
		for i := range offs.count {
			o, c := t.value(offs, i), t.value(counts, i)
			if o > t.size || c > t.size-o {
				return size{}, 0, tiffError("truncated (image data beyond end of file)")
			}
		}
	}
	return s, next, nil
}
