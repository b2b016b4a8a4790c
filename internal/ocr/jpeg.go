package ocr

import (
	"bytes"
	"encoding/binary"
)

// jpegSize reads the dimensions of a JPEG image from its frame header and
// checks that the entropy-coded data ends with an EOI marker. It reads the
// whole file, through the source's window, to count the scans.
func jpegSize(r *source) (w, h int64, err error) {
	off := int64(2)
	for {
		b, ok := r.at(off, 1)
		if !ok {
			return 0, 0, invalid("JPEG: truncated header")
		}
		if b[0] != 0xFF {
			return 0, 0, invalid("JPEG: corrupt header at byte %d", off)
		}
		for {
			if b, ok := r.at(off+1, 1); !ok || b[0] != 0xFF {
				break
			}
			off++
		}
		b, ok = r.at(off, 4)
		if !ok {
			return 0, 0, invalid("JPEG: truncated header")
		}
		marker := b[1]
		switch {
		case marker == 0x01 || marker >= 0xD0 && marker <= 0xD7:
			off += 2
			continue
		case marker == 0xD8 || marker == 0xD9:
			return 0, 0, invalid("JPEG: unexpected marker %#x before image data", marker)
		}
		n := int64(binary.BigEndian.Uint16(b[2:]))
		if n < 2 || off+2+n > r.size {
			return 0, 0, invalid("JPEG: truncated header segment")
		}
		switch {
		case isSOF(marker):
			seg, ok := r.at(off+4, 5)
			if n < 2+5 || !ok {
				return 0, 0, invalid("JPEG: short frame header")
			}
			h, w = int64(binary.BigEndian.Uint16(seg[1:])), int64(binary.BigEndian.Uint16(seg[3:]))
			if w == 0 || h == 0 {
				return 0, 0, invalid("JPEG: bad dimensions %dx%d", w, h)
			}
		case marker == 0xDA:
			if w == 0 {
				return 0, 0, invalid("JPEG: no frame header before image data")
			}
			// Inside entropy-coded data a 0xFF byte is always followed by 0x00 or a restart
			// marker, so every FF DA is a scan header.
			scans, eoi := 0, int64(-1)
			if !r.scan(off, func(p []byte, start int64) {
				scans += bytes.Count(p, []byte{0xFF, 0xDA})
				if i := bytes.LastIndex(p, []byte{0xFF, 0xD9}); i >= 0 {
					eoi = start + int64(i)
				}
			}) || eoi < off+2+n {
				return 0, 0, invalid("JPEG: truncated (no end-of-image marker)")
			}
			if lim := maxJPEGScans(w * h); scans > lim {
				return 0, 0, invalid("JPEG: %d progressive scans, at most %d for a %dx%d image", scans, lim, w, h)
			}
			return w, h, nil
		}
		off += 2 + n
	}
}

// Decoding a progressive JPEG costs about its pixels times its scans, and no timeout can stop a
// decoder in C: a 7745×7745 JPEG of 30,000 scans held an engine for minutes. Encoders write about
// 10 scans; a JPEG may have up to 100, and fewer when large, so that the pixel-scans stay within
// jpegScanBudget.
const (
	jpegMaxScans   = 100
	jpegScanBudget = 1_500_000_000
)

// maxJPEGScans returns the most scans allowed to a JPEG of that many pixels.
func maxJPEGScans(pixels int64) int {
	return int(max(10, min(jpegMaxScans, jpegScanBudget/max(pixels, 1))))
}

// isSOF reports whether marker starts a frame: SOF0 to SOF15 except the
// DHT, JPG and DAC markers that share the range.
func isSOF(marker byte) bool {
	return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC
}
