package store

import (
	"iter"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/docpipe/docpipe/internal/search"
)

// The words a snippet shows around its first match.
const (
	snippetBefore = 8
	snippetAfter  = 15
	ellipsis      = "…"
)

// A Highlighter finds the words of a query's positive clauses in a document's text and cuts
// snippets around them. It splits text into words as search.Words does and marks a word as the
// backends match it: folded (see search.Fold), and, for a bare word of the query, when one of its
// stems in the document's languages is one of the query word's variants. It marks every word of
// a phrase wherever it occurs in the snippet.
type Highlighter struct {
	lang     string          // the document's languages
	words    map[string]bool // whole words, folded
	stems    map[string]bool // variants of the bare words
	starts   map[rune]bool   // the first letters of the bare words
	prefixes []string        // the last words of prefix clauses, folded
	memo     map[string]bool // whether h marks a word, by word, for the stems' sake
}

// NewHighlighter returns the highlighter of q's positive clauses in a document in lang.
func NewHighlighter(q search.Query, lang string) Highlighter {
	h := Highlighter{lang: lang, words: make(map[string]bool), stems: make(map[string]bool),
		starts: make(map[rune]bool), memo: make(map[string]bool)}
	for c, not := range q.Clauses() {
		if not || c.Field == search.FieldName {
			continue
		}
		ws := ClauseWords(c)
		if c.Stemmed() && len(ws) == 1 {
			for _, v := range search.Variants(ws[0]) {
				h.stems[v] = true
			}
			r, _ := utf8.DecodeRuneInString(ws[0])
			h.starts[r] = true
			continue
		}
		for i, w := range ws {
			if c.Prefix && i == len(ws)-1 {
				h.prefixes = append(h.prefixes, w)
				continue
			}
			h.words[w] = true
		}
	}
	return h
}

// marks reports whether h marks the word w, as search.Words finds it. Stemming every word of a
// page would cost more than the search, so only words that start as a bare word of the query
// does are stemmed (stems keep a word's first letter), once each.
func (h Highlighter) marks(w string) bool {
	w = search.Fold(w)
	if h.words[w] {
		return true
	}
	for _, p := range h.prefixes {
		if strings.HasPrefix(w, p) {
			return true
		}
	}
	r, _ := utf8.DecodeRuneInString(w)
	if !h.starts[r] {
		return false
	}
	marked, ok := h.memo[w]
	if !ok {
		marked = slices.ContainsFunc(search.Stems(h.lang, w), func(s string) bool { return h.stems[s] })
		h.memo[w] = marked
	}
	return marked
}

// Marks reports whether h marks a word of text, as search.Words splits it: a word as OCR read it,
// punctuation and all, is marked when one of its words is.
func (h Highlighter) Marks(text string) bool {
	return h.First(text) >= 0
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

// Lead returns the opening words of text as a snippet without matches, with an ellipsis where
// the text goes on; nil for a text without words. It stands in for a snippet when a document
// matches by its name or exclusions alone.
func Lead(text string) []Fragment {
	n := 0
	for s := range words(text) {
		n++
		if n > snippetBefore+snippetAfter {
			return []Fragment{{Text: strings.TrimSpace(CollapseSpace(text[:s.start])) + ellipsis}}
		}
	}
	if t := strings.TrimSpace(CollapseSpace(text)); n > 0 {
		return []Fragment{{Text: t}}
	}
	return nil
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
				b.WriteRune(r)
				i += n
			}
			if !yield(span{start: start, end: i, word: b.String()}) {
				return
			}
		}
	}
}
