// Package sqlite is docpipe's embedded document store: one SQLite file holds the documents, their
// text in an FTS5 index and the OCR job queue. Several processes may share the file: writes take
// the database lock up front (BEGIN IMMEDIATE), so claims are atomic across processes.
//
// Each done document is one row of the index, marked with a token made from its owner's name, so
// that a search reads only the owner's documents. A search ranks with bm25 at most the newest
// 1,000 documents that match, which keeps its cost from growing with the number of matches:
// docs/benchmarks.md has the numbers.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"time"

	msqlite "modernc.org/sqlite" // registers the "sqlite" driver
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/docpipe/docpipe/internal/document"
	"github.com/docpipe/docpipe/internal/store"
)

const (
	// busyTimeout is how long a statement waits for another connection's lock.
	busyTimeout = 10 * time.Second
	// mmapSize is how much of the file SQLite maps into memory rather than reading it a page
	// at a time, which makes index lookups several times faster.
	mmapSize = 2 << 30
	// maxCandidates is the most documents one search ranks and counts.
	maxCandidates = 1000
	// rankRows is how many rows of all owners a search reads at most to rank its candidates.
	rankRows = 20_000
)

// backend keeps a store.Store's documents in one SQLite file.
type backend struct {
	rw            *sql.DB // one connection for every write
	ro            *sql.DB // read-only connections
	now           func() time.Time
	maxCandidates int
	rankRows      int
	stopDocs      int // see distinctive; below 0, every word ranks
	ownWordsDocs  int // see Closest
	vocabs        vocabs
	freqs         freqs
}

var _ store.Backend = (*backend)(nil)

// Now is the time the backend runs on: its now field, which tests may set.
func (s *backend) Now() time.Time { return s.now() }

// Open opens the database at path, creating it and its directory as needed, and brings its
// schema up to date.
func Open(ctx context.Context, path string) (*store.Store, error) {
	b, err := openDB(ctx, path)
	if err != nil {
		return nil, err
	}
	return store.New(b), nil
}

func openDB(ctx context.Context, path string) (*backend, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o750); err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	rw, err := sql.Open("sqlite", dsn(abs, false))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	rw.SetMaxOpenConns(1)
	ro, err := sql.Open("sqlite", dsn(abs, true))
	if err != nil {
		rw.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	n := max(4, runtime.GOMAXPROCS(0))
	ro.SetMaxOpenConns(n)
	ro.SetMaxIdleConns(n)
	s := &backend{rw: rw, ro: ro, now: time.Now, maxCandidates: maxCandidates, rankRows: rankRows, stopDocs: stopDocs,
		ownWordsDocs: ownWordsDocs}
	if err := s.migrateWhenFree(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	return s, nil
}

// migrateWhenFree migrates, retrying while the file is busy. Several processes creating one
// database at once can meet SQLITE_BUSY on their first connection, when switching the new file
// to WAL, before the busy timeout applies; a retry then finds the file in WAL mode.
func (s *backend) migrateWhenFree(ctx context.Context) error {
	deadline := time.Now().Add(busyTimeout)
	for wait := 10 * time.Millisecond; ; wait = min(2*wait, 500*time.Millisecond) {
		err := s.migrate(ctx)
		if !isBusy(err) || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
	}
}

// isBusy reports whether err is SQLite's SQLITE_BUSY (in any of its extended forms).
func isBusy(err error) bool {
	var coded interface{ Code() int }
	return errors.As(err, &coded) && coded.Code()&0xff == 5
}

// dsn is the driver's name for the database file at path. Writers begin their transactions
// IMMEDIATE so that two processes never both hold a read lock and then race to write.
func dsn(path string, readOnly bool) string {
	v := url.Values{}
	v.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()))
	v.Add("_pragma", "foreign_keys(1)")
	v.Add("_pragma", fmt.Sprintf("mmap_size(%d)", mmapSize))
	if readOnly {
		v.Set("_query_only", "1")
	} else {
		v.Add("_pragma", "journal_mode(WAL)")
		v.Set("_txlock", "immediate")
	}
	return (&url.URL{Scheme: "file", Path: path, RawQuery: v.Encode()}).String()
}

// Name is "sqlite".
func (s *backend) Name() string { return "sqlite" }

// Ping checks that the database can be read.
func (s *backend) Ping(ctx context.Context) error {
	var one int
	return s.ro.QueryRowContext(ctx, `SELECT 1 FROM schema_migrations LIMIT 1`).Scan(&one)
}

// Close closes the database.
func (s *backend) Close() error {
	return errors.Join(s.ro.Close(), s.rw.Close())
}

// write runs fn in a write transaction.
func (s *backend) write(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.rw.BeginTx(ctx, nil)
	if err != nil {
		return full(err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return full(err)
	}
	return full(tx.Commit())
}

// full marks err as document.ErrStorageFull when SQLite says the database or its disk is full.
func full(err error) error {
	var se *msqlite.Error
	if errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_FULL {
		return fmt.Errorf("%w: %w", document.ErrStorageFull, err)
	}
	return err
}

// read runs fn in a read transaction, which sees one snapshot of the database.
func (s *backend) read(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.ro.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

func micros(t time.Time) int64 { return t.UnixMicro() }

func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }
