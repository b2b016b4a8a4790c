package storetest

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/docpipe/docpipe/internal/document"
	"github.com/docpipe/docpipe/internal/store"
)

// wantNotReady checks that claiming document id fails with a *document.NotReadyError whose Due
// is within a second of due.
func wantNotReady(t *testing.T, s *store.Store, id string, due time.Time) {
	t.Helper()
	j, err := s.ClaimDocument(t.Context(), id, longLease)
	var nr *document.NotReadyError
	if !errors.As(err, &nr) || !errors.Is(err, document.ErrNotReady) {
		t.Fatalf("ClaimDocument(%s) = job %+v, %v; want a *document.NotReadyError", id, j, err)
	}
	if d := nr.Due.Sub(due); d < -time.Second || d > time.Second {
		t.Errorf("NotReadyError.Due = %v, want about %v", nr.Due, due)
	}
}

func testClaimDocument(t *testing.T, s *store.Store) {
	first, second := newDoc("alice", "first.pdf"), newDoc("bob", "second.tiff")
	second.ContentType = "image/tiff"
	create(t, s, first)
	create(t, s, second)

	j, err := s.ClaimDocument(t.Context(), second.ID, longLease)
	if err != nil {
		t.Fatalf("ClaimDocument: %v", err)
	}
	if j.ID == "" || j.Token == "" || j.DocumentID != second.ID || j.Owner != "bob" || j.BlobKey != second.BlobKey ||
		j.MediaType != "image/tiff" || j.Attempt != 1 {
		t.Errorf("ClaimDocument = %+v, want document %s of bob, blob %s, image/tiff, attempt 1, an id and a token",
			j, second.ID, second.BlobKey)
	}
	if got := get(t, s, "bob", second.ID); got.Status != document.StatusProcessing || got.Attempts != 1 {
		t.Errorf("after ClaimDocument: status %s, attempts %d; want processing, 1", got.Status, got.Attempts)
	}
	wantNotReady(t, s, second.ID, j.LeaseUntil)
	if next := claim(t, s, longLease); next.DocumentID != first.ID {
		t.Errorf("Claim after ClaimDocument = job for %s, want the other document %s", next.DocumentID, first.ID)
	}

	retryAt := time.Now().Add(time.Hour)
	if err := s.Fail(t.Context(), j, "bucket hiccup", retryAt); err != nil {
		t.Fatalf("Fail: %v", err)
	}
	wantNotReady(t, s, second.ID, retryAt)

	_, err = s.ClaimDocument(t.Context(), document.NewID(time.Now()), longLease)
	wantErr(t, "ClaimDocument of an unknown document", err, document.ErrNotFound)
	_, err = s.ClaimDocument(t.Context(), first.ID, 0)
	wantErr(t, "ClaimDocument with a zero lease", err, document.ErrInvalidInput)
}

func testClaimDocumentDone(t *testing.T, s *store.Store, clock *Clock) {
	d := newDoc("alice", "scan.png")
	create(t, s, d)
	const lease = 250 * time.Millisecond
	stale, err := s.ClaimDocument(t.Context(), d.ID, lease)
	if err != nil {
		t.Fatalf("ClaimDocument: %v", err)
	}
	clock.Advance(lease + 50*time.Millisecond)
	fresh, err := s.ClaimDocument(t.Context(), d.ID, longLease)
	if err != nil {
		t.Fatalf("ClaimDocument after the lease ran out: %v", err)
	}
	if fresh.ID != stale.ID || fresh.Attempt != 2 || fresh.Token == stale.Token {
		t.Errorf("reclaimed job = %+v, want job %s again, attempt 2, a new token", fresh, stale.ID)
	}
	wantErr(t, "Complete by the stale holder", s.Complete(t.Context(), stale, pages("stale")), document.ErrLeaseLost)
	if err := s.Complete(t.Context(), fresh, pages("fresh")); err != nil {
		t.Fatalf("Complete: %v", err)
	}
	_, err = s.ClaimDocument(t.Context(), d.ID, longLease)
	wantErr(t, "ClaimDocument of a done document", err, document.ErrNoJob)
	if got := get(t, s, "alice", d.ID); got.Status != document.StatusDone || got.Attempts != 2 {
		t.Errorf("after a late ClaimDocument: status %s, attempts %d; want done, 2 (unchanged)", got.Status, got.Attempts)
	}

	failed := newDoc("alice", "bad.png")
	create(t, s, failed)
	j, err := s.ClaimDocument(t.Context(), failed.ID, longLease)
	if err != nil {
		t.Fatalf("ClaimDocument: %v", err)
	}
	if err := s.Fail(t.Context(), j, "not an image", time.Time{}); err != nil {
		t.Fatalf("Fail: %v", err)
	}
	_, err = s.ClaimDocument(t.Context(), failed.ID, longLease)
	wantErr(t, "ClaimDocument of a failed document", err, document.ErrNoJob)

	if _, err := s.Reprocess(t.Context(), "alice", failed.ID); err != nil {
		t.Fatalf("Reprocess: %v", err)
	}
	if j, err := s.ClaimDocument(t.Context(), failed.ID, longLease); err != nil || j.DocumentID != failed.ID {
		t.Errorf("ClaimDocument after Reprocess = %+v, %v; want the job", j, err)
	}
}

func testClaimDocumentConcurrent(t *testing.T, s *store.Store) {
	d := newDoc("alice", "popular.pdf")
	create(t, s, d)
	const workers = 8
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		claimed  int
		notReady int
	)
	for range workers {
		wg.Go(func() {
			_, err := s.ClaimDocument(t.Context(), d.ID, longLease)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				claimed++
			case errors.Is(err, document.ErrNotReady):
				notReady++
			default:
				t.Errorf("ClaimDocument: %v", err)
			}
		})
	}
	wg.Wait()
	if claimed != 1 || notReady != workers-1 {
		t.Errorf("%d concurrent ClaimDocument calls: %d claimed, %d not ready; want 1 and %d", workers, claimed, notReady, workers-1)
	}
	if got := get(t, s, "alice", d.ID); got.Attempts != 1 {
		t.Errorf("attempts = %d, want 1", got.Attempts)
	}
}
