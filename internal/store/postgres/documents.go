package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/docpipe/docpipe/internal/document"
	"github.com/docpipe/docpipe/internal/store"
)

const docColumns = `seq, id, owner, name, content_type, size, sha256, blob_key, status, error,
	page_count, attempts, created_at, updated_at, lang, title, notes, date, date_source, tags`

// scanDoc reads the columns of docColumns, then any extra ones.
func scanDoc(row pgx.Row, extra ...any) (int64, document.Document, error) {
	var (
		seq                     int64
		d                       document.Document
		title, date, dateSource string
	)
	dest := []any{&seq, &d.ID, &d.Owner, &d.Name, &d.ContentType, &d.Size, &d.SHA256, &d.BlobKey,
		&d.Status, &d.Error, &d.Pages, &d.Attempts, &d.CreatedAt, &d.UpdatedAt, &d.Lang, &title, &d.Notes, &date, &dateSource, &d.Tags}
	err := row.Scan(append(dest, extra...)...)
	d.CreatedAt, d.UpdatedAt = d.CreatedAt.UTC(), d.UpdatedAt.UTC()
	d.Labels(title, date, dateSource)
	return seq, d, err
}

// lookup reads one of owner's documents, locking it when forUpdate is set; another owner's is
// document.ErrNotFound.
func lookup(ctx context.Context, tx pgx.Tx, owner, id string, forUpdate bool) (int64, document.Document, error) {
	q := `SELECT ` + docColumns + ` FROM documents WHERE owner = $1 AND id = $2`
	if forUpdate {
		q += ` FOR UPDATE`
	}
	seq, d, err := scanDoc(tx.QueryRow(ctx, q, owner, id))
	return seq, d, noRows(err, document.ErrNotFound)
}

// Create inserts a queued document and its job, unless the owner has its bytes already. A lock
// on the owner and the sum, held to the end of the transaction, makes two Creates of the same
// bytes take turns.
func (s *backend) Create(ctx context.Context, doc document.Document) error {
	return s.write(ctx, func(tx pgx.Tx) error {
		if doc.SHA256 != "" {
			if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, doc.SHA256+doc.Owner); err != nil {
				return err
			}
			dup, err := duplicate(ctx, tx, doc.Owner, doc.SHA256)
			if err == nil {
				return &document.DuplicateError{Existing: dup}
			}
			if !errors.Is(err, document.ErrNotFound) {
				return err
			}
		}
		if err := ensureTags(ctx, tx, doc.Owner, doc.Tags); err != nil {
			return err
		}
		var seq int64
		err := tx.QueryRow(ctx, `INSERT INTO documents
			(id, owner, name, content_type, size, sha256, blob_key, status, created_at, updated_at, lang,
				title, notes, date, date_source, found_date, tags)
			VALUES ($1, $2, $3, $4, $5, $6, $7, 'queued', $8, $8, $9, $10, $11, $12, $13, $14, $15)
			ON CONFLICT (id) DO NOTHING RETURNING seq`,
			doc.ID, doc.Owner, doc.Name, doc.ContentType, doc.Size, doc.SHA256, doc.BlobKey, doc.CreatedAt, doc.Lang,
			doc.OwnTitle(), doc.Notes, doc.Date, doc.DateSource, doc.FoundDate(), nonNil(doc.Tags)).Scan(&seq)
		if err != nil {
			return noRows(err, fmt.Errorf("%w: id %s exists", document.ErrConflict, doc.ID))
		}
		return enqueue(ctx, tx, seq, s.now())
	})
}

// querier is a pool or a transaction.
type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// duplicate reads the owner's oldest document with the SHA-256 sum sha.
func duplicate(ctx context.Context, q querier, owner, sha string) (document.Document, error) {
	_, d, err := scanDoc(q.QueryRow(ctx,
		`SELECT `+docColumns+` FROM documents WHERE owner = $1 AND sha256 = $2 ORDER BY seq LIMIT 1`, owner, sha))
	return d, noRows(err, document.ErrNotFound)
}

// Duplicate returns the owner's document with the SHA-256 sum sha.
func (s *backend) Duplicate(ctx context.Context, owner, sha string) (document.Document, error) {
	return duplicate(ctx, s.pool, owner, sha)
}

// enqueue adds a job for the document, ready now by the database's clock.
func enqueue(ctx context.Context, tx pgx.Tx, seq int64, now time.Time) error {
	_, err := tx.Exec(ctx, `INSERT INTO jobs (doc, id, due_at, enqueued_at)
		VALUES ($1, $2, clock_timestamp(), clock_timestamp())`, seq, document.NewID(now))
	return err
}

// Get returns one of owner's documents.
func (s *backend) Get(ctx context.Context, owner, id string) (document.Document, error) {
	_, d, err := scanDoc(s.pool.QueryRow(ctx, `SELECT `+docColumns+` FROM documents WHERE owner = $1 AND id = $2`, owner, id))
	return d, noRows(err, document.ErrNotFound)
}

