package search

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/docpipe/docpipe/internal/document"
)

// Limits on what the search box accepts.
const (
	MaxQueryBytes = 512 // longest query text, in bytes
	MaxClauses    = 32  // most clauses in one query
	MaxDepth      = 8   // most groups nested in one another
)

var (
	errTooLong = fmt.Errorf("%w: query is longer than %d bytes", document.ErrInvalidInput, MaxQueryBytes)
	errTooMany = fmt.Errorf("%w: query has more than %d terms", document.ErrInvalidInput, MaxClauses)
	errTooDeep = fmt.Errorf("%w: query nests more than %d groups", document.ErrInvalidInput, MaxDepth)
	errNoTerms = fmt.Errorf("%w: query has no search terms", document.ErrInvalidInput)
)

// Parse reads the search box's text.
//
//   - A bare word matches any word with the same stem: invoices finds "invoice" (see Variants).
//   - "Quoted phrases" match their words exactly and in order; a quoted word matches only itself.
//   - A trailing * makes a word a prefix: invo*.
//   - A leading - (or NOT) excludes a word, phrase or group: -draft, -"first draft", -(a b).
//     A query of exclusions alone matches every other document.
//   - Terms side by side must all match; OR between them makes either do: invoice OR receipt.
//     AND binds tighter than OR; parentheses group.
//   - name:word, name:"a phrase" and name:pre* look in the file name alone.
//   - type:pdf (or image, png, jpeg, tiff), after:2026-01-31 and before:2026-03-01 (the
//     documents' dates, before: exclusive) and tag:tax (tag:"tax 2024", tag:a,b for either)
//     filter the documents, wherever they stand in the query; each tag: must hold.
//
// Everything else separates words: other punctuation, lower-case or, and unbalanced quotes and
// parentheses are never syntax. Words are runs of letters and digits (with any combining marks
// that follow them), folded (see Fold).
//
// The errors wrap document.ErrInvalidInput: a query longer than MaxQueryBytes, with more than
// MaxClauses clauses or MaxDepth nested groups, a filter with a value it does not know, or one
// with nothing to search for.
func Parse(s string) (Query, error) {
	if len(s) > MaxQueryBytes {
		return Query{}, errTooLong
	}
	p := parser{s: s}
	p.next()
	var parts []*Node
	for p.tok.kind != tEOF && p.err == nil {
		parts = append(parts, p.or())
		if p.tok.kind == tRParen {
			p.next()
		}
	}
	if p.err != nil {
		return Query{}, p.err
	}
	q := p.q
	q.Root = And(parts...)
	slices.Sort(q.Types)
	q.Types = slices.Compact(q.Types)
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

// tokKind is what a token is.
type tokKind int

const (
	tEOF    tokKind = iota
	tClause         // a word, phrase or prefix, in tok.clause
	tLParen
	tRParen
	tOr
	tAnd
	tNot // NOT or an excluding -
	tFilter
)

type token struct {
	kind   tokKind
	clause Clause
}

// parser reads tokens from s and builds a query by recursive descent over
//
//	query = { or [")"] }
//	or    = and { "OR" and }
//	and   = { unary | "AND" }
//	unary = ("-" | "NOT") unary | "(" or [")"] | clause | filter
type parser struct {
	s       string
	i       int
	tok     token
	q       Query
	clauses int
	depth   int
	err     error
}

func (p *parser) fail(err error) {
	if p.err == nil {
		p.err = err
	}
	p.tok = token{kind: tEOF}
}

func (p *parser) or() *Node {
	var alts []*Node
	alts = append(alts, p.and())
	for p.tok.kind == tOr {
		p.next()
		alts = append(alts, p.and())
	}
	return Or(alts...)
}

func (p *parser) and() *Node {
	var all []*Node
	for {
		switch p.tok.kind {
		case tEOF, tOr, tRParen:
			return And(all...)
		case tAnd:
			p.next()
		default:
			all = append(all, p.unary())
		}
	}
}

func (p *parser) unary() *Node {
	switch p.tok.kind {
	case tNot:
		p.next()
		if k := p.tok.kind; k == tEOF || k == tOr || k == tRParen || k == tAnd {
			return nil
		}
		return Not(p.unary())
	case tLParen:
		p.depth++
		if p.depth > MaxDepth {
			p.fail(errTooDeep)
			return nil
		}
		p.next()
		n := p.or()
		if p.tok.kind == tRParen {
			p.next()
		}
		p.depth--
		return n
	case tClause:
		c := p.tok.clause
		p.next()
		p.clauses++
		if p.clauses > MaxClauses {
			p.fail(errTooMany)
			return nil
		}
		return Leaf(c)
	}
	p.next()
	return nil
}

// next reads the next token into p.tok. Filters are applied to p.q as they are read and give
// tFilter.
func (p *parser) next() {
	if p.err != nil {
		p.tok = token{kind: tEOF}
		return
	}
	for p.i < len(p.s) {
		r, n := utf8.DecodeRuneInString(p.s[p.i:])
		switch {
		case r == '(':
			p.i++
			p.tok = token{kind: tLParen}
			return
		case r == ')':
			p.i++
			p.tok = token{kind: tRParen}
			return
		case r == '-' && !p.afterWord() && p.operandAt(p.i+1):
			p.i++
			p.tok = token{kind: tNot}
			return
		case r == '"' && p.closed():
			c := p.phrase()
			if len(c.Words) == 0 {
				continue
			}
			p.tok = token{kind: tClause, clause: c}
			return
		case isWordStart(r):
			p.tok = p.wordToken()
			if p.err != nil {
				p.tok = token{kind: tEOF}
			}
			return
		}
		p.i += n
	}
	p.tok = token{kind: tEOF}
}

// wordToken reads the word at the current position: an operator, a field, or a clause.
func (p *parser) wordToken() token {
	start := p.i
	w, prefix := p.word()
	raw := p.s[start:p.i]
	if !prefix {
		switch raw {
		case "OR":
			return token{kind: tOr}
		case "AND":
			return token{kind: tAnd}
		case "NOT":
			return token{kind: tNot}
		}
	}
	if !prefix && p.i+1 < len(p.s) && p.s[p.i] == ':' {
		if t, ok := p.field(w); ok {
			return t
		}
	}
	return token{kind: tClause, clause: Clause{Words: []string{w}, Prefix: prefix}}
}

// field reads the value of the field name after the colon at the current position. It reports
// false, reading nothing, when name is no field or no value follows.
func (p *parser) field(name string) (token, bool) {
	at := p.i + 1
	switch name {
	case FieldName:
		r, _ := utf8.DecodeRuneInString(p.s[at:])
		q := parser{s: p.s, i: at}
		switch {
		case isWordStart(r):
			p.i = at
			w, prefix := p.word()
			return token{kind: tClause, clause: Clause{Words: []string{w}, Prefix: prefix, Field: FieldName}}, true
		case r == '"' && q.closed():
			p.i = at
			c := p.phrase()
			if len(c.Words) == 0 {
				return token{kind: tFilter}, true
			}
			c.Field = FieldName
			return token{kind: tClause, clause: c}, true
		}
		return token{}, false
	case "tag":
		tags, ok := p.tags(at)
		if !ok {
			return token{}, false
		}
		p.q.Tags = append(p.q.Tags, tags)
		return token{kind: tFilter}, true
	case "type", "after", "before":
		end := at
		for end < len(p.s) && !strings.ContainsRune(" \t\n\r()\"", rune(p.s[end])) {
			end++
		}
		if end == at {
			return token{}, false
		}
		p.i = end
		p.filter(name, p.s[at:end])
		return token{kind: tFilter}, true
	}
	return token{}, false
}

// tags reads the tag names of a tag: filter from at, each bare or quoted, separated by commas,
// and moves past them; it reports false, reading nothing, when no name follows. The names are
// cleaned (document.CleanTag), sorted and without repeats.
func (p *parser) tags(at int) ([]string, bool) {
	var names []string
	i := at
	for {
		var raw string
		if i < len(p.s) && p.s[i] == '"' {
			end := strings.IndexByte(p.s[i+1:], '"')
			if end < 0 {
				break
			}
			raw, i = p.s[i+1:i+1+end], i+end+2
		} else {
			end := i
			for end < len(p.s) && !strings.ContainsRune(" \t\n\r()\",", rune(p.s[end])) {
				end++
			}
			raw, i = p.s[i:end], end
		}
		names = append(names, raw)
		if i >= len(p.s) || p.s[i] != ',' {
			break
		}
		i++
	}
	if len(names) == 0 || len(names) == 1 && names[0] == "" {
		return nil, false
	}
	p.i = i
	for j, n := range names {
		clean, err := document.CleanTag(n)
		if err != nil {
			p.fail(fmt.Errorf("tag:%s: %w", n, err))
			return nil, true
		}
		names[j] = clean
	}
	slices.Sort(names)
	return slices.Compact(names), true
}

// filter applies the filter name:value to p.q.
func (p *parser) filter(name, value string) {
	if name == "type" {
		k := strings.ToLower(value)
		if a, ok := kindAliases[k]; ok {
			k = a
		}
		if _, ok := kinds[k]; !ok {
			p.fail(fmt.Errorf("%w: type:%s is not a kind of document; use pdf, image, png, jpeg or tiff", document.ErrInvalidInput, value))
			return
		}
		if k == "image" {
			p.q.Types = append(p.q.Types, "jpeg", "png", "tiff")
			return
		}
		p.q.Types = append(p.q.Types, k)
		return
	}
	day, err := time.Parse(time.DateOnly, value)
	if err != nil {
		p.fail(fmt.Errorf("%w: %s:%s is not a date; write it as 2026-01-31", document.ErrInvalidInput, name, value))
		return
	}
	if name == "after" {
		if day.After(p.q.After) {
			p.q.After = day
		}
		return
	}
	if p.q.Before.IsZero() || day.Before(p.q.Before) {
		p.q.Before = day
	}
}

// afterWord reports whether the text just before the current position ends a word,
// as in "e-mail", where the dash joins rather than excludes.
func (p *parser) afterWord() bool {
	r, _ := utf8.DecodeLastRuneInString(p.s[:p.i])
	return isWordChar(r)
}

// operandAt reports whether a word, a closed phrase or a group starts at byte i.
func (p *parser) operandAt(i int) bool {
	r, _ := utf8.DecodeRuneInString(p.s[i:])
	if isWordStart(r) || r == '(' {
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

// String renders q in the search box's syntax, filters last. For a query returned by Parse,
// Parse(q.String()) returns the same query.
func (q Query) String() string {
	var b strings.Builder
	q.Root.render(&b, false)
	types := q.Types
	if images := []string{"jpeg", "png", "tiff"}; !slices.ContainsFunc(images, func(t string) bool { return !slices.Contains(types, t) }) {
		types = slices.DeleteFunc(slices.Clone(types), func(t string) bool { return slices.Contains(images, t) })
		types = append(types, "image")
	}
	for _, t := range types {
		sep(&b)
		b.WriteString("type:" + t)
	}
	if !q.After.IsZero() {
		sep(&b)
		b.WriteString("after:" + q.After.UTC().Format(time.DateOnly))
	}
	if !q.Before.IsZero() {
		sep(&b)
		b.WriteString("before:" + q.Before.UTC().Format(time.DateOnly))
	}
	for _, group := range q.Tags {
		sep(&b)
		b.WriteString("tag:")
		for i, t := range group {
			if i > 0 {
				b.WriteByte(',')
			}
			if strings.ContainsAny(t, " ()") {
				t = `"` + t + `"`
			}
			b.WriteString(t)
		}
	}
	return b.String()
}

func sep(b *strings.Builder) {
	if b.Len() > 0 {
		b.WriteByte(' ')
	}
}

// render writes n, in parentheses when group is set and n is an operator that needs them.
func (n *Node) render(b *strings.Builder, group bool) {
	if n == nil {
		return
	}
	switch n.Op {
	case OpClause:
		n.Clause.render(b)
	case OpNot:
		b.WriteByte('-')
		n.Args[0].render(b, true)
	default:
		if group {
			b.WriteByte('(')
		}
		for i, a := range n.Args {
			if i > 0 && n.Op == OpOr {
				b.WriteString(" OR ")
			} else if i > 0 {
				b.WriteByte(' ')
			}
			a.render(b, true)
		}
		if group {
			b.WriteByte(')')
		}
	}
}

func (c Clause) render(b *strings.Builder) {
	if c.Field == FieldName {
		b.WriteString("name:")
	}
	quoted := c.Exact || len(c.Words) > 1
	if quoted {
		b.WriteByte('"')
	}
	b.WriteString(strings.Join(c.Words, " "))
	if c.Prefix {
		b.WriteByte('*')
	}
	if quoted {
		b.WriteByte('"')
	}
}
