package sqlite

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/docpipe/docpipe/internal/search"
	"github.com/docpipe/docpipe/internal/store"
	"github.com/docpipe/docpipe/internal/store/storetest"
)

func open(t *testing.T) *Store {
	t.Helper()
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), "data", "docpipe.db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return open(t) })
}

func TestSearchCapped(t *testing.T) {
	s := open(t)
	s.maxCandidates = 5
	var newest []string
	for i := range 8 {
		d := complete(t, s, "alice", fmt.Sprintf("kiwi number %d", i))
		if i >= 3 {
			newest = append(newest, d.ID)
		}
	}
	q := search.Query{Clauses: []search.Clause{{Words: []string{"kiwi"}}}}
	res, err := s.Search(t.Context(), "alice", q, store.SearchOptions{Limit: 10})
	if err != nil {
		t.Fatalf("Search: %v", err)
	}
	if res.Total != 5 || !res.Capped || len(res.Hits) != 5 {
		t.Fatalf("Search = %d hits, total %d, capped %v; want 5, 5, capped", len(res.Hits), res.Total, res.Capped)
	}
	for _, h := range res.Hits {
		if !slices.Contains(newest, h.Document.ID) {
			t.Errorf("hit %s is not among the 5 newest matches", h.Document.ID)
		}
	}
	res, err = s.Search(t.Context(), "alice", q, store.SearchOptions{Limit: 10, Offset: 5})
	if err != nil || len(res.Hits) != 0 || res.Total != 5 || !res.Capped {
		t.Errorf("Search past the cap = %d hits, total %d, capped %v, %v; want none, 5, capped", len(res.Hits), res.Total, res.Capped, err)
	}
	res, err = s.Search(t.Context(), "bob", q, store.SearchOptions{Limit: 10})
	if err != nil || len(res.Hits) != 0 || res.Total != 0 || res.Capped {
		t.Errorf("Search by another owner = %d hits, total %d, capped %v, %v; want none", len(res.Hits), res.Total, res.Capped, err)
	}
}

// TestSearchRankFallback ranks with the owner's rows only, as Search does when the cheaper way
// would read too many rows, and expects the same hits in the same order.
func TestSearchRankFallback(t *testing.T) {
	s := open(t)
	for i := range 6 {
		complete(t, s, "bob", "kiwi fruit "+strings.Repeat("kiwi ", i))
		complete(t, s, "alice", "kiwi fruit salad "+strings.Repeat("kiwi ", 5-i))
	}
	complete(t, s, "alice", "fruit kiwi")
	for _, text := range []string{"kiwi", `"kiwi fruit"`, "kiwi -salad", "fruit kiw*"} {
		q, err := search.Parse(text)
		if err != nil {
			t.Fatal(err)
		}
		s.rankRows = rankRows
		want, err := s.Search(t.Context(), "alice", q, store.SearchOptions{Limit: 20})
		if err != nil {
			t.Fatalf("Search(%s): %v", text, err)
		}
		s.rankRows = 1
		got, err := s.Search(t.Context(), "alice", q, store.SearchOptions{Limit: 20})
		if err != nil {
			t.Fatalf("Search(%s) ranking the candidates only: %v", text, err)
		}
		if len(got.Hits) == 0 || got.Total != want.Total || !slices.Equal(hitIDs(got.Hits), hitIDs(want.Hits)) {
			t.Errorf("Search(%s) ranking the candidates only = %v, want %v", text, hitIDs(got.Hits), hitIDs(want.Hits))
		}
		for _, h := range got.Hits {
			if h.Document.Owner != "alice" {
				t.Errorf("Search(%s) found a document of %s", text, h.Document.Owner)
			}
		}
	}
}

func hitIDs(hits []store.Hit) []string {
	var ids []string
	for _, h := range hits {
		ids = append(ids, h.Document.ID)
	}
	return ids
}
