package postgres

import (
	"testing"

	"github.com/docpipe/docpipe/internal/store"
	"github.com/docpipe/docpipe/internal/store/postgres/pgtest"
	"github.com/docpipe/docpipe/internal/store/storetest"
)

func TestMain(m *testing.M) {
	pgtest.Main(m)
}

func open(t *testing.T) *store.Store {
	t.Helper()
	s, err := Open(t.Context(), pgtest.URL(t))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

func TestConformance(t *testing.T) {
	// PostgreSQL reads its own clock: the suite sleeps for leases to run out.
	storetest.Run(t, func(t *testing.T, _ *storetest.Clock) *store.Store { return open(t) })
}

// inside returns the backend of a Store that Open returned.
func inside(s *store.Store) *backend {
	return s.Backend().(*backend)
}
