package ocrtest

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/jpeg"
	"image/png"
	"math"
)

// PNG encodes img with a pHYs chunk recording DPI.
func PNG(img image.Image) ([]byte, error) {
	return PNGAt(img, DPI)
}

// PNGAt encodes img with a pHYs chunk recording dpi.
func PNGAt(img image.Image, dpi int) ([]byte, error) {
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	b := buf.Bytes()
	const ihdrEnd = 8 + 8 + 13 + 4
	phys := make([]byte, 9)
	ppm := uint32(math.Round(float64(dpi) / 0.0254))
	binary.BigEndian.PutUint32(phys[0:], ppm)
	binary.BigEndian.PutUint32(phys[4:], ppm)
	phys[8] = 1
	out := append([]byte{}, b[:ihdrEnd]...)
	out = append(out, pngChunk("pHYs", phys)...)
	return append(out, b[ihdrEnd:]...), nil
}

// JPEG encodes img at the given quality (1..100).
func JPEG(img image.Image, quality int) ([]byte, error) {
	var buf bytes.Buffer
	err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: quality})
	return buf.Bytes(), err
}

func pngChunk(typ string, data []byte) []byte {
	c := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	c = append(c, typ...)
	c = append(c, data...)
	return binary.BigEndian.AppendUint32(c, crc32.ChecksumIEEE(c[4:]))
}

// BombPNG returns a valid 1-bit greyscale PNG of width x height blank pixels.
// Its file is small, but decoding it allocates width*height pixels or more.
func BombPNG(width, height int) []byte { return blankPNG(width, height, 1, 0) }

// DeepPNG returns a valid 16-bit RGBA PNG of width x height blank pixels: the costliest pixel
// format PNG has, 8 bytes a pixel once decoded, in a file of a few hundred kilobytes.
func DeepPNG(width, height int) []byte { return blankPNG(width, height, 16, 6) }

// blankPNG writes a PNG of zero pixels with the given bit depth and colour type (0 grey,
// 6 RGBA), rows unfiltered.
func blankPNG(width, height, depth int, colorType byte) []byte {
	channels := map[byte]int{0: 1, 6: 4}[colorType]
	out := []byte("\x89PNG\r\n\x1a\n")
	ihdr := binary.BigEndian.AppendUint32(nil, uint32(width))
	ihdr = binary.BigEndian.AppendUint32(ihdr, uint32(height))
	ihdr = append(ihdr, byte(depth), colorType, 0, 0, 0)
	out = append(out, pngChunk("IHDR", ihdr)...)
	var z bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&z, zlib.BestCompression)
	row := make([]byte, 1+(width*channels*depth+7)/8)
	for range height {
		zw.Write(row)
	}
	zw.Close()
	out = append(out, pngChunk("IDAT", z.Bytes())...)
	return append(out, pngChunk("IEND", nil)...)
}

// TIFF encodes pages as one little-endian TIFF, one Deflate-compressed
// 8-bit greyscale image per page, each recorded at DPI.
func TIFF(pages []*image.Gray) []byte {
	raws := make([]tiffImage, len(pages))
	for i, p := range pages {
		b := p.Bounds()
		var z bytes.Buffer
		zw := zlib.NewWriter(&z)
		for y := b.Min.Y; y < b.Max.Y; y++ {
			zw.Write(p.Pix[(y-b.Min.Y)*p.Stride : (y-b.Min.Y)*p.Stride+b.Dx()])
		}
		zw.Close()
		raws[i] = tiffImage{b.Dx(), b.Dy(), z.Bytes()}
	}
	return writeTIFF(raws)
}

// BombTIFF returns a TIFF whose pages each claim to be width x height
// pixels. Only the headers are valid: the strips hold a few bytes.
func BombTIFF(pages, width, height int) []byte {
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(make([]byte, width))
	zw.Close()
	raws := make([]tiffImage, pages)
	for i := range raws {
		raws[i] = tiffImage{width, height, z.Bytes()}
	}
	return writeTIFF(raws)
}

type tiffImage struct {
	w, h  int
	strip []byte
}

func writeTIFF(pages []tiffImage) []byte {
	le := binary.LittleEndian
	out := []byte{'I', 'I', 42, 0, 0, 0, 0, 0}
	next := 4
	for _, p := range pages {
		stripOff := len(out)
		out = append(out, p.strip...)
		if len(out)%2 == 1 {
			out = append(out, 0)
		}
		resOff := len(out)
		out = le.AppendUint32(out, DPI)
		out = le.AppendUint32(out, 1)
		ifdOff := len(out)
		le.PutUint32(out[next:], uint32(ifdOff))
		entries := [][4]uint32{
			{256, 4, 1, uint32(p.w)},
			{257, 4, 1, uint32(p.h)},
			{258, 3, 1, 8},
			{259, 3, 1, 8},
			{262, 3, 1, 1},
			{273, 4, 1, uint32(stripOff)},
			{277, 3, 1, 1},
			{278, 4, 1, uint32(p.h)},
			{279, 4, 1, uint32(len(p.strip))},
			{282, 5, 1, uint32(resOff)},
			{283, 5, 1, uint32(resOff)},
			{296, 3, 1, 2},
		}
		out = le.AppendUint16(out, uint16(len(entries)))
		for _, e := range entries {
			out = le.AppendUint16(out, uint16(e[0]))
			out = le.AppendUint16(out, uint16(e[1]))
			out = le.AppendUint32(out, e[2])
			if e[1] == 3 {
				out = le.AppendUint16(out, uint16(e[3]))
				out = le.AppendUint16(out, 0)
			} else {
				out = le.AppendUint32(out, e[3])
			}
		}
		next = len(out)
		out = le.AppendUint32(out, 0)
	}
	return out
}

// WithScans returns the baseline JPEG jpg with n more scan headers before its end, as a
// progressive JPEG has: decoders that do not count scans work through every one of them.
func WithScans(jpg []byte, n int) []byte {
	scan := []byte{0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00, 0x12, 0x34}
	out := append([]byte{}, jpg[:len(jpg)-2]...)
	for range n {
		out = append(out, scan...)
	}
	return append(out, 0xFF, 0xD9)
}
