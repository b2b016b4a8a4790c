package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/docpipe/docpipe/internal/document"
	"github.com/docpipe/docpipe/internal/store"
)

const docColumns = `seq, id, owner, name, content_type, size, sha256, blob_key, status, error,
	page_count, attempts, created_at, updated_at`

type scanner interface {
	Scan(dest ...any) error
}

// scanDoc reads the columns of docColumns, then any extra ones.
func scanDoc(sc scanner, extra ...any) (int64, document.Document, error) {
	var (
		seq              int64
		d                document.Document
		created, updated int64
	)
	dest := []any{&seq, &d.ID, &d.Owner, &d.Name, &d.ContentType, &d.Size, &d.SHA256, &d.BlobKey,
		&d.Status, &d.Error, &d.Pages, &d.Attempts, &created, &updated}
	err := sc.Scan(append(dest, extra...)...)
	d.CreatedAt, d.UpdatedAt = fromMicros(created), fromMicros(updated)
	return seq, d, err
}

// lookup reads one of owner's documents; another owner's is document.ErrNotFound.
func lookup(ctx context.Context, tx *sql.Tx, owner, id string) (int64, document.Document, error) {
	seq, d, err := scanDoc(tx.QueryRowContext(ctx,
		`SELECT `+docColumns+` FROM documents WHERE owner = ? AND id = ?`, owner, id))
	if errors.Is(err, sql.ErrNoRows) {
		err = document.ErrNotFound
	}
	return seq, d, err
}

// Create inserts a queued document and its job, filling in d's ID when empty, its status,
// counters and times, as storetest describes.
func (s *Store) Create(ctx context.Context, d *document.Document) error {
	now := s.now()
	doc, err := store.Prepare(*d, now)
	if err != nil {
		return fmt.Errorf("sqlite: create document: %w", err)
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		seq, err := insertDoc(ctx, tx, doc)
		if err != nil {
			return err
		}
		return enqueue(ctx, tx, seq, now)
	})
	if err != nil {
		return fmt.Errorf("sqlite: create document: %w", err)
	}
	*d = doc
	return nil
}

// insertDoc adds the document and returns its row; an existing ID is document.ErrConflict.
func insertDoc(ctx context.Context, tx *sql.Tx, d document.Document) (int64, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO documents
		(id, owner, name, content_type, size, sha256, blob_key, status, error, page_count, attempts, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
		d.ID, d.Owner, d.Name, d.ContentType, d.Size, d.SHA256, d.BlobKey, d.Status, d.Error, d.Pages, d.Attempts,
		micros(d.CreatedAt), micros(d.UpdatedAt))
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, err
	}
	if n == 0 {
		return 0, fmt.Errorf("%w: id %s exists", document.ErrConflict, d.ID)
	}
	return res.LastInsertId()
}

