// Package storetest is the conformance suite for store.Store: a backend is done when Run passes
// on it.
//
// Besides the doc comments on store.Store, the suite fixes these details for every backend:
//   - Create fills in the document: an ID from document.NewID when empty (a given ID must be
//     valid), status queued, no error, pages or attempts, CreatedAt set to now unless given and
//     UpdatedAt equal to it. Times are kept to the microsecond, in UTC. The owner is required;
//     a duplicate ID is document.ErrConflict.
//   - Text of a document that is not done is document.ErrConflict.
//   - Search sees done documents only. A document matches when every positive clause matches
//     somewhere in it and no excluded clause does; Hit.Page is the page of its best match. A
//     backend may bound the matches it ranks and counts (SearchResult.Capped), but not below a
//     hundred.
//   - Options out of their documented range, a lease that is not positive and pages with
//     numbers that are not unique and within 1..store.MaxPage are document.ErrInvalidInput.
//   - Page text and failure reasons are stored as store.CleanText makes them, and a hit's
//     snippet is cut from its page by store.Highlighter.
//   - Claim hands out a ready job of the owner who holds the fewest live leases, of those
//     owners the one whose last claim (Claim or ClaimDocument) is oldest, an owner never
//     served first, and of that owner's ready jobs the one that has been ready longest. A
//     lease that ran out and a job waiting to be retried do not count as held.
//   - A lease is held until another Claim (or ClaimDocument) takes the job over: the token
//     fences a worker out.
package storetest

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/docpipe/docpipe/internal/document"
	"github.com/docpipe/docpipe/internal/search"
	"github.com/docpipe/docpipe/internal/store"
)

// Run runs the suite. open must return a new, empty store (store.New of the backend under test)
// each time it is called, running on clock if the backend keeps time in the process (see
// Clock); Run closes it when the subtest ends. On a backend that does not, subtests sleep for
// tens to hundreds of milliseconds to let leases and retries come due.
func Run(t *testing.T, open func(t *testing.T, clock *Clock) *store.Store) {
	tests := []struct {
		name string
		fn   func(*testing.T, *store.Store)
	}{
		{"Create", testCreate},
		{"CreateInvalid", testCreateInvalid},
		{"List", testList},
		{"ListStatus", testListStatus},
		{"ListInvalid", testListInvalid},
		{"Text", testText},
		{"Page", testPage},
		{"Delete", testDelete},
		{"DeleteQueuedAndProcessing", testDeleteQueuedAndProcessing},
		{"Reprocess", testReprocess},
		{"ReprocessFailed", testReprocessFailed},
		{"Ownership", testOwnership},
		{"OwnershipUnforgeable", testOwnershipUnforgeable},
		{"SearchRanking", testSearchRanking},
		{"SearchBestPage", testSearchBestPage},
		{"SearchSyntax", testSearchSyntax},
		{"SearchDocumentLevel", testSearchDocumentLevel},
		{"SearchStems", testSearchStems},
		{"SearchNames", testSearchNames},
		{"SearchOperators", testSearchOperators},
		{"SearchSort", testSearchSort},
		{"SearchSuggest", testSearchSuggest},
		{"SearchSnippets", testSearchSnippets},
		{"SearchPaging", testSearchPaging},
		{"SearchLiteral", testSearchLiteral},
		{"SearchRawWords", testSearchRawWords},
		{"SearchInvalid", testSearchInvalid},
		{"ClaimEmpty", testClaimEmpty},
		{"Claim", testClaim},
		{"Extend", testExtend},
		{"CompleteInvalidPages", testCompleteInvalidPages},
		{"FailFinal", testFailFinal},
		{"ConcurrentClaims", testConcurrentClaims},
		{"ClaimDocument", testClaimDocument},
		{"ClaimDocumentConcurrent", testClaimDocumentConcurrent},
		{"Limits", testLimits},
		{"LeaseInvalid", testLeaseInvalid},
		{"CompletePageLimit", testCompletePageLimit},
		{"CompleteCleansText", testCompleteCleansText},
		{"FailCleansReason", testFailCleansReason},
		{"SearchSnippetsAlike", testSearchSnippetsAlike},
		{"Labels", testLabels},
		{"LabelsQueued", testLabelsQueued},
		{"LabelsInvalid", testLabelsInvalid},
		{"Dates", testDates},
		{"SearchDates", testSearchDates},
		{"ListByDate", testListByDate},
		{"Duplicates", testDuplicates},
		{"DuplicatesRace", testDuplicatesRace},
		{"Tags", testTags},
		{"TagsOwnership", testTagsOwnership},
		{"FilterTags", testFilterTags},
		{"Rules", testRules},
		{"RulesInvalid", testRulesInvalid},
	}
	// These wait for leases and retries to come due, on the clock they are given.
	timed := []struct {
		name string
		fn   func(*testing.T, *store.Store, *Clock)
	}{
		{"ClaimOrder", testClaimOrder},
		{"ClaimFairAcrossOwners", testClaimFairAcrossOwners},
		{"ClaimFairLiveLeasesOnly", testClaimFairLiveLeasesOnly},
		{"ClaimFairOneEngine", testClaimFairOneEngine},
		{"LeaseExpiry", testLeaseExpiry},
		{"FailRetry", testFailRetry},
		{"ClaimDocumentDone", testClaimDocumentDone},
		{"Stats", testStats},
		{"Complete", testComplete},
	}
	start := func(t *testing.T) (*store.Store, *Clock) {
		c := new(Clock)
		s := open(t, c)
		t.Cleanup(func() {
			if err := s.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
		return s, c
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := start(t)
			tt.fn(t, s)
		})
	}
	for _, tt := range timed {
		t.Run(tt.name, func(t *testing.T) {
			s, c := start(t)
			tt.fn(t, s, c)
		})
	}
}

