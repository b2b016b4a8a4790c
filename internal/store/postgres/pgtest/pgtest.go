// Package pgtest runs a PostgreSQL server for tests and hands out a fresh database per test.
//
// Main starts one server for a test binary: initdb into a temporary directory, then postgres on
// 127.0.0.1 with a free port, stopped when the tests end. When DOCPIPE_TEST_POSTGRES_URL is set
// (a postgres:// URL of a user that may create databases), that server is used instead. When
// neither is available the tests that need a database are skipped, except on CI (CI=true), where
// they fail.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/docpipe/docpipe/internal/testenv"
)

// EnvURL names the variable that points the tests at an existing server.
const EnvURL = "DOCPIPE_TEST_POSTGRES_URL"

var (
	server  *Server
	mainErr error
	dbSeq   atomic.Int64
)

// Main runs the package's tests with a server started for them, and exits.
func Main(m *testing.M) {
	os.Exit(Run(m))
}

// Run runs the package's tests with a server started for them and returns their exit code,
// for a TestMain that has more to do.
func Run(m *testing.M) int {
	if u := os.Getenv(EnvURL); u != "" {
		server = &Server{url: u}
		return m.Run()
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	server, mainErr = Start(ctx)
	cancel()
	code := m.Run()
	if server != nil {
		if err := server.Stop(); err != nil {
			fmt.Fprintf(os.Stderr, "pgtest: %v\n", err)
			code = max(code, 1)
		}
	}
	return code
}

// URL returns the URL of a new, empty database that is dropped when the test ends. It fails the
// test when Main could not provide a server, or skips it when that is allowed.
func URL(t testing.TB) string {
	t.Helper()
	if server == nil {
		err := mainErr
		if err == nil {
			err = errors.New("pgtest.Main did not run")
		}
		if testenv.CI() || !errors.Is(err, ErrNoBinaries) {
			t.Fatalf("pgtest: %v", err)
		}
		t.Skipf("pgtest: %v (set %s or install PostgreSQL)", err, EnvURL)
	}
	u, err := server.CreateDatabase(t.Context())
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := server.DropDatabase(ctx, u); err != nil {
			t.Errorf("pgtest: %v", err)
		}
	})
	return u
}

// CreateDatabase creates an empty database and returns its URL.
func (s *Server) CreateDatabase(ctx context.Context) (string, error) {
	name := fmt.Sprintf("docpipe_test_%d_%d_%d", os.Getpid(), time.Now().UnixNano()%1e6, dbSeq.Add(1))
	if err := s.admin(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return "", fmt.Errorf("create database %s: %w", name, err)
	}
	return withDatabase(s.url, name)
}

// DropDatabase drops a database that CreateDatabase made, disconnecting its sessions.
func (s *Server) DropDatabase(ctx context.Context, dbURL string) error {
	u, err := url.Parse(dbURL)
	if err != nil {
		return fmt.Errorf("drop database: %w", err)
	}
	name := u.Path[1:]
	if err := s.admin(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
		return fmt.Errorf("drop database %s: %w", name, err)
	}
	return nil
}

func (s *Server) admin(ctx context.Context, sql string) error {
	conn, err := pgx.Connect(ctx, s.url)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(ctx, sql)
	return err
}

// withDatabase returns the server URL u with its database set to name.
func withDatabase(u, name string) (string, error) {
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "postgres" && p.Scheme != "postgresql") {
		return "", fmt.Errorf("%s must be a postgres:// URL", EnvURL)
	}
	p.Path = "/" + name
	return p.String(), nil
}
