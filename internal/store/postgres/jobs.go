package postgres

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/docpipe/docpipe/internal/document"
	"github.com/docpipe/docpipe/internal/search"
	"github.com/docpipe/docpipe/internal/store"
)

// Claim leases a ready job of the owner who holds the fewest live leases, among those the owner
// served least recently (owner_turns), and of that owner's ready jobs the one that has been
// ready longest, so that one owner's batch does not hold up another's documents, even with a
// single claimer that never holds a lease when it claims. SKIP LOCKED lets concurrent claimers
// pass over a job another one is taking, rather than wait for it and then find it gone; the
// leases and turns they are taking count once they commit, so concurrent claims may favour one
// owner a little. The turn is recorded last (see served), so claimers never wait on each
// other's jobs. Leases are timed by the database's clock, which every replica shares.
func (s *backend) Claim(ctx context.Context, lease time.Duration) (document.Job, error) {
	j := document.Job{Token: rand.Text()}
	err := s.write(ctx, func(tx pgx.Tx) error {
		var seq int64
		err := tx.QueryRow(ctx, claimQuery, j.Token, lease.Microseconds()).
			Scan(&seq, &j.ID, &j.Attempt, &j.LeaseUntil, &j.EnqueuedAt)
		if err != nil {
			return noRows(err, document.ErrNoJob)
		}
		return processing(ctx, tx, seq, &j)
	})
	if err != nil {
		return document.Job{}, err
	}
	return j, nil
}

// claimQuery leases the job Claim picks ($1 the token, $2 the lease in microseconds): among the
// ready jobs, those of the owner with the fewest live leases first, then of the owner whose
// last claim is oldest (never claimed first), then in order of due time. One reading of the
// clock decides both which jobs are ready and which leases are live, so a lease that has run
// out makes its job ready and no longer counts. Only the job's row is locked: owner_turns is
// read, not locked, here.
const claimQuery = `WITH now AS MATERIALIZED (SELECT clock_timestamp() AS t),
	leased AS (
		SELECT d.owner, count(*) AS n FROM jobs j JOIN documents d ON d.seq = j.doc
		WHERE j.token <> '' AND j.due_at > (SELECT t FROM now)
		GROUP BY d.owner
	),
	next AS (
		SELECT j.doc FROM jobs j JOIN documents d ON d.seq = j.doc
			LEFT JOIN leased l ON l.owner = d.owner LEFT JOIN owner_turns t ON t.owner = d.owner
		WHERE j.due_at <= (SELECT t FROM now)
		ORDER BY coalesce(l.n, 0), t.claimed_at ASC NULLS FIRST, j.due_at, j.doc
		LIMIT 1 FOR UPDATE OF j SKIP LOCKED
	)
	UPDATE jobs SET token = $1, attempt = attempt + 1, due_at = clock_timestamp() + $2 * interval '1 microsecond'
	FROM next WHERE jobs.doc = next.doc
	RETURNING jobs.doc, jobs.id, jobs.attempt, jobs.due_at, jobs.enqueued_at`

// processing marks the document of the job j, just leased, processing, fills in the rest of j
// and records the owner's turn, last.
func processing(ctx context.Context, tx pgx.Tx, seq int64, j *document.Job) error {
	j.LeaseUntil, j.EnqueuedAt = j.LeaseUntil.UTC(), j.EnqueuedAt.UTC()
	err := tx.QueryRow(ctx, `UPDATE documents SET status = 'processing', attempts = $1, updated_at = clock_timestamp()
		WHERE seq = $2 RETURNING id, owner, blob_key, content_type, lang`,
		j.Attempt, seq).Scan(&j.DocumentID, &j.Owner, &j.BlobKey, &j.MediaType, &j.Lang)
	if err != nil {
		return err
	}
	return served(ctx, tx, j.Owner)
}

// served records in tx that a job of owner's was claimed now, the turn Claim orders owners by.
// It must be the last statement of the claim: the upsert locks the owner's row until the
// commit, so two claims for the same owner wait here at most for the other's commit. No
// deadlock can form, because a transaction holding a row of owner_turns takes no further lock
// (only Claim and ClaimDocument take one, a single row, last) and so never waits on anyone.
func served(ctx context.Context, tx pgx.Tx, owner string) error {
	_, err := tx.Exec(ctx, `INSERT INTO owner_turns (owner, claimed_at) VALUES ($1, clock_timestamp())
		ON CONFLICT (owner) DO UPDATE SET claimed_at = excluded.claimed_at`, owner)
	return err
}

// Extend pushes the job's lease to lease from now.
func (s *backend) Extend(ctx context.Context, job document.Job, lease time.Duration) (document.Job, error) {
	var until time.Time
	err := s.pool.QueryRow(ctx, `UPDATE jobs SET due_at = clock_timestamp() + $1 * interval '1 microsecond'
		WHERE id = $2 AND token = $3 AND token <> '' RETURNING due_at`,
		lease.Microseconds(), job.ID, job.Token).Scan(&until)
	if err != nil {
		return document.Job{}, noRows(err, document.ErrLeaseLost)
	}
	job.LeaseUntil = until.UTC()
	return job, nil
}

// release removes the job if its lease is held and returns its document; document.ErrLeaseLost
// when it is not.
func release(ctx context.Context, tx pgx.Tx, job document.Job) (int64, error) {
	var seq int64
	err := tx.QueryRow(ctx, `DELETE FROM jobs WHERE id = $1 AND token = $2 AND token <> '' RETURNING doc`,
		job.ID, job.Token).Scan(&seq)
	return seq, noRows(err, document.ErrLeaseLost)
}

