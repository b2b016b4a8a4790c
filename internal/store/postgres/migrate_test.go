package postgres

import (
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/docpipe/docpipe/internal/store"
	"github.com/docpipe/docpipe/internal/store/postgres/pgtest"
	"github.com/docpipe/docpipe/internal/store/storetest"
)

// TestMigrateStems opens a database written at schema version 3, before pages held stems and
// documents their names' words, and checks that migration 4 fills them for the documents already
// there.
func TestMigrateStems(t *testing.T) {
	url := pgtest.URL(t)
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := store.LoadMigrations(migrations, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := conn.Exec(t.Context(), q, args...); err != nil {
			t.Fatalf("%.60s: %v", q, err)
		}
	}
	exec(`CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`)
	for _, m := range ms[:3] {
		exec(m.SQL)
		exec(`INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, m.Version, m.Name)
	}
	exec(`INSERT INTO documents (id, owner, name, content_type, size, sha256, blob_key, status, page_count, created_at, updated_at, lang)
		VALUES ('d1', 'alice', 'Quarterly_Report.pdf', 'application/pdf', 1, 'x', 'originals/d1', 'done', 1, '2024-05-06 12:00:00+00', '2024-05-06 12:00:00+00', 'deu+eng')`)
	exec(`INSERT INTO pages (doc, number, text, confidence, source, tsv)
		SELECT seq, 1, 'Die Rechnungen were jumping', 90, 'ocr', $1::tsvector FROM documents`,
		`'die':1 'rechnungen':2 'were':3 'jumping':4`)
	if err := conn.Close(t.Context()); err != nil {
		t.Fatal(err)
	}

	s, err := Open(t.Context(), url)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()
	storetest.SearchMigrated(t, s)
}
