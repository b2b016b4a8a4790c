package ocrtest

import (
	"fmt"
	"image"
	"image/draw"
	"os"
	"strings"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// Page geometry: A4 at 300 dpi with one-inch margins.
const (
	DPI        = 300
	PageWidth  = 2480
	PageHeight = 3508
	margin     = 300
)

// A Font is a typeface the corpus renders text in.
type Font struct {
	Name string
	face font.Face
}

var fontFiles = []struct{ name, path string }{
	{"liberation-serif", "/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf"},
	{"dejavu-sans", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"},
	{"liberation-mono", "/usr/share/fonts/truetype/liberation/LiberationMono-Regular.ttf"},
}

// LoadFonts returns the corpus typefaces at the given size in points:
// Go Regular and the installed Liberation and DejaVu fonts.
func LoadFonts(size float64) ([]Font, error) {
	f, err := newFont("go-regular", goregular.TTF, size)
	if err != nil {
		return nil, err
	}
	fonts := []Font{f}
	for _, ff := range fontFiles {
		ttf, err := os.ReadFile(ff.path)
		if err != nil {
			return nil, fmt.Errorf("load font %s: %w", ff.name, err)
		}
		f, err := newFont(ff.name, ttf, size)
		if err != nil {
			return nil, err
		}
		fonts = append(fonts, f)
	}
	return fonts, nil
}

func newFont(name string, ttf []byte, size float64) (Font, error) {
	otf, err := opentype.Parse(ttf)
	if err != nil {
		return Font{}, fmt.Errorf("parse font %s: %w", name, err)
	}
	face, err := opentype.NewFace(otf, &opentype.FaceOptions{Size: size, DPI: DPI, Hinting: font.HintingNone})
	if err != nil {
		return Font{}, fmt.Errorf("font face %s: %w", name, err)
	}
	return Font{Name: name, face: face}, nil
}

// NewPage returns a white page.
func NewPage() *image.Gray {
	img := image.NewGray(image.Rect(0, 0, PageWidth, PageHeight))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	return img
}

// Wrap breaks paragraph p into lines no wider than width pixels in f.
func Wrap(f Font, p string, width int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(p) {
		next := w
		if line != "" {
			next = line + " " + w
		}
		if line != "" && font.MeasureString(f.face, next).Ceil() > width {
			lines = append(lines, line)
			next = w
		}
		line = next
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}

// DrawText sets paragraphs inside r of img, and returns the text as laid out.
// It fails if the text does not fit.
func DrawText(img *image.Gray, f Font, r image.Rectangle, paras []string) (string, error) {
	text, _, err := DrawWords(img, f, r, paras)
	return text, err
}

// A Placed word is a word DrawWords set and the box its ink covers.
type Placed struct {
	Text string
	Box  image.Rectangle
}

// DrawWords is DrawText that also returns where each word was set.
func DrawWords(img *image.Gray, f Font, r image.Rectangle, paras []string) (string, []Placed, error) {
	m := f.face.Metrics()
	lineHeight := m.Height.Ceil() * 5 / 4
	y := r.Min.Y + m.Ascent.Ceil()
	d := font.Drawer{Dst: img, Src: image.Black, Face: f.face}
	var (
		out    []string
		placed []Placed
	)
	for i, p := range paras {
		if i > 0 {
			y += lineHeight / 2
		}
		lines := Wrap(f, p, r.Dx())
		for _, l := range lines {
			if y+m.Descent.Ceil() > r.Max.Y {
				return "", nil, fmt.Errorf("text in %s does not fit in %v", f.Name, r)
			}
			dot := fixed.P(r.Min.X, y)
			for j, w := range strings.Split(l, " ") {
				if j > 0 {
					dot.X += font.MeasureString(f.face, " ")
				}
				b, adv := font.BoundString(f.face, w)
				placed = append(placed, Placed{Text: w, Box: image.Rect(
					(dot.X + b.Min.X).Floor(), (dot.Y + b.Min.Y).Floor(), (dot.X + b.Max.X).Ceil(), (dot.Y + b.Max.Y).Ceil())})
				dot.X += adv
			}
			d.Dot = fixed.P(r.Min.X, y)
			d.DrawString(l)
			y += lineHeight
		}
		out = append(out, strings.Join(lines, "\n"))
	}
	return strings.Join(out, "\n\n"), placed, nil
}

// TextPage renders paras on a full page in f.
func TextPage(f Font, paras []string) (*image.Gray, string, error) {
	img := NewPage()
	text, err := DrawText(img, f, image.Rect(margin, margin, PageWidth-margin, PageHeight-margin), paras)
	return img, text, err
}

// TwoColumnPage renders left and right as two columns separated by a gutter;
// the reference text reads the left column first.
func TwoColumnPage(f Font, left, right []string) (*image.Gray, string, error) {
	img := NewPage()
	const gutter = 120
	mid := PageWidth / 2
	l, err := DrawText(img, f, image.Rect(margin, margin, mid-gutter/2, PageHeight-margin), left)
	if err != nil {
		return nil, "", err
	}
	r, err := DrawText(img, f, image.Rect(mid+gutter/2, margin, PageWidth-margin, PageHeight-margin), right)
	if err != nil {
		return nil, "", err
	}
	return img, l + "\n\n" + r, nil
}

// TablePage renders rows as a ruled table below an introductory paragraph;
// the reference text reads the table row by row.
func TablePage(f Font, intro string, rows [][]string) (*image.Gray, string, error) {
	img := NewPage()
	introText, err := DrawText(img, f, image.Rect(margin, margin, PageWidth-margin, PageHeight/3), []string{intro})
	if err != nil {
		return nil, "", err
	}
	widths := []int{760, 260, 420, 440}
	m := f.face.Metrics()
	rowHeight := m.Height.Ceil() * 2
	x0, y0 := margin, PageHeight/3
	right := x0
	for _, w := range widths {
		right += w
	}
	black := image.NewUniform(image.Black.C)
	hline := func(y int) { draw.Draw(img, image.Rect(x0, y, right+3, y+3), black, image.Point{}, draw.Src) }
	vline := func(x int) {
		draw.Draw(img, image.Rect(x, y0, x+3, y0+rowHeight*len(rows)+3), black, image.Point{}, draw.Src)
	}
	d := font.Drawer{Dst: img, Src: image.Black, Face: f.face}
	var lines []string
	for i, row := range rows {
		y := y0 + i*rowHeight
		hline(y)
		x := x0
		var cells []string
		for j, cell := range row {
			d.Dot = fixed.P(x+30, y+(rowHeight+m.Ascent.Ceil()-m.Descent.Ceil())/2)
			d.DrawString(cell)
			if cell != "" {
				cells = append(cells, cell)
			}
			x += widths[j]
		}
		lines = append(lines, strings.Join(cells, " "))
	}
	hline(y0 + rowHeight*len(rows))
	x := x0
	for _, w := range widths {
		vline(x)
		x += w
	}
	vline(x)
	return img, introText + "\n\n" + strings.Join(lines, "\n"), nil
}
