package postgres

import (
	"context"
	"crypto/rand"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/docpipe/docpipe/internal/document"
)

// ClaimDocument leases the job of the document id if it is ready. The job's row is locked
// while it is checked, so of two workers told about the same document one claims the job and
// the other finds it leased. Like Claim, it records the owner's turn, last.
func (s *backend) ClaimDocument(ctx context.Context, id string, lease time.Duration) (document.Job, error) {
	j := document.Job{Token: rand.Text()}
	err := s.write(ctx, func(tx pgx.Tx) error {
		var seq int64
		err := tx.QueryRow(ctx, `SELECT seq FROM documents WHERE id = $1`, id).Scan(&seq)
		if err != nil {
			return noRows(err, document.ErrNotFound)
		}
		var (
			due   time.Time
			ready bool
		)
		err = tx.QueryRow(ctx, `SELECT due_at, due_at <= clock_timestamp() FROM jobs WHERE doc = $1 FOR UPDATE`,
			seq).Scan(&due, &ready)
		if err != nil {
			return noRows(err, document.ErrNoJob)
		}
		if !ready {
			return &document.NotReadyError{Due: due.UTC()}
		}
		err = tx.QueryRow(ctx, `UPDATE jobs SET token = $1, attempt = attempt + 1,
				due_at = clock_timestamp() + $2 * interval '1 microsecond'
			WHERE doc = $3 RETURNING id, attempt, due_at, enqueued_at`,
			j.Token, lease.Microseconds(), seq).Scan(&j.ID, &j.Attempt, &j.LeaseUntil, &j.EnqueuedAt)
		if err != nil {
			return err
		}
		return processing(ctx, tx, seq, &j)
	})
	if err != nil {
		return document.Job{}, err
	}
	return j, nil
}
