package storetest

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/docpipe/docpipe/internal/document"
	"github.com/docpipe/docpipe/internal/store"
)

func ptr(s string) *string { return &s }

// testLabels checks titles and notes: a document is titled by its name until its owner titles
// it, both are searched as soon as they change, and only by their owner.
func testLabels(t *testing.T, s *store.Store) {
	docs := addDone(t, s, textDoc{"alice", "scan-0042.png", []string{"kiwi"}})
	d := docs["scan-0042.png"]
	if d.Title != "scan-0042" || d.Notes != "" {
		t.Fatalf("new document: title %q, notes %q; want scan-0042 and none", d.Title, d.Notes)
	}
	got, err := s.Update(t.Context(), "alice", d.ID, document.Change{
		Title: ptr("  Electricity\tbill \n March "), Notes: ptr("Paid by transfer.\n\nCheck the meter reading."),
	})
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	if got.Title != "Electricity bill March" || got.Notes != "Paid by transfer.\n\nCheck the meter reading." {
		t.Errorf("Update = title %q, notes %q; want the title on one line and the notes as given", got.Title, got.Notes)
	}
	if g := get(t, s, "alice", d.ID); g.Title != got.Title || g.Notes != got.Notes || g.Name != "scan-0042.png" {
		t.Errorf("Get after Update = %q, %q, %q", g.Name, g.Title, g.Notes)
	}
	for _, q := range []string{"electricity", "name:bill", "meter", "readings", `"meter reading"`, "name:transfer", "scan"} {
		wantFound(t, s, "alice", q, []string{"scan-0042.png"})
	}
	wantFound(t, s, "bob", "electricity", nil)
	if _, err := s.Update(t.Context(), "bob", d.ID, document.Change{Title: ptr("mine")}); !errors.Is(err, document.ErrNotFound) {
		t.Errorf("Update of another owner's document: %v, want %v", err, document.ErrNotFound)
	}

	got, err = s.Update(t.Context(), "alice", d.ID, document.Change{Title: ptr("Water bill")})
	if err != nil || got.Title != "Water bill" || got.Notes == "" {
		t.Fatalf("Update(title) = %q, %q, %v; want the new title and the notes kept", got.Title, got.Notes, err)
	}
	wantFound(t, s, "alice", "electricity", nil)
	wantFound(t, s, "alice", "water", []string{"scan-0042.png"})
	if got, err = s.Update(t.Context(), "alice", d.ID, document.Change{Title: ptr(""), Notes: ptr("")}); err != nil || got.Title != "scan-0042" || got.Notes != "" {
		t.Errorf("Update(no title, no notes) = %q, %q, %v; want scan-0042 and none", got.Title, got.Notes, err)
	}
	wantFound(t, s, "alice", "water", nil)

	res, err := s.Search(t.Context(), "alice", query(t, "kiwi"), store.SearchOptions{Limit: 1})
	if err != nil || len(res.Hits) != 1 || res.Hits[0].Document.Title != "scan-0042" {
		t.Errorf("Search hit = %+v, %v; want the document with its title", res.Hits, err)
	}
}

// testLabelsQueued checks that labels given before OCR ends are searched once it does.
func testLabelsQueued(t *testing.T, s *store.Store) {
	d := newDoc("alice", "later.pdf")
	create(t, s, d)
	if _, err := s.Update(t.Context(), "alice", d.ID, document.Change{Title: ptr("Tax return"), Notes: ptr("for the accountant")}); err != nil {
		t.Fatalf("Update: %v", err)
	}
	j := claim(t, s, longLease)
	if err := s.Complete(t.Context(), j, pages("nothing of note")); err != nil {
		t.Fatalf("Complete: %v", err)
	}
	wantFound(t, s, "alice", "tax accountant", []string{"later.pdf"})
	if g := get(t, s, "alice", d.ID); g.Title != "Tax return" {
		t.Errorf("Title after Complete = %q, want Tax return", g.Title)
	}
}

// testLabelsInvalid checks that labels out of bounds change nothing.
func testLabelsInvalid(t *testing.T, s *store.Store) {
	d := newDoc("alice", "a.pdf")
	create(t, s, d)
	for name, ch := range map[string]document.Change{
		"long title": {Title: ptr(strings.Repeat("x", document.MaxTitle+1))},
		"long notes": {Notes: ptr(strings.Repeat("x ", document.MaxNotes))},
		"bad date":   {Date: ptr("2024-02-30")},
		"no date":    {Date: ptr("yesterday")},
		"short year": {Date: ptr("24-02-03")},
	} {
		_, err := s.Update(t.Context(), "alice", d.ID, ch)
		wantErr(t, "Update("+name+")", err, document.ErrInvalidInput)
	}
	if g := get(t, s, "alice", d.ID); g.Title != "a" || g.Notes != "" || g.DateSource != document.DateUpload {
		t.Errorf("after invalid updates: %+v", g)
	}
	_, err := s.Update(t.Context(), "alice", "0000000000000000000000000z", document.Change{Title: ptr("x")})
	wantErr(t, "Update(unknown id)", err, document.ErrNotFound)
}

