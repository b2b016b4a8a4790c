package ocrtest

import (
	"bytes"
	"image"
	"image/png"
	"os/exec"
	"strings"
	"testing"

	"golang.org/x/image/tiff"
)

func TestLevenshtein(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"abc", "", 3},
		{"", "abc", 3},
		{"kitten", "sitting", 3},
		{"flaw", "lawn", 2},
		{"€100", "$100", 1},
		{"same", "same", 0},
	}
	for _, tt := range tests {
		if got := Levenshtein(tt.a, tt.b); got != tt.want {
			t.Errorf("Levenshtein(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestCER(t *testing.T) {
	tests := []struct {
		got, want string
		cer       float64
	}{
		{"hello  world\n", "hello world", 0},
		{"hello world", "hello\n\nworld  ", 0},
		{"hallo world", "hello world", 1.0 / 11},
		{"", "abcd", 1},
		{"", "", 0},
		{"x", "", 1},
	}
	for _, tt := range tests {
		if got := CER(tt.got, tt.want); got != tt.cer {
			t.Errorf("CER(%q, %q) = %v, want %v", tt.got, tt.want, got, tt.cer)
		}
	}
}

func testImage() *image.Gray {
	img := image.NewGray(image.Rect(0, 0, 5, 3))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 10)
	}
	return img
}

func TestRotate(t *testing.T) {
	img := testImage()
	r := Rotate(img, 1)
	if r.Bounds().Dx() != 3 || r.Bounds().Dy() != 5 {
		t.Fatalf("Rotate(5x3, 1) is %v", r.Bounds())
	}
	// Clockwise: the top-left pixel goes to the top-right corner.
	if got := r.GrayAt(2, 0).Y; got != img.GrayAt(0, 0).Y {
		t.Errorf("after a clockwise quarter turn, top-right = %d, want %d", got, img.GrayAt(0, 0).Y)
	}
	for q := range 4 {
		back := Rotate(Rotate(img, q), 4-q)
		if !bytes.Equal(back.Pix, img.Pix) {
			t.Errorf("Rotate by %d then %d quarters changed the image", q, 4-q)
		}
	}
	if s := Skew(img, 0); !bytes.Equal(s.Pix, img.Pix) {
		t.Errorf("Skew by 0 degrees changed the image")
	}
}

func TestPNG(t *testing.T) {
	data, err := PNG(testImage())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte("pHYs")) {
		t.Error("PNG has no pHYs chunk")
	}
	got, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	if !bytes.Equal(got.(*image.Gray).Pix, testImage().Pix) {
		t.Error("PNG round trip changed the pixels")
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(BombPNG(30000, 20000)))
	if err != nil || cfg.Width != 30000 || cfg.Height != 20000 {
		t.Errorf("BombPNG header = %+v, %v", cfg, err)
	}
}

func TestTIFF(t *testing.T) {
	img := testImage()
	data := TIFF([]*image.Gray{img, Rotate(img, 1)})
	got, err := tiff.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	if g, ok := got.(*image.Gray); !ok || !bytes.Equal(g.Pix, img.Pix) {
		t.Errorf("TIFF first page = %T %v, want the original pixels", got, got.Bounds())
	}
}

func TestPDF(t *testing.T) {
	lines := []string{"Back\\slash (parenthesised) 100%", "Second line: $4.50; done."}
	data, err := PDF([]PDFPage{{Lines: lines}, {Image: testImage()}})
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("pdftotext", "-layout", "-", "-")
	cmd.Stdin = bytes.NewReader(data)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	pages := strings.Split(string(out), "\f")
	if len(pages) != 3 || Normalize(pages[0]) != Normalize(strings.Join(lines, "\n")) || Normalize(pages[1]) != "" {
		t.Errorf("pdftotext read %q", out)
	}
}

func TestBuild(t *testing.T) {
	c, err := Build(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, d := range c.Docs {
		if seen[d.Name] || len(d.Pages) == 0 || len(d.Pages) != len(d.Sources) || len(d.Data) == 0 {
			t.Errorf("doc %s: duplicate or incomplete (%d pages, %d sources)", d.Name, len(d.Pages), len(d.Sources))
		}
		seen[d.Name] = true
	}
	for _, name := range []string{"clean-go-regular", "rot90", "rot180", "rot270", "skew", "blur", "noise",
		"lowcontrast", "jpeg", "two-column", "table", "tiff-multipage", "pdf-text", "pdf-scan-flate", "pdf-scan-jpeg"} {
		if !seen[name] {
			t.Errorf("corpus has no %s document", name)
		}
	}
}
