package ocr

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/docpipe/docpipe/internal/document"
	"github.com/docpipe/docpipe/internal/ocr/ocrtest"
	"github.com/docpipe/docpipe/internal/pdf"
)

// searchable recognizes data and writes its searchable PDF to a file, returning the pages and
// the file's path.
func searchable(t *testing.T, name string, data []byte) ([]document.Page, string) {
	t.Helper()
	pages, err := testPool(t).Recognize(context.Background(), data, "", "")
	if err != nil {
		t.Fatalf("%s: Recognize: %v", name, err)
	}
	var buf bytes.Buffer
	if err := SearchablePDF(context.Background(), &buf, data, pages); err != nil {
		t.Fatalf("%s: SearchablePDF: %v", name, err)
	}
	path := filepath.Join(t.TempDir(), name+".pdf")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("qpdf", "--check", path).CombinedOutput(); err != nil {
		t.Errorf("%s: qpdf --check: %v\n%s", name, err, out)
	}
	return pages, path
}

func tool(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).Output()
	if err != nil {
		t.Fatalf("%s %s: %v", name, strings.Join(args, " "), err)
	}
	return string(out)
}

// extracted is the text pdftotext finds on each page of the PDF at path.
func extracted(t *testing.T, path string) []string {
	t.Helper()
	pages := strings.Split(tool(t, "pdftotext", "-enc", "UTF-8", path, "-"), "\f")
	return pages[:len(pages)-1]
}

// TestSearchablePDFText checks that a PDF reader finds in the searchable PDF of each kind of
// input the words OCR read, in the invisible font, in an order that matches the page as well as
// the stored text does, and that pictures keep their size. pdftotext reads two columns line by
// line across both, as it does in Tesseract's own PDFs: there only the words are compared.
func TestSearchablePDFText(t *testing.T) {
	c := testCorpus(t)
	names := []string{"clean-dejavu-sans", "rot90", "rot180", "rot270", "two-column", "jpeg", "tiff-multipage", "pdf-scan-flate", "pdf-mixed"}
	if testing.Short() {
		names = []string{"rot270", "pdf-mixed"}
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			d := c.Doc(name)
			pages, path := searchable(t, name, d.Data)
			got := extracted(t, path)
			if len(got) != len(d.Pages) {
				t.Fatalf("pdftotext found %d pages, want %d", len(got), len(d.Pages))
			}
			for i, want := range d.Pages {
				if g, w := bagOfWords(got[i]), bagOfWords(pages[i].Text); g != w {
					t.Errorf("page %d: the PDF's words differ from those stored:\n got: %s\nwant: %s", i+1, g, w)
				}
				if name == "two-column" {
					continue
				}
				stored, found := ocrtest.CER(pages[i].Text, want), ocrtest.CER(got[i], want)
				t.Logf("page %d: CER of the stored text %.2f%%, of the PDF's %.2f%%", i+1, 100*stored, 100*found)
				if found > stored+0.005 {
					t.Errorf("page %d: the PDF's text has CER %.2f%%, the stored text %.2f%%\n got: %q", i+1, 100*found, 100*stored, ocrtest.Normalize(got[i]))
				}
			}
			if fonts := tool(t, "pdffonts", path); !strings.Contains(fonts, "DocpipeInvisible") {
				t.Errorf("pdffonts does not list the invisible font:\n%s", fonts)
			}
			if d.MediaType == TypePDF {
				return
			}
			info, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			ratio := float64(info.Size()) / float64(len(d.Data))
			t.Logf("%d-byte picture, %d-byte PDF (%.3f×)", len(d.Data), info.Size(), ratio)
			if d.MediaType != TypeTIFF && ratio > 1.10 {
				t.Errorf("the PDF is %.2f× the size of the picture, want at most 1.10×", ratio)
			}
		})
	}
}