// testDates checks a document's date: the upload day, then the first date in its text, then
// the one its owner gives, which stays through OCR until the owner takes it away.
func testDates(t *testing.T, s *store.Store) {
	d := newDoc("alice", "invoice.pdf")
	create(t, s, d)
	if d.Date != document.Day(d.CreatedAt) || d.DateSource != document.DateUpload {
		t.Errorf("Create: date %s (%s), want the upload day %s", d.Date, d.DateSource, document.Day(d.CreatedAt))
	}
	j := claim(t, s, longLease)
	if err := s.Complete(t.Context(), j, pages("Invoice 17", "Issued on 2 March 2024, due 1 April 2024.")); err != nil {
		t.Fatalf("Complete: %v", err)
	}
	wantDate(t, s, d.ID, "2024-03-02", document.DateText)

	if _, err := s.Update(t.Context(), "alice", d.ID, document.Change{Date: ptr("2023-12-31")}); err != nil {
		t.Fatalf("Update(date): %v", err)
	}
	wantDate(t, s, d.ID, "2023-12-31", document.DateUser)
	if _, err := s.Reprocess(t.Context(), "alice", d.ID); err != nil {
		t.Fatalf("Reprocess: %v", err)
	}
	j = claim(t, s, longLease)
	if err := s.Complete(t.Context(), j, pages("Reminder of 15.05.2024")); err != nil {
		t.Fatalf("Complete: %v", err)
	}
	wantDate(t, s, d.ID, "2023-12-31", document.DateUser)
	if _, err := s.Update(t.Context(), "alice", d.ID, document.Change{Date: ptr("")}); err != nil {
		t.Fatalf("Update(no date): %v", err)
	}
	wantDate(t, s, d.ID, "2024-05-15", document.DateText)

	if _, err := s.Reprocess(t.Context(), "alice", d.ID); err != nil {
		t.Fatalf("Reprocess: %v", err)
	}
	j = claim(t, s, longLease)
	if err := s.Complete(t.Context(), j, pages("no date here at all")); err != nil {
		t.Fatalf("Complete: %v", err)
	}
	wantDate(t, s, d.ID, document.Day(d.CreatedAt), document.DateUpload)
}

func wantDate(t *testing.T, s *store.Store, id, date, source string) {
	t.Helper()
	if g := get(t, s, "alice", id); g.Date != date || g.DateSource != source {
		t.Errorf("Date = %s (%s), want %s (%s)", g.Date, g.DateSource, date, source)
	}
}

// testSearchDates checks that after: and before: look at documents' dates, and the date sorts.
func testSearchDates(t *testing.T, s *store.Store) {
	docs := addDone(t, s,
		textDoc{"alice", "jan.pdf", []string{"kiwi, 15 January 2024"}},
		textDoc{"alice", "mar.pdf", []string{"kiwi of 2024-03-01"}},
		textDoc{"alice", "given.pdf", []string{"kiwi, 1 June 2020"}},
		textDoc{"alice", "none.pdf", []string{"kiwi and no date"}},
	)
	if _, err := s.Update(t.Context(), "alice", docs["given.pdf"].ID, document.Change{Date: ptr("2023-07-04")}); err != nil {
		t.Fatalf("Update: %v", err)
	}
	today := document.Day(docs["none.pdf"].CreatedAt)
	wantFound(t, s, "alice", "kiwi after:2024-01-15 before:2024-03-01", []string{"jan.pdf"})
	wantFound(t, s, "alice", "kiwi after:2024-01-16 before:2024-03-02", []string{"mar.pdf"})
	wantFound(t, s, "alice", "before:2024-01-01", []string{"given.pdf"})
	wantFound(t, s, "alice", "after:"+today, []string{"none.pdf"})
	for _, tt := range []struct {
		sort store.Sort
		want []string
	}{
		{store.SortDate, []string{"none.pdf", "mar.pdf", "jan.pdf", "given.pdf"}},
		{store.SortDateAsc, []string{"given.pdf", "jan.pdf", "mar.pdf", "none.pdf"}},
	} {
		res, err := s.Search(t.Context(), "alice", query(t, "kiwi"), store.SearchOptions{Limit: 10, Sort: tt.sort})
		if err != nil {
			t.Fatalf("Search(sort %s): %v", tt.sort, err)
		}
		if got := names(res.Hits); !slices.Equal(got, tt.want) {
			t.Errorf("Search(sort %s) = %v, want %v", tt.sort, got, tt.want)
		}
	}
}

