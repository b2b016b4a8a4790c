// Package pipeline turns queued documents into text: it claims jobs from the store, reads the
// original from the bucket, runs OCR and records the result, retrying with backoff and giving up
// with a reason when a document cannot be processed.
package pipeline

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
	"gocloud.dev/blob"

	docblob "github.com/docpipe/docpipe/internal/blob"
	"github.com/docpipe/docpipe/internal/document"
	"github.com/docpipe/docpipe/internal/telemetry"
)

// Store is the part of the document store the pipeline needs.
type Store interface {
	Claim(ctx context.Context, lease time.Duration) (document.Job, error)
	Extend(ctx context.Context, job document.Job, lease time.Duration) (document.Job, error)
	Complete(ctx context.Context, job document.Job, pages []document.Page) error
	Fail(ctx context.Context, job document.Job, reason string, retryAt time.Time) error
}

// Bucket reads originals and keeps searchable PDFs.
type Bucket interface {
	ReadAll(ctx context.Context, key string) ([]byte, error)
	WriteAll(ctx context.Context, key string, p []byte, opts *blob.WriterOptions) error
}

// A PDFMaker writes a searchable PDF of a document from its original and the pages OCR read,
// as ocr.SearchablePDF does.
type PDFMaker func(ctx context.Context, w io.Writer, data []byte, pages []document.Page) error

// Recognizer extracts the text of a document, page by page, reading it in lang (Tesseract codes
// joined by '+'; empty for the recognizer's default).
type Recognizer interface {
	Recognize(ctx context.Context, data []byte, mediaType, lang string) ([]document.Page, error)
}

// Worker processes jobs. Its zero values are not usable; set every field but Metrics and Log.
type Worker struct {
	Store  Store
	Bucket Bucket
	OCR    Recognizer
	// PDF, if set, makes each done document's searchable PDF, kept at blob.SearchableKey. A
	// document whose PDF cannot be made is done without one; the failure is logged.
	PDF PDFMaker
	// Thumbnail, if set, draws the first page of a document small, as a PNG, once OCR has read
	// it; the picture is kept at blob.ThumbnailKey. A failure is logged, not the job's.
	Thumbnail   func(ctx context.Context, data []byte) ([]byte, error)
	Concurrency int           // jobs processed at once
	Lease       time.Duration // renewed every Lease/3 while a job runs
	Timeout     time.Duration // OCR time allowed per document
	MaxAttempts int
	Backoff     time.Duration // delay before the first retry, doubled for each later one
	Poll        time.Duration // how often an idle worker looks for jobs
	Metrics     *telemetry.Metrics
	Log         *slog.Logger
	// Changed, if set, is told each time a document's status changes: when its job is taken
	// and when the job ends. The api's long polls wait for it.
	Changed func(documentID string)

	wakeOnce sync.Once
	wake     chan struct{}
}

var discard = slog.New(slog.DiscardHandler)

func (w *Worker) log() *slog.Logger {
	if w.Log == nil {
		return discard
	}
	return w.Log
}

// Notify tells idle workers that a job may be ready, so they need not wait for the next poll.
func (w *Worker) Notify() {
	select {
	case w.wakeCh() <- struct{}{}:
	default:
	}
}

func (w *Worker) wakeCh() chan struct{} {
	w.wakeOnce.Do(func() { w.wake = make(chan struct{}, 1) })
	return w.wake
}

// Run processes jobs until ctx is done, then waits for the jobs in flight to finish: they run
// on a context that ctx's cancellation does not reach, bounded by the job timeout.
func (w *Worker) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	for range max(w.Concurrency, 1) {
		wg.Go(func() { w.loop(ctx) })
	}
	wg.Wait()
	return nil
}

func (w *Worker) loop(ctx context.Context) {
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		case <-w.wakeCh():
		}
		if _, err := w.drain(ctx); err != nil {
			w.log().ErrorContext(ctx, "drain the queue", "err", err)
		}
		timer.Reset(jitter(w.Poll))
	}
}

