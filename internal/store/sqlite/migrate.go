package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"

	"github.com/docpipe/docpipe/internal/document"
	"github.com/docpipe/docpipe/internal/search"
	"github.com/docpipe/docpipe/internal/store"
)

//go:embed migrations/*.sql
var migrations embed.FS

// migrate applies the migrations the database lacks, all in one transaction. The transaction
// takes the write lock first, so a second process opening the same file waits and then finds
// nothing to do.
func (s *backend) migrate(ctx context.Context) error {
	ms, err := store.LoadMigrations(migrations, "migrations")
	if err != nil {
		return err
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version    INTEGER PRIMARY KEY,
			name       TEXT    NOT NULL,
			applied_at INTEGER NOT NULL
		)`); err != nil {
			return fmt.Errorf("create schema_migrations: %w", err)
		}
		var current int
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
			return fmt.Errorf("read schema version: %w", err)
		}
		pending, err := store.Pending(ms, current)
		if err != nil {
			return err
		}
		for _, m := range pending {
			if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
				return fmt.Errorf("migration %s: %w", m.Name, err)
			}
			if fill := afterMigration[m.Version]; fill != nil {
				if err := fill(ctx, tx); err != nil {
					return fmt.Errorf("migration %s: %w", m.Name, err)
				}
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
				m.Version, m.Name, micros(s.now())); err != nil {
				return fmt.Errorf("migration %s: %w", m.Name, err)
			}
		}
		return nil
	})
}

// afterMigration are the steps that complete a migration in Go, by its version, in its
// transaction.
var afterMigration = map[int]func(context.Context, *sql.Tx) error{
	4: fillStems,
	5: fillLangs,
}

// fillLangs adds the languages of every document to langs, which migration 5 makes.
func fillLangs(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `SELECT DISTINCT lang FROM documents`)
	if err != nil {
		return err
	}
	var langs []string
	for rows.Next() {
		var l string
		if err := rows.Scan(&l); err != nil {
			rows.Close()
			return err
		}
		langs = append(langs, l)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, l := range langs {
		if err := addLangs(ctx, tx, l); err != nil {
			return err
		}
	}
	return nil
}

// fillStems writes the stems and name columns of every row of texts, which migration 4 leaves
// empty.
func fillStems(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `SELECT t.rowid, t.body, d.name, d.lang FROM texts t JOIN documents d ON d.seq = t.rowid`)
	if err != nil {
		return err
	}
	type row struct {
		seq              int64
		body, name, lang string
	}
	var all []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.seq, &r.body, &r.name, &r.lang); err != nil {
			rows.Close()
			return err
		}
		all = append(all, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	stmt, err := tx.PrepareContext(ctx, `UPDATE texts SET stems = ?, name = ? WHERE rowid = ?`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for _, r := range all {
		if _, err := stmt.ExecContext(ctx, search.Terms(r.body, r.lang), labelTerms(document.Document{Name: r.name, Lang: r.lang}), r.seq); err != nil {
			return err
		}
	}
	return nil
}
