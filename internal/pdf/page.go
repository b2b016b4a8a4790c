package pdf

import (
	"fmt"
	"io"
	"strings"
)

// A Rect is a rectangle in default user space, in points: (X0, Y0) its lower-left corner and
// (X1, Y1) its upper right.
type Rect struct{ X0, Y0, X1, Y1 float64 }

func (r Rect) String() string {
	return "[" + num(r.X0) + " " + num(r.Y0) + " " + num(r.X1) + " " + num(r.Y1) + "]"
}

// A Page is one page for Write to make.
type Page struct {
	MediaBox Rect
	CropBox  Rect // omitted when zero
	TrimBox  Rect // omitted when zero
	Rotate   int  // degrees clockwise, a multiple of 90

	Image *Image // drawn over the whole MediaBox, if not nil
	Words []Word // laid invisibly over the page
}

// Write writes a PDF of pages to w.
func Write(w io.Writer, pages []Page) error {
	if len(pages) == 0 {
		return fmt.Errorf("pdf: no pages")
	}
	o := newObjWriter(w)
	catalog, tree := o.alloc(), o.alloc()
	font := 0
	kids := make([]string, len(pages))
	for i, p := range pages {
		if p.Rotate%90 != 0 {
			return fmt.Errorf("pdf: page %d: rotation %d is not a multiple of 90", i+1, p.Rotate)
		}
		if len(p.Words) > 0 && font == 0 {
			font = writeFont(o)
		}
		page, content := o.alloc(), o.alloc()
		kids[i] = fmt.Sprintf("%d 0 R", page)
		var (
			res strings.Builder
			ops strings.Builder
		)
		if p.Image != nil {
			img := o.alloc()
			o.stream(img, p.Image.dict(), p.Image.Data)
			fmt.Fprintf(&res, " /XObject << /Im0 %d 0 R >>", img)
			m := p.MediaBox
			fmt.Fprintf(&ops, "q %s 0 0 %s %s %s cm /Im0 Do Q\n", num(m.X1-m.X0), num(m.Y1-m.Y0), num(m.X0), num(m.Y0))
		}
		if len(p.Words) > 0 {
			fmt.Fprintf(&res, " /Font << /F0 %d 0 R >>", font)
			ops.WriteString(textContent(p.Words))
		}
		o.flateStream(content, "", []byte(ops.String()))
		dict := fmt.Sprintf("<< /Type /Page /Parent %d 0 R /MediaBox %s", tree, p.MediaBox)
		if p.CropBox != (Rect{}) {
			dict += " /CropBox " + p.CropBox.String()
		}
		if p.TrimBox != (Rect{}) {
			dict += " /TrimBox " + p.TrimBox.String()
		}
		if p.Rotate != 0 {
			dict += fmt.Sprintf(" /Rotate %d", ((p.Rotate%360)+360)%360)
		}
		o.object(page, fmt.Sprintf("%s /Resources <<%s >> /Contents %d 0 R >>", dict, res.String(), content))
	}
	o.object(catalog, fmt.Sprintf("<< /Type /Catalog /Pages %d 0 R >>", tree))
	o.object(tree, fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), len(pages)))
	return o.finish(catalog)
}
