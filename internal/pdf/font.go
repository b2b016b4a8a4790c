package pdf

import (
	"encoding/binary"
	"fmt"
	"sort"
	"strings"
	"sync"
)

// The invisible text is set in a font of one empty glyph, every character as wide as Advance
// of the font size: a reader needs no shapes for text it never draws, only where each character
// is. Its codes are UTF-16 code units, mapped back to Unicode by a ToUnicode CMap, so text in
// any language of the Basic Multilingual Plane copies out as it went in.
const (
	fontName = "DocpipeInvisible"
	// Advance is the width of every character of the invisible font, in units of its size.
	Advance    = 0.5
	unitsPerEm = 1000
)

// writeFont writes the font objects into o and returns the number of the font dictionary.
func writeFont(o *objWriter) int {
	font, cid, desc, file, toUnicode, gids := o.alloc(), o.alloc(), o.alloc(), o.alloc(), o.alloc(), o.alloc()
	o.object(font, fmt.Sprintf("<< /Type /Font /Subtype /Type0 /BaseFont /%s /Encoding /Identity-H /DescendantFonts [%d 0 R] /ToUnicode %d 0 R >>",
		fontName, cid, toUnicode))
	o.object(cid, fmt.Sprintf("<< /Type /Font /Subtype /CIDFontType2 /BaseFont /%s /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor %d 0 R /DW %d /CIDToGIDMap %d 0 R >>",
		fontName, desc, int(Advance*unitsPerEm), gids))
	o.object(desc, fmt.Sprintf("<< /Type /FontDescriptor /FontName /%s /Flags 5 /FontBBox [0 0 %d %d] /ItalicAngle 0 /Ascent %d /Descent -1 /CapHeight %d /StemV 80 /FontFile2 %d 0 R >>",
		fontName, int(Advance*unitsPerEm), unitsPerEm, unitsPerEm, unitsPerEm, file))
	ttf := trueType()
	o.flateStream(file, fmt.Sprintf("/Length1 %d", len(ttf)), ttf)
	o.flateStream(toUnicode, "", []byte(toUnicodeCMap()))
	o.flateStream(gids, "", cidToGID())
	return font
}

// cidToGID maps every code to glyph 1, the empty glyph.
func cidToGID() []byte {
	m := make([]byte, 2<<16)
	for i := 1; i < len(m); i += 2 {
		m[i] = 1
	}
	return m
}

// toUnicodeCMap maps each two-byte code to the UTF-16 code unit of the same value, skipping
// surrogates, which the text encoder never writes.
func toUnicodeCMap() string {
	var ranges []string
	for hi := range 256 {
		if hi >= 0xd8 && hi <= 0xdf {
			continue
		}
		ranges = append(ranges, fmt.Sprintf("<%02X00> <%02XFF> <%02X00>", hi, hi, hi))
	}
	var b strings.Builder
	b.WriteString("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n" +
		"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n" +
		"/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n" +
		"1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n")
	for len(ranges) > 0 {
		n := min(len(ranges), 100) // a CMap block holds at most 100 entries
		fmt.Fprintf(&b, "%d beginbfrange\n%s\nendbfrange\n", n, strings.Join(ranges[:n], "\n"))
		ranges = ranges[n:]
	}
	b.WriteString("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n")
	return b.String()
}

var (
	ttfOnce sync.Once
	ttf     []byte
)

// trueType returns a TrueType font with two glyphs, both empty and Advance wide: .notdef and
// the glyph every character is drawn with.
func trueType() []byte {
	ttfOnce.Do(func() { ttf = buildTrueType() })
	return ttf
}

func buildTrueType() []byte {
	be := binary.BigEndian
	const glyphs = 2
	adv := uint16(Advance * unitsPerEm)
	u16 := func(vs ...uint16) []byte {
		b := make([]byte, 0, 2*len(vs))
		for _, v := range vs {
			b = be.AppendUint16(b, v)
		}
		return b
	}
	head := append(u16(1, 0, 1, 0), make([]byte, 4)...) // version, fontRevision, checkSumAdjustment
	head = be.AppendUint32(head, 0x5f0f3cf5)            // magic
	head = append(head, u16(0x000b, unitsPerEm)...)     // flags, unitsPerEm
	head = append(head, make([]byte, 16)...)            // created, modified
	head = append(head, u16(0, 0, adv, unitsPerEm, 0, 8, 2, 0, 0)...)
	tables := map[string][]byte{
		"head": head,
		"hhea": append(u16(1, 0, unitsPerEm, 0, 0, adv, 0, 0, adv, 1, 0, 0, 0, 0, 0, 0, 0), u16(glyphs)...),
		"maxp": append(u16(1, 0, glyphs), u16(0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0)...),
		"hmtx": u16(adv, 0, adv, 0),
		"loca": u16(0, 0, 0),
		"glyf": {},
		// format 4 with only the closing segment: no character maps to a glyph by itself
		"cmap": u16(0, 1, 3, 1, 0, 12, 4, 24, 0, 2, 2, 0, 0, 0xffff, 0, 0xffff, 1, 0),
		"post": append(u16(3, 0, 0, 0, 0xff9c, 50, 0, 1), make([]byte, 16)...),
	}
	tags := make([]string, 0, len(tables))
	for tag := range tables {
		tags = append(tags, tag)
	}
	sort.Strings(tags)
	n := uint16(len(tags))
	search := uint16(1)
	selector := uint16(0)
	for search*2 <= n {
		search *= 2
		selector++
	}
	out := u16(1, 0, n, search*16, selector, n*16-search*16)
	offset := len(out) + 16*len(tags)
	var body []byte
	for _, tag := range tags {
		t := tables[tag]
		out = append(out, tag...)
		out = be.AppendUint32(out, checksum(t))
		out = be.AppendUint32(out, uint32(offset+len(body)))
		out = be.AppendUint32(out, uint32(len(t)))
		body = append(body, t...)
		for len(body)%4 != 0 {
			body = append(body, 0)
		}
	}
	headAt := offset
	for _, tag := range tags {
		if tag == "head" {
			break
		}
		headAt += (len(tables[tag]) + 3) &^ 3
	}
	out = append(out, body...)
	be.PutUint32(out[headAt+8:], 0xb1b0afba-checksum(out))
	return out
}

// checksum is the TrueType table checksum: the sum of its big-endian 32-bit words.
func checksum(b []byte) uint32 {
	var sum uint32
	for i := 0; i < len(b); i += 4 {
		var w [4]byte
		copy(w[:], b[i:])
		sum += binary.BigEndian.Uint32(w[:])
	}
	return sum
}
