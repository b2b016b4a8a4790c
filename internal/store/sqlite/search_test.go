package sqlite

import (
	"strings"
	"testing"

	"github.com/docpipe/docpipe/internal/search"
)

func TestCompile(t *testing.T) {
	word := func(w string) search.Clause { return search.Clause{Words: []string{w}} }
	owner := `owner : "` + ownerToken("alice") + `"`
	tests := []struct {
		clauses                  []search.Clause
		match, words, not, owned string
	}{
		{[]search.Clause{word("invoice")}, `(("invoice"))`, `"invoice"`, ``, `(("invoice"))`},
		{[]search.Clause{word("a"), word("b")}, `(("a" AND "b"))`, `"a" AND "b"`, ``, `(("a" AND "b"))`},
		{[]search.Clause{{Words: []string{"total", "am"}, Prefix: true}},
			`(("total am"*))`, `"total" AND "am"*`, ``, `(("total" AND "am"*))`},
		{[]search.Clause{word("a"), {Words: []string{"b"}, Not: true, Prefix: true}, {Words: []string{"c", "d"}, Not: true}},
			`(("a") NOT "b"* NOT "c d")`, `"a"`, `"b"*`, `(("a") NOT "b"*)`},
		{[]search.Clause{word(`NEAR("x" y)`), word(`col:z*`)}, `(("near x y" AND "col z"))`,
			`"near" AND "x" AND "y" AND "col" AND "z"`, ``, `(("near" AND "x" AND "y" AND "col" AND "z"))`},
		{[]search.Clause{word(`a"b`), word("\x00"), word("")}, `(("a b"))`, `"a" AND "b"`, ``, `(("a" AND "b"))`},
	}
	for _, tt := range tests {
		got := compile(search.Query{Clauses: tt.clauses}, "alice")
		words, not := strings.Join(got.words, " AND "), strings.Join(got.not, " ")
		if got.match != owner+" AND "+tt.match || got.owner != owner || words != tt.words || not != tt.not {
			t.Errorf("compile(%+v) = %+q; want match %q, words %q, not %q", tt.clauses, got, tt.match, tt.words, tt.not)
		}
		anyOwner, owned := got.ranking(got.words)
		if anyOwner != tt.words || owned != owner+" AND "+tt.owned {
			t.Errorf("ranking(%q) = %q, %q; want %q, %q", got.words, anyOwner, owned, tt.words, tt.owned)
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
