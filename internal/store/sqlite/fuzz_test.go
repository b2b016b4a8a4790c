package sqlite

import (
	"errors"
	"path/filepath"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/docpipe/docpipe/internal/document"
	"github.com/docpipe/docpipe/internal/search"
	"github.com/docpipe/docpipe/internal/store"
)

var fuzzSeeds = []string{
	"invoice", "invo* -draft", `"total amount"`, `"total am*"`, `zulu OR nothere`, `NEAR(a b)`,
	`a AND OR NOT b`, `col:x`, `{body}: x`, `^x`, `'x'`, `x\`, `x:*`, `a&b|!c`, `"unbalanced`, `-"a b" c`,
	`x'); DROP TABLE documents; --`, "Ünïcödé ΣΟΦΙΑ 東京", "हिन्दी", "x\u0301y", "\xff", "a\x00b", "ꙮ 𞀰",
}

// fuzzStore opens a store holding a few done documents of alice's.
func fuzzStore(f *testing.F) *store.Store {
	s, err := Open(f.Context(), filepath.Join(f.TempDir(), "fuzz.db"))
	if err != nil {
		f.Fatalf("Open: %v", err)
	}
	f.Cleanup(func() { s.Close() })
	for _, text := range []string{
		"the invoice total amount is due", "zulu or nothere and not near yankee col body",
		"Ünïcödé σοφια 東京 हिन्दी", "first draft of a b c",
	} {
		complete(f, s, "alice", text)
	}
	return s
}

// complete adds a done document with the given pages.
func complete(tb testing.TB, s *store.Store, owner string, pages ...string) document.Document {
	tb.Helper()
	d := &document.Document{Owner: owner, Name: "doc"}
	if err := s.Create(tb.Context(), d); err != nil {
		tb.Fatalf("Create: %v", err)
	}
	j, err := s.Claim(tb.Context(), time.Minute)
	if err != nil {
		tb.Fatalf("Claim: %v", err)
	}
	ps := make([]document.Page, len(pages))
	for i, text := range pages {
		ps[i] = document.Page{Number: i + 1, Text: text, Source: document.SourceOCR}
	}
	if err := s.Complete(tb.Context(), j, ps); err != nil {
		tb.Fatalf("Complete: %v", err)
	}
	return *d
}

// FuzzSearch feeds search box text through Parse into Search: only Parse may refuse it.
func FuzzSearch(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	s := fuzzStore(f)
	f.Fuzz(func(t *testing.T, text string) {
		q, err := search.Parse(text)
		if err != nil {
			if !errors.Is(err, document.ErrInvalidInput) {
				t.Fatalf("Parse(%q): %v", text, err)
			}
			return
		}
		res, err := s.Search(t.Context(), "alice", q, store.SearchOptions{Limit: 10})
		if err != nil {
			t.Fatalf("Search(%q): %v", text, err)
		}
		checkHits(t, res.Hits)
	})
}

// FuzzSearchRawWords searches for clauses Parse would never make: Search may refuse them as
// invalid input but must not fail otherwise.
func FuzzSearchRawWords(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s, false, false)
	}
	f.Add(`"`, true, false)
	f.Add(`a" OR "b`, false, true)
	s := fuzzStore(f)
	f.Fuzz(func(t *testing.T, word string, prefix, not bool) {
		odd := search.Leaf(search.Clause{Words: []string{word, word}, Prefix: prefix})
		if not {
			odd = search.Not(odd)
		}
		q := search.Query{Root: search.Or(search.And(
			search.Leaf(search.Clause{Words: []string{"the"}}),
			odd,
			search.Leaf(search.Clause{Words: []string{word}}),
		), search.Leaf(search.Clause{Words: []string{word}, Field: search.FieldName}))}
		res, err := s.Search(t.Context(), "alice", q, store.SearchOptions{Limit: 10})
		if err != nil && !errors.Is(err, document.ErrInvalidInput) {
			t.Fatalf("Search(%q): %v", word, err)
		}
		checkHits(t, res.Hits)
	})
}

// FuzzSnippet indexes arbitrary page text and checks the hits a search for its words brings.
func FuzzSnippet(f *testing.F) {
	f.Add("the invoice total", "second page invoice")
	f.Add("a\n\nb", "\n\nb a")
	f.Add("Ünïcödé\u00a0σοφια", "東京\x00हिन्दी \xff x")
	f.Add("\uFDD0a\uFDD1", "\uFDD2")
	s, err := Open(f.Context(), filepath.Join(f.TempDir(), "fuzz.db"))
	if err != nil {
		f.Fatalf("Open: %v", err)
	}
	f.Cleanup(func() { s.Close() })
	f.Fuzz(func(t *testing.T, page1, page2 string) {
		d := complete(t, s, "alice", page1, page2)
		defer s.Delete(t.Context(), "alice", d.ID)
		words := search.Words(page1 + " " + page2)
		if len(words) == 0 {
			return
		}
		for _, w := range []string{words[0], words[len(words)-1]} {
			q := search.Query{Root: search.Leaf(search.Clause{Words: []string{w}})}
			res, err := s.Search(t.Context(), "alice", q, store.SearchOptions{Limit: 10})
			if err != nil {
				t.Fatalf("Search(%q): %v", w, err)
			}
			checkHits(t, res.Hits)
		}
	})
}

func checkHits(t *testing.T, hits []store.Hit) {
	t.Helper()
	for _, h := range hits {
		if h.Page < 1 || h.Page > max(1, h.Document.Pages) {
			t.Errorf("hit on page %d of a %d-page document", h.Page, h.Document.Pages)
		}
		for _, f := range h.Snippet {
			if f.Text == "" || !utf8.ValidString(f.Text) {
				t.Errorf("snippet fragment %q", f.Text)
			}
		}
	}
}
