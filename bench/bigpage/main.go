// Command bigpage writes a 7745×7745 colour PNG recorded at 600 dpi (60 megapixels, about 200 KB)
// to standard output: the page docs/benchmarks.md measures OCR memory on.
package main

import (
	"image"
	"image/color"
	"log"
	"os"

	"github.com/docpipe/docpipe/internal/ocr/ocrtest"
)

func main() {
	const side = 7745
	ink, paper := color.RGBA{20, 20, 30, 255}, color.RGBA{250, 248, 240, 255}
	img := image.NewRGBA(image.Rect(0, 0, side, side))
	for y := range side {
		for x := range side {
			c := paper
			if (y/40)%3 == 0 && (x/25)%4 != 0 {
				c = ink
			}
			img.SetRGBA(x, y, c)
		}
	}
	b, err := ocrtest.PNGAt(img, 600)
	if err != nil {
		log.Fatal(err)
	}
	if _, err := os.Stdout.Write(b); err != nil {
		log.Fatal(err)
	}
}
