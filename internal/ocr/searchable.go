package ocr

/*
#include <leptonica/allheaders.h>
*/
import "C"

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"unsafe"

	"github.com/docpipe/docpipe/internal/document"
	"github.com/docpipe/docpipe/internal/pdf"
)

// SearchablePDF writes to w a PDF of the document in data that looks as the original does, with
// the words OCR found on its pages (their Layouts, as Recognize returned them) laid invisibly
// over the places they were read from, so that a PDF reader can search, select and copy them.
//
// An image becomes one page per picture, sized by its resolution and shown turned so that its
// text is upright; a JPEG or PNG is embedded byte for byte where PDF allows, other pictures
// losslessly (bilevel as CCITT G4). A PDF keeps
// every page as it was, vector content and all: the text is added over the pages OCR read, with
// qpdf, and a PDF on which OCR read no page is written back unchanged.
func SearchablePDF(ctx context.Context, w io.Writer, data []byte, pages []document.Page) error {
	switch mt := sniff(data); mt {
	case TypePDF:
		return searchablePDF(ctx, w, data, pages)
	case TypePNG, TypeJPEG, TypeTIFF:
		ps, err := imagePages(data, mt, pages)
		if err != nil {
			return fmt.Errorf("searchable PDF: %w", err)
		}
		return pdf.Write(w, ps)
	default:
		return fmt.Errorf("searchable PDF: %w", ErrUnsupportedType)
	}
}

// assumedDPI is the resolution given to a picture that records none.
const assumedDPI = 300

// imagePages makes a PDF page of each picture in an image of type mt.
func imagePages(data []byte, mt string, pages []document.Page) ([]pdf.Page, error) {
	if len(pages) == 0 {
		return nil, errors.New("no pages")
	}
	out := make([]pdf.Page, len(pages))
	for i, p := range pages {
		img, err := embeddable(data, mt, i)
		if err != nil {
			return nil, fmt.Errorf("page %d: %w", i+1, err)
		}
		l := p.Layout
		if l == nil || l.Width == 0 || l.Height == 0 {
			l = &document.Layout{Width: img.Width, Height: img.Height}
		}
		// The layout's resolution is that of the picture OCR read, which may have been scaled
		// from the original: the page's size in inches is the same either way.
		dpi := float64(l.DPI)
		if dpi == 0 {
			dpi = assumedDPI * float64(l.Width) / float64(img.Width)
		}
		wpt, hpt := float64(l.Width)*72/dpi, float64(l.Height)*72/dpi
		box := pdf.Rect{X1: wpt, Y1: hpt}
		// The page is shown turned so that its text is upright, as OCR read it.
		out[i] = pdf.Page{MediaBox: box, Rotate: 90 * l.Rotation, Image: img, Words: words(l, toUserSpace(l, box, 0))}
	}
	return out, nil
}

// embeddable returns picture i of an image as a PDF embeds it: as it is if PDF can take it so,
// else decoded and compressed again without loss.
func embeddable(data []byte, mt string, i int) (*pdf.Image, error) {
	var (
		img *pdf.Image
		err error
	)
	switch mt {
	case TypeJPEG:
		img, err = pdf.JPEG(data)
	case TypePNG:
		img, err = pdf.PNG(data)
	default:
		err = pdf.ErrNotEmbeddable
	}
	if !errors.Is(err, pdf.ErrNotEmbeddable) {
		return img, err
	}
	p, err := decodePix(data, mt, i)
	if err != nil {
		return nil, err
	}
	defer p.free()
	return compress(p)
}

