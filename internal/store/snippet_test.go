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
		{"no match", "kiwi", "apple", nil},
		{"empty", "kiwi", "", nil},
	}
	for _, tt := range tests {
		q, err := search.Parse(tt.query)
		if err != nil {
			t.Fatal(err)
		}
		if got := NewHighlighter(q).Snippet(tt.text); !slices.Equal(got, tt.want) {
			t.Errorf("%s: Snippet = %+v, want %+v", tt.name, got, tt.want)
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
	}
	for _, tt := range tests {
		q, err := search.Parse(tt.query)
		if err != nil {
			t.Fatal(err)
		}
		if got := NewHighlighter(q).First(tt.text); got != tt.want {
			t.Errorf("First(%q) in %q = %d, want %d", tt.query, tt.text, got, tt.want)
		}
	}
}
