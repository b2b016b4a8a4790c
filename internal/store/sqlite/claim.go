package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"time"

	"github.com/docpipe/docpipe/internal/document"
)

// ClaimDocument leases the job of the document id if it is ready. Like Claim, it records the
// owner's turn.
func (s *backend) ClaimDocument(ctx context.Context, id string, lease time.Duration) (document.Job, error) {
	j := document.Job{Token: rand.Text()}
	err := s.write(ctx, func(tx *sql.Tx) error {
		now := s.now()
		var (
			seq int64
			due sql.NullInt64
		)
		err := tx.QueryRowContext(ctx, `SELECT d.seq, j.due_at FROM documents d LEFT JOIN jobs j ON j.doc = d.seq
			WHERE d.id = ?`, id).Scan(&seq, &due)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return document.ErrNotFound
		case err != nil:
			return err
		case !due.Valid:
			return document.ErrNoJob
		case due.Int64 > micros(now):
			return &document.NotReadyError{Due: fromMicros(due.Int64)}
		}
		j.LeaseUntil = now.Add(lease).Truncate(time.Microsecond).UTC()
		var enqueued int64
		err = tx.QueryRowContext(ctx, `UPDATE jobs SET token = ?, attempt = attempt + 1, due_at = ?
			WHERE doc = ? RETURNING id, attempt, enqueued_at`,
			j.Token, micros(j.LeaseUntil), seq).Scan(&j.ID, &j.Attempt, &enqueued)
		if err != nil {
			return err
		}
		j.EnqueuedAt = fromMicros(enqueued)
		return processing(ctx, tx, seq, &j, now)
	})
	return j, err
}
