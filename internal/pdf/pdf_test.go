package pdf

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// tool returns the path of a command the test needs; outside CI a missing one skips the test.
func tool(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is required in CI: %v", name, err)
		}
		t.Skipf("%s not installed", name)
	}
	return path
}

func runTool(t *testing.T, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(tool(t, name), args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil || stderr.Len() > 0 {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}

func writeFile(t *testing.T, pages []Page) string {
	t.Helper()
	var b bytes.Buffer
	if err := Write(&b, pages); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "out.pdf")
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// wordAt lays text with its baseline's left end at (x, y), size points high, scaled to width.
func wordAt(text string, x, y, size, width float64) Word {
	return Word{Text: text, M: Matrix{width / TextWidth(text), 0, 0, size, x, y}}
}

func grey(w, h int) *image.Gray {
	img := image.NewGray(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Pix[y*img.Stride+x] = uint8(40 + 150*x/w + 60*y/h)
		}
	}
	return img
}

func TestWriteTextLayer(t *testing.T) {
	words := []Word{
		wordAt("Invoice", 72, 700, 20, 90),
		wordAt("Übersetzung", 170, 700, 20, 140),
		wordAt("naïve—café", 72, 650, 12, 80),
		wordAt("日本語", 72, 600, 12, 40),
	}
	path := writeFile(t, []Page{{MediaBox: Rect{0, 0, 612, 792}, Words: words}})
	runTool(t, "qpdf", "--check", path)
	got := strings.Fields(runTool(t, "pdftotext", "-enc", "UTF-8", path, "-"))
	want := []string{"Invoice", "Übersetzung", "naïve—café", "日本語"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("pdftotext = %q, want %q", got, want)
	}
	fonts := runTool(t, "pdffonts", path)
	if !regexp.MustCompile(`(?m)^` + fontName + `\s+CID TrueType\s+Identity-H\s+yes\s+no\s+yes`).MatchString(fonts) {
		t.Errorf("pdffonts does not list the embedded invisible font:\n%s", fonts)
	}

	// Every word lies where its matrix puts it: pdftotext measures from the top left.
	boxes := bboxes(t, path)
	for _, w := range words {
		b, ok := boxes[w.Text]
		if !ok {
			t.Errorf("no box for %q in %v", w.Text, boxes)
			continue
		}
		x0, y0 := w.M.Apply(0, 0)
		x1, y1 := w.M.Apply(TextWidth(w.Text), 1)
		want := [4]float64{x0, 792 - y1, x1, 792 - y0}
		for i := range b {
			if math.Abs(b[i]-want[i]) > 0.5 {
				t.Errorf("%q: box %v, want %v", w.Text, b, want)
				break
			}
		}
	}

	// Nothing shows: the page draws as white as an empty one.
	png := runTool(t, "pdftoppm", "-r", "20", "-gray", "-png", path)
	img, err := pngDecode([]byte(png))
	if err != nil {
		t.Fatal(err)
	}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if v := color.GrayModel.Convert(img.At(x, y)).(color.Gray).Y; v != 0xff {
				t.Fatalf("pixel (%d, %d) is %d: the text layer is visible", x, y, v)
			}
		}
	}
}

var bboxWord = regexp.MustCompile(`<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>`)

// bboxes returns the box of each word pdftotext finds, by word.
func bboxes(t *testing.T, path string) map[string][4]float64 {
	t.Helper()
	out := runTool(t, "pdftotext", "-bbox", "-enc", "UTF-8", path, "-")
	boxes := map[string][4]float64{}
	for _, m := range bboxWord.FindAllStringSubmatch(out, -1) {
		var b [4]float64
		for i := range b {
			b[i], _ = strconv.ParseFloat(m[i+1], 64)
		}
		boxes[m[5]] = b
	}
	return boxes
}

func pngDecode(b []byte) (image.Image, error) { return png.Decode(bytes.NewReader(b)) }

