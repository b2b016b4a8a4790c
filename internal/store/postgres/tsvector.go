package postgres

import (
	"strconv"
	"strings"

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
