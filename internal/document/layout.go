package document

import (
	"encoding/binary"
	"errors"
	"fmt"
	"unicode/utf8"
)

// A Layout is where OCR found the words of a page: each line of text and each word in it, with
// its box in the pixels of the page picture that was read. That picture is Width×Height pixels
// at DPI (0 when the resolution is unknown) and is upright as the page is shown, whatever way
// its text runs: Rotation says how the text is turned.
type Layout struct {
	Width    int    `json:"width"`
	Height   int    `json:"height"`
	DPI      int    `json:"dpi"`
	Rotation int    `json:"rotation"` // clockwise quarter turns (0–3) that make the text upright
	Lines    []Line `json:"lines"`
}

// A Line is a line of text and the words on it, in reading order.
type Line struct {
	Box   Box    `json:"box"`
	Words []Word `json:"words"`
}

// A Word is a recognised word, its box and how sure OCR is of it.
type Word struct {
	Text       string `json:"text"`
	Box        Box    `json:"box"`
	Confidence int    `json:"confidence"` // 0..100
}

// A Box is a rectangle of pixels: from (X0, Y0), its top-left corner, to just before (X1, Y1).
// Its JSON form is the array [x0, y0, x1, y1].
type Box [4]int

// Turn returns b as it lies after quarters clockwise quarter turns of the w×h picture it is in.
func (b Box) Turn(quarters, w, h int) Box {
	for range ((quarters % 4) + 4) % 4 {
		b = Box{h - b[3], b[0], h - b[1], b[2]}
		w, h = h, w
	}
	return b
}

// Words returns how many words l holds.
func (l *Layout) Words() int {
	n := 0
	for _, line := range l.Lines {
		n += len(line.Words)
	}
	return n
}

// Limits of a layout that stores accept: ample for any page OCR reads.
const (
	maxLayoutSide  = 1 << 20
	maxLayoutWords = 1 << 20
	maxWordBytes   = 1 << 12
)

// layoutVersion is the first byte of a layout's binary form.
const layoutVersion = 1

// MarshalBinary encodes l compactly for storage: about 8 bytes and the text per word.
func (l *Layout) MarshalBinary() ([]byte, error) {
	if err := l.check(); err != nil {
		return nil, err
	}
	b := []byte{layoutVersion}
	b = binary.AppendUvarint(b, uint64(l.Width))
	b = binary.AppendUvarint(b, uint64(l.Height))
	b = binary.AppendUvarint(b, uint64(l.DPI))
	b = binary.AppendUvarint(b, uint64(l.Rotation))
	b = binary.AppendUvarint(b, uint64(len(l.Lines)))
	for _, line := range l.Lines {
		b = appendBox(b, line.Box, Box{})
		b = binary.AppendUvarint(b, uint64(len(line.Words)))
		for _, w := range line.Words {
			b = binary.AppendUvarint(b, uint64(len(w.Text)))
			b = append(b, w.Text...)
			b = appendBox(b, w.Box, line.Box)
			b = append(b, byte(w.Confidence))
		}
	}
	return b, nil
}

// appendBox appends b as its corner relative to that of rel and its size.
func appendBox(buf []byte, b, rel Box) []byte {
	buf = binary.AppendVarint(buf, int64(b[0]-rel[0]))
	buf = binary.AppendVarint(buf, int64(b[1]-rel[1]))
	buf = binary.AppendUvarint(buf, uint64(b[2]-b[0]))
	return binary.AppendUvarint(buf, uint64(b[3]-b[1]))
}

// ErrBadLayout means a layout does not fit its picture or its encoding is damaged.
var ErrBadLayout = errors.New("bad layout")

