package search

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"unicode"

	"github.com/docpipe/docpipe/internal/document"
)

func word(w string) Clause   { return Clause{Words: []string{w}} }
func prefix(w string) Clause { return Clause{Words: []string{w}, Prefix: true} }
func not(c Clause) Clause    { c.Not = true; return c }
func exact(c Clause) Clause  { c.Exact = true; return c }
func phrase(w ...string) Clause {
	return Clause{Words: w, Exact: true}
}

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want []Clause
	}{
		{"invoice", []Clause{word("invoice")}},
		{"  Invoice  ACME ", []Clause{word("invoice"), word("acme")}},
		{"invo*", []Clause{prefix("invo")}},
		{"invo* total", []Clause{prefix("invo"), word("total")}},
		{"a*b", []Clause{prefix("a"), word("b")}},
		{"invo**", []Clause{prefix("invo")}},
		{"*invo", []Clause{word("invo")}},
		{`"total amount"`, []Clause{phrase("total", "amount")}},
		{`"Total, amount!"`, []Clause{phrase("total", "amount")}},
		{`"total am*"`, []Clause{{Words: []string{"total", "am"}, Prefix: true, Exact: true}}},
		{`"tot* amount"`, []Clause{phrase("tot", "amount")}},
		{`"total am* "`, []Clause{{Words: []string{"total", "am"}, Prefix: true, Exact: true}}},
		{`"total am" *`, []Clause{phrase("total", "am")}},
		{`"invoice"`, []Clause{exact(word("invoice"))}},
		{`"invo*"`, []Clause{exact(prefix("invo"))}},
		{"Übersetzung ÉTÉ", []Clause{word("ubersetzung"), word("ete")}},
		{`"Straße" Ελλάδα`, []Clause{exact(word("straße")), word("ελλαδα")}},
		{`x "" y`, []Clause{word("x"), word("y")}},
		{`x "!?" y`, []Clause{word("x"), word("y")}},
		{"invoice -draft", []Clause{word("invoice"), not(word("draft"))}},
		{"-draft invoice", []Clause{not(word("draft")), word("invoice")}},
		{`invoice -"first draft"`, []Clause{word("invoice"), not(phrase("first", "draft"))}},
		{"invoice -dra*", []Clause{word("invoice"), not(prefix("dra"))}},
		{"invoice (-draft)", []Clause{word("invoice"), not(word("draft"))}},
		{"e-mail", []Clause{word("e"), word("mail")}},
		{"invoice - draft", []Clause{word("invoice"), word("draft")}},
		{"invoice --draft", []Clause{word("invoice"), not(word("draft"))}},
		{`invoice -"draft`, []Clause{word("invoice"), word("draft")}},
		{`invoice -""`, []Clause{word("invoice")}},
		{`"unbalanced quote`, []Clause{word("unbalanced"), word("quote")}},
		{`a "b c" "d`, []Clause{word("a"), phrase("b", "c"), word("d")}},
		{`"a""b c"`, []Clause{exact(word("a")), phrase("b", "c")}},
		{"a AND b OR NOT c", []Clause{word("a"), word("and"), word("b"), word("or"), word("not"), word("c")}},
		{"NEAR(a b)", []Clause{word("near"), word("a"), word("b")}},
		{"col:x", []Clause{word("col"), word("x")}},
		{"^start", []Clause{word("start")}},
		{`it's \x`, []Clause{word("it"), word("s"), word("x")}},
		{"pre:*", []Clause{word("pre")}},
		{"a&b|!c", []Clause{word("a"), word("b"), word("c")}},
		{"tab\there\x00nul\x1bend", []Clause{word("tab"), word("here"), word("nul"), word("end")}},
		{"bad\xffutf8", []Clause{word("bad"), word("utf8")}},
		{"Ünïcödé ÉCOLE straße", []Clause{word("unicode"), word("ecole"), word("straße")}},
		{"ΣΟΦΙΑ 東京 123abc", []Clause{word("σοφια"), word("東京"), word("123abc")}},
		{"हिन्दी", []Clause{word("हिन्दी")}},
		{"x\u0301y", []Clause{word("xy")}},
		{"\u0301y", []Clause{word("y")}},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		if !reflect.DeepEqual(got.Clauses, tt.want) {
			t.Errorf("Parse(%q) = %+v, want %+v", tt.in, got.Clauses, tt.want)
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
		{"-draft", "no search terms"},
		{`-draft -"first draft"`, "no search terms"},
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

func TestString(t *testing.T) {
	tests := []struct {
		q    Query
		want string
	}{
		{Query{Clauses: []Clause{word("invoice")}}, "invoice"},
		{Query{Clauses: []Clause{word("a"), prefix("invo"), not(word("draft"))}}, "a invo* -draft"},
		{Query{Clauses: []Clause{phrase("total", "amount"), not(phrase("first", "draft"))}}, `"total amount" -"first draft"`},
		{Query{Clauses: []Clause{{Words: []string{"total", "am"}, Prefix: true}}}, `"total am*"`},
		{Query{Clauses: []Clause{exact(word("invoices")), not(exact(word("draft")))}}, `"invoices" -"draft"`},
		{Query{Clauses: []Clause{{}, word("a")}}, "a"},
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
