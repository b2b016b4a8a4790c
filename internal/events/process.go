package events

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/docpipe/docpipe/internal/blob"
	"github.com/docpipe/docpipe/internal/document"
	"github.com/docpipe/docpipe/internal/telemetry"
)

// Store is the part of the document store a Processor needs.
type Store interface {
	ClaimDocument(ctx context.Context, id string, lease time.Duration) (document.Job, error)
	Get(ctx context.Context, owner, id string) (document.Document, error)
}

// Bucket tells whether an original is still stored.
type Bucket interface {
	Exists(ctx context.Context, key string) (bool, error)
}

// Worker runs one claimed job to its end, as pipeline.Worker does.
type Worker interface {
	Process(ctx context.Context, job document.Job)
}

// Processor processes the document an event names. The store stays the source of truth: an
// event only says which document to look at, so a redelivered, duplicated or late event finds
// the job done, or leased by another worker, and changes nothing.
type Processor struct {
	Store  Store
	Bucket Bucket
	Worker Worker
	Lease  time.Duration // the job lease, as the worker renews it
}

// Result says what became of one document an event named.
type Result struct {
	// Done means the event is dealt with: the document is done, failed for good or deleted.
	Done bool
	// Retry, when not Done, is when a redelivery of the event can next make progress: the
	// end of another worker's lease or the job's retry time. Zero if unknown.
	Retry time.Time
}

// Process claims the job of document id, if it is ready, and runs it. An error means the event
// should be delivered again later: the store or bucket failed, or the document is not (yet)
// committed although its original is stored — an upload in flight, or one that crashed
// between the two, whose event ends in the dead-letter queue.
func (p *Processor) Process(ctx context.Context, id string) (Result, error) {
	job, err := p.Store.ClaimDocument(ctx, id, p.Lease)
	var notReady *document.NotReadyError
	switch {
	case errors.Is(err, document.ErrNoJob):
		return Result{Done: true}, nil
	case errors.As(err, &notReady):
		return Result{Retry: notReady.Due}, nil
	case errors.Is(err, document.ErrNotFound):
		ok, xerr := p.Bucket.Exists(ctx, blob.Key(id))
		if xerr != nil {
			return Result{}, fmt.Errorf("document %s: %w; and checking its original: %w", id, err, xerr)
		}
		if !ok {
			return Result{Done: true}, nil // deleted, original and all
		}
		return Result{}, fmt.Errorf("document %s: original stored but %w", id, err)
	case err != nil:
		return Result{}, err
	}
	p.Worker.Process(ctx, job)
	d, err := p.Store.Get(ctx, job.Owner, id)
	switch {
	case errors.Is(err, document.ErrNotFound):
		return Result{Done: true}, nil
	case err != nil:
		return Result{}, fmt.Errorf("document %s after processing: %w", id, err)
	case d.Status == document.StatusDone || d.Status == document.StatusFailed:
		return Result{Done: true}, nil
	}
	return Result{}, nil
}

// ProcessAll processes the documents an event names, in order. A zero retry means every one is
// dealt with; otherwise it is when a redelivery can next make progress (at least a second from
// now when unknown). An error means the event should be delivered again with backoff.
func (p *Processor) ProcessAll(ctx context.Context, ids []string) (retry time.Time, err error) {
	pending := false
	for _, id := range ids {
		res, err := p.Process(telemetry.WithAttrs(ctx, slog.String("document_id", id)), id)
		if err != nil {
			return time.Time{}, fmt.Errorf("document %s not processed: %w", id, err)
		}
		if !res.Done {
			pending = true
			if res.Retry.After(retry) {
				retry = res.Retry
			}
		}
	}
	if pending && time.Until(retry) < time.Second {
		retry = time.Now().Add(time.Second)
	}
	return retry, nil
}
