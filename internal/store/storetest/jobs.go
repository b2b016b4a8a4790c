package storetest

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/docpipe/docpipe/internal/document"
	"github.com/docpipe/docpipe/internal/store"
)

func testClaimEmpty(t *testing.T, s *store.Store) {
	wantNoJob(t, s)
	_, err := s.Claim(t.Context(), 0)
	wantErr(t, "Claim with a zero lease", err, document.ErrInvalidInput)
}

func testClaim(t *testing.T, s *store.Store) {
	d := newDoc("alice", "scan.tiff")
	d.ContentType, d.Lang = "image/tiff", "deu+chi_sim"
	create(t, s, d)
	before := time.Now()
	j := claim(t, s, longLease)
	if j.ID == "" || j.Token == "" {
		t.Errorf("Claim = %+v, want an ID and a token", j)
	}
	if j.DocumentID != d.ID || j.Owner != "alice" || j.BlobKey != d.BlobKey || j.MediaType != "image/tiff" || j.Lang != d.Lang || j.Attempt != 1 {
		t.Errorf("Claim = %+v, want document %s of alice, blob %s, image/tiff, deu+chi_sim, attempt 1", j, d.ID, d.BlobKey)
	}
	if j.LeaseUntil.Before(before.Add(longLease-time.Second)) || j.LeaseUntil.After(time.Now().Add(longLease)) {
		t.Errorf("LeaseUntil = %v, want about a minute from now", j.LeaseUntil)
	}
	if j.EnqueuedAt.Before(d.CreatedAt.Add(-time.Second)) || j.EnqueuedAt.After(before) {
		t.Errorf("EnqueuedAt = %v, want about %v", j.EnqueuedAt, d.CreatedAt)
	}
	got := get(t, s, "alice", d.ID)
	if got.Status != document.StatusProcessing || got.Attempts != 1 || got.UpdatedAt.Before(d.UpdatedAt) {
		t.Errorf("after Claim: status %s, attempts %d, updated %v; want processing, 1, not before %v",
			got.Status, got.Attempts, got.UpdatedAt, d.UpdatedAt)
	}
	wantNoJob(t, s)
}

func testClaimOrder(t *testing.T, s *store.Store, clock *Clock) {
	var want []string
	for _, name := range []string{"first", "second", "third"} {
		d := newDoc("alice", name)
		create(t, s, d)
		want = append(want, d.ID)
		clock.Advance(2 * time.Millisecond)
	}
	var got []string
	for range want {
		got = append(got, claim(t, s, longLease).DocumentID)
	}
	if !slices.Equal(got, want) {
		t.Errorf("Claim order = %v, want %v", got, want)
	}
}

// queue creates documents of owner named prefix1, prefix2, ... in order, each ready after the
// one before, and records their names by ID in names.
func queue(t *testing.T, s *store.Store, clock *Clock, names map[string]string, owner, prefix string, n int) []string {
	t.Helper()
	var ids []string
	for i := range n {
		d := newDoc(owner, fmt.Sprintf("%s%d", prefix, i+1))
		create(t, s, d)
		names[d.ID] = d.Name
		ids = append(ids, d.ID)
		clock.Advance(time.Millisecond)
	}
	return ids
}

// claimNames claims n jobs and returns the names of their documents.
func claimNames(t *testing.T, s *store.Store, names map[string]string, lease time.Duration, n int) []string {
	t.Helper()
	var got []string
	for range n {
		got = append(got, names[claim(t, s, lease).DocumentID])
	}
	return got
}

