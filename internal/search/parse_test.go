package search

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/docpipe/docpipe/internal/document"
)

func word(w string) *Node   { return Leaf(Clause{Words: []string{w}}) }
func prefix(w string) *Node { return Leaf(Clause{Words: []string{w}, Prefix: true}) }
func not(n *Node) *Node     { return Not(n) }
func exact(n *Node) *Node   { n.Clause.Exact = true; return n }
func named(n *Node) *Node   { n.Clause.Field = FieldName; return n }
func phrase(w ...string) *Node {
	return Leaf(Clause{Words: w, Exact: true})
}

// dump renders n as an S-expression, for messages.
func dump(n *Node) string {
	if n == nil {
		return "nil"
	}
	switch n.Op {
	case OpClause:
		return fmt.Sprintf("%+v", n.Clause)
	case OpNot:
		return "(not " + dump(n.Args[0]) + ")"
	}
	op := map[Op]string{OpAnd: "and", OpOr: "or"}[n.Op]
	for _, a := range n.Args {
		op += " " + dump(a)
	}
	return "(" + op + ")"
}

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want []*Node
	}{
		{"invoice", []*Node{word("invoice")}},
		{"  Invoice  ACME ", []*Node{word("invoice"), word("acme")}},
		{"invo*", []*Node{prefix("invo")}},
		{"invo* total", []*Node{prefix("invo"), word("total")}},
		{"a*b", []*Node{prefix("a"), word("b")}},
		{"invo**", []*Node{prefix("invo")}},
		{"*invo", []*Node{word("invo")}},
		{`"total amount"`, []*Node{phrase("total", "amount")}},
		{`"Total, amount!"`, []*Node{phrase("total", "amount")}},
		{`"total am*"`, []*Node{Leaf(Clause{Words: []string{"total", "am"}, Prefix: true, Exact: true})}},
		{`"tot* amount"`, []*Node{phrase("tot", "amount")}},
		{`"total am* "`, []*Node{Leaf(Clause{Words: []string{"total", "am"}, Prefix: true, Exact: true})}},
		{`"total am" *`, []*Node{phrase("total", "am")}},
		{`"invoice"`, []*Node{exact(word("invoice"))}},
		{`"invo*"`, []*Node{exact(prefix("invo"))}},
		{"Übersetzung ÉTÉ", []*Node{word("ubersetzung"), word("ete")}},
		{`"Straße" Ελλάδα`, []*Node{exact(word("straße")), word("ελλαδα")}},
		{`x "" y`, []*Node{word("x"), word("y")}},
		{`x "!?" y`, []*Node{word("x"), word("y")}},
		{"invoice -draft", []*Node{word("invoice"), not(word("draft"))}},
		{"-draft invoice", []*Node{not(word("draft")), word("invoice")}},
		{`invoice -"first draft"`, []*Node{word("invoice"), not(phrase("first", "draft"))}},
		{"invoice -dra*", []*Node{word("invoice"), not(prefix("dra"))}},
		{"invoice (-draft)", []*Node{word("invoice"), not(word("draft"))}},
		{"e-mail", []*Node{word("e"), word("mail")}},
		{"invoice - draft", []*Node{word("invoice"), word("draft")}},
		{"invoice --draft", []*Node{word("invoice"), not(word("draft"))}},
		{`invoice -"draft`, []*Node{word("invoice"), word("draft")}},
		{`invoice -""`, []*Node{word("invoice")}},
		{`"unbalanced quote`, []*Node{word("unbalanced"), word("quote")}},
		{`a "b c" "d`, []*Node{word("a"), phrase("b", "c"), word("d")}},
		{`"a""b c"`, []*Node{exact(word("a")), phrase("b", "c")}},
		{"a AND b OR NOT c", []*Node{Or(And(word("a"), word("b")), not(word("c")))}},
		{"a or b and not c", []*Node{word("a"), word("or"), word("b"), word("and"), word("not"), word("c")}},
		{"invoice OR receipt", []*Node{Or(word("invoice"), word("receipt"))}},
		{"a b OR c d", []*Node{Or(And(word("a"), word("b")), And(word("c"), word("d")))}},
		{"a (b OR c)", []*Node{word("a"), Or(word("b"), word("c"))}},
		{"(a OR b) (c OR d)", []*Node{Or(word("a"), word("b")), Or(word("c"), word("d"))}},
		{"-(a OR b) c", []*Node{not(Or(word("a"), word("b"))), word("c")}},
		{"((a OR (b)))", []*Node{Or(word("a"), word("b"))}},
		{"-fox", []*Node{not(word("fox"))}},
		{"-fox -dog", []*Node{not(word("fox")), not(word("dog"))}},
		{"NOT NOT fox", []*Node{word("fox")}},
		{"OR a OR OR b OR", []*Node{Or(word("a"), word("b"))}},
		{"a OR", []*Node{word("a")}},
		{"(a b", []*Node{word("a"), word("b")}},
		{"a) b", []*Node{word("a"), word("b")}},
		{"a ) OR b", []*Node{word("a"), word("b")}},
		{"OR* ORx", []*Node{prefix("or"), word("orx")}},
		{"name:report", []*Node{named(word("report"))}},
		{`name:"Quarterly Report" name:inv*`, []*Node{named(phrase("quarterly", "report")), named(prefix("inv"))}},
		{"name: x name:", []*Node{word("name"), word("x"), word("name")}},
		{"-name:draft", []*Node{not(named(word("draft")))}},
		{"Name:x", []*Node{named(word("x"))}},
		{"NEAR(a b)", []*Node{word("near"), word("a"), word("b")}},
		{"col:x", []*Node{word("col"), word("x")}},
		{"^start", []*Node{word("start")}},
		{`it's \x`, []*Node{word("it"), word("s"), word("x")}},
		{"pre:*", []*Node{word("pre")}},
		{"a&b|!c", []*Node{word("a"), word("b"), word("c")}},
		{"tab\there\x00nul\x1bend", []*Node{word("tab"), word("here"), word("nul"), word("end")}},
		{"bad\xffutf8", []*Node{word("bad"), word("utf8")}},
		{"Ünïcödé ÉCOLE straße", []*Node{word("unicode"), word("ecole"), word("straße")}},
		{"ΣΟΦΙΑ 東京 123abc", []*Node{word("σοφια"), word("東京"), word("123abc")}},
		{"हिन्दी", []*Node{word("हिन्दी")}},
		{"x\u0301y", []*Node{word("xy")}},
		{"\u0301y", []*Node{word("y")}},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		if want := And(tt.want...); !reflect.DeepEqual(got.Root, want) {
			t.Errorf("Parse(%q) = %s, want %s", tt.in, dump(got.Root), dump(want))
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"", "no search terms"},
		{"   ", "no search terms"},
		{`!@#$%^&*() "" -- *`, "no search terms"},
		{"()", "no search terms"},
		{"OR AND NOT", "no search terms"},
		{"type:exe", "type:exe is not a kind of document"},
		{"before:yesterday", "before:yesterday is not a date"},
		{"after:2026-02-30", "after:2026-02-30 is not a date"},
		{"tag:" + strings.Repeat("x", 65), "longer than 64 bytes"},
		{`tag:a,"",b`, "a tag needs a name"},
		{strings.Repeat("(", MaxDepth+1) + "a", "nests more than 8 groups"},
		{strings.Repeat("a", MaxQueryBytes+1), "longer than 512 bytes"},
		{strings.Repeat("a ", MaxClauses+1), "more than 32 terms"},
		{strings.Repeat("-a ", MaxClauses) + "b", "more than 32 terms"},
		{strings.Repeat("\u023a", MaxQueryBytes/2), "longer than 512 bytes"}, // lower-cases to 3 bytes a rune
	}
	for _, tt := range tests {
		_, err := Parse(tt.in)
		if !errors.Is(err, document.ErrInvalidInput) {
			t.Errorf("Parse(%q) error = %v, want %v", tt.in, err, document.ErrInvalidInput)
			continue
		}
		if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Parse(%q) error = %q, want it to mention %q", tt.in, err, tt.want)
		}
	}
}

