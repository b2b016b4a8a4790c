// Package ocrtest builds a corpus of documents with known text for testing
// OCR: pages rendered at 300 dpi in several fonts, degraded the way scans
// are, and wrapped in the formats docpipe accepts (PNG, JPEG, TIFF, PDF).
// It also measures recognition quality (CER) and makes hostile inputs.
package ocrtest

import (
	"fmt"
	"image"
	"os"
	"path/filepath"
	"strings"

	"github.com/docpipe/docpipe/internal/document"
)

// Class says how close to the reference a document's OCR text must be.
type Class int

// The classes of corpus documents.
const (
	Clean    Class = iota // crisp pages: CER ≤ 1%
	Degraded              // scan-like damage: CER ≤ 3%
	Exact                 // born-digital text layer: identical text
)

func (c Class) String() string {
	switch c {
	case Clean:
		return "clean"
	case Degraded:
		return "degraded"
	case Exact:
		return "exact"
	}
	return fmt.Sprintf("Class(%d)", int(c))
}

// MaxCER is the highest character error rate a document of class c may show.
func (c Class) MaxCER() float64 {
	switch c {
	case Clean:
		return 0.01
	case Degraded:
		return 0.03
	}
	return 0
}

// A Doc is one corpus document and the text each of its pages holds.
type Doc struct {
	Name      string
	MediaType string
	Path      string // where Build wrote Data
	Data      []byte
	Pages     []string // reference text, one entry per page
	Sources   []string // the expected document.Source of each page
	Class     Class
}

// A Corpus is the set of documents written by Build.
type Corpus struct {
	Dir  string
	Docs []Doc
}

// Doc returns the document called name, or panics: names are fixed by Build.
func (c *Corpus) Doc(name string) Doc {
	for _, d := range c.Docs {
		if d.Name == name {
			return d
		}
	}
	panic("ocrtest: no corpus document " + name)
}

// Build renders the corpus into dir. Names: clean-<font> for each font,
// rot90, rot180, rot270, skew, blur, noise, lowcontrast, jpeg, two-column,
// table, tiff-multipage, pdf-text, pdf-scan-flate, pdf-scan-jpeg, pdf-mixed.
func Build(dir string) (*Corpus, error) {
	fonts, err := LoadFonts(11)
	if err != nil {
		return nil, err
	}
	c := &Corpus{Dir: dir}
	var base *image.Gray
	var baseText string
	for i, f := range fonts {
		img, text, err := TextPage(f, rotateParas(i))
		if err != nil {
			return nil, err
		}
		if i == 0 {
			base, baseText = img, text
		}
		if err := c.addPNG("clean-"+f.Name, img, text, Clean); err != nil {
			return nil, err
		}
	}
	for q := 1; q <= 3; q++ {
		if err := c.addPNG(fmt.Sprintf("rot%d", q*90), Rotate(base, q), baseText, Clean); err != nil {
			return nil, err
		}
	}
	degraded := []struct {
		name string
		img  *image.Gray
	}{
		{"skew", Skew(base, 1.5)},
		{"blur", Blur(base, 1.2)},
		{"noise", Noise(base, 40, 0.005, 1)},
		{"lowcontrast", Contrast(base, 120, 200)},
	}
	for _, d := range degraded {
		if err := c.addPNG(d.name, d.img, baseText, Degraded); err != nil {
			return nil, err
		}
	}
	jpg, err := JPEG(Noise(base, 12, 0, 2), 20)
	if err != nil {
		return nil, err
	}
	if err := c.add(Doc{Name: "jpeg", MediaType: "image/jpeg", Data: jpg, Pages: []string{baseText}, Class: Degraded}, ".jpg"); err != nil {
		return nil, err
	}
	serif := fonts[1]
	img, text, err := TwoColumnPage(serif, Paragraphs[:3], Paragraphs[3:6])
	if err != nil {
		return nil, err
	}
	if err := c.addPNG("two-column", img, text, Clean); err != nil {
		return nil, err
	}
	img, text, err = TablePage(fonts[2], Paragraphs[1], TableRows)
	if err != nil {
		return nil, err
	}
	if err := c.addPNG("table", img, text, Clean); err != nil {
		return nil, err
	}
	if err := c.addTIFF(fonts); err != nil {
		return nil, err
	}
	if err := c.addPDFs(base, baseText); err != nil {
		return nil, err
	}
	return c, nil
}