// Drain processes the jobs that are ready, Concurrency at a time, until none is left or ctx is
// done, and reports how many it processed. It is Run for callers that are woken from outside,
// such as a timer-triggered function; jobs it started finish even when ctx ends.
func (w *Worker) Drain(ctx context.Context) (int, error) {
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		total int
		errs  []error
	)
	for range max(w.Concurrency, 1) {
		wg.Go(func() {
			n, err := w.drain(ctx)
			mu.Lock()
			defer mu.Unlock()
			total += n
			if err != nil {
				errs = append(errs, err)
			}
		})
	}
	wg.Wait()
	return total, errors.Join(errs...)
}

// drain claims and processes jobs one at a time until none is ready or ctx is done.
func (w *Worker) drain(ctx context.Context) (int, error) {
	n := 0
	for ctx.Err() == nil {
		job, err := w.Store.Claim(ctx, w.Lease)
		if errors.Is(err, document.ErrNoJob) || ctx.Err() != nil {
			return n, nil
		}
		if err != nil {
			return n, fmt.Errorf("claim job: %w", err)
		}
		w.Process(context.WithoutCancel(ctx), job)
		n++
	}
	return n, nil
}

// Process runs one claimed job to its end: done, retried later, or failed.
func (w *Worker) Process(ctx context.Context, job document.Job) {
	ctx = telemetry.WithAttrs(ctx, slog.String("document_id", job.DocumentID), slog.Int("attempt", job.Attempt))
	ctx, span := telemetry.Tracer.Start(ctx, "ocr job", trace.WithAttributes(
		telemetry.DocumentID(job.DocumentID), attribute.Int("docpipe.job.attempt", job.Attempt)))
	defer span.End()
	w.changed(job)
	if job.Attempt > w.MaxAttempts {
		reason := fmt.Sprintf("gave up after %d attempts", w.MaxAttempts)
		w.finish(ctx, job, "failed", "attempts", w.Store.Fail(ctx, job, reason, time.Time{}))
		return
	}

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	stop := w.keepLease(ctx, cancel, job)
	defer stop()

	start := time.Now()
	data, pages, err := w.recognize(ctx, job)
	if cause := context.Cause(ctx); errors.Is(cause, document.ErrLeaseLost) {
		w.finish(ctx, job, "lease_lost", "", cause)
		return
	}
	if err == nil {
		w.Metrics.ObserveOCR(time.Since(start), len(pages))
		w.searchable(ctx, job, data, pages)
		w.thumbnail(ctx, job, data)
		w.finish(ctx, job, "done", "", w.Store.Complete(ctx, job, pages))
		return
	}

	reason, permanent := classify(err, w.Timeout)
	if permanent || job.Attempt >= w.MaxAttempts {
		w.log().WarnContext(ctx, "document failed", "reason", reason, "err", err)
		w.finish(ctx, job, "failed", category(err), w.Store.Fail(ctx, job, reason, time.Time{}))
		return
	}
	retryAt := time.Now().Add(backoff(w.Backoff, job.Attempt))
	w.log().WarnContext(ctx, "attempt failed; will retry", "retry_at", retryAt, "err", err)
	w.finish(ctx, job, "retry", category(err), w.Store.Fail(ctx, job, reason, retryAt))
}

