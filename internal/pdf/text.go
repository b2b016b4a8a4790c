package pdf

import (
	"strings"
	"unicode/utf8"
)

// A Matrix is an affine transformation [a b c d e f]: it maps (x, y) to
// (a·x + c·y + e, b·x + d·y + f), as a PDF cm or Tm operator does.
type Matrix [6]float64

// Identity maps every point to itself.
var Identity = Matrix{1, 0, 0, 1, 0, 0}

// Mul returns the transformation that applies m, then n.
func (m Matrix) Mul(n Matrix) Matrix {
	return Matrix{
		m[0]*n[0] + m[1]*n[2], m[0]*n[1] + m[1]*n[3],
		m[2]*n[0] + m[3]*n[2], m[2]*n[1] + m[3]*n[3],
		m[4]*n[0] + m[5]*n[2] + n[4], m[4]*n[1] + m[5]*n[3] + n[5],
	}
}

// Apply returns the point m maps (x, y) to.
func (m Matrix) Apply(x, y float64) (float64, float64) {
	return m[0]*x + m[2]*y + m[4], m[1]*x + m[3]*y + m[5]
}

// A Word is text to lay invisibly on a page. M maps its text space, in which the text starts at
// the origin, stands one unit high on the baseline y = 0 and is TextWidth(Text) units wide,
// onto the page's default user space.
type Word struct {
	Text string
	M    Matrix
}

// TextWidth is the width of s in the invisible font at size 1.
func TextWidth(s string) float64 {
	return Advance * float64(utf8.RuneCountInString(s))
}

// textContent returns the content stream operators that lay words invisibly with font /F0.
func textContent(words []Word) string {
	var b strings.Builder
	b.WriteString("BT\n3 Tr\n/F0 1 Tf\n")
	for _, w := range words {
		if w.Text == "" {
			continue
		}
		for _, v := range w.M {
			b.WriteString(num(v))
			b.WriteByte(' ')
		}
		b.WriteString("Tm <")
		for _, r := range w.Text {
			if r > 0xffff || (r >= 0xd800 && r <= 0xdfff) {
				r = utf8.RuneError
			}
			const hex = "0123456789ABCDEF"
			b.WriteByte(hex[r>>12&0xf])
			b.WriteByte(hex[r>>8&0xf])
			b.WriteByte(hex[r>>4&0xf])
			b.WriteByte(hex[r&0xf])
		}
		b.WriteString("> Tj\n")
	}
	b.WriteString("ET\n")
	return b.String()
}