// testClaimFairAcrossOwners checks that an owner's batch does not hold up another owner's
// later documents: each claim goes to the owner with the fewest live leases, ties to the owner
// served least recently, then to the job ready longest.
func testClaimFairAcrossOwners(t *testing.T, s *store.Store, clock *Clock) {
	names := make(map[string]string)
	queue(t, s, clock, names, "alice", "a", 50)
	if got := claimNames(t, s, names, longLease, 1); !slices.Equal(got, []string{"a1"}) {
		t.Fatalf("first Claim = %v, want [a1], the oldest job", got)
	}
	queue(t, s, clock, names, "bob", "b", 3)

	// Leases held before each claim (alice-bob): 1-0, 1-1, 2-1, 2-2, 3-2, 3-3, 4-3; bob has
	// nothing ready for the last. At each tie bob was served last, so alice goes: the order
	// is the one the lease counts and due times alone would give.
	want := []string{"b1", "a2", "b2", "a3", "b3", "a4", "a5"}
	if got := claimNames(t, s, names, longLease, len(want)); !slices.Equal(got, want) {
		t.Errorf("Claim order with alice's 50 queued before bob's 3 = %v, want %v", got, want)
	}
	if st, err := s.Stats(t.Context()); err != nil || st.Processing != 8 || st.Queued != 45 {
		t.Errorf("Stats = %+v, %v; want 8 processing, 45 queued", st, err)
	}
}

// testClaimFairLiveLeasesOnly checks that a lease that ran out and a job waiting to be retried
// do not count as leases their owner holds.
func testClaimFairLiveLeasesOnly(t *testing.T, s *store.Store, clock *Clock) {
	names := make(map[string]string)
	b1 := queue(t, s, clock, names, "bob", "b", 1)[0]
	a2 := queue(t, s, clock, names, "alice", "a", 2)[1]
	queue(t, s, clock, names, "bob", "bb", 1)
	queue(t, s, clock, names, "alice", "aa", 1)

	if j := claim(t, s, longLease); j.DocumentID != b1 {
		t.Fatalf("first Claim = %s, want b1, the oldest job", names[j.DocumentID])
	}
	const lease = 500 * time.Millisecond
	expiring := claim(t, s, lease)
	if names[expiring.DocumentID] != "a1" {
		t.Fatalf("second Claim = %s, want a1: alice holds no lease, bob one", names[expiring.DocumentID])
	}
	// a2 is taken by its ID: a third Claim, with one lease each, would go to bob, served
	// before alice.
	retried, err := s.ClaimDocument(t.Context(), a2, longLease)
	if err != nil {
		t.Fatalf("ClaimDocument(a2): %v", err)
	}
	if err := s.Fail(t.Context(), retried, "later", time.Now().Add(time.Hour)); err != nil {
		t.Fatalf("Fail: %v", err)
	}
	clock.Advance(expiring.LeaseUntil.Sub(clock.Now()) + 50*time.Millisecond)

	// Bob holds b1's lease; alice holds none, a1's having run out and a2 waiting (were either
	// counted, alice would hold as many as bob and bob, served before her, would go first). So
	// alice's aa1 comes before bob's older bb1; then bb1, the two holding a lease each and bob
	// served longer ago; then a1.
	want := []string{"aa1", "bb1", "a1"}
	if got := claimNames(t, s, names, longLease, len(want)); !slices.Equal(got, want) {
		t.Errorf("Claim order = %v, want %v", got, want)
	}
	wantNoJob(t, s)
}