// testDuplicates checks that an owner cannot have the same bytes twice, while another owner can.
func testDuplicates(t *testing.T, s *store.Store) {
	first := newDoc("alice", "a.pdf")
	create(t, s, first)
	again := newDoc("alice", "copy of a.pdf")
	again.SHA256 = first.SHA256
	err := s.Create(t.Context(), again)
	var dup *document.DuplicateError
	if !errors.As(err, &dup) || !errors.Is(err, document.ErrDuplicate) || dup.Existing.ID != first.ID {
		t.Fatalf("Create(same bytes) = %v, want a DuplicateError for %s", err, first.ID)
	}
	if dup.Existing.Name != "a.pdf" || dup.Existing.Owner != "alice" {
		t.Errorf("DuplicateError holds %+v", dup.Existing)
	}
	if got, err := s.Duplicate(t.Context(), "alice", first.SHA256); err != nil || got.ID != first.ID {
		t.Errorf("Duplicate = %s, %v; want %s", got.ID, err, first.ID)
	}
	if _, err := s.Duplicate(t.Context(), "bob", first.SHA256); !errors.Is(err, document.ErrNotFound) {
		t.Errorf("Duplicate(bob) = %v, want %v", err, document.ErrNotFound)
	}
	res, err := s.List(t.Context(), "alice", store.ListOptions{Limit: 10})
	if err != nil || len(res.Documents) != 1 {
		t.Errorf("List after a duplicate = %d documents, %v; want 1", len(res.Documents), err)
	}
	theirs := newDoc("bob", "a.pdf")
	theirs.SHA256 = first.SHA256
	create(t, s, theirs)

	if _, err := s.Delete(t.Context(), "alice", first.ID); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	again.ID = ""
	create(t, s, again)
	if got, err := s.Duplicate(t.Context(), "alice", first.SHA256); err != nil || got.ID != again.ID {
		t.Errorf("Duplicate after delete and upload = %s, %v; want %s", got.ID, err, again.ID)
	}
}

// testDuplicatesRace checks that of many Creates of the same bytes at once exactly one succeeds.
func testDuplicatesRace(t *testing.T, s *store.Store) {
	const n = 6
	sum := newDoc("alice", "x").SHA256
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		created int
		errs    []error
	)
	for i := range n {
		wg.Go(func() {
			d := newDoc("alice", "copy"+strings.Repeat("+", i)+".pdf")
			d.SHA256 = sum
			err := s.Create(t.Context(), d)
			mu.Lock()
			defer mu.Unlock()
			if err == nil {
				created++
			} else if !errors.Is(err, document.ErrDuplicate) && !errors.Is(err, document.ErrConflict) {
				errs = append(errs, err)
			}
		})
	}
	wg.Wait()
	if created != 1 || len(errs) > 0 {
		t.Errorf("%d concurrent Creates of the same bytes: %d created, unexpected errors %v; want 1", n, created, errs)
	}
}

// testListByDate checks the list by document date, latest first, page by page, and its filters.
func testListByDate(t *testing.T, s *store.Store) {
	var ids []string
	for i, date := range []string{"2024-03-01", "2023-01-15", "2024-03-01", "2025-07-04", ""} {
		d := newDoc("alice", fmt.Sprintf("d%d.pdf", i))
		create(t, s, d)
		if date != "" {
			if _, err := s.Update(t.Context(), "alice", d.ID, document.Change{Date: ptr(date)}); err != nil {
				t.Fatal(err)
			}
		}
		ids = append(ids, d.ID)
	}
	create(t, s, newDoc("bob", "bobs.pdf"))
	var got []string
	cursor := ""
	for range 5 {
		res, err := s.List(t.Context(), "alice", store.ListOptions{ByDate: true, Limit: 2, Cursor: cursor})
		if err != nil {
			t.Fatalf("List(by date): %v", err)
		}
		for _, d := range res.Documents {
			got = append(got, d.Name)
		}
		if cursor = res.Next; cursor == "" {
			break
		}
	}
	// d4 is dated today, its upload day; d2 and d0 share a date, newest upload first.
	if want := []string{"d4.pdf", "d3.pdf", "d2.pdf", "d0.pdf", "d1.pdf"}; !slices.Equal(got, want) {
		t.Errorf("List(by date) = %v, want %v", got, want)
	}
	res, err := s.List(t.Context(), "alice", store.ListOptions{After: "2024-01-01", Before: "2025-01-01", Limit: 10})
	if err != nil {
		t.Fatalf("List(2024): %v", err)
	}
	var names []string
	for _, d := range res.Documents {
		names = append(names, d.Name)
	}
	if want := []string{"d2.pdf", "d0.pdf"}; !slices.Equal(names, want) {
		t.Errorf("List(dated 2024) = %v, want %v", names, want)
	}
	for name, opt := range map[string]store.ListOptions{
		"bad day":                 {After: "2024-02-30", Limit: 10},
		"cursor of another order": {ByDate: true, Cursor: store.Cursor{Created: time.Now(), ID: ids[0]}.Encode(), Limit: 10},
	} {
		if _, err := s.List(t.Context(), "alice", opt); !errors.Is(err, document.ErrInvalidInput) {
			t.Errorf("List(%s) = %v, want %v", name, err, document.ErrInvalidInput)
		}
	}
}
