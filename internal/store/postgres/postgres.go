// Package postgres is docpipe's document store for PostgreSQL, for deployments that run several
// api and worker replicas against one database.
//
// Each page of a done document is a row with a tsvector of its words, indexed with GIN; a search
// ranks the pages with ts_rank_cd and returns the best page of each match. Words are found and
// lower-cased by search.Words on both sides, so that indexing and querying agree whatever the
// database's locale, and every tsquery is built from quoted lexemes, so no user input is ever
// tsquery syntax. Workers claim jobs with SELECT … FOR UPDATE SKIP LOCKED, and the lease token
// fences out a worker whose job was taken over. Open brings the schema up to date under a
// transaction-scoped advisory lock, so replicas may start at once.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/docpipe/docpipe/internal/store"
)

// maxCandidates is the most documents one search ranks and counts.
const maxCandidates = 1000

// backend keeps a store.Store's documents in a PostgreSQL database.
type backend struct {
	pool          *pgxpool.Pool
	now           func() time.Time
	maxCandidates int
}

var _ store.Backend = (*backend)(nil)

// Options are how Open signs in, beyond what the URL says.
type Options struct {
	// Password, if set, is asked for the password of every new connection: a short-lived
	// token, such as a Google access token for Cloud SQL IAM database authentication.
	Password func(context.Context) (string, error)
	// Role, if set, is SET on every new connection: the role that owns the schema, shared by
	// users that sign in as themselves.
	Role string
}

// Open connects to the database at url (postgres://…, as pgx understands it) and brings its
// schema up to date.
func Open(ctx context.Context, url string) (*store.Store, error) {
	return OpenWith(ctx, url, Options{})
}

// OpenWith is Open with sign-in options.
func OpenWith(ctx context.Context, url string, opts Options) (*store.Store, error) {
	b, err := openDB(ctx, url, opts)
	if err != nil {
		return nil, err
	}
	return store.New(b), nil
}

func openDB(ctx context.Context, url string, opts Options) (*backend, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	if opts.Password != nil {
		cfg.BeforeConnect = func(ctx context.Context, cc *pgx.ConnConfig) error {
			pw, err := opts.Password(ctx)
			if err != nil {
				return fmt.Errorf("postgres: password for %s: %w", cc.User, err)
			}
			cc.Password = pw
			return nil
		}
	}
	if opts.Role != "" {
		set := "SET ROLE " + pgx.Identifier{opts.Role}.Sanitize()
		cfg.AfterConnect = func(ctx context.Context, conn *pgx.Conn) error {
			if _, err := conn.Exec(ctx, set); err != nil {
				return fmt.Errorf("postgres: set role %s: %w", opts.Role, err)
			}
			return nil
		}
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	s := &backend{pool: pool, now: time.Now, maxCandidates: maxCandidates}
	if err := s.migrate(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	return s, nil
}

// Name is "postgres".
func (s *backend) Name() string { return "postgres" }

// Ping checks that the database can be read.
func (s *backend) Ping(ctx context.Context) error {
	var one int
	return s.pool.QueryRow(ctx, `SELECT 1 FROM schema_migrations LIMIT 1`).Scan(&one)
}

// Close closes the connections.
func (s *backend) Close() error {
	s.pool.Close()
	return nil
}

// write runs fn in a read-write transaction.
func (s *backend) write(ctx context.Context, fn func(pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, s.pool, fn)
}

// read runs fn in a read-only transaction that sees one snapshot of the database.
func (s *backend) read(ctx context.Context, fn func(pgx.Tx) error) error {
	return pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, fn)
}

// noRows turns pgx.ErrNoRows into err.
func noRows(got, err error) error {
	if errors.Is(got, pgx.ErrNoRows) {
		return err
	}
	return got
}
