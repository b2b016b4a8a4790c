package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/docpipe/docpipe/internal/blob"
	"github.com/docpipe/docpipe/internal/document"
	"github.com/docpipe/docpipe/internal/store"
	"github.com/docpipe/docpipe/internal/store/sqlite"
	"github.com/docpipe/docpipe/internal/telemetry"
	"github.com/prometheus/client_golang/prometheus/testutil"
	gcblob "gocloud.dev/blob"
)

// script is a Recognizer whose answers the test decides, to drive the pipeline through its
// retry, failure and timeout paths; the real engine is exercised by the OCR and end-to-end tests.
type script struct {
	calls atomic.Int32
	fn    func(ctx context.Context, call int, data []byte) ([]document.Page, error)
}

func (s *script) Recognize(ctx context.Context, data []byte, _, _ string) ([]document.Page, error) {
	return s.fn(ctx, int(s.calls.Add(1)), data)
}

func pagesOf(data []byte) []document.Page {
	return []document.Page{{Number: 1, Text: string(data), Confidence: 90, Source: document.SourceOCR}}
}

type fixture struct {
	store   *store.Store
	bucket  *gcblob.Bucket
	metrics *telemetry.Metrics
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	dir := t.TempDir()
	st, err := sqlite.Open(context.Background(), filepath.Join(dir, "docpipe.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	b, err := blob.Open(context.Background(), "file://"+filepath.ToSlash(filepath.Join(dir, "blobs")))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return &fixture{store: st, bucket: b, metrics: telemetry.NewMetrics(telemetry.Build{})}
}

func (f *fixture) add(t *testing.T, body string) document.Document {
	t.Helper()
	return f.addAs(t, "alice", body)
}

func (f *fixture) addAs(t *testing.T, owner, body string) document.Document {
	t.Helper()
	ctx := context.Background()
	now := time.Now().UTC()
	d := document.Document{ID: document.NewID(now), Owner: owner, Name: "a.png", ContentType: "image/png",
		Size: int64(len(body)), Status: document.StatusQueued, CreatedAt: now, UpdatedAt: now}
	d.BlobKey = blob.Key(d.ID)
	if err := f.bucket.WriteAll(ctx, d.BlobKey, []byte(body), nil); err != nil {
		t.Fatal(err)
	}
	if err := f.store.Create(ctx, &d); err != nil {
		t.Fatal(err)
	}
	return d
}

func (f *fixture) worker(ocr Recognizer) *Worker {
	return &Worker{
		Store: f.store, Bucket: f.bucket, OCR: ocr, Concurrency: 2,
		Lease: time.Second, Timeout: 2 * time.Second, MaxAttempts: 3,
		Backoff: 10 * time.Millisecond, Poll: 10 * time.Millisecond, Metrics: f.metrics,
	}
}

// drain runs the worker until every document reaches a final status, or fails the test.
func (f *fixture) drain(t *testing.T, w *Worker, ids ...string) map[string]document.Document {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = w.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	deadline := time.Now().Add(15 * time.Second)
	for {
		got := map[string]document.Document{}
		for _, id := range ids {
			d, err := f.store.Get(context.Background(), "alice", id)
			if err != nil {
				t.Fatal(err)
			}
			if d.Status == document.StatusDone || d.Status == document.StatusFailed {
				got[id] = d
			}
		}
		if len(got) == len(ids) {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("documents not final in time: %v", got)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestProcess(t *testing.T) {
	transient := errors.New("engine hiccup")
	tests := []struct {
		name         string
		fn           func(ctx context.Context, call int, data []byte) ([]document.Page, error)
		wantStatus   document.Status
		wantAttempts int
		wantError    string // substring of Document.Error
		wantOutcome  string // a docpipe_jobs_total outcome counted at least once
	}{
		{
			name:         "done first time",
			fn:           func(_ context.Context, _ int, data []byte) ([]document.Page, error) { return pagesOf(data), nil },
			wantStatus:   document.StatusDone,
			wantAttempts: 1,
			wantOutcome:  "done",
		},
		{
			name: "transient error is retried",
			fn: func(_ context.Context, call int, data []byte) ([]document.Page, error) {
				if call == 1 {
					return nil, transient
				}
				return pagesOf(data), nil
			},
			wantStatus:   document.StatusDone,
			wantAttempts: 2,
			wantOutcome:  "retry",
		},
		{
			name: "invalid input fails at once",
			fn: func(context.Context, int, []byte) ([]document.Page, error) {
				return nil, fmt.Errorf("%w: truncated PNG", document.ErrInvalidInput)
			},
			wantStatus:   document.StatusFailed,
			wantAttempts: 1,
			wantError:    "truncated PNG",
			wantOutcome:  "failed",
		},
		{
			name: "timeout fails with the limit",
			fn: func(ctx context.Context, _ int, _ []byte) ([]document.Page, error) {
				<-ctx.Done()
				return nil, ctx.Err()
			},
			wantStatus:   document.StatusFailed,
			wantAttempts: 1,
			wantError:    "longer than",
			wantOutcome:  "failed",
		},
		{
			name: "gives up after max attempts",
			fn: func(context.Context, int, []byte) ([]document.Page, error) {
				return nil, transient
			},
			wantStatus:   document.StatusFailed,
			wantAttempts: 3,
			wantError:    "engine hiccup",
			wantOutcome:  "failed",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			d := f.add(t, "hello world")
			w := f.worker(&script{fn: tt.fn})
			w.Timeout = 200 * time.Millisecond
			got := f.drain(t, w, d.ID)[d.ID]
			if got.Status != tt.wantStatus || got.Attempts != tt.wantAttempts {
				t.Errorf("status %s after %d attempts, want %s after %d (error %q)",
					got.Status, got.Attempts, tt.wantStatus, tt.wantAttempts, got.Error)
			}
			if !strings.Contains(got.Error, tt.wantError) {
				t.Errorf("Error = %q, want it to contain %q", got.Error, tt.wantError)
			}
			if n := sumOutcome(f.metrics, tt.wantOutcome); n < 1 {
				t.Errorf("docpipe_jobs_total{outcome=%q} = %v, want ≥ 1", tt.wantOutcome, n)
			}
			if tt.wantStatus == document.StatusDone {
				pages, err := f.store.Text(context.Background(), "alice", d.ID)
				if err != nil || len(pages) != 1 || pages[0].Text != "hello world" {
					t.Errorf("Text = %+v, %v; want one page 'hello world'", pages, err)
				}
			}
		})
	}
}

func sumOutcome(m *telemetry.Metrics, outcome string) float64 {
	var n float64
	for _, reason := range []string{"", "invalid_input", "timeout", "error", "attempts"} {
		n += testutil.ToFloat64(m.Jobs.WithLabelValues(outcome, reason))
	}
	return n
}

// A worker that lost its lease while working must not record its result over the new holder's.
func TestLostLeaseWritesNothing(t *testing.T) {
	f := newFixture(t)
	d := f.add(t, "first")
	ctx := context.Background()
	stale, err := f.store.Claim(ctx, 50*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	current, err := f.store.Claim(ctx, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	w := f.worker(&script{fn: func(context.Context, int, []byte) ([]document.Page, error) {
		return pagesOf([]byte("stale result")), nil
	}})
	w.Process(ctx, stale)
	if got := testutil.ToFloat64(f.metrics.Jobs.WithLabelValues("lease_lost", "")); got != 1 {
		t.Errorf("lease_lost = %v, want 1", got)
	}
	if got, _ := f.store.Get(ctx, "alice", d.ID); got.Status != document.StatusProcessing {
		t.Errorf("status = %s, want processing (still held by the new lease)", got.Status)
	}
	w.OCR = &script{fn: func(context.Context, int, []byte) ([]document.Page, error) {
		return pagesOf([]byte("current result")), nil
	}}
	w.Process(ctx, current)
	pages, err := f.store.Text(ctx, "alice", d.ID)
	if err != nil || len(pages) != 1 || pages[0].Text != "current result" {
		t.Errorf("Text = %+v, %v; want only the current holder's result", pages, err)
	}
}

// Stopping the worker lets the jobs in flight finish instead of abandoning them.
func TestRunDrainsInFlightJobs(t *testing.T) {
	f := newFixture(t)
	d := f.add(t, "slow")
	started := make(chan struct{})
	var once sync.Once
	w := f.worker(&script{fn: func(_ context.Context, _ int, data []byte) ([]document.Page, error) {
		once.Do(func() { close(started) })
		time.Sleep(300 * time.Millisecond)
		return pagesOf(data), nil
	}})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = w.Run(ctx); close(done) }()
	<-started
	cancel()
	<-done
	got, err := f.store.Get(context.Background(), "alice", d.ID)
	if err != nil || got.Status != document.StatusDone {
		t.Errorf("after shutdown: status %s, %v; want done", got.Status, err)
	}
}

// The lease is renewed while OCR runs longer than the lease itself.
func TestLeaseRenewedDuringLongOCR(t *testing.T) {
	f := newFixture(t)
	d := f.add(t, "long")
	w := f.worker(&script{fn: func(_ context.Context, _ int, data []byte) ([]document.Page, error) {
		time.Sleep(2500 * time.Millisecond)
		return pagesOf(data), nil
	}})
	w.Timeout = 10 * time.Second
	got := f.drain(t, w, d.ID)[d.ID]
	if got.Status != document.StatusDone || got.Attempts != 1 {
		t.Errorf("status %s after %d attempts, want done after 1 (lease of %v outlived by OCR)", got.Status, got.Attempts, w.Lease)
	}
}

func TestBackoff(t *testing.T) {
	for attempt, want := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 4: 8 * time.Second, 40: time.Hour} {
		got := backoff(time.Second, attempt)
		if got < want*8/10 || got > want*12/10 {
			t.Errorf("backoff(1s, %d) = %v, want %v ±20%%", attempt, got, want)
		}
	}
}

func TestDrain(t *testing.T) {
	f := newFixture(t)
	var ids []string
	for i := range 5 {
		ids = append(ids, f.add(t, fmt.Sprintf("body %d", i)).ID)
	}
	w := f.worker(&script{fn: func(_ context.Context, _ int, data []byte) ([]document.Page, error) {
		return pagesOf(data), nil
	}})
	var mu sync.Mutex
	changes := map[string]int{}
	w.Changed = func(id string) {
		mu.Lock()
		defer mu.Unlock()
		changes[id]++
	}
	n, err := w.Drain(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if n != len(ids) {
		t.Errorf("Drain processed %d jobs, want %d", n, len(ids))
	}
	for _, id := range ids {
		d, err := f.store.Get(context.Background(), "alice", id)
		if err != nil {
			t.Fatal(err)
		}
		if d.Status != document.StatusDone {
			t.Errorf("%s: status %s after Drain, want done", id, d.Status)
		}
		if changes[id] != 2 {
			t.Errorf("%s: Changed called %d times, want 2 (taken, done)", id, changes[id])
		}
	}
	if n, err := w.Drain(context.Background()); n != 0 || err != nil {
		t.Errorf("second Drain = %d, %v; want 0, nil", n, err)
	}
}

// One owner's batch does not hold up another owner's document: with alice's first document
// still in OCR, the other claimer takes bob's, queued after all of alice's, rather than her
// next.
func TestFairAcrossOwners(t *testing.T) {
	f := newFixture(t)
	var alice []string
	for i := range 50 {
		alice = append(alice, f.addAs(t, "alice", fmt.Sprintf("alice %d", i+1)).ID)
	}
	bob := f.addAs(t, "bob", "bob 1").ID

	var (
		mu          sync.Mutex
		changes     = map[string]int{}
		finished    []string
		aliceQueued = -1 // alice's queued documents when bob's was done
		bobDone     = make(chan struct{})
		held        atomic.Bool
	)
	w := f.worker(&script{fn: func(ctx context.Context, _ int, data []byte) ([]document.Page, error) {
		if strings.HasPrefix(string(data), "alice") && held.CompareAndSwap(false, true) {
			select {
			case <-bobDone:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		return pagesOf(data), nil
	}})
	w.Timeout = 10 * time.Second
	w.Changed = func(id string) {
		mu.Lock()
		defer mu.Unlock()
		changes[id]++
		if changes[id] != 2 { // taken, then done
			return
		}
		finished = append(finished, id)
		if id == bob {
			res, err := f.store.List(context.Background(), "alice", store.ListOptions{Status: document.StatusQueued, Limit: 100})
			if err != nil {
				t.Errorf("List: %v", err)
			}
			aliceQueued = len(res.Documents)
			close(bobDone)
		}
	}
	if n, err := w.Drain(context.Background()); n != 51 || err != nil {
		t.Fatalf("Drain = %d, %v; want 51 jobs", n, err)
	}

	if len(finished) == 0 || finished[0] != bob {
		t.Errorf("bob's document finished in place %d, want first", slices.Index(finished, bob)+1)
	}
	if aliceQueued != 49 {
		t.Errorf("alice had %d documents queued when bob's was done, want 49 (one in OCR)", aliceQueued)
	}
	for owner, ids := range map[string][]string{"alice": alice, "bob": {bob}} {
		for _, id := range ids {
			if d, err := f.store.Get(context.Background(), owner, id); err != nil || d.Status != document.StatusDone {
				t.Errorf("%s's %s: status %s, %v; want done", owner, id, d.Status, err)
			}
		}
	}
}

// With one engine nobody is in OCR when the next job is claimed, and owners take turns: after
// alice's first document, bob's, queued after all of hers, is next, while she still has 49
// queued.
func TestFairAcrossOwnersOneEngine(t *testing.T) {
	f := newFixture(t)
	var alice []string
	for i := range 50 {
		alice = append(alice, f.addAs(t, "alice", fmt.Sprintf("alice %d", i+1)).ID)
	}
	bob := f.addAs(t, "bob", "bob 1").ID

	var (
		mu          sync.Mutex
		changes     = map[string]int{}
		finished    []string
		aliceQueued = -1 // alice's queued documents when bob's was done
	)
	w := f.worker(&script{fn: func(_ context.Context, _ int, data []byte) ([]document.Page, error) {
		return pagesOf(data), nil
	}})
	w.Concurrency = 1
	w.Changed = func(id string) {
		mu.Lock()
		defer mu.Unlock()
		changes[id]++
		if changes[id] != 2 { // taken, then done
			return
		}
		finished = append(finished, id)
		if id == bob {
			res, err := f.store.List(context.Background(), "alice", store.ListOptions{Status: document.StatusQueued, Limit: 100})
			if err != nil {
				t.Errorf("List: %v", err)
			}
			aliceQueued = len(res.Documents)
		}
	}
	if n, err := w.Drain(context.Background()); n != 51 || err != nil {
		t.Fatalf("Drain = %d, %v; want 51 jobs", n, err)
	}

	if place := slices.Index(finished, bob) + 1; place != 2 {
		t.Errorf("bob's document finished in place %d, want 2, right after alice's first", place)
	}
	if aliceQueued < 48 {
		t.Errorf("alice had %d documents queued when bob's was done, want at least 48 (49: one done)", aliceQueued)
	}
	if !slices.Equal(slices.DeleteFunc(slices.Clone(finished), func(id string) bool { return id == bob }), alice) {
		t.Errorf("alice's documents finished in order %v, want the order they were queued in, %v", finished, alice)
	}
	for owner, ids := range map[string][]string{"alice": alice, "bob": {bob}} {
		for _, id := range ids {
			if d, err := f.store.Get(context.Background(), owner, id); err != nil || d.Status != document.StatusDone {
				t.Errorf("%s's %s: status %s, %v; want done", owner, id, d.Status, err)
			}
		}
	}
}

// TestSearchablePDFKept checks that a done document's searchable PDF is made from its original
// and its pages and kept, and that a document whose PDF cannot be made is done all the same.
func TestSearchablePDFKept(t *testing.T) {
	f := newFixture(t)
	good, bad := f.add(t, "good scan"), f.add(t, "bad scan")
	w := f.worker(&script{fn: func(_ context.Context, _ int, data []byte) ([]document.Page, error) { return pagesOf(data), nil }})
	w.PDF = func(_ context.Context, out io.Writer, data []byte, pages []document.Page) error {
		if string(data) == "bad scan" {
			return errors.New("qpdf failed")
		}
		_, err := fmt.Fprintf(out, "%%PDF of %q with %q", data, pages[0].Text)
		return err
	}
	got := f.drain(t, w, good.ID, bad.ID)
	for _, d := range []document.Document{good, bad} {
		if got[d.ID].Status != document.StatusDone {
			t.Errorf("%s: status %s, want done", d.ID, got[d.ID].Status)
		}
	}
	pdf, err := f.bucket.ReadAll(context.Background(), blob.SearchableKey(good.ID))
	if want := `%PDF of "good scan" with "good scan"`; err != nil || string(pdf) != want {
		t.Errorf("searchable PDF = %q, %v; want %q", pdf, err, want)
	}
	attrs, err := f.bucket.Attributes(context.Background(), blob.SearchableKey(good.ID))
	if err != nil || attrs.ContentType != "application/pdf" {
		t.Errorf("searchable PDF attributes: %+v, %v", attrs, err)
	}
	if ok, _ := f.bucket.Exists(context.Background(), blob.SearchableKey(bad.ID)); ok {
		t.Errorf("a PDF was kept for the document whose PDF failed")
	}
}

// TestThumbnailKept checks that a done document's thumbnail is drawn from its original and kept,
// and that a document whose thumbnail cannot be drawn is done all the same.
func TestThumbnailKept(t *testing.T) {
	f := newFixture(t)
	good, bad := f.add(t, "good scan"), f.add(t, "bad scan")
	w := f.worker(&script{fn: func(_ context.Context, _ int, data []byte) ([]document.Page, error) { return pagesOf(data), nil }})
	w.Thumbnail = func(_ context.Context, data []byte) ([]byte, error) {
		if string(data) == "bad scan" {
			return nil, errors.New("pdftoppm failed")
		}
		return []byte("PNG of " + string(data)), nil
	}
	got := f.drain(t, w, good.ID, bad.ID)
	for _, d := range []document.Document{good, bad} {
		if got[d.ID].Status != document.StatusDone {
			t.Errorf("%s: status %s, want done", d.ID, got[d.ID].Status)
		}
	}
	img, err := f.bucket.ReadAll(context.Background(), blob.ThumbnailKey(good.ID))
	if err != nil || string(img) != "PNG of good scan" {
		t.Errorf("thumbnail = %q, %v", img, err)
	}
	if ok, _ := f.bucket.Exists(context.Background(), blob.ThumbnailKey(bad.ID)); ok {
		t.Errorf("a thumbnail was kept for the document whose drawing failed")
	}
}