func (w *Worker) recognize(ctx context.Context, job document.Job) ([]byte, []document.Page, error) {
	data, err := w.Bucket.ReadAll(ctx, job.BlobKey)
	if err != nil {
		return nil, nil, fmt.Errorf("read original: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, w.Timeout)
	defer cancel()
	ctx, span := telemetry.Tracer.Start(ctx, "ocr recognize", trace.WithAttributes(
		attribute.String("docpipe.media_type", job.MediaType), attribute.Int("docpipe.bytes", len(data))))
	defer span.End()
	pages, err := w.OCR.Recognize(ctx, data, job.MediaType, job.Lang)
	if err != nil {
		span.SetStatus(codes.Error, err.Error())
		return nil, nil, fmt.Errorf("ocr: %w", err)
	}
	span.SetAttributes(attribute.Int("docpipe.pages", len(pages)))
	return data, pages, nil
}

// searchable makes and keeps the searchable PDF of a document OCR has read, within the job's
// time. It only logs a failure: the text is what the job is for.
func (w *Worker) searchable(ctx context.Context, job document.Job, data []byte, pages []document.Page) {
	if w.PDF == nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, w.Timeout)
	defer cancel()
	ctx, span := telemetry.Tracer.Start(ctx, "searchable pdf")
	defer span.End()
	var buf bytes.Buffer
	err := w.PDF(ctx, &buf, data, pages)
	if err == nil {
		err = w.Bucket.WriteAll(ctx, docblob.SearchableKey(job.DocumentID), buf.Bytes(), &blob.WriterOptions{ContentType: "application/pdf"})
	}
	if err != nil {
		span.SetStatus(codes.Error, err.Error())
		w.log().WarnContext(ctx, "document done without a searchable PDF", "err", err)
		return
	}
	span.SetAttributes(attribute.Int("docpipe.bytes", buf.Len()))
}

// thumbnail draws and keeps the thumbnail of a document OCR has read, within the job's time. It
// only logs a failure: lists show a placeholder instead.
func (w *Worker) thumbnail(ctx context.Context, job document.Job, data []byte) {
	if w.Thumbnail == nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, w.Timeout)
	defer cancel()
	img, err := w.Thumbnail(ctx, data)
	if err == nil {
		err = w.Bucket.WriteAll(ctx, docblob.ThumbnailKey(job.DocumentID), img, &blob.WriterOptions{ContentType: "image/png"})
	}
	if err != nil {
		w.log().WarnContext(ctx, "document done without a thumbnail", "err", err)
	}
}

// finish records the outcome of an attempt; err is the error of recording it.
func (w *Worker) finish(ctx context.Context, job document.Job, outcome, reason string, err error) {
	if errors.Is(err, document.ErrLeaseLost) {
		outcome, reason = "lease_lost", ""
		w.log().WarnContext(ctx, "lease lost; another worker owns the job now")
	} else if err != nil {
		w.log().ErrorContext(ctx, "record job outcome", "outcome", outcome, "err", err)
		return // the lease will expire and the job will be claimed again
	}
	span := trace.SpanFromContext(ctx)
	span.SetAttributes(attribute.String("docpipe.job.outcome", outcome))
	if outcome == "failed" || outcome == "retry" {
		span.SetStatus(codes.Error, reason)
	}
	if outcome == "done" {
		w.log().InfoContext(ctx, "document done")
	}
	w.Metrics.CountJob(outcome, reason)
	w.changed(job)
}

func (w *Worker) changed(job document.Job) {
	if w.Changed != nil {
		w.Changed(job.DocumentID)
	}
}

// keepLease renews the job's lease until stop is called. If the lease is lost the job's
// context is cancelled with document.ErrLeaseLost so its work stops early.
func (w *Worker) keepLease(ctx context.Context, cancel context.CancelCauseFunc, job document.Job) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(w.Lease / 3)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				next, err := w.Store.Extend(ctx, job, w.Lease)
				switch {
				case errors.Is(err, document.ErrLeaseLost):
					cancel(document.ErrLeaseLost)
					return
				case err != nil:
					w.log().WarnContext(ctx, "extend lease", "err", err)
				default:
					job = next
				}
			}
		}
	})
	return func() { close(done); wg.Wait() }
}

// classify turns an attempt's error into the reason users see and whether retrying is pointless.
func classify(err error, timeout time.Duration) (reason string, permanent bool) {
	switch {
	case errors.Is(err, document.ErrInvalidInput):
		return err.Error(), true
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Sprintf("OCR took longer than the %v limit", timeout), true
	default:
		return err.Error(), false
	}
}

// category is a bounded label value for metrics.
func category(err error) string {
	switch {
	case errors.Is(err, document.ErrInvalidInput):
		return "invalid_input"
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	default:
		return "error"
	}
}

// backoff is base·2^(attempt-1), capped at an hour, with ±20% jitter.
func backoff(base time.Duration, attempt int) time.Duration {
	d := base << min(attempt-1, 20)
	if d <= 0 || d > time.Hour {
		d = time.Hour
	}
	return jitter(d)
}

func jitter(d time.Duration) time.Duration {
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}