// Complete stores the pages, indexes them and the document's name, marks the document done and
// removes the job.
func (s *backend) Complete(ctx context.Context, job document.Job, pages []document.Page, found string) error {
	n := len(pages)
	numbers, texts, tsvs := make([]int32, n), make([]string, n), make([]string, n)
	confidences, sources, layouts := make([]float64, n), make([]string, n), make([][]byte, n)
	for i, p := range pages {
		numbers[i], confidences[i], sources[i] = int32(p.Number), p.Confidence, p.Source
		texts[i] = p.Text
		var err error
		if layouts[i], err = store.LayoutBytes(p.Layout); err != nil {
			return fmt.Errorf("page %d: %w", p.Number, err)
		}
	}
	return s.write(ctx, func(tx pgx.Tx) error {
		seq, err := release(ctx, tx, job)
		if err != nil {
			return err
		}
		var name, lang, title, notes string
		if err := tx.QueryRow(ctx, `SELECT name, lang, title, notes FROM documents WHERE seq = $1 FOR UPDATE`, seq).
			Scan(&name, &lang, &title, &notes); err != nil {
			return err
		}
		for i, text := range texts {
			tsvs[i] = tsvector(text, lang)
		}
		if _, err := tx.Exec(ctx, `UPDATE documents SET status = 'done', error = '', page_count = $1, updated_at = clock_timestamp(),
				names = $3::tsvector, found_date = $4,
				date = CASE WHEN date_source = 'user' THEN date WHEN $4 <> '' THEN $4
					ELSE to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') END,
				date_source = CASE WHEN date_source = 'user' THEN date_source WHEN $4 <> '' THEN 'text' ELSE 'upload' END
			WHERE seq = $2`, n, seq, labelsTSVector(name, title, notes, lang), found); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM pages WHERE doc = $1`, seq); err != nil {
			return err
		}
		if err := addWords(ctx, tx, append(texts, document.DefaultTitle(name), title, notes)...); err != nil {
			return err
		}
		if err := addLangs(ctx, tx, lang); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO pages (doc, number, text, confidence, source, tsv, layout)
			SELECT $1, number, text, confidence, source, tsv::tsvector, layout
			FROM unnest($2::integer[], $3::text[], $4::double precision[], $5::text[], $6::text[], $7::bytea[])
				AS p (number, text, confidence, source, tsv, layout)`,
			seq, numbers, texts, confidences, sources, tsvs, layouts)
		return err
	})
}

// maxWordBytes is the longest word kept in words: longer ones are not worth a suggestion.
const maxWordBytes = 64

// addWords adds the distinct words of texts to words.
func addWords(ctx context.Context, tx pgx.Tx, texts ...string) error {
	seen := make(map[string]bool)
	var words []string
	for _, text := range texts {
		for _, w := range search.Words(text) {
			if !seen[w] && len(w) <= maxWordBytes {
				seen[w] = true
				words = append(words, w)
			}
		}
	}
	if len(words) == 0 {
		return nil
	}
	slices.Sort(words)
	_, err := tx.Exec(ctx, `INSERT INTO words (word) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING`, words)
	return err
}

// addLangs adds the languages of lang (see search.Langs) to langs.
func addLangs(ctx context.Context, tx pgx.Tx, lang string) error {
	_, err := tx.Exec(ctx, `INSERT INTO langs (lang) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING`, search.Langs(lang))
	return err
}

// Fail records a failed attempt: with retryAt the job waits until then, without it the document
// fails for good.
func (s *backend) Fail(ctx context.Context, job document.Job, reason string, retryAt time.Time) error {
	return s.write(ctx, func(tx pgx.Tx) error {
		if retryAt.IsZero() {
			seq, err := release(ctx, tx, job)
			if err != nil {
				return err
			}
			_, err = tx.Exec(ctx, `UPDATE documents SET status = 'failed', error = $1, updated_at = clock_timestamp()
				WHERE seq = $2`, reason, seq)
			return err
		}
		var seq int64
		err := tx.QueryRow(ctx, `UPDATE jobs SET token = '', due_at = $1
			WHERE id = $2 AND token = $3 AND token <> '' RETURNING doc`, retryAt, job.ID, job.Token).Scan(&seq)
		if err != nil {
			return noRows(err, document.ErrLeaseLost)
		}
		_, err = tx.Exec(ctx, `UPDATE documents SET status = 'queued', error = $1, updated_at = clock_timestamp()
			WHERE seq = $2`, reason, seq)
		return err
	})
}

// Stats counts the jobs. A job whose lease ran out counts as queued, and OldestAge is how long
// the longest-ready job has been waiting to be claimed.
func (s *backend) Stats(ctx context.Context) (store.Stats, error) {
	var (
		st     store.Stats
		oldest *int64
	)
	err := s.pool.QueryRow(ctx, `WITH now AS (SELECT clock_timestamp() AS t)
		SELECT count(*) FILTER (WHERE token = '' OR due_at <= now.t),
			count(*) FILTER (WHERE token <> '' AND due_at > now.t),
			(extract(epoch FROM now.t - min(due_at) FILTER (WHERE due_at <= now.t)) * 1e6)::bigint
		FROM jobs, now GROUP BY now.t`).Scan(&st.Queued, &st.Processing, &oldest)
	if errors.Is(err, pgx.ErrNoRows) {
		return store.Stats{}, nil
	}
	if err != nil {
		return store.Stats{}, err
	}
	if oldest != nil {
		st.OldestAge = max(0, time.Duration(*oldest)*time.Microsecond)
	}
	return st, nil
}
