package store

import (
	"errors"
	"strings"
	"testing"

	"github.com/docpipe/docpipe/internal/document"
)

func TestMatches(t *testing.T) {
	tests := []struct {
		match, pattern, field string
		pages                 []string
		labels                string
		want                  bool
	}{
		{document.MatchAny, "gas power", "", []string{"the GAS bill"}, "", true},
		{document.MatchAny, "gas power", "", []string{"gasoline"}, "", false},
		{document.MatchAll, "gas bill", "", []string{"gas", "bill"}, "", true},
		{document.MatchAll, "gas bill", "", []string{"gas"}, "", false},
		{document.MatchPhrase, "Stadtwerke München", "", []string{"die stadtwerke MUNCHEN"}, "", true},
		{document.MatchPhrase, "Stadtwerke München", "", []string{"münchen stadtwerke"}, "", false},
		{document.MatchRegexp, `inv-\d+`, "", []string{"INV-2024"}, "", true},
		{document.MatchRegexp, `^total$`, "", []string{"a\ntotal"}, "", false},
		{document.MatchAny, "receipt", document.FieldName, []string{"receipt"}, "scan.png\n\n", false},
		{document.MatchAny, "receipt", document.FieldName, nil, "Receipt-17.png\n\n", true},
	}
	for _, tt := range tests {
		m, err := CompileRule(document.Rule{Match: tt.match, Pattern: tt.pattern, Field: tt.field, Tags: []string{"x"}})
		if err != nil {
			t.Fatalf("CompileRule(%s %q): %v", tt.match, tt.pattern, err)
		}
		if got := m.Matches(tt.pages, tt.labels); got != tt.want {
			t.Errorf("%s %q on %q / %q = %v, want %v", tt.match, tt.pattern, tt.pages, tt.labels, got, tt.want)
		}
	}
}

// FuzzCompileRule feeds any pattern to every kind of rule: it compiles or is invalid input, and
// a compiled rule matches any text without panicking and never matches an empty document.
func FuzzCompileRule(f *testing.F) {
	for _, s := range []string{"gas", `inv-\d+`, "(a|b)*c", "a(b", `\1`, "x{1000}", "(?i)é", "", "\xff"} {
		f.Add(s, "some text with gas and INV-7")
	}
	f.Fuzz(func(t *testing.T, pattern, text string) {
		for _, match := range []string{document.MatchAny, document.MatchAll, document.MatchPhrase, document.MatchRegexp} {
			m, err := CompileRule(document.Rule{Match: match, Pattern: pattern, Tags: []string{"x"}})
			if err != nil {
				if !errors.Is(err, document.ErrInvalidInput) {
					t.Fatalf("CompileRule(%s %q): %v, want invalid input", match, pattern, err)
				}
				continue
			}
			m.Matches([]string{text, strings.ToUpper(text)}, text)
			if m.Matches(nil, "") || m.Matches([]string{""}, "") {
				t.Fatalf("rule %s %q matches an empty document", match, pattern)
			}
		}
	})
}