// testClaimFairOneEngine checks that owners take turns when nobody holds a lease at a claim, as
// with a single OCR engine that finishes each job before it claims the next: of the owners
// with ready jobs, the one whose last claim (Claim or ClaimDocument) is oldest goes first, an
// owner never served before anyone.
func testClaimFairOneEngine(t *testing.T, s *store.Store, clock *Clock) {
	names := make(map[string]string)
	queue(t, s, clock, names, "alice", "a", 50)
	// finish ends a claimed job, done or (every other one) failed for good, so that no lease
	// is held at the next claim; next claims and finishes n jobs in turn.
	ended := 0
	finish := func(j document.Job) string {
		t.Helper()
		var err error
		if ended++; ended%2 == 0 {
			err = s.Fail(t.Context(), j, "unreadable", time.Time{})
		} else {
			err = s.Complete(t.Context(), j, pages("text of "+names[j.DocumentID]))
		}
		if err != nil {
			t.Fatalf("ending the job of %s: %v", names[j.DocumentID], err)
		}
		return names[j.DocumentID]
	}
	next := func(n int) []string {
		t.Helper()
		var got []string
		for range n {
			got = append(got, finish(claim(t, s, longLease)))
		}
		return got
	}

	if got := next(1); !slices.Equal(got, []string{"a1"}) {
		t.Fatalf("first Claim = %v, want [a1], the oldest job", got)
	}
	queue(t, s, clock, names, "bob", "b", 1)
	if got := next(1); !slices.Equal(got, []string{"b1"}) {
		t.Fatalf("Claim after a1 ended = %v, want [b1]: bob was never served, alice just was", got)
	}
	if st, err := s.Stats(t.Context()); err != nil || st.Processing != 0 || st.Queued != 49 {
		t.Errorf("Stats after b1 ended = %+v, %v; want 49 queued (alice's), none processing", st, err)
	}

	queue(t, s, clock, names, "bob", "bb", 3)
	want := []string{"a2", "bb1", "a3", "bb2", "a4", "bb3", "a5", "a6"}
	if got := next(len(want)); !slices.Equal(got, want) {
		t.Errorf("Claim order with both owners queued = %v, want them alternating, %v", got, want)
	}

	// A claim by ID serves its owner too: bob, whose c1 would come next, takes c2 by its ID,
	// so alice goes first again.
	c2 := queue(t, s, clock, names, "bob", "c", 2)[1]
	j, err := s.ClaimDocument(t.Context(), c2, longLease)
	if err != nil {
		t.Fatalf("ClaimDocument(c2): %v", err)
	}
	finish(j)
	want = []string{"a7", "c1", "a8"}
	if got := next(len(want)); !slices.Equal(got, want) {
		t.Errorf("Claim order after ClaimDocument(c2) = %v, want %v", got, want)
	}

	// Every owner's last claim counts, not only the latest one's: with carol served last, then
	// alice, then bob, bob's document goes first though queued after all of the others'.
	queue(t, s, clock, names, "carol", "d", 1)
	if got := next(1); !slices.Equal(got, []string{"d1"}) {
		t.Fatalf("Claim with carol's first document queued = %v, want [d1]: carol was never served", got)
	}
	queue(t, s, clock, names, "carol", "dd", 1)
	queue(t, s, clock, names, "bob", "e", 1)
	want = []string{"e1", "a9", "dd1"}
	if got := next(len(want)); !slices.Equal(got, want) {
		t.Errorf("Claim order with three owners = %v, want %v", got, want)
	}
}

func testLeaseExpiry(t *testing.T, s *store.Store, clock *Clock) {
	d := newDoc("alice", "slow.pdf")
	create(t, s, d)
	const lease = 250 * time.Millisecond
	stale := claim(t, s, lease)
	wantNoJob(t, s)
	fresh := claimWithin(t, s, clock, longLease, 5*time.Second)
	if clock.Now().Before(stale.LeaseUntil) {
		t.Errorf("job reclaimed before its lease ran out at %v", stale.LeaseUntil)
	}
	if fresh.ID != stale.ID || fresh.DocumentID != d.ID || fresh.Attempt != 2 || fresh.Token == stale.Token {
		t.Errorf("reclaimed job = %+v, want job %s again, attempt 2, a new token", fresh, stale.ID)
	}

	before := get(t, s, "alice", d.ID)
	if before.Status != document.StatusProcessing || before.Attempts != 2 {
		t.Errorf("after reclaim: status %s, attempts %d; want processing, 2", before.Status, before.Attempts)
	}
	_, err := s.Extend(t.Context(), stale, longLease)
	wantErr(t, "Extend by the stale holder", err, document.ErrLeaseLost)
	wantErr(t, "Complete by the stale holder", s.Complete(t.Context(), stale, pages("stale text")), document.ErrLeaseLost)
	wantErr(t, "Fail by the stale holder", s.Fail(t.Context(), stale, "stale failure", time.Time{}), document.ErrLeaseLost)
	wantErr(t, "Fail with retry by the stale holder", s.Fail(t.Context(), stale, "stale failure", clock.Now()), document.ErrLeaseLost)
	if diff := diffDoc(get(t, s, "alice", d.ID), before); diff != "" {
		t.Errorf("the stale holder changed the document: %s", diff)
	}
	if _, err := s.Text(t.Context(), "alice", d.ID); !errors.Is(err, document.ErrConflict) {
		t.Errorf("Text after a stale Complete: %v, want %v", err, document.ErrConflict)
	}
	if st, err := s.Stats(t.Context()); err != nil || st.Processing != 1 || st.Queued != 0 {
		t.Errorf("Stats = %+v, %v; want one job processing", st, err)
	}

	if err := s.Complete(t.Context(), fresh, pages("fresh text")); err != nil {
		t.Fatalf("Complete by the new holder: %v", err)
	}
	text, err := s.Text(t.Context(), "alice", d.ID)
	if err != nil || len(text) != 1 || text[0].Text != "fresh text" {
		t.Errorf("Text = %+v, %v; want the new holder's page", text, err)
	}
}

