package store

import (
	"errors"
	"strings"
	"testing"
	"time"

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
		if got := m.Matches(tt.pages, tt.labels, time.Time{}); got != tt.want {
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
			m.Matches([]string{text, strings.ToUpper(text)}, text, time.Time{})
			if m.Matches(nil, "", time.Time{}) || m.Matches([]string{""}, "", time.Time{}) {
				t.Fatalf("rule %s %q matches an empty document", match, pattern)
			}
		}
	})
}

// TestRuleBounded: the costliest rule the limits allow, over the longest text, ends in well under
// a second, and a document's rules stop at their budget.
func TestRuleBounded(t *testing.T) {
	pattern := "(?:a?){60}a{60}" + strings.Repeat("(?:b|c)", 40) + "z"
	m, err := CompileRule(document.Rule{Match: document.MatchRegexp, Pattern: pattern, Tags: []string{"x"}})
	if err != nil {
		t.Fatalf("CompileRule: %v", err)
	}
	words, err := CompileRule(document.Rule{Match: document.MatchAll, Pattern: strings.Repeat("q ", 250), Tags: []string{"y"}})
	if err != nil {
		t.Fatalf("CompileRule: %v", err)
	}
	page := strings.Repeat("a", 4<<20)
	pages := []string{page, page, page, page, strings.Repeat("a b ", 1<<20)}
	start := time.Now()
	tags := RuleTags([]Matcher{words, m, m, m, words}, pages, "")
	if took := time.Since(start); len(tags) != 0 || took > 5*time.Second {
		t.Errorf("costly rules over long pages: %v in %v, want nothing within the budget", tags, took)
	}
	if _, err := CompileRule(document.Rule{Match: document.MatchRegexp, Pattern: "(?:a?){300}a{300}z", Tags: []string{"x"}}); !errors.Is(err, document.ErrInvalidInput) {
		t.Errorf("CompileRule(600 repeats) = %v, want too large", err)
	}
}

// BenchmarkRuleCost measures what bounds a rule's regular expression: the cost grows with the
// compiled program as well as the text.
func BenchmarkRuleCost(b *testing.B) {
	for _, bc := range []struct {
		name, pattern string
		text          int
	}{
		{"183 instructions, 1 MiB", "(?:a?){60}a{60}z", 1 << 20},
		{"most allowed, one page", "(?:a?){60}a{60}" + strings.Repeat("(?:b|c)", 40) + "z", maxRulePage},
	} {
		m, err := CompileRule(document.Rule{Match: document.MatchRegexp, Pattern: bc.pattern, Tags: []string{"x"}})
		if err != nil {
			b.Fatal(err)
		}
		text := strings.Repeat("a", bc.text)
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			for b.Loop() {
				m.re.MatchString(text)
			}
		})
	}
}