// rotateParas returns the paragraphs starting at a different one for each
// font, so that pages differ.
func rotateParas(i int) []string {
	n := len(Paragraphs)
	out := make([]string, n)
	for j := range n {
		out[j] = Paragraphs[(i+j)%n]
	}
	return out
}

func (c *Corpus) addPNG(name string, img *image.Gray, text string, class Class) error {
	data, err := PNG(img)
	if err != nil {
		return fmt.Errorf("encode %s: %w", name, err)
	}
	return c.add(Doc{Name: name, MediaType: "image/png", Data: data, Pages: []string{text}, Class: class}, ".png")
}

func (c *Corpus) addTIFF(fonts []Font) error {
	var pages []*image.Gray
	var texts []string
	for i, f := range fonts[:3] {
		img, text, err := TextPage(f, Paragraphs[i*2:i*2+3])
		if err != nil {
			return err
		}
		pages = append(pages, img)
		texts = append(texts, text)
	}
	return c.add(Doc{Name: "tiff-multipage", MediaType: "image/tiff", Data: TIFF(pages), Pages: texts, Class: Clean}, ".tif")
}

func (c *Corpus) addPDFs(scan *image.Gray, scanText string) error {
	var textPages []PDFPage
	var texts []string
	for _, paras := range [][]string{Paragraphs[:4], Paragraphs[4:]} {
		var lines []string
		for i, p := range paras {
			if i > 0 {
				lines = append(lines, "")
			}
			lines = append(lines, WrapChars(p, 88)...)
		}
		textPages = append(textPages, PDFPage{Lines: lines})
		texts = append(texts, strings.Join(lines, "\n"))
	}
	ocr, layer := document.SourceOCR, document.SourceTextLayer
	data, err := PDF(textPages)
	if err != nil {
		return err
	}
	if err := c.add(Doc{Name: "pdf-text", MediaType: "application/pdf", Data: data, Pages: texts,
		Sources: []string{layer, layer}, Class: Exact}, ".pdf"); err != nil {
		return err
	}
	data, err = PDF([]PDFPage{{Image: scan}})
	if err != nil {
		return err
	}
	if err := c.add(Doc{Name: "pdf-scan-flate", MediaType: "application/pdf", Data: data, Pages: []string{scanText},
		Sources: []string{ocr}, Class: Clean}, ".pdf"); err != nil {
		return err
	}
	jpg, err := JPEG(scan, 75)
	if err != nil {
		return err
	}
	data, err = PDF([]PDFPage{{JPEG: jpg}})
	if err != nil {
		return err
	}
	if err := c.add(Doc{Name: "pdf-scan-jpeg", MediaType: "application/pdf", Data: data, Pages: []string{scanText},
		Sources: []string{ocr}, Class: Degraded}, ".pdf"); err != nil {
		return err
	}
	data, err = PDF([]PDFPage{textPages[0], {JPEG: jpg}})
	if err != nil {
		return err
	}
	return c.add(Doc{Name: "pdf-mixed", MediaType: "application/pdf", Data: data, Pages: []string{texts[0], scanText},
		Sources: []string{layer, ocr}, Class: Degraded}, ".pdf")
}

func (c *Corpus) add(d Doc, ext string) error {
	if d.Sources == nil {
		for range d.Pages {
			d.Sources = append(d.Sources, document.SourceOCR)
		}
	}
	d.Path = filepath.Join(c.Dir, d.Name+ext)
	if err := os.WriteFile(d.Path, d.Data, 0o644); err != nil {
		return fmt.Errorf("write corpus: %w", err)
	}
	c.Docs = append(c.Docs, d)
	return nil
}