func TestWriteImagePages(t *testing.T) {
	src := grey(200, 100)
	var jb, pb bytes.Buffer
	if err := jpeg.Encode(&jb, src, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(&pb, src); err != nil {
		t.Fatal(err)
	}
	jim, err := JPEG(jb.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	pim, err := PNG(pb.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	page := Rect{0, 0, 200 * 72 / 100, 100 * 72 / 100} // 100 dpi
	path := writeFile(t, []Page{
		{MediaBox: page, Image: jim, Words: []Word{wordAt("jpeg", 10, 10, 10, 30)}},
		{MediaBox: page, Image: pim},
	})
	runTool(t, "qpdf", "--check", path)
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if overhead := info.Size() - int64(jb.Len()+pb.Len()); overhead > 6<<10 {
		t.Errorf("PDF is %d bytes over its two images", overhead)
	}
	for page := 1; page <= 2; page++ {
		n := strconv.Itoa(page)
		out := runTool(t, "pdftoppm", "-f", n, "-l", n, "-r", "100", "-gray", "-png", path)
		img, err := pngDecode([]byte(out))
		if err != nil {
			t.Fatal(err)
		}
		if b := img.Bounds(); b.Dx() != 200 || b.Dy() != 100 {
			t.Fatalf("page %d draws %v, want 200x100", page, b)
		}
		var diff float64
		for y := range 100 {
			for x := range 200 {
				diff += math.Abs(float64(color.GrayModel.Convert(img.At(x, y)).(color.Gray).Y) - float64(src.GrayAt(x, y).Y))
			}
		}
		if mean := diff / 20000; mean > 6 {
			t.Errorf("page %d differs from the image by %.1f grey levels on average", page, mean)
		}
	}
}

func TestWriteKeepsBoxesAndRotation(t *testing.T) {
	path := writeFile(t, []Page{{
		MediaBox: Rect{0, 0, 800, 500}, CropBox: Rect{200, 100, 800, 500}, TrimBox: Rect{210, 110, 790, 490}, Rotate: 270,
		Words: []Word{wordAt("turned", 300, 200, 20, 60)},
	}})
	info := runTool(t, "pdfinfo", "-box", path)
	for _, want := range []string{`rot:\s+270`, `MediaBox:\s+0.00\s+0.00\s+800.00\s+500.00`,
		`CropBox:\s+200.00\s+100.00\s+800.00\s+500.00`, `TrimBox:\s+210.00\s+110.00\s+790.00\s+490.00`} {
		if !regexp.MustCompile(want).MatchString(info) {
			t.Errorf("pdfinfo lacks %q:\n%s", want, info)
		}
	}
}

func TestWriteRefuses(t *testing.T) {
	if err := Write(new(bytes.Buffer), nil); err == nil {
		t.Error("Write of no pages: no error")
	}
	if err := Write(new(bytes.Buffer), []Page{{MediaBox: Rect{0, 0, 1, 1}, Rotate: 45}}); err == nil {
		t.Error("Write of a page turned 45°: no error")
	}
}

func TestNotEmbeddable(t *testing.T) {
	rgba := image.NewNRGBA(image.Rect(0, 0, 4, 4))
	var alpha bytes.Buffer
	if err := png.Encode(&alpha, rgba); err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{
		"PNG with alpha": alpha.Bytes(),
		"truncated PNG":  alpha.Bytes()[:30],
		"empty":          nil,
	} {
		if _, err := PNG(data); !errors.Is(err, ErrNotEmbeddable) {
			t.Errorf("PNG(%s): error %v, want ErrNotEmbeddable", name, err)
		}
		if _, err := JPEG(data); !errors.Is(err, ErrNotEmbeddable) {
			t.Errorf("JPEG(%s): error %v, want ErrNotEmbeddable", name, err)
		}
	}
}

func TestMatrix(t *testing.T) {
	turn := Matrix{0, -1, 1, 0, 0, 100} // a quarter turn clockwise in a y-up frame, 100 high
	scale := Matrix{2, 0, 0, 3, 10, 20}
	x, y := turn.Mul(scale).Apply(5, 7)
	tx, ty := turn.Apply(5, 7)
	wx, wy := scale.Apply(tx, ty)
	if x != wx || y != wy {
		t.Errorf("(turn then scale)(5, 7) = (%v, %v), want (%v, %v)", x, y, wx, wy)
	}
	if got := Identity.Mul(scale); got != scale {
		t.Errorf("Identity·m = %v, want %v", got, scale)
	}
}

func TestNum(t *testing.T) {
	for f, want := range map[float64]string{0: "0", -0.00001: "0", 1.5: "1.5", 100: "100", 2.123456: "2.1235", -3.25: "-3.25"} {
		if got := num(f); got != want {
			t.Errorf("num(%v) = %q, want %q", f, got, want)
		}
	}
}

func FuzzImage(f *testing.F) {
	var pb, jb bytes.Buffer
	png.Encode(&pb, grey(3, 2))
	jpeg.Encode(&jb, grey(3, 2), nil)
	f.Add(pb.Bytes())
	f.Add(jb.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, parse := range []func([]byte) (*Image, error){PNG, JPEG} {
			im, err := parse(data)
			if err != nil {
				if !errors.Is(err, ErrNotEmbeddable) {
					t.Fatalf("error %v does not wrap ErrNotEmbeddable", err)
				}
				continue
			}
			if im.Width <= 0 || im.Height <= 0 || len(im.Data) == 0 || im.ColorSpace == "" {
				t.Fatalf("accepted an image without size, data or colours: %+v", im)
			}
		}
	})
}
