package ocr

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"testing"

	"github.com/docpipe/docpipe/internal/ocr/ocrtest"
)

func TestPrepare(t *testing.T) {
	rgb := func(w, h int) image.Image {
		img := image.NewRGBA(image.Rect(0, 0, w, h))
		for y := range h {
			for x := range w {
				img.Set(x, y, color.RGBA{uint8(x), uint8(y), 200, 255})
			}
		}
		return img
	}
	noDPI := func(img image.Image) []byte { return encodePNG(t, img) }
	atDPI := func(img image.Image, dpi int) []byte { return encodePNGAt(t, img, dpi) }
	tests := []struct {
		name         string
		png          []byte
		wantDPI      int
		wantW, wantH int64
		wantDepth    int
	}{
		{"colour at 300 dpi becomes grey", atDPI(rgb(600, 400), 300), 300, 600, 400, 8},
		{"colour at 600 dpi is halved", atDPI(rgb(2000, 1000), 600), 300, 1000, 500, 8},
		{"grey at 400 dpi stays", atDPI(image.NewGray(image.Rect(0, 0, 800, 600)), 400), 400, 800, 600, 8},
		{"unknown resolution, large", noDPI(image.NewGray(image.Rect(0, 0, 8000, 4000))), 0, 5000, 2500, 8},
		{"unknown resolution, small", noDPI(image.NewGray(image.Rect(0, 0, 3000, 2000))), 0, 3000, 2000, 8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := decodePix(tt.png, TypePNG, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer p.free()
			dpi, err := p.prepare(p.resolution())
			if err != nil {
				t.Fatal(err)
			}
			got := p.size()
			if dpi != tt.wantDPI || got.w != tt.wantW || got.h != tt.wantH || p.depth() != tt.wantDepth {
				t.Errorf("prepare = %d dpi, %dx%d, depth %d; want %d dpi, %dx%d, depth %d",
					dpi, got.w, got.h, p.depth(), tt.wantDPI, tt.wantW, tt.wantH, tt.wantDepth)
			}
			if tt.wantDPI != 0 && p.resolution() != tt.wantDPI {
				t.Errorf("recorded resolution %d, want %d", p.resolution(), tt.wantDPI)
			}
		})
	}
}

func TestBlank(t *testing.T) {
	fill := func(v uint8) *image.Gray {
		img := image.NewGray(image.Rect(0, 0, 400, 300))
		for i := range img.Pix {
			img.Pix[i] = v
		}
		return img
	}
	dot := func(bg, ink uint8) *image.Gray {
		img := fill(bg)
		img.SetGray(200, 150, color.Gray{ink})
		return img
	}
	bilevel := func(black bool) []byte {
		img := image.NewPaletted(image.Rect(0, 0, 64, 64), color.Palette{color.White, color.Black})
		if black {
			img.SetColorIndex(3, 3, 1)
		}
		return encodePNG(t, img)
	}
	enc := func(img image.Image) []byte { return encodePNGAt(t, img, 300) }
	tests := []struct {
		name string
		png  []byte
		want bool
	}{
		{"white", enc(fill(255)), true},
		{"mid grey", enc(fill(128)), true},
		{"paper with faint noise", enc(dot(250, 236)), true},
		{"one dark pixel", enc(dot(255, 0)), false},
		{"faint pencil", enc(dot(240, 200)), false},
		{"bilevel white", bilevel(false), true},
		{"bilevel with one black pixel", bilevel(true), false},
		{"text page", testCorpus(t).Doc("clean-go-regular").Data, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := decodePix(tt.png, TypePNG, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer p.free()
			if _, err := p.prepare(p.resolution()); err != nil {
				t.Fatal(err)
			}
			if got := p.blank(); got != tt.want {
				t.Errorf("blank() = %v, want %v (depth %d)", got, tt.want, p.depth())
			}
		})
	}
}

// encodePNG is img as a PNG that records no resolution.
func encodePNG(t *testing.T, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// encodePNGAt is img as a PNG recorded at dpi.
func encodePNGAt(t *testing.T, img image.Image, dpi int) []byte {
	t.Helper()
	b, err := ocrtest.PNGAt(img, dpi)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
