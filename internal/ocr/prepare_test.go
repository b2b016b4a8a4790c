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
	noDPI := func(img image.Image) []byte {
		var b bytes.Buffer
		if err := png.Encode(&b, img); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	atDPI := func(img image.Image, dpi int) []byte {
		b, err := ocrtest.PNGAt(img, dpi)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
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
