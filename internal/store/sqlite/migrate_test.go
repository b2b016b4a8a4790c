package sqlite

import (
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/docpipe/docpipe/internal/store"
	"github.com/docpipe/docpipe/internal/store/storetest"
)

// TestMigrateStems opens a database written at schema version 3, before texts had stems and
// names, and checks that migration 4 fills them for the documents already there.
func TestMigrateStems(t *testing.T) {
	path := filepath.Join(t.TempDir(), "docpipe.db")
	db, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		t.Fatal(err)
	}
	ms, err := store.LoadMigrations(migrations, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.Exec(q, args...); err != nil {
			t.Fatalf("%.60s: %v", q, err)
		}
	}
	exec(`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`)
	for _, m := range ms[:3] {
		exec(m.SQL)
		exec(`INSERT INTO schema_migrations VALUES (?, ?, 0)`, m.Version, m.Name)
	}
	exec(`INSERT INTO documents (seq, id, owner, name, content_type, size, sha256, blob_key, status, page_count, created_at, updated_at, lang)
		VALUES (1, 'd1', 'alice', 'Quarterly_Report.pdf', 'application/pdf', 1, 'x', 'originals/d1', 'done', 1, 1714996800000000, 1714996800000000, 'deu+eng')`)
	exec(`INSERT INTO texts (rowid, body, owner) VALUES (1, 'Die Rechnungen were jumping', ?)`, ownerToken("alice"))
	exec(`INSERT INTO pages (doc, number, start, length, confidence, source) VALUES (1, 1, 0, 27, 90, 'ocr')`)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	s, err := Open(t.Context(), path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()
	storetest.SearchMigrated(t, s)
}
