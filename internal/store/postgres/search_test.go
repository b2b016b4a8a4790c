package postgres

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/docpipe/docpipe/internal/document"
	"github.com/docpipe/docpipe/internal/search"
	"github.com/docpipe/docpipe/internal/store"
)

func TestCompile(t *testing.T) {
	stems := func(w string) string {
		var alts []string
		for _, v := range search.VariantsIn(w, []string{"deu", "eng"}) {
			alts = append(alts, "'"+v+"'")
		}
		return "(" + strings.Join(alts, " | ") + ")"
	}
	leaf := func(c search.Clause) *search.Node { return search.Leaf(c) }
	word := func(w string) *search.Node { return leaf(search.Clause{Words: []string{w}}) }
	in := func(n int) string {
		p := "$" + strconv.Itoa(n) + "::tsquery"
		return `d.seq IN (SELECT p.doc FROM pages p WHERE p.tsv @@ ` + p + `
			UNION ALL SELECT n.seq FROM documents n WHERE n.owner = $1 AND n.names @@ ` + p + `)`
	}
	tests := []struct {
		root  *search.Node
		where string
		args  []any
		any   string
	}{
		{word("fox"), in(2), []any{stems("fox")}, "(" + stems("fox") + ")"},
		{
			search.And(
				leaf(search.Clause{Words: []string{"quick", "bro"}, Prefix: true}),
				search.Not(word("drafts")),
				search.Or(leaf(search.Clause{Words: []string{"inv"}, Prefix: true}), leaf(search.Clause{Words: []string{"invoices"}, Exact: true})),
			),
			"(" + in(2) + " AND NOT (" + in(3) + ") AND (" + in(4) + " OR " + in(5) + "))",
			[]any{`'quick' <-> 'bro':*`, stems("drafts"), `'inv':*`, `'invoices'`},
			`('quick' <-> 'bro':*) | ('inv':*) | ('invoices')`,
		},
		{
			leaf(search.Clause{Words: []string{"zulu", "drop"}, Field: search.FieldName}),
			`d.seq IN (SELECT n.seq FROM documents n WHERE n.owner = $1 AND n.names @@ $2::tsquery)`,
			[]any{`'zulu' <-> 'drop'`}, `('zulu' <-> 'drop')`,
		},
		{
			search.Not(leaf(search.Clause{Words: []string{"it", "s"}})),
			"NOT (" + in(2) + ")", []any{`'it' <-> 's'`}, "",
		},
	}
	for _, tt := range tests {
		q := search.Query{Root: tt.root}
		got, err := compile(q, []string{"deu", "eng"})
		if err != nil {
			t.Errorf("compile(%s): %v", q, err)
			continue
		}
		if got.where != tt.where || !slices.Equal(got.args, tt.args) || got.any != tt.any {
			t.Errorf("compile(%s) = %+v, want where %q, args %q, any %q", q, got, tt.where, tt.args, tt.any)
		}
	}
}

func TestCompileLongWord(t *testing.T) {
	q := search.Query{Root: search.Leaf(search.Clause{Words: []string{strings.Repeat("a", maxLexeme+1)}})}
	if _, err := compile(q, []string{"eng"}); !errors.Is(err, document.ErrInvalidInput) {
		t.Errorf("compile(a word of %d bytes) error = %v, want %v", maxLexeme+1, err, document.ErrInvalidInput)
	}
}

