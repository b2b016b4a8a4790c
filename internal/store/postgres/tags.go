package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/docpipe/docpipe/internal/document"
	"github.com/docpipe/docpipe/internal/store"
)

// nonNil is tags, or an empty list for none: the column holds no NULLs.
func nonNil(tags []string) []string {
	if tags == nil {
		return []string{}
	}
	return tags
}

// ensureTags adds the tags the owner does not have yet, in their default colours, unless that
// makes more than document.MaxTags, and holds a share lock on them to the transaction's end.
func ensureTags(ctx context.Context, tx pgx.Tx, owner string, tags []string) error {
	if len(tags) == 0 {
		return nil
	}
	colors := make([]string, len(tags))
	for i, t := range tags {
		colors[i] = document.DefaultColor(t)
	}
	tag, err := tx.Exec(ctx, `INSERT INTO tags (owner, name, color) SELECT $1, name, color FROM unnest($2::text[], $3::text[]) AS t (name, color)
		ON CONFLICT DO NOTHING`, owner, tags, colors)
	if err != nil {
		return err
	}
	if tag.RowsAffected() > 0 {
		if err := checkTagCount(ctx, tx, owner); err != nil {
			return err
		}
	}
	// A rename or delete of these tags waits for this transaction, and then sees the documents
	// it tags: without the lock it could remove the tag before they are written and miss them.
	_, err = tx.Exec(ctx, `SELECT 1 FROM tags WHERE owner = $1 AND name = ANY($2) ORDER BY name FOR SHARE`, owner, tags)
	return err
}

func checkTagCount(ctx context.Context, tx pgx.Tx, owner string) error {
	var n int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM tags WHERE owner = $1`, owner).Scan(&n); err != nil {
		return err
	}
	if n > document.MaxTags {
		return fmt.Errorf("%w: an owner may have at most %d tags", document.ErrInvalidInput, document.MaxTags)
	}
	return nil
}

// Tags returns the owner's tags with their counts of documents.
func (s *backend) Tags(ctx context.Context, owner string) ([]document.Tag, error) {
	rows, err := s.pool.Query(ctx, `SELECT t.name, t.color, COALESCE(c.n, 0) FROM tags t LEFT JOIN (
			SELECT unnest(tags) AS name, count(*) AS n FROM documents WHERE owner = $1 AND tags <> '{}' GROUP BY 1) c
			ON c.name = t.name
		WHERE t.owner = $1`, owner)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (document.Tag, error) {
		var t document.Tag
		err := row.Scan(&t.Name, &t.Color, &t.Documents)
		return t, err
	})
}

// PutTag creates or changes one of the owner's tags, renaming it on the owner's documents.
func (s *backend) PutTag(ctx context.Context, owner, name string, t document.Tag) (document.Tag, error) {
	err := s.write(ctx, func(tx pgx.Tx) error {
		var color string
		err := tx.QueryRow(ctx, `SELECT color FROM tags WHERE owner = $1 AND name = $2 FOR UPDATE`, owner, name).Scan(&color)
		if errors.Is(err, pgx.ErrNoRows) {
			if t.Color == "" {
				t.Color = document.DefaultColor(t.Name)
			}
			return insertTag(ctx, tx, owner, t)
		}
		if err != nil {
			return err
		}
		if t.Color == "" {
			t.Color = color
		}
		if t.Name == name {
			_, err = tx.Exec(ctx, `UPDATE tags SET color = $1 WHERE owner = $2 AND name = $3`, t.Color, owner, name)
			return err
		}
		if err := insertTag(ctx, tx, owner, t); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM tags WHERE owner = $1 AND name = $2`, owner, name); err != nil {
			return err
		}
		return retagAll(ctx, tx, owner, name, t.Name)
	})
	return t, err
}

