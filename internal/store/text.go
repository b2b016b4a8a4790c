package store

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/docpipe/docpipe/internal/search"
)

// CollapseSpace replaces each run of white space in s with one space, keeping a leading or
// trailing one, so that snippet fragments still join with the spaces between them.
func CollapseSpace(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			if !space {
				b.WriteByte(' ')
			}
			space = true
			continue
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// CleanText makes s what every backend can store and snippets can show: valid UTF-8 without
// NUL bytes, which become spaces, or the noncharacters U+FDD0 to U+FDD2, which become U+FFFD
// as invalid bytes do, so that a snippet's marks never come from the text.
func CleanText(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return textCleaner.Replace(s)
}

var textCleaner = strings.NewReplacer("\x00", " ", "\uFDD0", "\uFFFD", "\uFDD1", "\uFFFD", "\uFDD2", "\uFFFD")

// ClauseWords returns the words of c as search.Words finds them: what every backend searches
// for and the Highlighter marks.
func ClauseWords(c search.Clause) []string {
	var ws []string
	for _, w := range c.Words {
		ws = append(ws, search.Words(w)...)
	}
	return ws
}
