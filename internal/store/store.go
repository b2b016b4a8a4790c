// Package store declares the document store seam: documents, their text, full-text search and the
// durable OCR job queue. Backends live in subpackages; storetest is the conformance suite every
// backend must pass.
package store

import (
	"context"
	"fmt"
	"time"

	"github.com/docpipe/docpipe/internal/document"
	"github.com/docpipe/docpipe/internal/search"
)

// Store is everything docpipe keeps about documents. Every method that takes an owner only ever
// sees that owner's documents: another owner's document is document.ErrNotFound.
type Store interface {
	// Create inserts a queued document and its OCR job in one transaction.
	Create(ctx context.Context, d *document.Document) error
	// Get returns one document.
	Get(ctx context.Context, owner, id string) (document.Document, error)
	// List returns the owner's documents, newest first.
	List(ctx context.Context, owner string, opt ListOptions) (ListResult, error)
	// Text returns the pages of a document that is done, in page order.
	Text(ctx context.Context, owner, id string) ([]document.Page, error)
	// Delete removes the document, its text, index entries and job, and returns what it removed
	// so the caller can delete the blob.
	Delete(ctx context.Context, owner, id string) (document.Document, error)
	// Reprocess queues a done or failed document again. A document that is queued or
	// processing is document.ErrConflict.
	Reprocess(ctx context.Context, owner, id string) (document.Document, error)
	// Search runs a parsed query over the owner's documents, best match first.
	Search(ctx context.Context, owner string, q search.Query, opt SearchOptions) (SearchResult, error)

	// Claim leases the next ready job to a worker, marking its document processing.
	// It returns document.ErrNoJob when none is ready.
	Claim(ctx context.Context, lease time.Duration) (document.Job, error)
	// ClaimDocument leases the job of the document with the given id, as Claim does, for
	// workers told about one document by an event. It returns document.ErrNotFound when there
	// is no such document, document.ErrNoJob when the document has no job (it is done or
	// failed), and a *document.NotReadyError when its job is leased or waits to be retried.
	ClaimDocument(ctx context.Context, id string, lease time.Duration) (document.Job, error)
	// Extend pushes a held lease forward; document.ErrLeaseLost if the lease is no longer held.
	Extend(ctx context.Context, job document.Job, lease time.Duration) (document.Job, error)
	// Complete stores the pages, indexes them, marks the document done and removes the job, all
	// in one transaction, only if the job's lease is still held (else document.ErrLeaseLost).
	Complete(ctx context.Context, job document.Job, pages []document.Page) error
	// Fail records a failed attempt. With retryAt set the job is queued again for then; with a
	// zero retryAt the document is failed for good with the reason and the job removed.
	Fail(ctx context.Context, job document.Job, reason string, retryAt time.Time) error

	// Stats reports the queue for metrics.
	Stats(ctx context.Context) (Stats, error)
	// Ping checks that the store is reachable.
	Ping(ctx context.Context) error
	// Close releases the store's resources.
	Close() error
}

// ListOptions selects a page of documents.
type ListOptions struct {
	Status document.Status // empty for all
	Cursor string          // opaque, from a previous ListResult; empty for the first page
	Limit  int             // 1..1000
}

// ListResult is a page of documents.
type ListResult struct {
	Documents []document.Document
	Next      string // cursor of the next page; empty on the last page
}

// SearchOptions selects a page of search hits.
type SearchOptions struct {
	Limit  int // 1..100
	Offset int
}

// SearchResult is a page of hits, best first.
type SearchResult struct {
	Hits   []Hit
	Total  int  // documents matching, across all pages
	Capped bool // more documents match than the backend ranks and counts: Total is its limit
}

// Hit is one matching document with the best-matching page.
type Hit struct {
	Document document.Document `json:"document"`
	Page     int               `json:"page"`
	Snippet  []Fragment        `json:"snippet"`
	Score    float64           `json:"score"` // higher is better; comparable only within one result
}

// Fragment is a piece of a snippet; Match marks the words that matched the query.
type Fragment struct {
	Text  string `json:"text"`
	Match bool   `json:"match,omitempty"`
}

// Stats describes the job queue.
type Stats struct {
	Queued     int           // jobs waiting, including those waiting to retry
	Processing int           // jobs under a live lease
	OldestAge  time.Duration // age of the oldest waiting job; zero when none
}

// Prepare returns the document Create stores for d, as storetest describes: an ID from
// document.NewID(now) when empty (a given ID must be valid), status queued with no error, pages
// or attempts, and CreatedAt (now unless given) kept to the microsecond in UTC, with UpdatedAt
// equal to it. A document without an owner or with a malformed ID is document.ErrInvalidInput.
func Prepare(d document.Document, now time.Time) (document.Document, error) {
	if d.Owner == "" {
		return d, fmt.Errorf("%w: no owner", document.ErrInvalidInput)
	}
	if d.ID == "" {
		d.ID = document.NewID(now)
	} else if !document.ValidID(d.ID) {
		return d, fmt.Errorf("%w: malformed id %q", document.ErrInvalidInput, d.ID)
	}
	if d.CreatedAt.IsZero() {
		d.CreatedAt = now
	}
	d.CreatedAt = d.CreatedAt.Truncate(time.Microsecond).UTC()
	d.UpdatedAt = d.CreatedAt
	d.Status, d.Error, d.Pages, d.Attempts = document.StatusQueued, "", 0, 0
	return d, nil
}
