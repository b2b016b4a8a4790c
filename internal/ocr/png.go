package ocr

import (
	"bytes"
	"encoding/binary"
)

var pngSignature = []byte("\x89PNG\r\n\x1a\n")

// pngSize reads the dimensions of a PNG image from its IHDR chunk and walks
// the chunk list to make sure the file is complete, without decompressing
// anything.
func pngSize(data []byte) (w, h int64, err error) {
	be := binary.BigEndian
	if len(data) < 33 || !bytes.Equal(data[12:16], []byte("IHDR")) || be.Uint32(data[8:]) != 13 {
		return 0, 0, invalid("PNG: missing or malformed IHDR header")
	}
	w, h = int64(be.Uint32(data[16:])), int64(be.Uint32(data[20:]))
	if w == 0 || h == 0 || w > 1<<31-1 || h > 1<<31-1 {
		return 0, 0, invalid("PNG: bad dimensions %dx%d", w, h)
	}
	idat := false
	for off := 8; ; {
		if len(data)-off < 12 {
			return 0, 0, invalid("PNG: truncated (no IEND chunk)")
		}
		n := int64(be.Uint32(data[off:]))
		typ := string(data[off+4 : off+8])
		if n > int64(len(data)-off-12) {
			return 0, 0, invalid("PNG: truncated in %q chunk", typ)
		}
		switch typ {
		case "IDAT":
			idat = true
		case "IEND":
			if !idat {
				return 0, 0, invalid("PNG: no image data")
			}
			return w, h, nil
		}
		off += 12 + int(n)
	}
}
