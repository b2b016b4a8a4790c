package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/docpipe/docpipe/internal/document"
	"github.com/docpipe/docpipe/internal/store"
)

// jsonTags is the tags column's form of tags.
func jsonTags(tags []string) string {
	if len(tags) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(tags)
	return string(b)
}

// tagged is the condition that the documents row of alias (documents when "") has one of the
// tags of a JSON array given as an argument.
func tagged(alias string) string {
	if alias == "" {
		alias = "documents"
	}
	return `EXISTS (SELECT 1 FROM json_each(` + alias + `.tags) WHERE value IN (SELECT value FROM json_each(?)))`
}

// ensureTags adds the tags the owner does not have yet, in their default colours, unless that
// makes more than document.MaxTags.
func ensureTags(ctx context.Context, tx *sql.Tx, owner string, tags []string) error {
	if len(tags) == 0 {
		return nil
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO tags (owner, name, color)
		SELECT ?, value, '' FROM json_each(?) WHERE true ON CONFLICT DO NOTHING`, owner, jsonTags(tags))
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return err
	}
	rows, err := tx.QueryContext(ctx, `SELECT name FROM tags WHERE owner = ? AND color = ''`, owner)
	if err != nil {
		return err
	}
	var fresh []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return err
		}
		fresh = append(fresh, n)
	}
	rows.Close()
	for _, n := range fresh {
		if _, err := tx.ExecContext(ctx, `UPDATE tags SET color = ? WHERE owner = ? AND name = ?`, document.DefaultColor(n), owner, n); err != nil {
			return err
		}
	}
	var count int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM tags WHERE owner = ?`, owner).Scan(&count); err != nil {
		return err
	}
	if count > document.MaxTags {
		return fmt.Errorf("%w: an owner may have at most %d tags", document.ErrInvalidInput, document.MaxTags)
	}
	return nil
}

// Tags returns the owner's tags with their counts of documents.
func (s *backend) Tags(ctx context.Context, owner string) ([]document.Tag, error) {
	var tags []document.Tag
	err := s.read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT t.name, t.color, COALESCE(c.n, 0) FROM tags t LEFT JOIN (
				SELECT j.value AS name, count(*) AS n FROM documents d, json_each(d.tags) j
				WHERE d.owner = ?1 AND d.tags <> '[]' GROUP BY j.value) c ON c.name = t.name
			WHERE t.owner = ?1`, owner)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var t document.Tag
			if err := rows.Scan(&t.Name, &t.Color, &t.Documents); err != nil {
				return err
			}
			tags = append(tags, t)
		}
		return rows.Err()
	})
	return tags, err
}

// PutTag creates or changes one of the owner's tags, renaming it on the owner's documents.
func (s *backend) PutTag(ctx context.Context, owner, name string, t document.Tag) (document.Tag, error) {
	err := s.write(ctx, func(tx *sql.Tx) error {
		var color string
		err := tx.QueryRowContext(ctx, `SELECT color FROM tags WHERE owner = ? AND name = ?`, owner, name).Scan(&color)
		if errors.Is(err, sql.ErrNoRows) {
			if t.Color == "" {
				t.Color = document.DefaultColor(t.Name)
			}
			return ensureNew(ctx, tx, owner, t)
		}
		if err != nil {
			return err
		}
		if t.Color == "" {
			t.Color = color
		}
		if t.Name != name {
			if err := ensureNew(ctx, tx, owner, t); err != nil {
				return err
			}
			if err := retagAll(ctx, tx, owner, name, t.Name, s.now()); err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, `DELETE FROM tags WHERE owner = ? AND name = ?`, owner, name)
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE tags SET color = ? WHERE owner = ? AND name = ?`, t.Color, owner, name)
		return err
	})
	return t, err
}

