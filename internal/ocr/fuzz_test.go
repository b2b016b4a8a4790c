package ocr

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"image"
	"testing"
	"time"

	"github.com/docpipe/docpipe/internal/document"
	"github.com/docpipe/docpipe/internal/ocr/ocrtest"
)

// seeds returns small valid files of every supported type, and a few
// hostile ones, to start fuzzing from.
func seeds(f *testing.F) [][]byte {
	img := image.NewGray(image.Rect(0, 0, 24, 16))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 7)
	}
	png, err := ocrtest.PNG(img)
	if err != nil {
		f.Fatal(err)
	}
	jpg, err := ocrtest.JPEG(img, 50)
	if err != nil {
		f.Fatal(err)
	}
	pdf, err := ocrtest.PDF([]ocrtest.PDFPage{{Lines: []string{"Hello (world) 42"}}, {Image: img}})
	if err != nil {
		f.Fatal(err)
	}
	return [][]byte{
		png, jpg, pdf,
		ocrtest.TIFF([]*image.Gray{img, img}),
		tinyTIFF(binary.BigEndian, false, 5, 3),
		tinyTIFF(binary.LittleEndian, true, 4, 4),
		ocrtest.BombTIFF(3, 1000, 1000),
		ocrtest.BombPNG(300, 200),
		png[:len(png)-10],
		jpg[:len(jpg)/2],
		[]byte("MZ\x90\x00"),
		nil,
	}
}

var fuzzLimits = Limits{MaxPages: 4, MaxPixels: 1 << 20, DPI: 72}

// checkFuzzErr fails unless err is nil or says the input is invalid.
func checkFuzzErr(t *testing.T, what string, err error) {
	if err != nil && !errors.Is(err, document.ErrInvalidInput) {
		t.Fatalf("%s: error %v does not wrap document.ErrInvalidInput", what, err)
	}
}

func FuzzInspect(f *testing.F) {
	for _, s := range seeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		info, err := Inspect(ctx, data, fuzzLimits)
		checkFuzzErr(t, "Inspect", err)
		if err != nil {
			return
		}
		if info.MediaType != sniff(data) || info.Pages < 1 || info.Pages > fuzzLimits.MaxPages ||
			info.Width <= 0 || info.Height <= 0 || int64(info.Width)*int64(info.Height) > fuzzLimits.MaxPixels {
			t.Fatalf("Inspect = %+v, outside the limits %+v", info, fuzzLimits)
		}
	})
}

func FuzzTIFFPages(f *testing.F) {
	for _, s := range seeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		pages, err := tiffPages(bytesSource(data), 3)
		if got, gotErr := tiffPages(readerSource(bytes.NewReader(data), int64(len(data)), 3), 3); !equalSizes(got, pages) || (gotErr == nil) != (err == nil) {
			t.Fatalf("tiffPages through a reader = %v, %v; in memory %v, %v", got, gotErr, pages, err)
		}
		var le *LimitError
		if errors.As(err, &le) && (le.Limit != "pages" || le.Got <= 3) {
			t.Fatalf("tiffPages: bad limit error %+v", le)
		}
		checkFuzzErr(t, "tiffPages", err)
		if err == nil && (len(pages) < 1 || len(pages) > 3) {
			t.Fatalf("tiffPages returned %d pages, max 3", len(pages))
		}
		for _, p := range pages {
			if p.w <= 0 || p.h <= 0 {
				t.Fatalf("tiffPages returned page size %v", p)
			}
		}
	})
}

func FuzzImageSize(f *testing.F) {
	for _, s := range seeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for name, fn := range map[string]func(*source) (int64, int64, error){"pngSize": pngSize, "jpegSize": jpegSize} {
			w, h, err := fn(bytesSource(data))
			checkFuzzErr(t, name, err)
			if rw, rh, rerr := fn(readerSource(bytes.NewReader(data), int64(len(data)), 3)); rw != w || rh != h || (rerr == nil) != (err == nil) {
				t.Fatalf("%s through a reader = %d x %d, %v; in memory %d x %d, %v", name, rw, rh, rerr, w, h, err)
			}
			if err == nil && (w <= 0 || h <= 0) {
				t.Fatalf("%s = %d x %d", name, w, h)
			}
		}
	})
}

func FuzzParsePDFInfo(f *testing.F) {
	f.Add([]byte("Title:          x\nPages:          2\nEncrypted:      no\nPage    1 size: 595.28 x 841.89 pts (A4)\nPage    1 rot:  0\nPage    2 size: 612 x 792 pts (letter)\nPage    2 rot:  90\nFile size:      3161 bytes\n"))
	f.Add([]byte("Pages: 1\nPage 1 size: 1e9 x 2 pts\n"))
	f.Add([]byte("Title: Pages: 1\nPage 1 size: 1 x 1 pts\nPages: 0\n"))
	f.Fuzz(func(t *testing.T, out []byte) {
		n, pages, err := parsePDFInfo(out)
		checkFuzzErr(t, "parsePDFInfo", err)
		if err != nil {
			return
		}
		if n < 1 || len(pages) > n {
			t.Fatalf("parsePDFInfo: %d pages, %d sizes", n, len(pages))
		}
		for _, p := range pages {
			if !(p.w > 0 && p.h > 0 && p.w <= maxPageSide && p.h <= maxPageSide) {
				t.Fatalf("parsePDFInfo: page size %v", p)
			}
			dpi, px, err := rasterSize(p, fuzzLimits)
			if err == nil && (dpi < MinDPI || dpi > fuzzLimits.DPI || px.pixels() > fuzzLimits.MaxPixels) {
				t.Fatalf("rasterSize(%v) = %d dpi, %v", p, dpi, px)
			}
		}
	})
}

// FuzzDecode feeds images that pass the header checks to the decoders:
// whatever the bytes, decoding must fail cleanly or give an image of
// exactly the size the headers announced, which the limits were checked on.
func FuzzDecode(f *testing.F) {
	for _, s := range seeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		mt := sniff(data)
		if mt == "" || mt == TypePDF {
			return
		}
		in, err := inspect(context.Background(), data, mt, "", fuzzLimits)
		if err != nil {
			return
		}
		for i, spec := range in.pages {
			img, err := decodePix(data, mt, i)
			checkFuzzErr(t, "decodePix", err)
			if err != nil {
				continue
			}
			got := img.size()
			img.free()
			if got != spec.size {
				t.Fatalf("page %d decoded to %v, headers said %v", i+1, got, spec.size)
			}
		}
	})
}