const longLease = time.Minute

func newDoc(owner, name string) *document.Document {
	return &document.Document{
		Owner:       owner,
		Name:        name,
		ContentType: "application/pdf",
		Size:        int64(1000 + len(name)),
		SHA256:      uniqueSum(),
		BlobKey:     "originals/" + name,
	}
}

// uniqueSum returns a SHA-256 sum, in hex, that no other call returns.
func uniqueSum() string {
	sum := sha256.Sum256([]byte(rand.Text()))
	return hex.EncodeToString(sum[:])
}

func create(t *testing.T, s *store.Store, d *document.Document) {
	t.Helper()
	if err := s.Create(t.Context(), d); err != nil {
		t.Fatalf("Create(%s): %v", d.Name, err)
	}
}

func get(t *testing.T, s *store.Store, owner, id string) document.Document {
	t.Helper()
	d, err := s.Get(t.Context(), owner, id)
	if err != nil {
		t.Fatalf("Get(%s, %s): %v", owner, id, err)
	}
	return d
}

func claim(t *testing.T, s *store.Store, lease time.Duration) document.Job {
	t.Helper()
	j, err := s.Claim(t.Context(), lease)
	if err != nil {
		t.Fatalf("Claim: %v", err)
	}
	return j
}

// claimWithin polls Claim until it returns a job or timeout passes on clock.
func claimWithin(t *testing.T, s *store.Store, clock *Clock, lease, timeout time.Duration) document.Job {
	t.Helper()
	deadline := clock.Now().Add(timeout)
	for {
		j, err := s.Claim(t.Context(), lease)
		if err == nil {
			return j
		}
		if !errors.Is(err, document.ErrNoJob) {
			t.Fatalf("Claim: %v", err)
		}
		if clock.Now().After(deadline) {
			t.Fatalf("Claim: no job within %v", timeout)
		}
		clock.Advance(5 * time.Millisecond)
	}
}

func wantNoJob(t *testing.T, s *store.Store) {
	t.Helper()
	j, err := s.Claim(t.Context(), longLease)
	if !errors.Is(err, document.ErrNoJob) {
		t.Fatalf("Claim = job for %s, %v; want %v", j.DocumentID, err, document.ErrNoJob)
	}
}

func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Errorf("%s: error = %v, want %v", what, err, want)
	}
}

func pages(texts ...string) []document.Page {
	ps := make([]document.Page, len(texts))
	for i, text := range texts {
		ps[i] = document.Page{Number: i + 1, Text: text, Confidence: 90, Source: document.SourceOCR}
	}
	return ps
}

// textDoc is a document to take through the queue to done with the given page texts.
type textDoc struct {
	owner, name string
	pages       []string
}

// addDone creates the documents and processes them to done. No other job may be pending.
// It returns the documents by name.
func addDone(t *testing.T, s *store.Store, docs ...textDoc) map[string]document.Document {
	t.Helper()
	return addDoneIn(t, s, "", docs...)
}