// TestSearchablePDFUnchanged checks that a PDF OCR read no page of comes back byte for byte,
// and that pages with a text layer keep it as it was.
func TestSearchablePDFUnchanged(t *testing.T) {
	c := testCorpus(t)
	d := c.Doc("pdf-text")
	_, path := searchable(t, d.Name, d.Data)
	if got, _ := os.ReadFile(path); !bytes.Equal(got, d.Data) {
		t.Errorf("born-digital PDF changed: %d bytes in, %d out", len(d.Data), len(got))
	}

	d = c.Doc("pdf-mixed")
	_, path = searchable(t, d.Name, d.Data)
	if want, got := tool(t, "pdftotext", "-layout", "-l", "1", d.Path, "-"), tool(t, "pdftotext", "-layout", "-l", "1", path, "-"); got != want {
		t.Errorf("text layer of page 1 changed:\n got: %q\nwant: %q", got, want)
	}
}

var bboxWord = regexp.MustCompile(`<word xMin="([0-9.]+)" yMin="([0-9.]+)" xMax="([0-9.]+)" yMax="([0-9.]+)">([^<]*)</word>`)

// TestSearchablePDFPlacement checks, on a scan turned a quarter by its page's /Rotate and cut by
// a crop box that does not start at the origin, that the page keeps its boxes and rotation and
// that each word of the text layer lies where OCR saw it on the page as displayed.
func TestSearchablePDFPlacement(t *testing.T) {
	fonts, err := ocrtest.LoadFonts(12)
	if err != nil {
		t.Fatal(err)
	}
	upright, _, err := ocrtest.TextPage(fonts[0], ocrtest.Paragraphs[:2])
	if err != nil {
		t.Fatal(err)
	}
	scan, err := ocrtest.PNG(ocrtest.Rotate(upright, 3))
	if err != nil {
		t.Fatal(err)
	}
	img, err := pdf.PNG(scan)
	if err != nil {
		t.Fatal(err)
	}
	w, h := float64(ocrtest.PageHeight)*72/ocrtest.DPI, float64(ocrtest.PageWidth)*72/ocrtest.DPI
	var in bytes.Buffer
	if err := pdf.Write(&in, []pdf.Page{{
		MediaBox: pdf.Rect{X1: w, Y1: h}, CropBox: pdf.Rect{X0: 20, Y0: 30, X1: w - 10, Y1: h - 15},
		TrimBox: pdf.Rect{X0: 25, Y0: 35, X1: w - 20, Y1: h - 20}, Rotate: 90, Image: img,
	}}); err != nil {
		t.Fatal(err)
	}
	inPath := filepath.Join(t.TempDir(), "rotated.pdf")
	if err := os.WriteFile(inPath, in.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	pages, path := searchable(t, "rotated", in.Bytes())
	if want, got := tool(t, "pdfinfo", "-box", inPath), tool(t, "pdfinfo", "-box", path); pageLines(got) != pageLines(want) {
		t.Errorf("page boxes or rotation changed:\n got: %s\nwant: %s", pageLines(got), pageLines(want))
	}

	l := pages[0].Layout
	if l == nil || l.Words() < 50 {
		t.Fatalf("layout of the page: %+v", l)
	}
	// pdftotext -bbox reports boxes on the page as displayed, in points from its top-left.
	scale := (h - 45) / float64(l.Width)
	type placed struct{ x0, y0, y1 float64 }
	found := map[string][]placed{}
	for _, m := range bboxWord.FindAllStringSubmatch(tool(t, "pdftotext", "-bbox", "-cropbox", path, "-"), -1) {
		f := func(i int) float64 { v, _ := strconv.ParseFloat(m[i], 64); return v }
		found[m[5]] = append(found[m[5]], placed{f(1), f(2), f(4)})
	}
	missed := 0
	for _, line := range l.Lines {
		for _, word := range line.Words {
			want := placed{float64(word.Box[0]) * scale, float64(line.Box[1]) * scale, float64(line.Box[3]) * scale}
			ok := false
			for _, p := range found[htmlEscape(word.Text)] {
				if math.Abs(p.x0-want.x0) < 1.5 && math.Abs(p.y0-want.y0) < 1.5 && math.Abs(p.y1-want.y1) < 1.5 {
					ok = true
				}
			}
			if !ok {
				missed++
				t.Logf("%q: want at %+v, pdftotext has it at %+v", word.Text, want, found[htmlEscape(word.Text)])
			}
		}
	}
	if missed > 0 {
		t.Errorf("%d of %d words are not where OCR saw them", missed, l.Words())
	}
}

// bagOfWords returns the words of s, sorted.
func bagOfWords(s string) string {
	w := strings.Fields(s)
	slices.Sort(w)
	return strings.Join(w, " ")
}

// pageLines keeps the lines of pdfinfo's output that describe pages.
func pageLines(s string) string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		if strings.HasPrefix(line, "Page ") {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(s)
}

// TestSearchablePDFPictures checks that pictures PDF cannot take as they are come out as they
// went in: a bilevel page (CCITT G4) and a grey one (Flate), neither inverted nor shifted.
func TestSearchablePDFPictures(t *testing.T) {
	page := ocrtest.NewPage()
	if _, err := ocrtest.DrawText(page, mustFonts(t)[0], image.Rect(300, 300, 2180, 1200), ocrtest.Paragraphs[:1]); err != nil {
		t.Fatal(err)
	}
	bilevel := image.NewPaletted(page.Bounds(), color.Palette{color.Black, color.White})
	for i, v := range page.Pix {
		if v >= 128 {
			bilevel.Pix[i] = 1
		}
	}
	var png1 bytes.Buffer
	if err := png.Encode(&png1, bilevel); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, filter string
		data         []byte
	}{
		{"bilevel", "ccitt", png1.Bytes()},
		{"grey TIFF", "image", ocrtest.TIFF([]*image.Gray{page})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := decodePix(tt.data, sniff(tt.data), 0)
			if err != nil {
				t.Fatal(err)
			}
			img, err := compress(p)
			p.free()
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			box := pdf.Rect{X1: float64(ocrtest.PageWidth) * 72 / ocrtest.DPI, Y1: float64(ocrtest.PageHeight) * 72 / ocrtest.DPI}
			if err := pdf.Write(&out, []pdf.Page{{MediaBox: box, Image: img}}); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "p.pdf")
			if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			if list := tool(t, "pdfimages", "-list", path); !strings.Contains(list, tt.filter) {
				t.Errorf("pdfimages -list shows no %s image:\n%s", tt.filter, list)
			}
			raster := tool(t, "pdftoppm", "-r", "300", "-gray", path)
			got, err := pgmPixels(raster)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(page.Pix) {
				t.Fatalf("rendered %d pixels, want %d", len(got), len(page.Pix))
			}
			// pdftoppm smooths pictures a little, which moves the edges of letters: an
			// inverted picture changes every pixel, one moved by two pixels most edges.
			differ, ink := 0, 0
			for i, v := range page.Pix {
				if v < 128 {
					ink++
				}
				if d := int(v) - int(got[i]); d < -64 || d > 64 {
					differ++
				}
			}
			if differ > ink/2 {
				t.Errorf("%d pixels changed by more than a quarter of the grey scale, on a page of %d dark ones", differ, ink)
			}
		})
	}
}

func mustFonts(t *testing.T) []ocrtest.Font {
	t.Helper()
	fonts, err := ocrtest.LoadFonts(12)
	if err != nil {
		t.Fatal(err)
	}
	return fonts
}

// pgmPixels returns the pixels of a binary 8-bit PGM.
func pgmPixels(s string) ([]byte, error) {
	var (
		fields []string
		i      int
	)
	for len(fields) < 4 && i < len(s) {
		for i < len(s) && strings.IndexByte(" \t\r\n", s[i]) >= 0 {
			i++
		}
		start := i
		for i < len(s) && strings.IndexByte(" \t\r\n", s[i]) < 0 {
			i++
		}
		fields = append(fields, s[start:i])
	}
	if len(fields) < 4 || fields[0] != "P5" || fields[3] != "255" {
		return nil, fmt.Errorf("not an 8-bit PGM: %q", fields)
	}
	w, _ := strconv.Atoi(fields[1])
	h, _ := strconv.Atoi(fields[2])
	if rest := s[i+1:]; len(rest) == w*h {
		return []byte(rest), nil
	}
	return nil, fmt.Errorf("PGM of %dx%d holds %d bytes", w, h, len(s)-i-1)
}