// compress encodes p for a PDF: CCITT G4 if bilevel, else Flate.
func compress(p *pix) (*pdf.Image, error) {
	typ := C.l_int32(C.L_FLATE_ENCODE)
	if p.depth() == 1 {
		typ = C.L_G4_ENCODE
	}
	var cid *C.L_COMP_DATA
	if C.pixGenerateCIData(p.p, typ, 0, 0, &cid) != 0 || cid == nil {
		return nil, errors.New("cannot compress the picture")
	}
	defer C.l_CIDataDestroy(&cid)
	img := &pdf.Image{
		Width: int(cid.w), Height: int(cid.h), BitsPerComponent: int(cid.bps),
		ColorSpace: "/DeviceGray",
		Data:       C.GoBytes(unsafe.Pointer(cid.datacomp), C.int(cid.nbytescomp)),
	}
	if cid.spp == 3 {
		img.ColorSpace = "/DeviceRGB"
	}
	if cid.ncolors > 0 {
		return nil, errors.New("cannot embed a picture with a colour map")
	}
	switch {
	case typ == C.L_G4_ENCODE:
		img.Filter = "/CCITTFaxDecode"
		img.DecodeParms = fmt.Sprintf("<< /K -1 /Columns %d /Rows %d >>", img.Width, img.Height)
		if cid.minisblack != 0 {
			img.DecodeParms = fmt.Sprintf("<< /K -1 /Columns %d /Rows %d /BlackIs1 true >>", img.Width, img.Height)
		}
	case cid.predictor != 0:
		img.Filter = "/FlateDecode"
		img.DecodeParms = fmt.Sprintf("<< /Predictor 14 /Columns %d /Colors %d /BitsPerComponent %d >>", img.Width, int(cid.spp), img.BitsPerComponent)
	default:
		img.Filter = "/FlateDecode"
	}
	return img, nil
}

// searchablePDF lays the words OCR found over the pages of the PDF in data that it read.
func searchablePDF(ctx context.Context, w io.Writer, data []byte, pages []document.Page) error {
	var ocred []document.Page
	for _, p := range pages {
		if p.Source == document.SourceOCR && p.Layout != nil && len(p.Layout.Lines) > 0 {
			ocred = append(ocred, p)
		}
	}
	if len(ocred) == 0 {
		_, err := w.Write(data)
		return err
	}
	path, remove, err := tempPDF(data)
	if err != nil {
		return err
	}
	defer remove()
	last := ocred[len(ocred)-1].Number
	out, err := run(ctx, 64<<10+512*last, nil, "pdfinfo", "-box", "-f", "1", "-l", strconv.Itoa(last), path)
	if err != nil {
		return fmt.Errorf("searchable PDF: %w", err)
	}
	boxes, err := parseBoxes(out, last)
	if err != nil {
		return fmt.Errorf("searchable PDF: %w", err)
	}
	text := make([]pdf.Page, len(ocred))
	to := make([]string, len(ocred))
	for i, p := range ocred {
		b := boxes[p.Number-1]
		text[i] = pdf.Page{MediaBox: b.media, CropBox: b.crop, TrimBox: b.trim, Rotate: b.rot,
			Words: words(p.Layout, toUserSpace(p.Layout, b.crop, b.rot))}
		to[i] = strconv.Itoa(p.Number)
	}
	overlay, err := os.CreateTemp("", "docpipe-text-*.pdf")
	if err != nil {
		return fmt.Errorf("searchable PDF: %w", err)
	}
	defer os.Remove(overlay.Name())
	err = pdf.Write(overlay, text)
	if cerr := overlay.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("searchable PDF: text layer: %w", err)
	}
	// qpdf places each text page over its page as a form XObject scaled from the text page's
	// boxes to the page's own: the boxes are the same, so the text lands where it was laid.
	merged, err := run(ctx, 2*len(data)+64<<20, nil, "qpdf", "--warning-exit-0", path,
		"--overlay", overlay.Name(), "--to="+strings.Join(to, ","), "--from=1-"+strconv.Itoa(len(text)), "--", "-")
	if err != nil {
		return fmt.Errorf("searchable PDF: %w", err)
	}
	_, err = w.Write(merged)
	return err
}

// pageBoxes are a PDF page's boxes and rotation as pdfinfo -box reports them.
type pageBoxes struct {
	media, crop, trim pdf.Rect
	rot               int
}

