package ocr

import "bytes"

// sniffLen is how many leading bytes sniff looks at.
const sniffLen = 1024

// sniff returns the media type of data judged from its leading bytes, or
// "" if it is none of the supported types.
func sniff(data []byte) string {
	switch {
	case bytes.HasPrefix(data, pngSignature):
		return TypePNG
	case bytes.HasPrefix(data, []byte{0xFF, 0xD8, 0xFF}):
		return TypeJPEG
	case bytes.HasPrefix(data, []byte("II*\x00")), bytes.HasPrefix(data, []byte("MM\x00*")),
		bytes.HasPrefix(data, []byte("II+\x00")), bytes.HasPrefix(data, []byte("MM\x00+")):
		return TypeTIFF
	case bytes.Contains(data[:min(len(data), sniffLen)], []byte("%PDF-")):
		return TypePDF
	}
	return ""
}
