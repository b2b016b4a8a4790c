package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/docpipe/docpipe/internal/document"
	"github.com/docpipe/docpipe/internal/search"
	"github.com/docpipe/docpipe/internal/store"
)

// pageSeparator goes between pages in the indexed text.
const pageSeparator = "\n\n"

// Claim leases a ready job of the owner who holds the fewest live leases, among those the owner
// served least recently (owner_turns), and of that owner's ready jobs the one that has been
// ready longest, so that one owner's batch does not hold up another's documents, even with a
// single claimer that never holds a lease when it claims. The write transaction makes the
// claim, the counts and turns it is chosen by, and the owner's new turn atomic across
// processes; when no job is ready it returns without taking the write lock.
func (s *backend) Claim(ctx context.Context, lease time.Duration) (document.Job, error) {
	now := s.now()
	var ready bool
	err := s.ro.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM jobs WHERE due_at <= ?)`, micros(now)).Scan(&ready)
	if err != nil {
		return document.Job{}, err
	}
	if !ready {
		return document.Job{}, document.ErrNoJob
	}
	j := document.Job{Token: rand.Text()}
	err = s.write(ctx, func(tx *sql.Tx) error {
		now := s.now()
		j.LeaseUntil = now.Add(lease).Truncate(time.Microsecond).UTC()
		var seq, enqueued int64
		err := tx.QueryRowContext(ctx, claimQuery, j.Token, micros(j.LeaseUntil), micros(now)).
			Scan(&seq, &j.ID, &j.Attempt, &enqueued)
		if errors.Is(err, sql.ErrNoRows) {
			return document.ErrNoJob
		}
		if err != nil {
			return err
		}
		j.EnqueuedAt = fromMicros(enqueued)
		return processing(ctx, tx, seq, &j, now)
	})
	return j, err
}

// claimQuery leases the job Claim picks (?1 the token, ?2 the lease's end, ?3 now): among the
// ready jobs, those of the owner with the fewest live leases first, then of the owner whose
// last claim is oldest (never claimed first), then in order of due time. A lease that has run
// out makes its job ready and no longer counts.
const claimQuery = `WITH leased (owner, n) AS (
		SELECT d.owner, count(*) FROM jobs j JOIN documents d ON d.seq = j.doc
		WHERE j.token <> '' AND j.due_at > ?3
		GROUP BY d.owner
	)
	UPDATE jobs SET token = ?1, attempt = attempt + 1, due_at = ?2
	WHERE doc = (
		SELECT j.doc FROM jobs j JOIN documents d ON d.seq = j.doc
			LEFT JOIN leased l ON l.owner = d.owner LEFT JOIN owner_turns t ON t.owner = d.owner
		WHERE j.due_at <= ?3
		ORDER BY coalesce(l.n, 0), coalesce(t.claimed_at, 0), j.due_at, j.doc
		LIMIT 1
	)
	RETURNING doc, id, attempt, enqueued_at`

// processing marks the document of the job j, just leased, processing, fills in the rest of j
// and records the owner's turn.
func processing(ctx context.Context, tx *sql.Tx, seq int64, j *document.Job, now time.Time) error {
	err := tx.QueryRowContext(ctx, `UPDATE documents SET status = 'processing', attempts = ?, updated_at = ?
		WHERE seq = ? RETURNING id, owner, blob_key, content_type, lang`,
		j.Attempt, micros(now), seq).Scan(&j.DocumentID, &j.Owner, &j.BlobKey, &j.MediaType, &j.Lang)
	if err != nil {
		return err
	}
	return served(ctx, tx, j.Owner, now)
}

// served records in tx that a job of owner's was claimed at now, the turn Claim orders owners
// by.
func served(ctx context.Context, tx *sql.Tx, owner string, now time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO owner_turns (owner, claimed_at) VALUES (?, ?)
		ON CONFLICT (owner) DO UPDATE SET claimed_at = excluded.claimed_at`, owner, micros(now))
	return err
}

// Extend pushes the job's lease to lease from now.
func (s *backend) Extend(ctx context.Context, job document.Job, lease time.Duration) (document.Job, error) {
	until := s.now().Add(lease).Truncate(time.Microsecond).UTC()
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := held(ctx, tx, `UPDATE jobs SET due_at = ? WHERE id = ? AND token = ? AND token <> '' RETURNING doc`,
			micros(until), job.ID, job.Token)
		return err
	})
	if err != nil {
		return document.Job{}, err
	}
	job.LeaseUntil = until
	return job, nil
}

// held runs a statement that touches the job only if its lease is held and returns the job's
// document; document.ErrLeaseLost when nothing matched.
func held(ctx context.Context, tx *sql.Tx, query string, args ...any) (int64, error) {
	var seq int64
	err := tx.QueryRowContext(ctx, query, args...).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, document.ErrLeaseLost
	}
	return seq, err
}

