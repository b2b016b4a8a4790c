package sqlite

import (
	"strings"
	"testing"

	"github.com/docpipe/docpipe/internal/search"
)

func TestCompile(t *testing.T) {
	word := func(w string) *search.Node { return search.Leaf(search.Clause{Words: []string{w}}) }
	owner := `owner : "` + ownerToken("alice") + `"`
	langs := []string{"deu", "eng"}
	variants := func(w string) string {
		vs := search.VariantsIn(w, langs)
		for i, v := range vs {
			vs[i] = `"` + v + `"`
		}
		return `(` + strings.Join(vs, " OR ") + `)`
	}
	stems := func(w string) string { return variants(w) }
	exact := func(p string) string {
		if strings.HasSuffix(p, "*") {
			return `({body name} : ` + p + `)`
		}
		return `(` + p + `)`
	}
	and := func(parts ...string) string { return strings.Join(parts, " AND ") }
	or := func(parts ...string) string { return strings.Join(parts, " OR ") }
	tests := []struct {
		root               *search.Node
		match, words, rank string
	}{
		{word("invoice"), `("invoic` + "\ue101" + `" OR "invoic` + "\ue102" + `")`, stems("invoice"), stems("invoice")},
		{search.Leaf(search.Clause{Words: []string{"invoices"}, Exact: true}), exact(`"invoices"`), exact(`"invoices"`), exact(`"invoices"`)},
		{search.Leaf(search.Clause{Words: []string{"q"}, Field: search.FieldName}), `({name} : ` + variants("q") + `)`,
			`({name} : ` + variants("q") + `)`, `({name} : ` + variants("q") + `)`},
		{search.Leaf(search.Clause{Words: []string{"q", "r"}, Prefix: true, Field: search.FieldName}), `({name} : "q r"*)`,
			or(`({name} : "q")`, `({name} : "r"*)`), and(`({name} : "q")`, `({name} : "r"*)`)},
		{search.And(word("a"), word("b")), `(` + and(stems("a"), stems("b")) + `)`, or(stems("a"), stems("b")), and(stems("a"), stems("b"))},
		{search.Or(word("a"), search.And(word("b"), word("c"))), `(` + stems("a") + ` OR (` + and(stems("b"), stems("c")) + `))`,
			or(stems("a"), stems("b"), stems("c")), or(stems("a"), stems("b"), stems("c"))},
		{search.Leaf(search.Clause{Words: []string{"total", "am"}, Prefix: true}),
			exact(`"total am"*`), or(exact(`"total"`), exact(`"am"*`)), and(exact(`"total"`), exact(`"am"*`))},
		{search.And(word("a"), search.Not(search.Leaf(search.Clause{Words: []string{"b"}, Prefix: true})), search.Not(word("c"))),
			`(((` + stems("a") + `) NOT ` + exact(`"b"*`) + `) NOT ` + stems("c") + `)`, stems("a"), stems("a")},
		{search.And(search.Not(word("a")), search.Not(word("b"))), `((` + owner + ` NOT ` + stems("a") + `) NOT ` + stems("b") + `)`, ``, ``},
		{search.Not(search.Or(word("a"), word("b"))), `(` + owner + ` NOT (` + or(stems("a"), stems("b")) + `))`, ``, ``},
		{search.Leaf(search.Clause{Words: []string{`a"b`}, Exact: true}), exact(`"a""b"`), exact(`"a""b"`), exact(`"a""b"`)},
	}
	for _, tt := range tests {
		got := compile(search.Query{Root: tt.root}, "alice", langs)
		if words := or(got.words...); got.match != owner+" AND "+tt.match || got.owner != owner || words != tt.words {
			t.Errorf("compile(%s) = %+v; want match %q, words %q", search.Query{Root: tt.root}, got, tt.match, tt.words)
		}
		anyOwner, owned := got.ranking(got.words)
		if anyOwner != tt.rank || owned != owner+" AND ("+tt.rank+")" {
			t.Errorf("ranking(%q) = %q, %q; want %q, %q", got.words, anyOwner, owned, tt.rank, owner+" AND ("+tt.rank+")")
		}
	}
	if got := compile(search.Query{Types: []string{"pdf"}}, "alice", langs); got.match != owner || got.words != nil {
		t.Errorf("compile(type:pdf) = %+v, want the owner's documents", got)
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