func testExtend(t *testing.T, s *store.Store) {
	create(t, s, newDoc("alice", "long.pdf"))
	j := claim(t, s, time.Minute)
	j2, err := s.Extend(t.Context(), j, time.Hour)
	if err != nil {
		t.Fatalf("Extend: %v", err)
	}
	if j2.ID != j.ID || j2.Token != j.Token || j2.Attempt != j.Attempt {
		t.Errorf("Extend = %+v, want the same job and token as %+v", j2, j)
	}
	if !j2.LeaseUntil.After(j.LeaseUntil.Add(50 * time.Minute)) {
		t.Errorf("Extend moved the lease from %v to %v, want about an hour from now", j.LeaseUntil, j2.LeaseUntil)
	}
	_, err = s.Extend(t.Context(), j2, 0)
	wantErr(t, "Extend with a zero lease", err, document.ErrInvalidInput)
	forged := j2
	forged.Token = "forged"
	_, err = s.Extend(t.Context(), forged, time.Hour)
	wantErr(t, "Extend with a wrong token", err, document.ErrLeaseLost)
	wantErr(t, "Complete with a wrong token", s.Complete(t.Context(), forged, nil), document.ErrLeaseLost)
	wantErr(t, "Fail with a wrong token", s.Fail(t.Context(), forged, "x", time.Time{}), document.ErrLeaseLost)

	if err := s.Complete(t.Context(), j2, nil); err != nil {
		t.Fatalf("Complete: %v", err)
	}
	_, err = s.Extend(t.Context(), j2, time.Hour)
	wantErr(t, "Extend after Complete", err, document.ErrLeaseLost)
	wantErr(t, "Complete twice", s.Complete(t.Context(), j2, nil), document.ErrLeaseLost)
}

func testComplete(t *testing.T, s *store.Store, clock *Clock) {
	d := newDoc("alice", "done.pdf")
	create(t, s, d)
	j := claim(t, s, longLease)
	if err := s.Fail(t.Context(), j, "engine crashed", clock.Now()); err != nil {
		t.Fatalf("Fail: %v", err)
	}
	j = claimWithin(t, s, clock, longLease, 5*time.Second)
	claimed := get(t, s, "alice", d.ID)
	if err := s.Complete(t.Context(), j, pages("capybara one", "capybara two")); err != nil {
		t.Fatalf("Complete: %v", err)
	}
	got := get(t, s, "alice", d.ID)
	if got.Status != document.StatusDone || got.Pages != 2 || got.Error != "" || got.Attempts != 2 || got.UpdatedAt.Before(claimed.UpdatedAt) {
		t.Errorf("after Complete: %+v; want done, 2 pages, no error, 2 attempts, updated", got)
	}
	if got := findNames(t, s, "alice", "capybara"); !slices.Equal(got, []string{"done.pdf"}) {
		t.Errorf("Search after Complete = %v, want [done.pdf]", got)
	}
	wantNoJob(t, s)
	if st, err := s.Stats(t.Context()); err != nil || st != (store.Stats{}) {
		t.Errorf("Stats after Complete = %+v, %v; want an empty queue", st, err)
	}

	empty := newDoc("alice", "blank.pdf")
	create(t, s, empty)
	if err := s.Complete(t.Context(), claim(t, s, longLease), nil); err != nil {
		t.Fatalf("Complete without pages: %v", err)
	}
	text, err := s.Text(t.Context(), "alice", empty.ID)
	if err != nil || len(text) != 0 {
		t.Errorf("Text of a document without pages = %+v, %v; want none", text, err)
	}
	if got := get(t, s, "alice", empty.ID); got.Status != document.StatusDone || got.Pages != 0 {
		t.Errorf("after Complete without pages: status %s, pages %d; want done, 0", got.Status, got.Pages)
	}
}

