package sqlite

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/docpipe/docpipe/internal/document"
	"github.com/docpipe/docpipe/internal/search"
	"github.com/docpipe/docpipe/internal/store"
	"github.com/docpipe/docpipe/internal/store/storetest"
)

func open(t *testing.T) *store.Store {
	t.Helper()
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), "data", "docpipe.db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T, clock *storetest.Clock) *store.Store {
		s := open(t)
		inside(s).now = clock.Fake()
		return s
	})
}

func TestSearchCapped(t *testing.T) {
	s := open(t)
	inside(s).maxCandidates = 5
	var newest []string
	for i := range 8 {
		d := complete(t, s, "alice", fmt.Sprintf("kiwi number %d", i))
		if i >= 3 {
			newest = append(newest, d.ID)
		}
	}
	q := search.Query{Root: search.Leaf(search.Clause{Words: []string{"kiwi"}})}
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
		inside(s).rankRows = rankRows
		want, err := s.Search(t.Context(), "alice", q, store.SearchOptions{Limit: 20})
		if err != nil {
			t.Fatalf("Search(%s): %v", text, err)
		}
		inside(s).rankRows = 1
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

// TestSearchCommonWords checks that in an index past stopDocs, words in half of all documents
// or more do not rank: with a distinctive word the order is bm25's, without one it is newest
// first, and a word's frequency is counted again only after freqTTL.
func TestSearchCommonWords(t *testing.T) {
	s := open(t)
	now := time.Now()
	inside(s).now = func() time.Time { return now }
	inside(s).stopDocs = 1
	var newest []string
	for i := range 4 {
		d := complete(t, s, "alice", "kiwi "+strings.Repeat("kiwi ", 3-i)+strings.Repeat("papaya ", i%3)+"filler words to the end")
		newest = slices.Insert(newest, 0, d.ID)
	}
	find := func(text string) store.SearchResult {
		t.Helper()
		q, err := search.Parse(text)
		if err != nil {
			t.Fatal(err)
		}
		res, err := s.Search(t.Context(), "alice", q, store.SearchOptions{Limit: 10})
		if err != nil {
			t.Fatalf("Search(%s): %v", text, err)
		}
		return res
	}
	rankedBy := func(text string, stopDocs int) []string {
		t.Helper()
		inside(s).stopDocs = stopDocs
		defer func() { inside(s).stopDocs = 1 }()
		return hitIDs(find(text).Hits)
	}

	bm25 := rankedBy("kiwi", -1)
	if slices.Equal(bm25, newest) {
		t.Fatalf("bm25 ranks kiwi newest first, %v: the test cannot tell the orders apart", bm25)
	}
	res := find("kiwi")
	if got := hitIDs(res.Hits); !slices.Equal(got, newest) {
		t.Errorf("Search(kiwi), kiwi in every document = %v, want newest first %v", got, newest)
	}
	for _, h := range res.Hits {
		if h.Score != 0 || len(h.Snippet) == 0 {
			t.Errorf("Search(kiwi) hit %s: score %v, snippet %+v; want 0 and a snippet", h.Document.ID, h.Score, h.Snippet)
		}
	}
	if got, want := rankedBy("kiwi papaya", 1), rankedBy("kiwi papaya", -1); len(got) != 2 || !slices.Equal(got, want) {
		t.Errorf("Search(kiwi papaya) without kiwi's weight = %v, want bm25's %v", got, want)
	}

	for range 5 {
		complete(t, s, "alice", "plum")
	}
	if got := hitIDs(find("kiwi").Hits); !slices.Equal(got, newest) {
		t.Errorf("Search(kiwi) within %v of counting = %v, want the counted frequency to hold, newest first", freqTTL, got)
	}
	now = now.Add(freqTTL + time.Second)
	if got := hitIDs(find("kiwi").Hits); !slices.Equal(got, bm25) {
		t.Errorf("Search(kiwi) in 4 documents of 9, counted again = %v, want bm25's %v", got, bm25)
	}
}

// TestStorageFull fills the database to the page limit SQLite is given, the way a full disk
// does: the write that does not fit is ErrStorageFull, and what was stored stays.
func TestStorageFull(t *testing.T) {
	s := open(t)
	kept := complete(t, s, "alice", "kept")
	var pages int
	if err := inside(s).rw.QueryRow(`PRAGMA page_count`).Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if _, err := inside(s).rw.Exec(fmt.Sprintf(`PRAGMA max_page_count = %d`, pages+2)); err != nil {
		t.Fatal(err)
	}
	var err error
	for i := 0; i < 100 && err == nil; i++ {
		err = s.Create(t.Context(), &document.Document{Owner: "alice", Name: strings.Repeat("x", 200)})
	}
	if !errors.Is(err, document.ErrStorageFull) {
		t.Fatalf("Create on a full database = %v, want ErrStorageFull", err)
	}
	if got, err := s.Get(t.Context(), "alice", kept.ID); err != nil || got.Status != document.StatusDone {
		t.Errorf("Get(kept) = %+v, %v; want the done document", got, err)
	}
}

// inside returns the backend of a Store that Open returned.
func inside(s *store.Store) *backend {
	return s.Backend().(*backend)
}

// TestClosestFromIndex runs the storetest suggestion cases with every owner taken for a large
// one, whose suggestions come from the index's words table and are checked against the owner's
// documents before they are offered.
func TestClosestFromIndex(t *testing.T) {
	s := open(t)
	inside(s).ownWordsDocs = 0
	storetest.SearchSuggest(t, s)
}
