package sqlite

import (
	"strings"
	"testing"

	"github.com/docpipe/docpipe/internal/search"
)

func TestCompile(t *testing.T) {
	word := func(w string) search.Clause { return search.Clause{Words: []string{w}} }
	owner := `owner : "` + ownerToken("alice") + `"`
	stems := func(w string) string {
		vs := search.Variants(w)
		for i, v := range vs {
			vs[i] = `"` + v + `"`
		}
		return `({stems name} : (` + strings.Join(vs, " OR ") + `))`
	}
	exact := func(p string) string { return `({body name} : ` + p + `)` }
	tests := []struct {
		clauses                  []search.Clause
		match, words, not, owned string
	}{
		{[]search.Clause{word("invoice")}, `((({stems name} : ("invoice" OR "invoic" OR "invoi"))))`,
			`({stems name} : ("invoice" OR "invoic" OR "invoi"))`, ``, `((({stems name} : ("invoice" OR "invoic" OR "invoi"))))`},
		{[]search.Clause{{Words: []string{"invoices"}, Exact: true}}, `((` + exact(`"invoices"`) + `))`,
			exact(`"invoices"`), ``, `((` + exact(`"invoices"`) + `))`},
		{[]search.Clause{word("a"), word("b")}, `((` + stems("a") + ` AND ` + stems("b") + `))`,
			stems("a") + ` AND ` + stems("b"), ``, `((` + stems("a") + ` AND ` + stems("b") + `))`},
		{[]search.Clause{{Words: []string{"total", "am"}, Prefix: true}},
			`((` + exact(`"total am"*`) + `))`, exact(`"total"`) + ` AND ` + exact(`"am"*`), ``,
			`((` + exact(`"total"`) + ` AND ` + exact(`"am"*`) + `))`},
		{[]search.Clause{word("a"), {Words: []string{"b"}, Not: true, Prefix: true}, {Words: []string{"c", "d"}, Not: true}},
			`((` + stems("a") + `) NOT ` + exact(`"b"*`) + ` NOT ` + exact(`"c d"`) + `)`, stems("a"), exact(`"b"*`),
			`((` + stems("a") + `) NOT ` + exact(`"b"*`) + `)`},
		{[]search.Clause{word(`NEAR("x" y)`), word(`col:z*`)}, `((` + exact(`"near x y"`) + ` AND ` + exact(`"col z"`) + `))`,
			strings.Join([]string{exact(`"near"`), exact(`"x"`), exact(`"y"`), exact(`"col"`), exact(`"z"`)}, " AND "), ``,
			`((` + strings.Join([]string{exact(`"near"`), exact(`"x"`), exact(`"y"`), exact(`"col"`), exact(`"z"`)}, " AND ") + `))`},
		{[]search.Clause{word(`a"b`), word("\x00"), word("")}, `((` + exact(`"a b"`) + `))`,
			exact(`"a"`) + ` AND ` + exact(`"b"`), ``, `((` + exact(`"a"`) + ` AND ` + exact(`"b"`) + `))`},
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
