package search

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/docpipe/docpipe/internal/document"
)

// Limits on what the search box accepts.
const (
	MaxQueryBytes = 512 // longest query text, in bytes
	MaxClauses    = 32  // most clauses in one query
)

var (
	errTooLong = fmt.Errorf("%w: query is longer than %d bytes", document.ErrInvalidInput, MaxQueryBytes)
	errTooMany = fmt.Errorf("%w: query has more than %d terms", document.ErrInvalidInput, MaxClauses)
	errNoTerms = fmt.Errorf("%w: query has no search terms", document.ErrInvalidInput)
)

// Parse reads the search box's text. Bare words match any word with the same stem
// (invoices finds "invoice"), "quoted phrases" match their words exactly and in order, a
// trailing * makes a word a prefix (invo*) and a leading - excludes a word or phrase (-draft,
// -"first draft"). Everything else separates words: operators, punctuation and unbalanced
// quotes are never syntax. Words are runs of letters and digits (with any combining marks that
// follow them), folded (see Fold).
//
// The errors wrap document.ErrInvalidInput: a query longer than MaxQueryBytes, with more than
// MaxClauses clauses, or with nothing to search for.
func Parse(s string) (Query, error) {
	if len(s) > MaxQueryBytes {
		return Query{}, errTooLong
	}
	var q Query
	p := parser{s: s}
	for {
		c, ok := p.clause()
		if !ok {
			break
		}
		if len(q.Clauses) == MaxClauses {
			return Query{}, errTooMany
		}
		q.Clauses = append(q.Clauses, c)
	}
	if q.Empty() {
		return Query{}, errNoTerms
	}
	if len(q.String()) > MaxQueryBytes {
		return Query{}, errTooLong
	}
	return q, nil
}

// Words splits s into the folded words Parse would find in it, ignoring all syntax.
// Backends use it to reduce any text to words before it goes near their query language.
func Words(s string) []string {
	var words []string
	p := parser{s: s}
	for p.i < len(p.s) {
		r, n := utf8.DecodeRuneInString(p.s[p.i:])
		if isWordStart(r) {
			w, _ := p.word()
			words = append(words, w)
			continue
		}
		p.i += n
	}
	return words
}

type parser struct {
	s string
	i int
}

// clause returns the next clause, or false at the end of the text.
func (p *parser) clause() (Clause, bool) {
	for p.i < len(p.s) {
		not := p.s[p.i] == '-' && !p.afterWord() && p.clauseAt(p.i+1)
		if not {
			p.i++
		}
		r, n := utf8.DecodeRuneInString(p.s[p.i:])
		switch {
		case isWordStart(r):
			w, prefix := p.word()
			return Clause{Words: []string{w}, Prefix: prefix, Not: not}, true
		case r == '"' && p.closed():
			c := p.phrase()
			if len(c.Words) == 0 {
				continue
			}
			c.Not = not
			return c, true
		}
		p.i += n
	}
	return Clause{}, false
}

// afterWord reports whether the text just before the current position ends a word,
// as in "e-mail", where the dash joins rather than excludes.
func (p *parser) afterWord() bool {
	r, _ := utf8.DecodeLastRuneInString(p.s[:p.i])
	return isWordChar(r)
}

// clauseAt reports whether a word or a closed phrase starts at byte i.
func (p *parser) clauseAt(i int) bool {
	r, _ := utf8.DecodeRuneInString(p.s[i:])
	if isWordStart(r) {
		return true
	}
	q := parser{s: p.s, i: i}
	return r == '"' && q.closed()
}

// closed reports whether the quote at the current position has a closing quote.
func (p *parser) closed() bool {
	return strings.IndexByte(p.s[p.i+1:], '"') >= 0
}

// word reads the word at the current position and a * right after it.
func (p *parser) word() (string, bool) {
	var b strings.Builder
	for p.i < len(p.s) {
		r, n := utf8.DecodeRuneInString(p.s[p.i:])
		if !isWordChar(r) {
			break
		}
		b.WriteRune(r)
		p.i += n
	}
	prefix := p.i < len(p.s) && p.s[p.i] == '*'
	if prefix {
		p.i++
	}
	return Fold(b.String()), prefix
}

// phrase reads the quoted phrase at the current position, which must be closed. Only a * after
// its last word counts.
func (p *parser) phrase() Clause {
	end := p.i + 1 + strings.IndexByte(p.s[p.i+1:], '"')
	in := parser{s: p.s[:end], i: p.i + 1}
	p.i = end + 1
	c := Clause{Exact: true}
	for in.i < len(in.s) {
		r, n := utf8.DecodeRuneInString(in.s[in.i:])
		if isWordStart(r) {
			var w string
			w, c.Prefix = in.word()
			c.Words = append(c.Words, w)
			continue
		}
		in.i += n
	}
	return c
}

func isWordStart(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

func isWordChar(r rune) bool {
	return isWordStart(r) || unicode.IsMark(r)
}

// String renders q in the search box's syntax. For a query returned by Parse,
// Parse(q.String()) returns the same query.
func (q Query) String() string {
	var b strings.Builder
	for _, c := range q.Clauses {
		if len(c.Words) == 0 {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		if c.Not {
			b.WriteByte('-')
		}
		phrase := c.Exact || len(c.Words) > 1
		if phrase {
			b.WriteByte('"')
		}
		b.WriteString(strings.Join(c.Words, " "))
		if c.Prefix {
			b.WriteByte('*')
		}
		if phrase {
			b.WriteByte('"')
		}
	}
	return b.String()
}