// UnmarshalBinary decodes what MarshalBinary made. Damaged data is an error wrapping
// ErrBadLayout, never a panic or a huge allocation.
func (l *Layout) UnmarshalBinary(data []byte) error {
	d := decoder{b: data}
	if v := d.byte(); v != layoutVersion {
		return fmt.Errorf("%w: version %d", ErrBadLayout, v)
	}
	var out Layout
	out.Width, out.Height = d.int(maxLayoutSide), d.int(maxLayoutSide)
	out.DPI, out.Rotation = d.int(maxLayoutSide), d.int(3)
	nLines := d.int(len(d.b))
	out.Lines = make([]Line, 0, nLines)
	for range nLines {
		line := Line{Box: d.box(Box{})}
		nWords := d.int(len(d.b) / 5)
		line.Words = make([]Word, 0, nWords)
		for range nWords {
			n := d.int(maxWordBytes)
			w := Word{Text: d.string(n)}
			w.Box = d.box(line.Box)
			w.Confidence = int(d.byte())
			line.Words = append(line.Words, w)
		}
		out.Lines = append(out.Lines, line)
	}
	if d.err != nil {
		return d.err
	}
	if len(d.b) != 0 {
		return fmt.Errorf("%w: %d bytes after the end", ErrBadLayout, len(d.b))
	}
	if err := out.check(); err != nil {
		return err
	}
	*l = out
	return nil
}

// check reports a layout that a store should not keep.
func (l *Layout) check() error {
	switch {
	case l.Width < 0 || l.Height < 0 || l.Width > maxLayoutSide || l.Height > maxLayoutSide || l.DPI < 0 || l.DPI > maxLayoutSide:
		return fmt.Errorf("%w: picture %dx%d at %d dpi", ErrBadLayout, l.Width, l.Height, l.DPI)
	case l.Rotation < 0 || l.Rotation > 3:
		return fmt.Errorf("%w: rotation %d", ErrBadLayout, l.Rotation)
	case l.Words() > maxLayoutWords:
		return fmt.Errorf("%w: %d words", ErrBadLayout, l.Words())
	}
	inside := func(b Box) bool {
		return 0 <= b[0] && b[0] <= b[2] && b[2] <= l.Width && 0 <= b[1] && b[1] <= b[3] && b[3] <= l.Height
	}
	for i, line := range l.Lines {
		if !inside(line.Box) {
			return fmt.Errorf("%w: line %d box %v outside %dx%d", ErrBadLayout, i+1, line.Box, l.Width, l.Height)
		}
		for _, w := range line.Words {
			switch {
			case !inside(w.Box):
				return fmt.Errorf("%w: word %q box %v outside %dx%d", ErrBadLayout, w.Text, w.Box, l.Width, l.Height)
			case w.Confidence < 0 || w.Confidence > 100:
				return fmt.Errorf("%w: word %q confidence %d", ErrBadLayout, w.Text, w.Confidence)
			case len(w.Text) > maxWordBytes || !utf8.ValidString(w.Text):
				return fmt.Errorf("%w: word text is not short valid UTF-8", ErrBadLayout)
			}
		}
	}
	return nil
}

// A decoder reads a layout's binary form, remembering the first error.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) fail(what string) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: truncated or damaged at %s", ErrBadLayout, what)
	}
	d.b = nil
}

func (d *decoder) byte() byte {
	if len(d.b) == 0 {
		d.fail("a byte")
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

// int reads an unsigned number of at most limit.
func (d *decoder) int(limit int) int {
	v, n := binary.Uvarint(d.b)
	if n <= 0 || v > uint64(limit) {
		d.fail("a number")
		return 0
	}
	d.b = d.b[n:]
	return int(v)
}

func (d *decoder) signed() int {
	v, n := binary.Varint(d.b)
	if n <= 0 || v < -maxLayoutSide || v > maxLayoutSide {
		d.fail("an offset")
		return 0
	}
	d.b = d.b[n:]
	return int(v)
}

func (d *decoder) string(n int) string {
	if n > len(d.b) {
		d.fail("a word")
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

func (d *decoder) box(rel Box) Box {
	x, y := rel[0]+d.signed(), rel[1]+d.signed()
	return Box{x, y, x + d.int(maxLayoutSide), y + d.int(maxLayoutSide)}
}