// Complete stores the pages, indexes them, marks the document done and removes the job.
func (s *backend) Complete(ctx context.Context, job document.Job, pages []document.Page, found string) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		seq, err := held(ctx, tx, `DELETE FROM jobs WHERE id = ? AND token = ? AND token <> '' RETURNING doc`, job.ID, job.Token)
		if err != nil {
			return err
		}
		var d document.Document
		err = tx.QueryRowContext(ctx, `UPDATE documents SET status = 'done', error = '', page_count = ?1, updated_at = ?2,
				found_date = ?3,
				date = CASE WHEN date_source = 'user' THEN date WHEN ?3 <> '' THEN ?3
					ELSE strftime('%Y-%m-%d', created_at / 1000000, 'unixepoch') END,
				date_source = CASE WHEN date_source = 'user' THEN date_source WHEN ?3 <> '' THEN 'text' ELSE 'upload' END
			WHERE seq = ?4 RETURNING owner, name, lang, title, notes`, len(pages), micros(s.now()), found, seq).
			Scan(&d.Owner, &d.Name, &d.Lang, &d.Title, &d.Notes)
		if err != nil {
			return err
		}
		return putText(ctx, tx, seq, d, pages)
	})
}

// maxWordBytes is the longest word kept in words: longer ones are not worth a suggestion.
const maxWordBytes = 64

// addWords adds the distinct words of texts to words.
func addWords(ctx context.Context, tx *sql.Tx, texts ...string) error {
	seen := make(map[string]bool)
	stmt, err := tx.PrepareContext(ctx, `INSERT OR IGNORE INTO words (word) VALUES (?)`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for _, text := range texts {
		for _, w := range search.Words(text) {
			if seen[w] || len(w) > maxWordBytes {
				continue
			}
			seen[w] = true
			if _, err := stmt.ExecContext(ctx, w); err != nil {
				return err
			}
		}
	}
	return nil
}

// addLangs adds the languages of lang (see search.Langs) to langs.
func addLangs(ctx context.Context, tx *sql.Tx, lang string) error {
	for _, l := range search.Langs(lang) {
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO langs (lang) VALUES (?)`, l); err != nil {
			return err
		}
	}
	return nil
}

// putText replaces the text of the done document d with pages. A document without pages still
// gets a row, so that its labels are found. d's Title is the owner's, "" for none.
func putText(ctx context.Context, tx *sql.Tx, seq int64, d document.Document, pages []document.Page) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM texts WHERE rowid = ?`, seq); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM pages WHERE doc = ?`, seq); err != nil {
		return err
	}
	var body strings.Builder
	starts := make([]int, len(pages))
	for i := range pages {
		if i > 0 {
			body.WriteString(pageSeparator)
		}
		starts[i] = body.Len()
		body.WriteString(pages[i].Text)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO texts (rowid, body, owner, stems, name) VALUES (?, ?, ?, ?, ?)`,
		seq, body.String(), ownerToken(d.Owner), search.Terms(body.String(), d.Lang), labelTerms(d)); err != nil {
		return err
	}
	if err := addWords(ctx, tx, body.String(), document.DefaultTitle(d.Name), d.Title, d.Notes); err != nil {
		return err
	}
	if err := addLangs(ctx, tx, d.Lang); err != nil {
		return err
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO pages (doc, number, start, length, confidence, source, layout) VALUES (?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for i, p := range pages {
		layout, err := store.LayoutBytes(p.Layout)
		if err != nil {
			return fmt.Errorf("page %d: %w", p.Number, err)
		}
		if _, err := stmt.ExecContext(ctx, seq, p.Number, starts[i], len(p.Text), p.Confidence, p.Source, layout); err != nil {
			return err
		}
	}
	return nil
}

// Fail records a failed attempt: with retryAt the job waits until then, without it the document
// fails for good.
func (s *backend) Fail(ctx context.Context, job document.Job, reason string, retryAt time.Time) error {
	now := micros(s.now())
	return s.write(ctx, func(tx *sql.Tx) error {
		if retryAt.IsZero() {
			seq, err := held(ctx, tx, `DELETE FROM jobs WHERE id = ? AND token = ? AND token <> '' RETURNING doc`, job.ID, job.Token)
			if err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, `UPDATE documents SET status = 'failed', error = ?, updated_at = ? WHERE seq = ?`, reason, now, seq)
			return err
		}
		seq, err := held(ctx, tx, `UPDATE jobs SET token = '', due_at = ? WHERE id = ? AND token = ? AND token <> '' RETURNING doc`,
			micros(retryAt), job.ID, job.Token)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE documents SET status = 'queued', error = ?, updated_at = ? WHERE seq = ?`, reason, now, seq)
		return err
	})
}

// Stats counts the jobs. A job whose lease ran out counts as queued, and OldestAge is how long
// the longest-ready job has been waiting to be claimed.
func (s *backend) Stats(ctx context.Context) (store.Stats, error) {
	now := s.now()
	var (
		st     store.Stats
		oldest sql.NullInt64
	)
	err := s.ro.QueryRowContext(ctx, `SELECT count(*),
			COALESCE(SUM(token <> '' AND due_at > ?1), 0),
			MIN(CASE WHEN due_at <= ?1 THEN due_at END)
		FROM jobs`, micros(now)).Scan(&st.Queued, &st.Processing, &oldest)
	if err != nil {
		return store.Stats{}, err
	}
	st.Queued -= st.Processing
	if oldest.Valid {
		st.OldestAge = max(0, now.Sub(fromMicros(oldest.Int64)))
	}
	return st, nil
}
