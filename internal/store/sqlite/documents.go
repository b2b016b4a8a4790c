package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/docpipe/docpipe/internal/document"
	"github.com/docpipe/docpipe/internal/store"
)

const docColumns = `seq, id, owner, name, content_type, size, sha256, blob_key, status, error,
	page_count, attempts, created_at, updated_at, lang, title, notes, date, date_source, tags`

type scanner interface {
	Scan(dest ...any) error
}

// scanDoc reads the columns of docColumns, then any extra ones.
func scanDoc(sc scanner, extra ...any) (int64, document.Document, error) {
	var (
		seq                     int64
		d                       document.Document
		created, updated        int64
		title, date, dateSource string
		tags                    []byte
	)
	dest := []any{&seq, &d.ID, &d.Owner, &d.Name, &d.ContentType, &d.Size, &d.SHA256, &d.BlobKey,
		&d.Status, &d.Error, &d.Pages, &d.Attempts, &created, &updated, &d.Lang, &title, &d.Notes, &date, &dateSource, &tags}
	err := sc.Scan(append(dest, extra...)...)
	if err == nil {
		if jerr := json.Unmarshal(tags, &d.Tags); jerr != nil {
			err = fmt.Errorf("tags of document %s: %w", d.ID, jerr)
		}
	}
	d.CreatedAt, d.UpdatedAt = fromMicros(created), fromMicros(updated)
	d.Labels(title, date, dateSource)
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

// Create inserts a queued document and its job, unless the owner has its bytes already. The
// write transaction makes the check and the insert one.
func (s *backend) Create(ctx context.Context, d document.Document) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		if d.SHA256 != "" {
			dup, err := duplicate(ctx, tx, d.Owner, d.SHA256)
			if err == nil {
				return &document.DuplicateError{Existing: dup}
			}
			if !errors.Is(err, document.ErrNotFound) {
				return err
			}
		}
		if err := ensureTags(ctx, tx, d.Owner, d.Tags); err != nil {
			return err
		}
		seq, err := insertDoc(ctx, tx, d)
		if err != nil {
			return err
		}
		return enqueue(ctx, tx, seq, s.now())
	})
}

// duplicate reads the owner's oldest document with the SHA-256 sum sha.
func duplicate(ctx context.Context, tx *sql.Tx, owner, sha string) (document.Document, error) {
	_, d, err := scanDoc(tx.QueryRowContext(ctx,
		`SELECT `+docColumns+` FROM documents WHERE owner = ? AND sha256 = ? ORDER BY seq LIMIT 1`, owner, sha))
	if errors.Is(err, sql.ErrNoRows) {
		err = document.ErrNotFound
	}
	return d, err
}

// Duplicate returns the owner's document with the SHA-256 sum sha.
func (s *backend) Duplicate(ctx context.Context, owner, sha string) (document.Document, error) {
	var d document.Document
	err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		d, err = duplicate(ctx, tx, owner, sha)
		return err
	})
	return d, err
}

// insertDoc adds the document and returns its row; an existing ID is document.ErrConflict.
func insertDoc(ctx context.Context, tx *sql.Tx, d document.Document) (int64, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO documents
		(id, owner, name, content_type, size, sha256, blob_key, status, error, page_count, attempts, created_at, updated_at, lang,
			title, notes, date, date_source, found_date, tags)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
		d.ID, d.Owner, d.Name, d.ContentType, d.Size, d.SHA256, d.BlobKey, d.Status, d.Error, d.Pages, d.Attempts,
		micros(d.CreatedAt), micros(d.UpdatedAt), d.Lang, d.OwnTitle(), d.Notes, d.Date, d.DateSource, d.FoundDate(), jsonTags(d.Tags))
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
func (s *backend) Get(ctx context.Context, owner, id string) (document.Document, error) {
	var d document.Document
	err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		_, d, err = lookup(ctx, tx, owner, id)
		return err
	})
	return d, err
}

// List returns n of owner's documents after the cursor, newest first.
func (s *backend) List(ctx context.Context, owner string, f store.ListFilter, after store.Cursor, n int) ([]document.Document, error) {
	var q strings.Builder
	q.WriteString(`SELECT ` + docColumns + ` FROM documents WHERE owner = ?`)
	args := []any{owner}
	if f.Status != "" {
		q.WriteString(` AND status = ?`)
		args = append(args, f.Status)
	}
	for _, g := range f.Tags {
		q.WriteString(` AND ` + tagged(""))
		args = append(args, jsonTags(g))
	}
	if f.After != "" {
		q.WriteString(` AND date >= ?`)
		args = append(args, f.After)
	}
	if f.Before != "" {
		q.WriteString(` AND date < ?`)
		args = append(args, f.Before)
	}
	switch {
	case f.ByDate && after != (store.Cursor{}):
		q.WriteString(` AND (date, created_at, id) < (?, ?, ?)`)
		args = append(args, after.Date, micros(after.Created), after.ID)
	case after != (store.Cursor{}):
		q.WriteString(` AND (created_at, id) < (?, ?)`)
		args = append(args, micros(after.Created), after.ID)
	}
	if f.ByDate {
		q.WriteString(` ORDER BY date DESC, created_at DESC, id DESC LIMIT ?`)
	} else {
		q.WriteString(` ORDER BY created_at DESC, id DESC LIMIT ?`)
	}
	args = append(args, n)

	var docs []document.Document
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
			docs = append(docs, d)
		}
		return rows.Err()
	})
	return docs, err
}

