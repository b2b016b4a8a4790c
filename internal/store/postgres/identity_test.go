package postgres

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/docpipe/docpipe/internal/store/postgres/pgtest"
)

// TestOpenWithTokenAndRole signs two users in with passwords that only a Password function knows,
// as Cloud SQL IAM users sign in with access tokens, and has both share the schema through a role
// that owns it.
func TestOpenWithTokenAndRole(t *testing.T) {
	admin := pgtest.URL(t)
	suffix := fmt.Sprintf("%d", time.Now().UnixNano()%1e9)
	owner, api, worker := "owner_"+suffix, "api_"+suffix, "worker_"+suffix
	exec(t, admin,
		"CREATE ROLE "+owner+" NOLOGIN",
		"CREATE ROLE "+api+" LOGIN PASSWORD 'token-api' IN ROLE "+owner,
		"CREATE ROLE "+worker+" LOGIN PASSWORD 'token-worker' IN ROLE "+owner,
		"GRANT USAGE, CREATE ON SCHEMA public TO "+owner,
	)
	t.Cleanup(func() {
		exec(t, admin, "DROP OWNED BY "+owner+", "+api+", "+worker+" CASCADE",
			"DROP ROLE "+api, "DROP ROLE "+worker, "DROP ROLE "+owner)
	})

	var calls atomic.Int64
	token := func(tok string) func(context.Context) (string, error) {
		return func(context.Context) (string, error) {
			calls.Add(1)
			return tok, nil
		}
	}
	// The worker migrates first: the tables must still belong to the shared role, not to it.
	w, err := OpenWith(t.Context(), as(t, admin, worker), Options{Password: token("token-worker"), Role: owner})
	if err != nil {
		t.Fatalf("OpenWith as %s: %v", worker, err)
	}
	defer w.Close()
	if calls.Load() == 0 {
		t.Error("the Password function was never asked")
	}
	var tableOwner string
	if err := inside(w).pool.QueryRow(t.Context(),
		`SELECT tableowner FROM pg_tables WHERE tablename = 'schema_migrations'`).Scan(&tableOwner); err != nil {
		t.Fatal(err)
	}
	if tableOwner != owner {
		t.Errorf("schema_migrations is owned by %s, want the shared role %s", tableOwner, owner)
	}

	s, err := OpenWith(t.Context(), as(t, admin, api), Options{Password: token("token-api"), Role: owner})
	if err != nil {
		t.Fatalf("OpenWith as %s: %v", api, err)
	}
	defer s.Close()
	if err := s.Ping(t.Context()); err != nil {
		t.Errorf("the second user cannot read the schema the first made: %v", err)
	}

	tests := []struct {
		name string
		opts Options
	}{
		{"wrong token", Options{Password: token("token-api"), Role: owner}},
		{"token fails", Options{Password: func(context.Context) (string, error) { return "", errors.New("metadata server away") }}},
		{"a role it is not a member of", Options{Password: token("token-worker"), Role: api}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if s, err := OpenWith(t.Context(), as(t, admin, worker), tt.opts); err == nil {
				s.Close()
				t.Error("OpenWith succeeded")
			}
		})
	}
}

// as returns the database URL u signed in as user, without a password.
func as(t *testing.T, u, user string) string {
	t.Helper()
	p, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	p.User = url.User(user)
	return p.String()
}

func exec(t *testing.T, u string, stmts ...string) {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	for _, q := range stmts {
		if _, err := conn.Exec(context.Background(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}