func testCompleteInvalidPages(t *testing.T, s *store.Store) {
	d := newDoc("alice", "odd.pdf")
	create(t, s, d)
	j := claim(t, s, longLease)
	for name, ps := range map[string][]document.Page{
		"page zero":       {{Number: 0, Text: "zero"}},
		"negative page":   {{Number: -1, Text: "minus"}},
		"duplicate pages": {{Number: 1, Text: "one"}, {Number: 1, Text: "again"}},
		"word off the page": {{Number: 1, Text: "off", Layout: &document.Layout{Width: 100, Height: 100, Lines: []document.Line{
			{Box: document.Box{0, 0, 200, 10}, Words: []document.Word{{Text: "off", Box: document.Box{0, 0, 200, 10}}}}}}}},
	} {
		wantErr(t, "Complete with "+name, s.Complete(t.Context(), j, ps), document.ErrInvalidInput)
	}
	if got := get(t, s, "alice", d.ID); got.Status != document.StatusProcessing {
		t.Errorf("after rejected Complete: status %s, want processing", got.Status)
	}
	if err := s.Complete(t.Context(), j, pages("fine")); err != nil {
		t.Errorf("Complete after rejected pages: %v", err)
	}
}

func testFailRetry(t *testing.T, s *store.Store, clock *Clock) {
	d := newDoc("alice", "flaky.pdf")
	create(t, s, d)
	j := claim(t, s, longLease)
	retryAt := clock.Now().Add(250 * time.Millisecond)
	if err := s.Fail(t.Context(), j, "engine timeout", retryAt); err != nil {
		t.Fatalf("Fail: %v", err)
	}
	got := get(t, s, "alice", d.ID)
	if got.Status != document.StatusQueued || got.Error != "engine timeout" || got.Attempts != 1 {
		t.Errorf("after Fail with retry: status %s, error %q, attempts %d; want queued, engine timeout, 1",
			got.Status, got.Error, got.Attempts)
	}
	wantErr(t, "Complete after Fail", s.Complete(t.Context(), j, pages("x")), document.ErrLeaseLost)
	if st, err := s.Stats(t.Context()); err != nil || st.Queued != 1 || st.Processing != 0 {
		t.Errorf("Stats while waiting to retry = %+v, %v; want one queued", st, err)
	}
	wantNoJob(t, s)

	j2 := claimWithin(t, s, clock, longLease, 5*time.Second)
	if clock.Now().Before(retryAt) {
		t.Errorf("job claimed before its retry time %v", retryAt)
	}
	if j2.ID != j.ID || j2.DocumentID != d.ID || j2.Attempt != 2 || j2.Token == j.Token {
		t.Errorf("retried job = %+v, want job %s again, attempt 2, a new token", j2, j.ID)
	}
	if got := get(t, s, "alice", d.ID); got.Status != document.StatusProcessing || got.Attempts != 2 {
		t.Errorf("after retry Claim: status %s, attempts %d; want processing, 2", got.Status, got.Attempts)
	}
}