func TestParseLimits(t *testing.T) {
	tests := []string{
		strings.Repeat("a", MaxQueryBytes),
		strings.TrimSpace(strings.Repeat("a ", MaxClauses)),
	}
	for _, in := range tests {
		if _, err := Parse(in); err != nil {
			t.Errorf("Parse(%d bytes): %v", len(in), err)
		}
	}
}

func TestFilters(t *testing.T) {
	day := func(s string) time.Time {
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	tests := []struct {
		in   string
		want Query
	}{
		{"type:pdf", Query{Types: []string{"pdf"}}},
		{"type:PDF invoice", Query{Root: word("invoice"), Types: []string{"pdf"}}},
		{"type:image", Query{Types: []string{"jpeg", "png", "tiff"}}},
		{"type:jpg type:png type:pdf", Query{Types: []string{"jpeg", "pdf", "png"}}},
		{"after:2026-01-01", Query{After: day("2026-01-01")}},
		{"after:2026-01-01 after:2025-06-30 before:2026-03-01 before:2026-04-01",
			Query{After: day("2026-01-01"), Before: day("2026-03-01")}},
		{"(a OR type:pdf) b", Query{Root: And(word("a"), word("b")), Types: []string{"pdf"}}},
		{"-fox type:tif", Query{Root: not(word("fox")), Types: []string{"tiff"}}},
		{"tag:tax", Query{Tags: [][]string{{"tax"}}}},
		{`bill tag:tax tag:"home  office",paid,tax`, Query{Root: word("bill"), Tags: [][]string{{"tax"}, {"home office", "paid", "tax"}}}},
		{`tag:Überweisung(x)`, Query{Root: word("x"), Tags: [][]string{{"Überweisung"}}}},
		{"tag: a", Query{Root: And(word("tag"), word("a"))}},
		{`tag:"unclosed`, Query{Root: And(word("tag"), word("unclosed"))}},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Parse(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
	q, _ := Parse("type:image")
	if got, want := q.MediaTypes(), []string{"image/jpeg", "image/png", "image/tiff"}; !reflect.DeepEqual(got, want) {
		t.Errorf("MediaTypes() = %q, want %q", got, want)
	}
}

func TestString(t *testing.T) {
	tests := []struct {
		q    Query
		want string
	}{
		{Query{Root: word("invoice")}, "invoice"},
		{Query{Root: And(word("a"), prefix("invo"), not(word("draft")))}, "a invo* -draft"},
		{Query{Root: And(phrase("total", "amount"), not(phrase("first", "draft")))}, `"total amount" -"first draft"`},
		{Query{Root: Leaf(Clause{Words: []string{"total", "am"}, Prefix: true})}, `"total am*"`},
		{Query{Root: And(exact(word("invoices")), not(exact(word("draft"))))}, `"invoices" -"draft"`},
		{Query{Root: Or(And(word("a"), word("b")), not(Or(word("c"), named(word("d")))))}, "(a b) OR -(c OR name:d)"},
		{Query{Root: And(word("a"), Or(word("b"), word("c")))}, "a (b OR c)"},
		{Query{Root: not(word("fox")), Types: []string{"pdf", "png"}, After: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)},
			"-fox type:pdf type:png after:2026-01-02"},
		{Query{Types: []string{"jpeg", "pdf", "png", "tiff"}}, "type:pdf type:image"},
		{Query{Types: []string{"jpeg", "png"}}, "type:jpeg type:png"},
		{Query{Root: word("a"), Tags: [][]string{{"b"}, {"c d", "e(1)", "f"}}}, `a tag:b tag:"c d","e(1)",f`},
		{Query{}, ""},
	}
	for _, tt := range tests {
		if got := tt.q.String(); got != tt.want {
			t.Errorf("%+v.String() = %q, want %q", tt.q, got, tt.want)
		}
	}
}

func TestWords(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{`NEAR(a b) "x*" -Y col:z`, []string{"near", "a", "b", "x", "y", "col", "z"}},
		{"a\x00b", []string{"a", "b"}},
		{"Übersetzung, naïve CAFÉ", []string{"ubersetzung", "naive", "cafe"}},
		{"हिन्दी", []string{"हिन्दी"}},
	}
	for _, tt := range tests {
		if got := Words(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Words(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestLowerStaysWord checks, for every rune, that lower-casing keeps a word a word and is stable,
// which the round trip through String relies on.
func TestLowerStaysWord(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if !isWordChar(r) {
			continue
		}
		l := unicode.ToLower(r)
		if isWordStart(l) != isWordStart(r) || !isWordChar(l) || unicode.ToLower(l) != l {
			t.Errorf("ToLower(%U) = %U changes what it is", r, l)
		}
	}
}
