package postgres

import (
	"context"
	"embed"
	"fmt"

	"github.com/docpipe/docpipe/internal/document"
	"github.com/docpipe/docpipe/internal/store"

	"github.com/jackc/pgx/v5"
)

//go:embed migrations/*.sql
var migrations embed.FS

// migrationLock is the advisory lock key that serializes migrations across processes.
const migrationLock = 0x646f6370697065 // "docpipe"

// migrate applies the migrations the database lacks, all in one transaction that first takes an
// advisory lock: a second process opening the database meanwhile waits for the lock and then
// finds nothing to do. The lock goes with the transaction, so it cannot outlive a failure.
func (s *backend) migrate(ctx context.Context) error {
	ms, err := store.LoadMigrations(migrations, "migrations")
	if err != nil {
		return err
	}
	return s.write(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(migrationLock)); err != nil {
			return fmt.Errorf("lock schema: %w", err)
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version    integer     PRIMARY KEY,
			name       text        NOT NULL,
			applied_at timestamptz NOT NULL DEFAULT now()
		)`); err != nil {
			return fmt.Errorf("create schema_migrations: %w", err)
		}
		var current int
		if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
			return fmt.Errorf("read schema version: %w", err)
		}
		pending, err := store.Pending(ms, current)
		if err != nil {
			return err
		}
		for _, m := range pending {
			if _, err := tx.Exec(ctx, m.SQL); err != nil {
				return fmt.Errorf("migration %s: %w", m.Name, err)
			}
			if fill := afterMigration[m.Version]; fill != nil {
				if err := fill(ctx, tx); err != nil {
					return fmt.Errorf("migration %s: %w", m.Name, err)
				}
			}
			if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, m.Version, m.Name); err != nil {
				return fmt.Errorf("migration %s: %w", m.Name, err)
			}
		}
		return nil
	})
}

// afterMigration are the steps that complete a migration in Go, by its version, in its
// transaction.
var afterMigration = map[int]func(context.Context, pgx.Tx) error{
	4: fillStems,
	5: fillWords,
}

// fillWords adds the words of every page and name to words, and the documents' languages to
// langs, which migration 5 makes.
func fillWords(ctx context.Context, tx pgx.Tx) error {
	rows, err := tx.Query(ctx, `SELECT name, '' FROM documents UNION ALL SELECT '', text FROM pages`)
	if err != nil {
		return err
	}
	var (
		name, text string
		texts      []string
	)
	if _, err := pgx.ForEachRow(rows, []any{&name, &text}, func() error {
		texts = append(texts, document.DefaultTitle(name), text)
		return nil
	}); err != nil {
		return err
	}
	if err := addWords(ctx, tx, texts...); err != nil {
		return err
	}
	rows, err = tx.Query(ctx, `SELECT DISTINCT lang FROM documents`)
	if err != nil {
		return err
	}
	langs, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	for _, l := range langs {
		if err := addLangs(ctx, tx, l); err != nil {
			return err
		}
	}
	return nil
}

// fillStems rewrites the tsv of every page and the names of every document with their stems,
// which migration 4 adds.
func fillStems(ctx context.Context, tx pgx.Tx) error {
	type doc struct {
		seq        int64
		name, lang string
	}
	rows, err := tx.Query(ctx, `SELECT seq, name, lang FROM documents`)
	if err != nil {
		return err
	}
	docs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (doc, error) {
		var d doc
		return d, row.Scan(&d.seq, &d.name, &d.lang)
	})
	if err != nil {
		return err
	}
	for _, d := range docs {
		if _, err := tx.Exec(ctx, `UPDATE documents SET names = $1::tsvector WHERE seq = $2`, labelsTSVector(d.name, "", "", d.lang), d.seq); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT number, text FROM pages WHERE doc = $1`, d.seq)
		if err != nil {
			return err
		}
		type page struct {
			number int32
			text   string
		}
		pages, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (page, error) {
			var p page
			return p, row.Scan(&p.number, &p.text)
		})
		if err != nil {
			return err
		}
		for _, p := range pages {
			if _, err := tx.Exec(ctx, `UPDATE pages SET tsv = $1::tsvector WHERE doc = $2 AND number = $3`,
				tsvector(p.text, d.lang), d.seq, p.number); err != nil {
				return err
			}
		}
	}
	return nil
}