func TestTSVector(t *testing.T) {
	// lx renders words at their positions, each followed by its English term.
	lx := func(words ...string) string {
		var out []string
		for i, w := range words {
			if w == "" {
				continue
			}
			pos := strconv.Itoa(i + 1)
			out = append(out, "'"+w+"':"+pos)
			out = append(out, "'"+search.Term("eng", w)+"':"+pos)
		}
		return strings.Join(out, " ")
	}
	tests := []struct {
		text, want string
	}{
		{"", ""},
		{"The fox, the FOX!", lx("the", "fox", "the", "fox")},
		{"Invoices jumped", `'invoices':1 '` + "invoic\ue102" + `':1 'jumped':2 '` + "jump\ue102" + `':2`},
		{"it's e-mail", lx("it", "s", "e", "mail")},
		{`back\slash 'quote'`, lx("back", "slash", "quote")},
		{"Übergrößenträger 東京", lx("ubergroßentrager", "東京")},
		{"a " + strings.Repeat("x", maxLexeme+1) + " b", lx("a", "", "b")},
	}
	for _, tt := range tests {
		if got := tsvector(tt.text, "eng"); got != tt.want {
			t.Errorf("tsvector(%.40q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

func TestQuote(t *testing.T) {
	tests := []struct{ word, want string }{
		{"fox", `'fox'`},
		{"it's", `'it''s'`},
		{`a\b`, `'a\\b'`},
	}
	for _, tt := range tests {
		if got := quote(tt.word); got != tt.want {
			t.Errorf("quote(%q) = %q, want %q", tt.word, got, tt.want)
		}
	}
}

// TestSearchText checks text that PostgreSQL's own parser and the database's locale would treat
// differently from search.Words: the store must agree with search.Parse.
func TestSearchText(t *testing.T) {
	s := open(t)
	huge := strings.Repeat("filler ", 20000) + "needle"
	texts := map[string]string{
		"umlaut.pdf": "Dritte Seite: Übergrößenträger in 東京",
		"email.pdf":  "send an e-mail to bob@example.com re: v1.2.3",
		"odd.pdf":    "nul\x00byte bad\xffutf8 mark\uFDD0ers",
		"huge.pdf":   huge,
	}
	for name, text := range texts {
		d := &document.Document{Owner: "alice", Name: name}
		if err := s.Create(t.Context(), d); err != nil {
			t.Fatalf("Create: %v", err)
		}
		j, err := s.Claim(t.Context(), time.Minute)
		if err != nil {
			t.Fatalf("Claim: %v", err)
		}
		if err := s.Complete(t.Context(), j, []document.Page{{Number: 1, Text: text}}); err != nil {
			t.Fatalf("Complete(%s): %v", name, err)
		}
	}
	tests := []struct {
		query string
		want  []string
	}{
		{"übergrößenträger", []string{"umlaut.pdf"}},
		{"ÜBERGRÖSSENTRÄGER", nil},
		{"übergr*", []string{"umlaut.pdf"}},
		{"東京", []string{"umlaut.pdf"}},
		{"mail", []string{"email.pdf"}},
		{`"e mail"`, []string{"email.pdf"}},
		{"example", []string{"email.pdf"}},
		{`"v1 2 3"`, []string{"email.pdf"}},
		{"byte utf8", []string{"odd.pdf"}},
		{"needle", []string{"huge.pdf"}},
		{"filler -needle", nil},
	}
	for _, tt := range tests {
		q, err := search.Parse(tt.query)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.query, err)
		}
		res, err := s.Search(t.Context(), "alice", q, store.SearchOptions{Limit: 10})
		if err != nil {
			t.Errorf("Search(%s): %v", tt.query, err)
			continue
		}
		var got []string
		for _, h := range res.Hits {
			got = append(got, h.Document.Name)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("Search(%s) = %v, want %v", tt.query, got, tt.want)
		}
	}
}

func TestSearchCapped(t *testing.T) {
	s := open(t)
	inside(s).maxCandidates = 5
	var newest []string
	for i := range 8 {
		d := &document.Document{Owner: "alice", Name: fmt.Sprintf("kiwi%d.pdf", i)}
		if err := s.Create(t.Context(), d); err != nil {
			t.Fatalf("Create: %v", err)
		}
		j, err := s.Claim(t.Context(), time.Minute)
		if err != nil {
			t.Fatalf("Claim: %v", err)
		}
		if err := s.Complete(t.Context(), j, []document.Page{{Number: 1, Text: fmt.Sprintf("kiwi number %d", i)}}); err != nil {
			t.Fatalf("Complete: %v", err)
		}
		if i >= 3 {
			newest = append(newest, d.ID)
		}
	}
	q := search.Query{Root: search.Leaf(search.Clause{Words: []string{"kiwi"}})}
	tests := []struct {
		owner       string
		offset      int
		hits, total int
		capped      bool
	}{
		{"alice", 0, 5, 5, true},
		{"alice", 5, 0, 5, true},
		{"bob", 0, 0, 0, false},
	}
	for _, tt := range tests {
		res, err := s.Search(t.Context(), tt.owner, q, store.SearchOptions{Limit: 10, Offset: tt.offset})
		if err != nil || len(res.Hits) != tt.hits || res.Total != tt.total || res.Capped != tt.capped {
			t.Errorf("Search(%s, offset %d) = %d hits, total %d, capped %v, %v; want %d, %d, %v",
				tt.owner, tt.offset, len(res.Hits), res.Total, res.Capped, err, tt.hits, tt.total, tt.capped)
		}
		for _, h := range res.Hits {
			if !slices.Contains(newest, h.Document.ID) {
				t.Errorf("hit %s is not among the 5 newest matches", h.Document.ID)
			}
		}
	}
}
