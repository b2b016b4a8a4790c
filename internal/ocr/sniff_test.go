package ocr

import "testing"

func TestSniff(t *testing.T) {
	tests := []struct {
		name string
		data string
		want string
	}{
		{"png", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", TypePNG},
		{"jpeg", "\xff\xd8\xff\xe0\x00\x10JFIF", TypeJPEG},
		{"tiff little-endian", "II*\x00\x08\x00\x00\x00", TypeTIFF},
		{"tiff big-endian", "MM\x00*\x00\x00\x00\x08", TypeTIFF},
		{"bigtiff", "II+\x00\x08\x00\x00\x00", TypeTIFF},
		{"pdf", "%PDF-1.7\n", TypePDF},
		{"pdf after junk", "garbage before the header\n%PDF-1.4\n", TypePDF},
		{"empty", "", ""},
		{"exe", "MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff", ""},
		{"elf", "\x7fELF\x02\x01\x01", ""},
		{"html", "<!DOCTYPE html><html><body>%PD F</body></html>", ""},
		{"gif", "GIF89a\x01\x00\x01\x00", ""},
		{"short png", "\x89PNG", ""},
		{"short jpeg", "\xff\xd8", ""},
		{"zip", "PK\x03\x04", ""},
	}
	for _, tt := range tests {
		if got := sniff([]byte(tt.data)); got != tt.want {
			t.Errorf("sniff(%s) = %q, want %q", tt.name, got, tt.want)
		}
	}
}