// List returns n of owner's documents after the cursor, newest first.
func (s *backend) List(ctx context.Context, owner string, f store.ListFilter, after store.Cursor, n int) ([]document.Document, error) {
	var q strings.Builder
	q.WriteString(`SELECT ` + docColumns + ` FROM documents WHERE owner = $1`)
	args := []any{owner}
	param := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if f.Status != "" {
		q.WriteString(` AND status = ` + param(string(f.Status)))
	}
	for _, g := range f.Tags {
		q.WriteString(` AND tags && ` + param(g) + `::text[]`)
	}
	if f.After != "" {
		q.WriteString(` AND date >= ` + param(f.After))
	}
	if f.Before != "" {
		q.WriteString(` AND date < ` + param(f.Before))
	}
	switch {
	case f.ByDate && after != (store.Cursor{}):
		q.WriteString(` AND (date, created_at, id) < (` + param(after.Date) + `, ` + param(after.Created) + `, ` + param(after.ID) + `)`)
	case after != (store.Cursor{}):
		q.WriteString(` AND (created_at, id) < (` + param(after.Created) + `, ` + param(after.ID) + `)`)
	}
	if f.ByDate {
		q.WriteString(` ORDER BY date DESC, created_at DESC, id DESC`)
	} else {
		q.WriteString(` ORDER BY created_at DESC, id DESC`)
	}
	q.WriteString(` LIMIT ` + param(n))

	rows, err := s.pool.Query(ctx, q.String(), args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (document.Document, error) {
		_, d, err := scanDoc(row)
		return d, err
	})
}

// Text returns one of owner's documents and, when it is done, its pages.
func (s *backend) Text(ctx context.Context, owner, id string) (document.Document, []document.Page, error) {
	var (
		d     document.Document
		pages []document.Page
	)
	err := s.read(ctx, func(tx pgx.Tx) error {
		var (
			seq int64
			err error
		)
		seq, d, err = lookup(ctx, tx, owner, id, false)
		if err != nil || d.Status != document.StatusDone {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT number, text, confidence, source FROM pages WHERE doc = $1 ORDER BY number`, seq)
		if err != nil {
			return err
		}
		pages, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (document.Page, error) {
			var p document.Page
			err := row.Scan(&p.Number, &p.Text, &p.Confidence, &p.Source)
			return p, err
		})
		return err
	})
	return d, pages, err
}

// Page returns one of owner's documents and, when it is done, its page n.
func (s *backend) Page(ctx context.Context, owner, id string, n int) (document.Document, document.Page, error) {
	var (
		d document.Document
		p document.Page
	)
	err := s.read(ctx, func(tx pgx.Tx) error {
		var (
			seq int64
			err error
		)
		seq, d, err = lookup(ctx, tx, owner, id, false)
		if err != nil || d.Status != document.StatusDone {
			return err
		}
		var layout []byte
		err = tx.QueryRow(ctx, `SELECT number, text, confidence, source, layout FROM pages WHERE doc = $1 AND number = $2`,
			seq, n).Scan(&p.Number, &p.Text, &p.Confidence, &p.Source, &layout)
		if err != nil {
			return noRows(err, fmt.Errorf("%w: page %d", document.ErrNotFound, n))
		}
		if p.Layout, err = store.ParseLayout(layout); err != nil {
			return fmt.Errorf("page %d: %w", n, err)
		}
		return nil
	})
	return d, p, err
}

// Delete removes one of owner's documents with its pages and job. It removes the job first, so
// that it locks rows in the order Claim, Complete and Fail do: job, then document.
func (s *backend) Delete(ctx context.Context, owner, id string) (document.Document, error) {
	var d document.Document
	err := s.write(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM jobs WHERE doc IN (SELECT seq FROM documents WHERE owner = $1 AND id = $2)`,
			owner, id); err != nil {
			return err
		}
		var err error
		_, d, err = scanDoc(tx.QueryRow(ctx, `DELETE FROM documents WHERE owner = $1 AND id = $2 RETURNING `+docColumns, owner, id))
		return noRows(err, document.ErrNotFound)
	})
	return d, err
}

// Reprocess queues one of owner's documents again, locking it while it is checked.
func (s *backend) Reprocess(ctx context.Context, owner, id string) (document.Document, error) {
	var d document.Document
	err := s.write(ctx, func(tx pgx.Tx) error {
		seq, cur, err := lookup(ctx, tx, owner, id, true)
		if err != nil {
			return err
		}
		if err := store.Reprocessable(cur); err != nil {
			return err
		}
		_, d, err = scanDoc(tx.QueryRow(ctx, `UPDATE documents
			SET status = 'queued', error = '', attempts = 0, updated_at = clock_timestamp()
			WHERE seq = $1 RETURNING `+docColumns, seq))
		if err != nil {
			return err
		}
		return enqueue(ctx, tx, seq, s.now())
	})
	return d, err
}

// Update changes the labels of one of owner's documents, locking it while it does, and the
// words its names are searched by.
func (s *backend) Update(ctx context.Context, owner, id string, ch document.Change) (document.Document, error) {
	var d document.Document
	err := s.write(ctx, func(tx pgx.Tx) error {
		var found string
		seq, cur, err := scanDoc(tx.QueryRow(ctx,
			`SELECT `+docColumns+`, found_date FROM documents WHERE owner = $1 AND id = $2 FOR UPDATE`, owner, id), &found)
		if err != nil {
			return noRows(err, document.ErrNotFound)
		}
		next := store.Changed(cur, ch, found)
		_, d, err = scanDoc(tx.QueryRow(ctx, `UPDATE documents
			SET title = $1, notes = $2, date = $3, date_source = $4, updated_at = clock_timestamp(), names = $5::tsvector
			WHERE seq = $6 RETURNING `+docColumns,
			next.OwnTitle(), next.Notes, next.Date, next.DateSource, labelsTSVector(next.Name, next.OwnTitle(), next.Notes, next.Lang), seq))
		if err != nil || d.Title == cur.Title && d.Notes == cur.Notes {
			return err
		}
		return addWords(ctx, tx, d.OwnTitle(), d.Notes)
	})
	return d, err
}
