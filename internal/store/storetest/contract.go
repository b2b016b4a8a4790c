package storetest

import (
	"math"
	"slices"
	"testing"
	"time"

	"github.com/docpipe/docpipe/internal/document"
	"github.com/docpipe/docpipe/internal/store"
)

// The cases below pin what backends once did differently, each in its own way: the limits of
// List and Search, the lease checks, the highest page number, how page text and failure
// reasons are cleaned, and how snippets are cut.

func testLimits(t *testing.T, s *store.Store) {
	addDone(t, s, textDoc{"alice", "a.pdf", []string{"some words"}})
	if _, err := s.List(t.Context(), "alice", store.ListOptions{Limit: store.MaxListLimit}); err != nil {
		t.Errorf("List with limit %d: %v", store.MaxListLimit, err)
	}
	_, err := s.List(t.Context(), "alice", store.ListOptions{Limit: store.MaxListLimit + 1})
	wantErr(t, "List over the limit", err, document.ErrInvalidInput)
	q := query(t, "words")
	if _, err := s.Search(t.Context(), "alice", q, store.SearchOptions{Limit: store.MaxSearchLimit}); err != nil {
		t.Errorf("Search with limit %d: %v", store.MaxSearchLimit, err)
	}
	_, err = s.Search(t.Context(), "alice", q, store.SearchOptions{Limit: store.MaxSearchLimit + 1})
	wantErr(t, "Search over the limit", err, document.ErrInvalidInput)
}

func testLeaseInvalid(t *testing.T, s *store.Store) {
	d := newDoc("alice", "a.pdf")
	create(t, s, d)
	for _, lease := range []time.Duration{0, -time.Second} {
		_, err := s.Claim(t.Context(), lease)
		wantErr(t, "Claim with lease "+lease.String(), err, document.ErrInvalidInput)
		_, err = s.ClaimDocument(t.Context(), d.ID, lease)
		wantErr(t, "ClaimDocument with lease "+lease.String(), err, document.ErrInvalidInput)
	}
	j := claim(t, s, longLease)
	for _, lease := range []time.Duration{0, -time.Second} {
		_, err := s.Extend(t.Context(), j, lease)
		wantErr(t, "Extend with lease "+lease.String(), err, document.ErrInvalidInput)
	}
	if got := get(t, s, "alice", d.ID); got.Attempts != 1 || got.Status != document.StatusProcessing {
		t.Errorf("after rejected leases: status %s, attempts %d; want processing, 1", got.Status, got.Attempts)
	}
}

func testCompletePageLimit(t *testing.T, s *store.Store) {
	d := newDoc("alice", "big.pdf")
	create(t, s, d)
	j := claim(t, s, longLease)
	if over := int64(store.MaxPage) + 1; over <= math.MaxInt {
		ps := []document.Page{{Number: int(over), Text: "over"}}
		wantErr(t, "Complete with page MaxPage+1", s.Complete(t.Context(), j, ps), document.ErrInvalidInput)
	}
	want := []document.Page{{Number: 1, Text: "one"}, {Number: store.MaxPage, Text: "last"}}
	if err := s.Complete(t.Context(), j, want); err != nil {
		t.Fatalf("Complete with page MaxPage: %v", err)
	}
	if got, err := s.Text(t.Context(), "alice", d.ID); err != nil || !slices.Equal(got, want) {
		t.Errorf("Text = %+v, %v; want %+v", got, err, want)
	}
}

// dirty holds what CleanText replaces: a NUL, an invalid byte and the noncharacters
// U+FDD0 to U+FDD2.
const dirty = "nul\x00byte bad\xffutf8 non\uFDD0char\uFDD1acters\uFDD2 kept\uFDD3"

func testCompleteCleansText(t *testing.T, s *store.Store) {
	docs := addDone(t, s, textDoc{"alice", "dirty.pdf", []string{dirty}})
	got, err := s.Text(t.Context(), "alice", docs["dirty.pdf"].ID)
	if err != nil || len(got) != 1 || got[0].Text != store.CleanText(dirty) {
		t.Errorf("Text = %+v, %v; want one page %q", got, err, store.CleanText(dirty))
	}
	if names := findNames(t, s, "alice", "utf8 acters"); !slices.Equal(names, []string{"dirty.pdf"}) {
		t.Errorf("Search(utf8 acters) = %v, want dirty.pdf", names)
	}
}

func testFailCleansReason(t *testing.T, s *store.Store) {
	d := newDoc("alice", "a.pdf")
	create(t, s, d)
	j := claim(t, s, longLease)
	if err := s.Fail(t.Context(), j, "retry: "+dirty, time.Now().Add(time.Hour)); err != nil {
		t.Fatalf("Fail with retry: %v", err)
	}
	if got := get(t, s, "alice", d.ID).Error; got != store.CleanText("retry: "+dirty) {
		t.Errorf("error after Fail with retry = %q, want %q", got, store.CleanText("retry: "+dirty))
	}
	e := newDoc("alice", "b.pdf")
	create(t, s, e)
	j = claim(t, s, longLease)
	if err := s.Fail(t.Context(), j, dirty, time.Time{}); err != nil {
		t.Fatalf("Fail: %v", err)
	}
	if got := get(t, s, "alice", e.ID).Error; got != store.CleanText(dirty) {
		t.Errorf("error after Fail = %q, want %q", got, store.CleanText(dirty))
	}
}

// testSearchSnippetsAlike checks that every backend cuts a hit's snippet from its page as
// store.Highlighter does.
func testSearchSnippetsAlike(t *testing.T, s *store.Store) {
	first := filler(40) + " nothing to see here " + filler(40)
	second := filler(30) + "\n\nThe  Invoice total was 420 euros,\tdue in March. " + filler(50)
	addDone(t, s, textDoc{"alice", "bill.pdf", []string{first, second}})
	for _, text := range []string{"invoice", "invo*", `"total was"`, "euros march"} {
		q := query(t, text)
		res, err := s.Search(t.Context(), "alice", q, store.SearchOptions{Limit: 10})
		if err != nil {
			t.Fatalf("Search(%s): %v", text, err)
		}
		if len(res.Hits) != 1 {
			t.Fatalf("Search(%s) = %v, want bill.pdf", text, names(res.Hits))
		}
		h := res.Hits[0]
		want := store.NewHighlighter(q, h.Document.Lang).Snippet(second)
		if h.Page != 2 || !slices.Equal(h.Snippet, want) {
			t.Errorf("Search(%s) = page %d, snippet %+v; want page 2, %+v", text, h.Page, h.Snippet, want)
		}
	}
}
