package store

import (
	"slices"
	"strings"
	"testing"

	"github.com/docpipe/docpipe/internal/search"
)

func TestSnippet(t *testing.T) {
	words := func(n int) string { return strings.TrimSpace(strings.Repeat("lorem ", n)) }
	tests := []struct {
		name  string
		query string
		text  string
		want  []Fragment
	}{
		{"at the start", "invoice", "Invoice  total\n" + words(30),
			[]Fragment{{Text: "Invoice", Match: true}, {Text: " total " + words(14) + ellipsis}}},
		{"in the middle", "tot*", words(20) + " totals " + words(20),
			[]Fragment{{Text: ellipsis + words(8) + " "}, {Text: "totals", Match: true}, {Text: " " + words(15) + ellipsis}}},
		{"phrase at the end", `"due date" -lorem`, "x due date",
			[]Fragment{{Text: "x "}, {Text: "due", Match: true}, {Text: " "}, {Text: "date", Match: true}}},
		{"excluded words are not marked", "x -due", "x due", []Fragment{{Text: "x", Match: true}, {Text: " due"}}},
		{"diacritics", "cafe", "Le Café, rue", []Fragment{{Text: "Le "}, {Text: "Café", Match: true}, {Text: ", rue"}}},
		{"diacritics in the query", "résumé", "my resume", []Fragment{{Text: "my "}, {Text: "resume", Match: true}}},
		{"adjacent matches", "a b", "a b c", []Fragment{{Text: "a", Match: true}, {Text: " "}, {Text: "b", Match: true}, {Text: " c"}}},
		{"stems", "invoices jump", "One invoice, jumping", []Fragment{{Text: "One "}, {Text: "invoice", Match: true}, {Text: ", "}, {Text: "jumping", Match: true}}},
		{"quoted words are exact", `"invoices"`, "invoice invoices", []Fragment{{Text: "invoice "}, {Text: "invoices", Match: true}}},
		{"no match", "kiwi", "apple", nil},
		{"empty", "kiwi", "", nil},
	}
	for _, tt := range tests {
		q, err := search.Parse(tt.query)
		if err != nil {
			t.Fatal(err)
		}
		if got := NewHighlighter(q, "eng").Snippet(tt.text); !slices.Equal(got, tt.want) {
			t.Errorf("%s: Snippet = %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

func TestLead(t *testing.T) {
	long := strings.TrimSpace(strings.Repeat("lorem ", snippetBefore+snippetAfter))
	tests := []struct {
		text string
		want []Fragment
	}{
		{"  Invoice\n total ", []Fragment{{Text: "Invoice total"}}},
		{long + " more\nand more", []Fragment{{Text: long + ellipsis}}},
		{" ,;", nil},
		{"", nil},
	}
	for _, tt := range tests {
		if got := Lead(tt.text); !slices.Equal(got, tt.want) {
			t.Errorf("Lead(%q) = %+v, want %+v", tt.text, got, tt.want)
		}
	}
}

func TestFirst(t *testing.T) {
	tests := []struct {
		query, text string
		want        int
	}{
		{"total", "Invoice total", 8},
		{"inv*", "the INVOICE", 4},
		{"kiwi", "apple", -1},
		{"naïve", "a naive b", 2},
		{"x -a", "a x", 2},
		{"jump", "a jumped", 2},
	}
	for _, tt := range tests {
		q, err := search.Parse(tt.query)
		if err != nil {
			t.Fatal(err)
		}
		if got := NewHighlighter(q, "eng").First(tt.text); got != tt.want {
			t.Errorf("First(%q) in %q = %d, want %d", tt.query, tt.text, got, tt.want)
		}
	}
}

// FuzzSnippet cuts snippets of arbitrary text: it never panics, a snippet is a piece of the text
// with its white space collapsed, and its marked fragments are words the highlighter marks.
func FuzzSnippet(f *testing.F) {
	f.Add("Invoice  total\n due", "invoice")
	f.Add("Le Café, rue", "cafe tot*")
	f.Add("a\xffb c", `"b c" -a`)
	f.Fuzz(func(t *testing.T, text, query string) {
		q, err := search.Parse(query)
		if err != nil {
			return
		}
		h := NewHighlighter(q, "deu+eng")
		frags := h.Snippet(text)
		if at := h.First(text); (at < 0) != (frags == nil) {
			t.Fatalf("First = %d but Snippet = %+v", at, frags)
		}
		var b strings.Builder
		for _, fr := range frags {
			if ws := slices.Collect(words(fr.Text)); fr.Match && len(ws) == 1 && !h.marks(ws[0].word) {
				t.Fatalf("fragment %q is marked but not a word of %q", fr.Text, query)
			}
			b.WriteString(fr.Text)
		}
		got := strings.TrimSuffix(strings.TrimPrefix(b.String(), ellipsis), ellipsis)
		if !strings.Contains(CollapseSpace(text), got) {
			t.Fatalf("snippet %q is not a piece of %q", got, text)
		}
	})
}