// parseBoxes reads the boxes of the first n pages from pdfinfo -box's output. As parsePDFInfo
// does, it trusts only lines after the last "Pages:" line.
func parseBoxes(out []byte, n int) ([]pageBoxes, error) {
	if i := bytes.LastIndex(out, []byte("\nPages:")); i >= 0 {
		out = out[i+1:]
	}
	pages := make([]pageBoxes, n)
	seen := make([]int, n)
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 64<<10)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || f[0] != "Page" {
			continue
		}
		num, err := strconv.Atoi(f[1])
		if err != nil || num < 1 || num > n {
			continue
		}
		p := &pages[num-1]
		var box *pdf.Rect
		switch f[2] {
		case "rot:":
			r, err := strconv.Atoi(f[3])
			if err != nil || r%90 != 0 {
				return nil, invalid("PDF page %d: bad rotation %q", num, sc.Text())
			}
			p.rot = ((r % 360) + 360) % 360
			continue
		case "MediaBox:":
			box = &p.media
		case "CropBox:":
			box = &p.crop
		case "TrimBox:":
			box = &p.trim
		default:
			continue
		}
		if len(f) != 7 {
			return nil, invalid("PDF page %d: bad box %q", num, sc.Text())
		}
		var v [4]float64
		for i := range v {
			if v[i], err = strconv.ParseFloat(f[3+i], 64); err != nil || v[i] < -maxPageSide || v[i] > maxPageSide {
				return nil, invalid("PDF page %d: bad box %q", num, sc.Text())
			}
		}
		*box = pdf.Rect{X0: min(v[0], v[2]), Y0: min(v[1], v[3]), X1: max(v[0], v[2]), Y1: max(v[1], v[3])}
		seen[num-1]++
	}
	for i, p := range pages {
		if seen[i] < 3 || p.crop.X1 <= p.crop.X0 || p.crop.Y1 <= p.crop.Y0 {
			return nil, invalid("PDF page %d: pdfinfo reported no boxes", i+1)
		}
	}
	return pages, nil
}

// toUserSpace maps the pixels of l's picture onto a PDF page's default user space: the picture
// shows the page's crop box as it is displayed, turned by rot degrees clockwise.
func toUserSpace(l *document.Layout, crop pdf.Rect, rot int) pdf.Matrix {
	w, h := crop.X1-crop.X0, crop.Y1-crop.Y0
	if rot%180 != 0 {
		w, h = h, w
	}
	sx, sy := w/float64(l.Width), h/float64(l.Height)
	switch rot {
	case 90:
		return pdf.Matrix{0, sx, sy, 0, crop.X0, crop.Y0}
	case 180:
		return pdf.Matrix{-sx, 0, 0, sy, crop.X1, crop.Y0}
	case 270:
		return pdf.Matrix{0, -sx, -sy, 0, crop.X1, crop.Y1}
	}
	return pdf.Matrix{sx, 0, 0, -sy, crop.X0, crop.Y1}
}

// words lays the words of l as invisible text: each on its line's baseline, as tall as its
// line and as wide as its box, with the space after it reaching to the next word, so that text
// extraction finds the lines and the spaces. toUser maps l's pixels to user space.
func words(l *document.Layout, toUser pdf.Matrix) []pdf.Word {
	r := ((l.Rotation % 4) + 4) % 4
	// Words are laid in the frame where the text is upright: l's picture turned r times.
	uw, uh := l.Width, l.Height
	if r%2 == 1 {
		uw, uh = uh, uw
	}
	back, w, h := pdf.Identity, float64(uw), float64(uh)
	for range (4 - r) % 4 {
		back = back.Mul(pdf.Matrix{0, 1, -1, 0, h, 0})
		w, h = h, w
	}
	frame := back.Mul(toUser)
	var out []pdf.Word
	for _, line := range l.Lines {
		lb := line.Box.Turn(r, l.Width, l.Height)
		size := float64(max(lb[3]-lb[1], 1))
		for i, word := range line.Words {
			b := word.Box.Turn(r, l.Width, l.Height)
			text, end := word.Text, b[2]
			if i < len(line.Words)-1 {
				text += " "
				if next := line.Words[i+1].Box.Turn(r, l.Width, l.Height); next[0] > end {
					end = next[0]
				}
			}
			width := float64(max(end-b[0], 1))
			hs := width / (size * pdf.TextWidth(text))
			m := pdf.Matrix{size * hs, 0, 0, -size, float64(b[0]), float64(lb[3])}
			out = append(out, pdf.Word{Text: text, M: m.Mul(frame)})
		}
	}
	return out
}