// enqueue adds a job for the document, ready now.
func enqueue(ctx context.Context, tx *sql.Tx, seq int64, now time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO jobs (doc, id, due_at, enqueued_at) VALUES (?, ?, ?, ?)`,
		seq, document.NewID(now), micros(now), micros(now))
	return err
}

// Get returns one of owner's documents.
func (s *Store) Get(ctx context.Context, owner, id string) (document.Document, error) {
	var d document.Document
	err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		_, d, err = lookup(ctx, tx, owner, id)
		return err
	})
	if err != nil {
		return document.Document{}, fmt.Errorf("sqlite: get document: %w", err)
	}
	return d, nil
}

// List returns a page of owner's documents, newest first; documents created in the same
// microsecond come in descending ID order.
func (s *Store) List(ctx context.Context, owner string, opt store.ListOptions) (store.ListResult, error) {
	if opt.Limit < 1 || opt.Limit > 1000 {
		return store.ListResult{}, fmt.Errorf("sqlite: list documents: %w: limit %d is not within 1..1000", document.ErrInvalidInput, opt.Limit)
	}
	if opt.Status != "" && !opt.Status.Valid() {
		return store.ListResult{}, fmt.Errorf("sqlite: list documents: %w: unknown status %q", document.ErrInvalidInput, opt.Status)
	}
	var q strings.Builder
	q.WriteString(`SELECT ` + docColumns + ` FROM documents WHERE owner = ?`)
	args := []any{owner}
	if opt.Status != "" {
		q.WriteString(` AND status = ?`)
		args = append(args, opt.Status)
	}
	if opt.Cursor != "" {
		c, err := store.DecodeCursor(opt.Cursor)
		if err != nil {
			return store.ListResult{}, fmt.Errorf("sqlite: list documents: %w", err)
		}
		q.WriteString(` AND (created_at, id) < (?, ?)`)
		args = append(args, micros(c.Created), c.ID)
	}
	q.WriteString(` ORDER BY created_at DESC, id DESC LIMIT ?`)
	args = append(args, opt.Limit+1)

	var res store.ListResult
	err := s.read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, q.String(), args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			_, d, err := scanDoc(rows)
			if err != nil {
				return err
			}
			res.Documents = append(res.Documents, d)
		}
		return rows.Err()
	})
	if err != nil {
		return store.ListResult{}, fmt.Errorf("sqlite: list documents: %w", err)
	}
	if len(res.Documents) > opt.Limit {
		res.Documents = res.Documents[:opt.Limit]
		last := res.Documents[opt.Limit-1]
		res.Next = store.Cursor{Created: last.CreatedAt, ID: last.ID}.Encode()
	}
	return res, nil
}

// Text returns the pages of one of owner's documents that is done.
func (s *Store) Text(ctx context.Context, owner, id string) ([]document.Page, error) {
	var pages []document.Page
	err := s.read(ctx, func(tx *sql.Tx) error {
		seq, d, err := lookup(ctx, tx, owner, id)
		if err != nil {
			return err
		}
		if d.Status != document.StatusDone {
			return fmt.Errorf("%w: document is %s", document.ErrConflict, d.Status)
		}
		var body string
		err = tx.QueryRowContext(ctx, `SELECT body FROM texts WHERE rowid = ?`, seq).Scan(&body)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		rows, err := tx.QueryContext(ctx,
			`SELECT number, start, length, confidence, source FROM pages WHERE doc = ? ORDER BY number`, seq)
		if err != nil {
			return err
		}
		defer rows.Close()
		pages = make([]document.Page, 0, d.Pages)
		for rows.Next() {
			var (
				p             document.Page
				start, length int
			)
			if err := rows.Scan(&p.Number, &start, &length, &p.Confidence, &p.Source); err != nil {
				return err
			}
			if start < 0 || length < 0 || start+length > len(body) {
				return fmt.Errorf("page %d lies outside the stored text", p.Number)
			}
			p.Text = body[start : start+length]
			pages = append(pages, p)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: text of document: %w", err)
	}
	return pages, nil
}

// Delete removes one of owner's documents with its text, index entry, pages and job.
func (s *Store) Delete(ctx context.Context, owner, id string) (document.Document, error) {
	var d document.Document
	err := s.write(ctx, func(tx *sql.Tx) error {
		var (
			seq int64
			err error
		)
		seq, d, err = lookup(ctx, tx, owner, id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM texts WHERE rowid = ?`, seq); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM documents WHERE seq = ?`, seq)
		return err
	})
	if err != nil {
		return document.Document{}, fmt.Errorf("sqlite: delete document: %w", err)
	}
	return d, nil
}

// Reprocess queues one of owner's done or failed documents again. Its text stays until the new
// run completes, but neither Text nor Search show it meanwhile.
func (s *Store) Reprocess(ctx context.Context, owner, id string) (document.Document, error) {
	var d document.Document
	err := s.write(ctx, func(tx *sql.Tx) error {
		seq, cur, err := lookup(ctx, tx, owner, id)
		if err != nil {
			return err
		}
		if cur.Status != document.StatusDone && cur.Status != document.StatusFailed {
			return fmt.Errorf("%w: document is %s", document.ErrConflict, cur.Status)
		}
		now := s.now()
		_, d, err = scanDoc(tx.QueryRowContext(ctx, `UPDATE documents
			SET status = 'queued', error = '', attempts = 0, updated_at = ?
			WHERE seq = ? RETURNING `+docColumns, micros(now), seq))
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE texts SET owner = '' WHERE rowid = ?`, seq); err != nil {
			return err
		}
		return enqueue(ctx, tx, seq, now)
	})
	if err != nil {
		return document.Document{}, fmt.Errorf("sqlite: reprocess document: %w", err)
	}
	return d, nil
}