// ensureNew adds the tag t, which must be new: another of the same name is a conflict.
func ensureNew(ctx context.Context, tx *sql.Tx, owner string, t document.Tag) error {
	res, err := tx.ExecContext(ctx, `INSERT INTO tags (owner, name, color) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, owner, t.Name, t.Color)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return cmpErr(err, fmt.Errorf("%w: there is a tag %q already", document.ErrConflict, t.Name))
	}
	return ensureTags(ctx, tx, owner, nil)
}

func cmpErr(err, otherwise error) error {
	if err != nil {
		return err
	}
	return otherwise
}

// retagAll replaces the tag from by to ("" removes it) on every one of the owner's documents,
// which change at now.
func retagAll(ctx context.Context, tx *sql.Tx, owner, from, to string, now time.Time) error {
	rows, err := tx.QueryContext(ctx, `SELECT seq, tags FROM documents WHERE owner = ? AND `+tagged(""), owner, jsonTags([]string{from}))
	if err != nil {
		return err
	}
	type row struct {
		seq  int64
		tags []string
	}
	var all []row
	for rows.Next() {
		var (
			r   row
			raw []byte
		)
		if err := rows.Scan(&r.seq, &raw); err != nil {
			rows.Close()
			return err
		}
		if err := json.Unmarshal(raw, &r.tags); err != nil {
			rows.Close()
			return err
		}
		all = append(all, r)
	}
	rows.Close()
	var add []string
	if to != "" {
		add = []string{to}
	}
	for _, r := range all {
		tags, err := store.Retag(r.tags, add, []string{from})
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE documents SET tags = ?, updated_at = max(updated_at, ?) WHERE seq = ?`, jsonTags(tags), micros(now), r.seq); err != nil {
			return err
		}
	}
	return nil
}

// DeleteTag removes one of the owner's tags from the owner's tags and documents.
func (s *backend) DeleteTag(ctx context.Context, owner, name string) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM tags WHERE owner = ? AND name = ?`, owner, name)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return cmpErr(err, fmt.Errorf("%w: tag %q", document.ErrNotFound, name))
		}
		return retagAll(ctx, tx, owner, name, "", s.now())
	})
}

// TagDocuments changes the tags of the owner's documents ids in one transaction.
func (s *backend) TagDocuments(ctx context.Context, owner string, ids, add, remove []string) ([]string, error) {
	var found []string
	err := s.write(ctx, func(tx *sql.Tx) error {
		if err := ensureTags(ctx, tx, owner, add); err != nil {
			return err
		}
		for _, id := range ids {
			seq, d, err := lookup(ctx, tx, owner, id)
			if errors.Is(err, document.ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			found = append(found, id)
			tags, err := store.Retag(d.Tags, add, remove)
			if err != nil {
				return err
			}
			if slices.Equal(tags, d.Tags) {
				continue
			}
			if _, err := tx.ExecContext(ctx, `UPDATE documents SET tags = ?, updated_at = max(updated_at, ?) WHERE seq = ?`, jsonTags(tags), micros(s.now()), seq); err != nil {
				return err
			}
		}
		return nil
	})
	return found, err
}

// Rules returns the owner's rules.
func (s *backend) Rules(ctx context.Context, owner string) ([]document.Rule, error) {
	var rules []document.Rule
	err := s.read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT body FROM rules WHERE owner = ?`, owner)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				body []byte
				r    document.Rule
			)
			if err := rows.Scan(&body); err != nil {
				return err
			}
			if err := json.Unmarshal(body, &r); err != nil {
				return fmt.Errorf("rule: %w", err)
			}
			rules = append(rules, r)
		}
		return rows.Err()
	})
	return rules, err
}

// PutRule adds or replaces one of the owner's rules.
func (s *backend) PutRule(ctx context.Context, owner string, r document.Rule) error {
	body, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO rules (owner, id, body) VALUES (?, ?, ?)
			ON CONFLICT (owner, id) DO UPDATE SET body = excluded.body`, owner, r.ID, body); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM rules WHERE owner = ?`, owner).Scan(&n); err != nil {
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
	return s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM rules WHERE owner = ? AND id = ?`, owner, id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return cmpErr(err, fmt.Errorf("%w: rule %s", document.ErrNotFound, id))
		}
		return nil
	})
}