// insertTag adds the tag t, which must be new: another of the same name is a conflict.
func insertTag(ctx context.Context, tx pgx.Tx, owner string, t document.Tag) error {
	tag, err := tx.Exec(ctx, `INSERT INTO tags (owner, name, color) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, owner, t.Name, t.Color)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("%w: there is a tag %q already", document.ErrConflict, t.Name)
	}
	return checkTagCount(ctx, tx, owner)
}

// retagAll replaces the tag from by to ("" removes it) on every one of the owner's documents.
func retagAll(ctx context.Context, tx pgx.Tx, owner, from, to string) error {
	rows, err := tx.Query(ctx, `SELECT seq, tags FROM documents WHERE owner = $1 AND tags @> ARRAY[$2] ORDER BY id FOR UPDATE`, owner, from)
	if err != nil {
		return err
	}
	type row struct {
		seq  int64
		tags []string
	}
	all, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (row, error) {
		var x row
		return x, r.Scan(&x.seq, &x.tags)
	})
	if err != nil {
		return err
	}
	var add []string
	if to != "" {
		add = []string{to}
	}
	for _, r := range all {
		tags, err := store.Retag(r.tags, add, []string{from})
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE documents SET tags = $1, updated_at = clock_timestamp() WHERE seq = $2`, nonNil(tags), r.seq); err != nil {
			return err
		}
	}
	return nil
}

// DeleteTag removes one of the owner's tags from the owner's tags and documents.
func (s *backend) DeleteTag(ctx context.Context, owner, name string) error {
	return s.write(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM tags WHERE owner = $1 AND name = $2`, owner, name)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("%w: tag %q", document.ErrNotFound, name)
		}
		return retagAll(ctx, tx, owner, name, "")
	})
}

// TagDocuments changes the tags of the owner's documents ids in one transaction, locking them in
// ID order.
func (s *backend) TagDocuments(ctx context.Context, owner string, ids, add, remove []string) ([]string, error) {
	var found []string
	err := s.write(ctx, func(tx pgx.Tx) error {
		found = nil
		if err := ensureTags(ctx, tx, owner, add); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT seq, id, tags FROM documents WHERE owner = $1 AND id = ANY($2) ORDER BY id FOR UPDATE`, owner, nonNil(ids))
		if err != nil {
			return err
		}
		type row struct {
			seq  int64
			id   string
			tags []string
		}
		all, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (row, error) {
			var x row
			return x, r.Scan(&x.seq, &x.id, &x.tags)
		})
		if err != nil {
			return err
		}
		for _, r := range all {
			found = append(found, r.id)
			tags, err := store.Retag(r.tags, add, remove)
			if err != nil {
				return err
			}
			if slices.Equal(tags, r.tags) {
				continue
			}
			if _, err := tx.Exec(ctx, `UPDATE documents SET tags = $1, updated_at = clock_timestamp() WHERE seq = $2`, nonNil(tags), r.seq); err != nil {
				return err
			}
		}
		return nil
	})
	return found, err
}

// Rules returns the owner's rules.
func (s *backend) Rules(ctx context.Context, owner string) ([]document.Rule, error) {
	rows, err := s.pool.Query(ctx, `SELECT body FROM rules WHERE owner = $1`, owner)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (document.Rule, error) {
		var r document.Rule
		err := row.Scan(&r)
		return r, err
	})
}

// PutRule adds or replaces one of the owner's rules.
func (s *backend) PutRule(ctx context.Context, owner string, r document.Rule) error {
	return s.write(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 1))`, owner); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO rules (owner, id, body) VALUES ($1, $2, $3)
			ON CONFLICT (owner, id) DO UPDATE SET body = excluded.body`, owner, r.ID, r); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM rules WHERE owner = $1`, owner).Scan(&n); err != nil {
			return err
		}
		if n > document.MaxRules {
			return fmt.Errorf("%w: an owner may have at most %d rules", document.ErrInvalidInput, document.MaxRules)
		}
		return nil
	})
}

// DeleteRule removes one of the owner's rules.
func (s *backend) DeleteRule(ctx context.Context, owner, id string) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM rules WHERE owner = $1 AND id = $2`, owner, id)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("%w: rule %s", document.ErrNotFound, id)
	}
	return nil
}
