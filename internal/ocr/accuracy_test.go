package ocr

import (
	"context"
	"slices"
	"testing"
)

// TestAccuracy recognizes every corpus document and holds each page to its
// class's character error rate: 1% for clean pages, 3% for degraded ones,
// and identical text for a born-digital PDF. Under -short it reads one
// document of each kind.
func TestAccuracy(t *testing.T) {
	c := testCorpus(t)
	p := testPool(t)
	short := []string{"clean-liberation-serif", "rot180", "noise", "jpeg", "table", "tiff-multipage", "pdf-mixed"}
	for _, d := range c.Docs {
		if testing.Short() && !slices.Contains(short, d.Name) {
			continue
		}
		t.Run(d.Name, func(t *testing.T) {
			t.Parallel()
			pages, err := p.Recognize(context.Background(), d.Data, d.MediaType, "")
			if err != nil {
				t.Fatalf("Recognize(%s): %v", d.Name, err)
			}
			checkPages(t, d, pages)
		})
	}
}
