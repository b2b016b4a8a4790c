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
		"invoice", `tag:a,"b c" tag:"(x)"`, "tag:,", "invo* -draft", `"total amount" -"first draft"`, `"total am*"`, `-"a`, `"a""b"`,
		"a AND b OR NOT c", "NEAR(a b)", "col:x", "^x", `'x'`, `x\`, "x:*", "a&b|!c", "e-mail",
		"Ünïcödé ΣΟΦΙΑ 東京", "हिन्दी", "x\u0301y", "\xff\xfe", "\x00", "*", "-", `"`, `""`,
		"(a OR b) -(c d)", "((a)", "a))", "-fox", "name:report type:pdf after:2026-01-01",
		`name:"quarterly report" OR name:inv*`, "type:image before:2026-13-01", "OR OR", "NOT NOT x",
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
		if q.Empty() {
			t.Fatalf("Parse(%q) = %+v asks for nothing", s, q)
		}
		n := 0
		for c := range q.Clauses() {
			n++
			if len(c.Words) == 0 {
				t.Fatalf("Parse(%q) has an empty clause", s)
			}
			for _, w := range c.Words {
				checkWord(t, s, w)
			}
		}
		if n > MaxClauses {
			t.Fatalf("Parse(%q) has %d clauses", s, n)
		}
		checkTree(t, s, q.Root)
		q2, err := Parse(q.String())
		if err != nil {
			t.Fatalf("Parse(%q) round trip through %q: %v", s, q.String(), err)
		}
		if !reflect.DeepEqual(q, q2) {
			t.Fatalf("Parse(%q) = %s; round trip through %q = %s", s, dump(q.Root), q.String(), dump(q2.Root))
		}
	})
}

// checkTree checks that n is in the form And, Or and Not return.
func checkTree(t *testing.T, s string, n *Node) {
	t.Helper()
	if n == nil {
		return
	}
	switch n.Op {
	case OpClause:
		if n.Args != nil {
			t.Fatalf("Parse(%q): a clause node has operands", s)
		}
	case OpNot:
		if len(n.Args) != 1 || n.Args[0] == nil || n.Args[0].Op == OpNot {
			t.Fatalf("Parse(%q): a not node has operands %s", s, dump(n))
		}
	case OpAnd, OpOr:
		if len(n.Args) < 2 {
			t.Fatalf("Parse(%q): %s has fewer than two operands", s, dump(n))
		}
		for _, a := range n.Args {
			if a == nil || a.Op == n.Op {
				t.Fatalf("Parse(%q): %s is not flat", s, dump(n))
			}
		}
	default:
		t.Fatalf("Parse(%q): unknown op %d", s, n.Op)
	}
	for _, a := range n.Args {
		checkTree(t, s, a)
	}
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
