package postgres

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/docpipe/docpipe/internal/search"
)

// Limits of PostgreSQL's tsvector type.
const (
	maxLexeme   = 2047    // bytes in one lexeme
	maxPosition = 16383   // highest word position; later words share it
	maxLexemes  = 1 << 19 // bytes of distinct lexemes kept, well under the type's 1 MB
)

// tsvector renders the words of text, as search.Words finds them, in tsvector's input syntax with
// their positions. Words longer than a lexeme may be are left out, and so are new words once the
// distinct ones fill maxLexemes.
func tsvector(text string) string {
	var b strings.Builder
	seen := make(map[string]bool)
	size := 0
	for i, w := range search.Words(text) {
		if len(w) > maxLexeme {
			continue
		}
		if !seen[w] {
			if size+len(w) > maxLexemes {
				continue
			}
			seen[w] = true
			size += len(w)
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(quote(w))
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(min(i+1, maxPosition)))
	}
	return b.String()
}

// quote renders w as a quoted lexeme of tsvector's and tsquery's input syntax.
func quote(w string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `''`).Replace(w) + "'"
}

// Noncharacters that ts_headline puts around matches: cleanText keeps them out of stored text.
const (
	markOpen  = "\uFDD0"
	markClose = "\uFDD1"
)

// cleanText makes s valid UTF-8 without NULs, which PostgreSQL's text cannot hold, or snippet
// markers.
func cleanText(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return strings.NewReplacer("\x00", " ", markOpen, "\uFFFD", markClose, "\uFFFD").Replace(s)
}
