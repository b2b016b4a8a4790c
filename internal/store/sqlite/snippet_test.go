package sqlite

import (
	"errors"
	"reflect"
	"testing"

	"github.com/docpipe/docpipe/internal/document"
	"github.com/docpipe/docpipe/internal/search"
	"github.com/docpipe/docpipe/internal/store"
)

func TestFragments(t *testing.T) {
	const o, c, x = markOpen, markClose, markCut
	type f = store.Fragment
	tests := []struct {
		name   string
		raw    string
		lo, hi int // page bounds relative to the snippet; 0, 0 for the snippet's own bounds
		want   []f
	}{
		{"whole page", "the " + o + "invoice" + c + " total", 0, 0,
			[]f{{Text: "the "}, {Text: "invoice", Match: true}, {Text: " total"}}},
		{"cut both ends", x + "the " + o + "invoice" + c + " total" + x, 0, 0,
			[]f{{Text: "…the "}, {Text: "invoice", Match: true}, {Text: " total…"}}},
		{"match at the edges", x + o + "invoice" + c + x, 0, 0,
			[]f{{Text: "…"}, {Text: "invoice", Match: true}, {Text: "…"}}},
		{"white space", "  the\n\n " + o + "big   invoice" + c + "\t total \n", 0, 0,
			[]f{{Text: "the "}, {Text: "big invoice", Match: true}, {Text: " total"}}},
		{"adjacent matches", o + "a" + c + o + "b" + c + " c", 0, 0,
			[]f{{Text: "ab", Match: true}, {Text: " c"}}},
		{"no match", "plain text", 0, 0, []f{{Text: "plain text"}}},
		{"empty", "", 0, 0, nil},
		{"page starts inside", "end of one\n\nthe " + o + "invoice" + c + " total", 12, 29,
			[]f{{Text: "the "}, {Text: "invoice", Match: true}, {Text: " total"}}},
		{"page ends inside", "the " + o + "invoice" + c + " total\n\nnext page", -5, 17,
			[]f{{Text: "…the "}, {Text: "invoice", Match: true}, {Text: " total"}}},
		{"page goes on", "the " + o + "invoice" + c + " total", 0, 100,
			[]f{{Text: "the "}, {Text: "invoice", Match: true}, {Text: " total…"}}},
	}
	for _, tt := range tests {
		sn := parseSnippet(tt.raw)
		lo, hi := sn.bounds()
		if tt.lo != 0 || tt.hi != 0 {
			lo, hi = tt.lo, tt.hi
		}
		if got := sn.fragments(lo, hi); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: fragments = %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

func TestFirstMatch(t *testing.T) {
	sn := parseSnippet(markCut + "ab " + markOpen + "cd" + markClose + " " + markOpen + "ef" + markClose)
	if got, want := sn.plain(), "ab cd ef"; got != want {
		t.Errorf("plain = %q, want %q", got, want)
	}
	if got := sn.firstMatch(); got != 3 {
		t.Errorf("firstMatch = %d, want 3", got)
	}
}

func TestCompile(t *testing.T) {
	word := func(w string) search.Clause { return search.Clause{Words: []string{w}} }
	owned := `"` + ownerToken("alice") + `" AND `
	tests := []struct {
		clauses                []search.Clause
		match, rank, ownedRank string
	}{
		{[]search.Clause{word("invoice")}, `(("invoice"))`, `"invoice"`, `(("invoice"))`},
		{[]search.Clause{word("a"), word("b")}, `(("a" AND "b"))`, `"a" AND "b"`, `(("a" AND "b"))`},
		{[]search.Clause{{Words: []string{"total", "am"}, Prefix: true}},
			`(("total am"*))`, `"total" AND "am"*`, `(("total" AND "am"*))`},
		{[]search.Clause{word("a"), {Words: []string{"b"}, Not: true, Prefix: true}, {Words: []string{"c", "d"}, Not: true}},
			`(("a") NOT "b"* NOT "c d")`, `"a"`, `(("a") NOT "b"*)`},
		{[]search.Clause{word(`NEAR("x" y)`), word(`col:z*`)}, `(("near x y" AND "col z"))`,
			`"near" AND "x" AND "y" AND "col" AND "z"`, `(("near" AND "x" AND "y" AND "col" AND "z"))`},
		{[]search.Clause{word(`a"b`), word("\x00"), word("")}, `(("a b"))`, `"a" AND "b"`, `(("a" AND "b"))`},
	}
	for _, tt := range tests {
		got, err := compile(search.Query{Clauses: tt.clauses}, "alice")
		want := exprs{match: owned + tt.match, rank: tt.rank, ownedRank: owned + tt.ownedRank}
		if err != nil || got != want {
			t.Errorf("compile(%+v) = %+q, %v; want %+q", tt.clauses, got, err, want)
		}
	}
	for _, clauses := range [][]search.Clause{
		nil,
		{{Words: []string{"a"}, Not: true}},
		{word(`"*"`)},
	} {
		if _, err := compile(search.Query{Clauses: clauses}, "alice"); !errors.Is(err, document.ErrInvalidInput) {
			t.Errorf("compile(%+v) error = %v, want %v", clauses, err, document.ErrInvalidInput)
		}
	}
}

func TestOwnerToken(t *testing.T) {
	a, b := ownerToken("a b"), ownerToken("a-b")
	if a == b || len([]rune(a)) != 16 {
		t.Errorf("ownerToken(%q) = %q, ownerToken(%q) = %q; want two different 16-character words", "a b", a, "a-b", b)
	}
	if w := search.Words("x" + a + "y"); len(w) != 2 {
		t.Errorf("search.Words keeps part of an owner token: %q", w)
	}
}
