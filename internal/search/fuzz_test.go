package search

import (
	"errors"
	"reflect"
	"testing"
	"unicode/utf8"

	"github.com/docpipe/docpipe/internal/document"
)

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"invoice", "invo* -draft", `"total amount" -"first draft"`, `"total am*"`, `-"a`, `"a""b"`,
		"a AND b OR NOT c", "NEAR(a b)", "col:x", "^x", `'x'`, `x\`, "x:*", "a&b|!c", "e-mail",
		"Ünïcödé ΣΟΦΙΑ 東京", "हिन्दी", "x\u0301y", "\xff\xfe", "\x00", "*", "-", `"`, `""`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := Parse(s)
		if err != nil {
			if !errors.Is(err, document.ErrInvalidInput) {
				t.Fatalf("Parse(%q) error %v does not wrap ErrInvalidInput", s, err)
			}
			return
		}
		if q.Empty() || len(q.Clauses) > MaxClauses {
			t.Fatalf("Parse(%q) = %+v: no positive clause or too many", s, q)
		}
		for _, c := range q.Clauses {
			if len(c.Words) == 0 {
				t.Fatalf("Parse(%q) has an empty clause", s)
			}
			for _, w := range c.Words {
				checkWord(t, s, w)
			}
		}
		q2, err := Parse(q.String())
		if err != nil {
			t.Fatalf("Parse(%q) round trip through %q: %v", s, q.String(), err)
		}
		if !reflect.DeepEqual(q, q2) {
			t.Fatalf("Parse(%q) = %+v; round trip through %q = %+v", s, q, q.String(), q2)
		}
	})
}

func checkWord(t *testing.T, s, w string) {
	t.Helper()
	if w == "" || !utf8.ValidString(w) {
		t.Fatalf("Parse(%q) gave word %q", s, w)
	}
	first, _ := utf8.DecodeRuneInString(w)
	if !isWordStart(first) {
		t.Fatalf("Parse(%q) gave word %q that starts with %U", s, w, first)
	}
	for _, r := range w {
		if !isWordChar(r) {
			t.Fatalf("Parse(%q) gave word %q containing %U", s, w, r)
		}
	}
}