// Text returns one of owner's documents and, when it is done, its pages.
func (s *backend) Text(ctx context.Context, owner, id string) (document.Document, []document.Page, error) {
	var (
		d     document.Document
		pages []document.Page
	)
	err := s.read(ctx, func(tx *sql.Tx) error {
		var (
			seq int64
			err error
		)
		seq, d, err = lookup(ctx, tx, owner, id)
		if err != nil || d.Status != document.StatusDone {
			return err
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
	return d, pages, err
}

// Page returns one of owner's documents and, when it is done, its page n.
func (s *backend) Page(ctx context.Context, owner, id string, n int) (document.Document, document.Page, error) {
	var (
		d document.Document
		p document.Page
	)
	err := s.read(ctx, func(tx *sql.Tx) error {
		var (
			seq int64
			err error
		)
		seq, d, err = lookup(ctx, tx, owner, id)
		if err != nil || d.Status != document.StatusDone {
			return err
		}
		var (
			start, length int
			layout        []byte
		)
		err = tx.QueryRowContext(ctx, `SELECT number, start, length, confidence, source, layout FROM pages WHERE doc = ? AND number = ?`,
			seq, n).Scan(&p.Number, &start, &length, &p.Confidence, &p.Source, &layout)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: page %d", document.ErrNotFound, n)
		}
		if err != nil {
			return err
		}
		var body string
		if err := tx.QueryRowContext(ctx, `SELECT body FROM texts WHERE rowid = ?`, seq).Scan(&body); err != nil {
			return err
		}
		if start < 0 || length < 0 || start+length > len(body) {
			return fmt.Errorf("page %d lies outside the stored text", n)
		}
		p.Text = body[start : start+length]
		if p.Layout, err = store.ParseLayout(layout); err != nil {
			return fmt.Errorf("page %d: %w", n, err)
		}
		return nil
	})
	return d, p, err
}

// Delete removes one of owner's documents with its text, index entry, pages and job.
func (s *backend) Delete(ctx context.Context, owner, id string) (document.Document, error) {
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
	return d, err
}

// Reprocess queues one of owner's documents again; its text leaves the owner's index.
func (s *backend) Reprocess(ctx context.Context, owner, id string) (document.Document, error) {
	var d document.Document
	err := s.write(ctx, func(tx *sql.Tx) error {
		seq, cur, err := lookup(ctx, tx, owner, id)
		if err != nil {
			return err
		}
		if err := store.Reprocessable(cur); err != nil {
			return err
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
	return d, err
}

// Update changes the labels of one of owner's documents and, when it is done, what its texts
// row's name column holds.
func (s *backend) Update(ctx context.Context, owner, id string, ch document.Change) (document.Document, error) {
	var d document.Document
	err := s.write(ctx, func(tx *sql.Tx) error {
		var found string
		seq, cur, err := scanDoc(tx.QueryRowContext(ctx,
			`SELECT `+docColumns+`, found_date FROM documents WHERE owner = ? AND id = ?`, owner, id), &found)
		if errors.Is(err, sql.ErrNoRows) {
			err = document.ErrNotFound
		}
		if err != nil {
			return err
		}
		next := store.Changed(cur, ch, found)
		_, d, err = scanDoc(tx.QueryRowContext(ctx, `UPDATE documents
			SET title = ?, notes = ?, date = ?, date_source = ?, updated_at = ?
			WHERE seq = ? RETURNING `+docColumns,
			next.OwnTitle(), next.Notes, next.Date, next.DateSource, micros(s.now()), seq))
		if err != nil || d.Status != document.StatusDone || d.Title == cur.Title && d.Notes == cur.Notes {
			return err
		}
		own := d
		own.Title = d.OwnTitle()
		if _, err := tx.ExecContext(ctx, `UPDATE texts SET name = ? WHERE rowid = ?`, labelTerms(own), seq); err != nil {
			return err
		}
		return addWords(ctx, tx, own.Title, own.Notes)
	})
	return d, err
}
