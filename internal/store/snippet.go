package store

import (
	"iter"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/docpipe/docpipe/internal/search"
)

// The words a snippet shows around its first match.
const (
	snippetBefore = 8
	snippetAfter  = 15
	ellipsis      = "…"
)

// A Highlighter finds the words of a query's positive clauses in text and cuts snippets around
// them. It splits text into words as search.Words does and compares them without case or
// diacritics, so it marks what an index folding both matches. It marks every word of a phrase
// wherever it occurs in the snippet.
type Highlighter struct {
	words    map[string]bool // whole words, folded
	prefixes []string        // the last words of prefix clauses, folded
}

// NewHighlighter returns the highlighter of q's positive clauses.
func NewHighlighter(q search.Query) Highlighter {
	h := Highlighter{words: make(map[string]bool)}
	for _, c := range q.Clauses {
		if c.Not {
			continue
		}
		ws := ClauseWords(c)
		for i, w := range ws {
			if c.Prefix && i == len(ws)-1 {
				h.prefixes = append(h.prefixes, fold(w))
				continue
			}
			h.words[fold(w)] = true
		}
	}
	return h
}

// marks reports whether h marks the word w, as search.Words finds it.
func (h Highlighter) marks(w string) bool {
	w = fold(w)
	if h.words[w] {
		return true
	}
	for _, p := range h.prefixes {
		if strings.HasPrefix(w, p) {
			return true
		}
	}
	return false
}

// First returns the byte offset in text of the first word h marks, or -1.
func (h Highlighter) First(text string) int {
	for s := range words(text) {
		if h.marks(s.word) {
			return s.start
		}
	}
	return -1
}

// Snippet cuts an excerpt of text around its first word that h marks, with the marked words
// matches, runs of white space collapsed and an ellipsis where the text goes on. It is nil when
// h marks no word of text.
func (h Highlighter) Snippet(text string) []Fragment {
	ws := slices.Collect(words(text))
	hit := make([]bool, len(ws))
	first := -1
	for i, s := range ws {
		hit[i] = h.marks(s.word)
		if hit[i] && first < 0 {
			first = i
		}
	}
	if first < 0 {
		return nil
	}
	lo, hi := max(0, first-snippetBefore), min(len(ws), first+snippetAfter+1)
	var frags []Fragment
	add := func(t string, m bool) {
		t = CollapseSpace(t)
		if t == "" {
			return
		}
		if n := len(frags); n > 0 && frags[n-1].Match == m {
			frags[n-1].Text += t
			return
		}
		frags = append(frags, Fragment{Text: t, Match: m})
	}
	at := ws[lo].start
	for i := lo; i < hi; i++ {
		if !hit[i] {
			continue
		}
		add(text[at:ws[i].start], false)
		add(text[ws[i].start:ws[i].end], true)
		at = ws[i].end
	}
	add(text[at:ws[hi-1].end], false)
	if lo > 0 {
		if frags[0].Match {
			frags = slices.Insert(frags, 0, Fragment{})
		}
		frags[0].Text = ellipsis + frags[0].Text
	}
	if hi < len(ws) {
		if frags[len(frags)-1].Match {
			frags = append(frags, Fragment{})
		}
		frags[len(frags)-1].Text += ellipsis
	}
	return frags
}

// span is a word's place in a text.
type span struct {
	start, end int
	word       string
}

// words yields the words of text as search.Words finds them, with their byte offsets.
func words(text string) iter.Seq[span] {
	return func(yield func(span) bool) {
		for i := 0; i < len(text); {
			r, n := utf8.DecodeRuneInString(text[i:])
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				i += n
				continue
			}
			start := i
			var b strings.Builder
			for i < len(text) {
				r, n := utf8.DecodeRuneInString(text[i:])
				if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsMark(r) {
					break
				}
				b.WriteRune(unicode.ToLower(r))
				i += n
			}
			if !yield(span{start: start, end: i, word: b.String()}) {
				return
			}
		}
	}
}

// fold removes the diacritics of the lower-case word w.
func fold(w string) string {
	ascii := true
	for i := 0; i < len(w); i++ {
		if w[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return w
	}
	var b strings.Builder
	for _, r := range norm.NFD.String(w) {
		if !unicode.Is(unicode.Mn, r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}