func testFailFinal(t *testing.T, s *store.Store) {
	d := newDoc("alice", "bad.pdf")
	create(t, s, d)
	j := claim(t, s, longLease)
	if err := s.Fail(t.Context(), j, "not a PDF", time.Time{}); err != nil {
		t.Fatalf("Fail: %v", err)
	}
	got := get(t, s, "alice", d.ID)
	if got.Status != document.StatusFailed || got.Error != "not a PDF" || got.Attempts != 1 {
		t.Errorf("after Fail: status %s, error %q, attempts %d; want failed, not a PDF, 1", got.Status, got.Error, got.Attempts)
	}
	wantNoJob(t, s)
	if st, err := s.Stats(t.Context()); err != nil || st != (store.Stats{}) {
		t.Errorf("Stats after Fail = %+v, %v; want an empty queue", st, err)
	}
	wantErr(t, "Fail twice", s.Fail(t.Context(), j, "again", time.Time{}), document.ErrLeaseLost)
	_, err := s.Text(t.Context(), "alice", d.ID)
	wantErr(t, "Text of a failed document", err, document.ErrConflict)
}

func testConcurrentClaims(t *testing.T, s *store.Store) {
	const jobs, workers = 100, 8
	var want []string
	for i := range jobs {
		d := newDoc("alice", "doc"+string(rune('a'+i%26))+string(rune('a'+i/26)))
		create(t, s, d)
		want = append(want, d.ID)
	}
	var (
		mu  sync.Mutex
		got []string
		wg  sync.WaitGroup
	)
	for range workers {
		wg.Go(func() {
			for {
				j, err := s.Claim(t.Context(), longLease)
				if errors.Is(err, document.ErrNoJob) {
					return
				}
				if err != nil {
					t.Errorf("Claim: %v", err)
					return
				}
				mu.Lock()
				got = append(got, j.DocumentID)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(got) != jobs || !sameSet(got, want) {
		slices.Sort(got)
		t.Errorf("claimed %d jobs, want each of %d once; got %v", len(got), jobs, got)
	}
	if st, err := s.Stats(t.Context()); err != nil || st.Processing != jobs || st.Queued != 0 {
		t.Errorf("Stats = %+v, %v; want %d processing", st, err, jobs)
	}
}

func testStats(t *testing.T, s *store.Store, clock *Clock) {
	if st, err := s.Stats(t.Context()); err != nil || st != (store.Stats{}) {
		t.Errorf("Stats of an empty store = %+v, %v; want zero", st, err)
	}
	if err := s.Ping(t.Context()); err != nil {
		t.Errorf("Ping: %v", err)
	}
	for _, name := range []string{"a", "b", "c"} {
		create(t, s, newDoc("alice", name))
	}
	const wait = 30 * time.Millisecond
	clock.Advance(wait)
	st, err := s.Stats(t.Context())
	if err != nil || st.Queued != 3 || st.Processing != 0 || st.OldestAge < wait || st.OldestAge > time.Minute {
		t.Errorf("Stats = %+v, %v; want 3 queued, oldest at least %v", st, err, wait)
	}
	j := claim(t, s, longLease)
	if st, err := s.Stats(t.Context()); err != nil || st.Queued != 2 || st.Processing != 1 || st.OldestAge < wait {
		t.Errorf("Stats after Claim = %+v, %v; want 2 queued, 1 processing", st, err)
	}
	if err := s.Fail(t.Context(), j, "later", time.Now().Add(time.Hour)); err != nil {
		t.Fatalf("Fail: %v", err)
	}
	if st, err := s.Stats(t.Context()); err != nil || st.Queued != 3 || st.Processing != 0 {
		t.Errorf("Stats after Fail with retry = %+v, %v; want 3 queued", st, err)
	}
	claim(t, s, longLease)
	claim(t, s, longLease)
	if st, err := s.Stats(t.Context()); err != nil || st.Queued != 1 || st.Processing != 2 {
		t.Errorf("Stats with a job waiting to retry = %+v, %v; want 1 queued, 2 processing", st, err)
	}
}
