package postgres

import (
	"slices"
	"strconv"
	"strings"

	"github.com/docpipe/docpipe/internal/document"
	"github.com/docpipe/docpipe/internal/search"
)

// Limits of PostgreSQL's tsvector type.
const (
	maxLexeme   = 2047    // bytes in one lexeme
	maxPosition = 16383   // highest word position; later words share it
	maxLexemes  = 1 << 19 // bytes of distinct lexemes kept, well under the type's 1 MB
)

// tsvector renders the words of text, as search.Words finds them, in tsvector's input syntax with
// their positions, and at each word's position its terms in lang (see search.Stems), which no
// word can equal. Words longer than a lexeme may be are left out, and so are new lexemes once the
// distinct ones fill maxLexemes.
func tsvector(text, lang string) string {
	return lexemes(search.Words(text), lang)
}

// labelsTSVector renders the words of a document's labels (see search.LabelWords), its file
// name without the extension, its owner's title ("" for none) and its notes, one after the
// other, as tsvector renders a text's.
func labelsTSVector(name, title, notes, lang string) string {
	return lexemes(slices.Concat(search.Words(document.DefaultTitle(name)), search.Words(title), search.Words(notes)), lang)
}

// lexemes renders words at their positions, each followed by its stems in lang.
func lexemes(words []string, lang string) string {
	var b strings.Builder
	seen := make(map[string]bool)
	size := 0
	add := func(lexeme string, pos int) {
		if len(lexeme) > maxLexeme {
			return
		}
		if !seen[lexeme] {
			if size+len(lexeme) > maxLexemes {
				return
			}
			seen[lexeme] = true
			size += len(lexeme)
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(quote(lexeme))
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(min(pos, maxPosition)))
	}
	var stems []string
	for i, w := range words {
		if len(w) > maxLexeme {
			continue
		}
		add(w, i+1)
		stems = stems[:0]
		for _, t := range search.Stems(lang, w) {
			if !slices.Contains(stems, t) {
				stems = append(stems, t)
				add(t, i+1)
			}
		}
	}
	return b.String()
}

// quote renders w as a quoted lexeme of tsvector's and tsquery's input syntax.
func quote(w string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `''`).Replace(w) + "'"
}