// addDoneIn is addDone for documents in the OCR languages lang.
func addDoneIn(t *testing.T, s *store.Store, lang string, docs ...textDoc) map[string]document.Document {
	t.Helper()
	byID := make(map[string]textDoc)
	for _, td := range docs {
		d := newDoc(td.owner, td.name)
		d.Lang = lang
		switch path.Ext(td.name) {
		case ".png":
			d.ContentType = "image/png"
		case ".jpg":
			d.ContentType = "image/jpeg"
		case ".tif":
			d.ContentType = "image/tiff"
		}
		create(t, s, d)
		byID[d.ID] = td
	}
	for range docs {
		j := claim(t, s, longLease)
		td, ok := byID[j.DocumentID]
		if !ok {
			t.Fatalf("Claim returned a job for unknown document %s", j.DocumentID)
		}
		if err := s.Complete(t.Context(), j, pages(td.pages...)); err != nil {
			t.Fatalf("Complete(%s): %v", td.name, err)
		}
	}
	wantNoJob(t, s)
	out := make(map[string]document.Document)
	for id, td := range byID {
		out[td.name] = get(t, s, td.owner, id)
	}
	return out
}

// diffDoc describes how got differs from want, or returns "" when they are the same.
func diffDoc(got, want document.Document) string {
	var diffs []string
	add := func(field string, g, w any) {
		diffs = append(diffs, fmt.Sprintf("%s = %v, want %v", field, g, w))
	}
	if got.ID != want.ID {
		add("ID", got.ID, want.ID)
	}
	if got.Owner != want.Owner {
		add("Owner", got.Owner, want.Owner)
	}
	if got.Name != want.Name {
		add("Name", got.Name, want.Name)
	}
	if got.ContentType != want.ContentType {
		add("ContentType", got.ContentType, want.ContentType)
	}
	if got.Size != want.Size {
		add("Size", got.Size, want.Size)
	}
	if got.Lang != want.Lang {
		add("Lang", got.Lang, want.Lang)
	}
	if got.SHA256 != want.SHA256 {
		add("SHA256", got.SHA256, want.SHA256)
	}
	if got.BlobKey != want.BlobKey {
		add("BlobKey", got.BlobKey, want.BlobKey)
	}
	if got.Status != want.Status {
		add("Status", got.Status, want.Status)
	}
	if got.Error != want.Error {
		add("Error", got.Error, want.Error)
	}
	if got.Pages != want.Pages {
		add("Pages", got.Pages, want.Pages)
	}
	if got.Attempts != want.Attempts {
		add("Attempts", got.Attempts, want.Attempts)
	}
	if got.Title != want.Title || got.Notes != want.Notes {
		add("Title and Notes", got.Title+" / "+got.Notes, want.Title+" / "+want.Notes)
	}
	if !slices.Equal(got.Tags, want.Tags) {
		add("Tags", got.Tags, want.Tags)
	}
	if got.Date != want.Date || got.DateSource != want.DateSource {
		add("Date", got.Date+" "+got.DateSource, want.Date+" "+want.DateSource)
	}
	if !got.CreatedAt.Equal(want.CreatedAt) {
		add("CreatedAt", got.CreatedAt, want.CreatedAt)
	}
	if !got.UpdatedAt.Equal(want.UpdatedAt) {
		add("UpdatedAt", got.UpdatedAt, want.UpdatedAt)
	}
	return strings.Join(diffs, "; ")
}

// find runs a search box query for owner and returns the hits.
func find(t *testing.T, s *store.Store, owner, query string) store.SearchResult {
	t.Helper()
	q, err := search.Parse(query)
	if err != nil {
		t.Fatalf("Parse(%q): %v", query, err)
	}
	res, err := s.Search(t.Context(), owner, q, store.SearchOptions{Limit: 100})
	if err != nil {
		t.Fatalf("Search(%q): %v", query, err)
	}
	return res
}

// findNames runs a search box query for owner and returns the names of the hits, best first.
func findNames(t *testing.T, s *store.Store, owner, query string) []string {
	t.Helper()
	return names(find(t, s, owner, query).Hits)
}

func names(hits []store.Hit) []string {
	var ns []string
	for _, h := range hits {
		ns = append(ns, h.Document.Name)
	}
	return ns
}
