package ocr

import (
	"bytes"
	"errors"
	"image/png"
	"testing"

	"github.com/docpipe/docpipe/internal/document"
)

func TestPreview(t *testing.T) {
	c := testCorpus(t)
	const maxSide = 400
	for _, name := range []string{"clean-go-regular", "jpeg", "tiff-multipage", "pdf-text", "pdf-mixed"} {
		d := c.Doc(name)
		seen := map[string]bool{}
		for page := 1; page <= len(d.Pages); page++ {
			out, err := Preview(t.Context(), d.Data, page, maxSide, Limits{})
			if err != nil {
				t.Fatalf("Preview(%s, page %d): %v", name, page, err)
			}
			img, err := png.Decode(bytes.NewReader(out))
			if err != nil {
				t.Fatalf("Preview(%s, page %d) is not a PNG: %v", name, page, err)
			}
			b := img.Bounds()
			if long := max(b.Dx(), b.Dy()); long > maxSide || long < maxSide/2 || b.Dy() < b.Dx() {
				t.Errorf("Preview(%s, page %d) is %dx%d, want a portrait page at most %d high", name, page, b.Dx(), b.Dy(), maxSide)
			}
			if seen[string(out)] {
				t.Errorf("Preview(%s, page %d) is the same picture as an earlier page", name, page)
			}
			seen[string(out)] = true
		}
		for _, page := range []int{0, len(d.Pages) + 1} {
			if _, err := Preview(t.Context(), d.Data, page, maxSide, Limits{}); !errors.Is(err, document.ErrNotFound) {
				t.Errorf("Preview(%s, page %d) error = %v, want not found", name, page, err)
			}
		}
	}
	for name, data := range map[string][]byte{
		"not a document": []byte("hello"),
		"truncated TIFF": c.Doc("tiff-multipage").Data[:200],
	} {
		if _, err := Preview(t.Context(), data, 1, maxSide, Limits{}); !errors.Is(err, document.ErrInvalidInput) {
			t.Errorf("Preview(%s) error = %v, want invalid input", name, err)
		}
	}
	if _, err := Preview(t.Context(), c.Doc("tiff-multipage").Data, 1, maxSide, Limits{MaxPixels: 100}); !errors.As(err, new(*LimitError)) {
		t.Errorf("Preview over the pixel limit: error = %v, want a LimitError", err)
	}
}
