package ocr

import (
	"bytes"
	"encoding/binary"
)

var pngSignature = []byte("\x89PNG\r\n\x1a\n")

// pngSize reads the dimensions of a PNG image from its IHDR chunk and walks
// the chunk list to make sure the file is complete, without decompressing
// anything.
func pngSize(r *source) (w, h int64, err error) {
	be := binary.BigEndian
	hdr, ok := r.at(0, 33)
	if !ok || !bytes.Equal(hdr[12:16], []byte("IHDR")) || be.Uint32(hdr[8:]) != 13 {
		return 0, 0, invalid("PNG: missing or malformed IHDR header")
	}
	w, h = int64(be.Uint32(hdr[16:])), int64(be.Uint32(hdr[20:]))
	if w == 0 || h == 0 || w > 1<<31-1 || h > 1<<31-1 {
		return 0, 0, invalid("PNG: bad dimensions %dx%d", w, h)
	}
	idat := false
	for off := int64(8); ; {
		chunk, ok := r.at(off, 8)
		if !ok || r.size-off < 12 {
			return 0, 0, invalid("PNG: truncated (no IEND chunk)")
		}
		n := int64(be.Uint32(chunk))
		if n > r.size-off-12 {
			return 0, 0, invalid("PNG: truncated in %q chunk", chunk[4:8])
		}
		switch string(chunk[4:8]) {
		case "IDAT":
			idat = true
		case "IEND":
			if !idat {
				return 0, 0, invalid("PNG: no image data")
			}
			return w, h, nil
		}
		off += 12 + n
	}
}
