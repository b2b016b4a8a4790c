package postgres

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/docpipe/docpipe/internal/document"
	"github.com/docpipe/docpipe/internal/store"
	"github.com/docpipe/docpipe/internal/store/postgres/pgtest"
)

func TestConcurrentOpen(t *testing.T) {
	url := pgtest.URL(t)
	const replicas = 4
	stores := make([]*store.Store, replicas)
	errs := make([]error, replicas)
	var wg sync.WaitGroup
	for i := range replicas {
		wg.Go(func() { stores[i], errs[i] = Open(t.Context(), url) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("Open %d: %v", i, err)
		}
		t.Cleanup(func() { stores[i].Close() })
	}
	var applied int
	if err := inside(stores[0]).pool.QueryRow(t.Context(), `SELECT count(*) FROM schema_migrations`).Scan(&applied); err != nil {
		t.Fatalf("count migrations: %v", err)
	}
	ms, err := store.LoadMigrations(migrations, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	if applied != len(ms) {
		t.Errorf("schema_migrations has %d rows, want %d", applied, len(ms))
	}
	for i, s := range stores {
		d := &document.Document{Owner: "alice", Name: fmt.Sprintf("r%d.pdf", i)}
		if err := s.Create(t.Context(), d); err != nil {
			t.Errorf("Create through store %d: %v", i, err)
		}
	}
	if st, err := stores[3].Stats(t.Context()); err != nil || st.Queued != replicas {
		t.Errorf("Stats = %+v, %v; want %d queued", st, err, replicas)
	}
}

// TestWorkers runs three stores, as three worker processes would, each with four claimers, over
// 200 jobs, some of which fail once and are retried.
func TestWorkers(t *testing.T) {
	const (
		processes = 3
		claimers  = 4
		jobs      = 200
	)
	url := pgtest.URL(t)
	var stores []*store.Store
	for range processes {
		s, err := Open(t.Context(), url)
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		t.Cleanup(func() { s.Close() })
		stores = append(stores, s)
	}
	failOnce := make(map[string]bool)
	for i := range jobs {
		d := &document.Document{Owner: "alice", Name: fmt.Sprintf("doc%03d.pdf", i)}
		if err := stores[i%processes].Create(t.Context(), d); err != nil {
			t.Fatalf("Create: %v", err)
		}
		failOnce[d.ID] = i%10 == 0
	}

	var (
		mu          sync.Mutex
		holders     = make(map[string]string) // document ID → who holds its job
		completions = make(map[string]int)
		finished    atomic.Int64
		wg          sync.WaitGroup
	)
	work := func(s *store.Store, name string) {
		for finished.Load() < jobs {
			j, err := s.Claim(t.Context(), time.Minute)
			if errors.Is(err, document.ErrNoJob) {
				time.Sleep(2 * time.Millisecond)
				continue
			}
			if err != nil {
				t.Errorf("%s: Claim: %v", name, err)
				return
			}
			mu.Lock()
			if other, ok := holders[j.DocumentID]; ok {
				t.Errorf("%s claimed %s, which %s holds", name, j.DocumentID, other)
			}
			holders[j.DocumentID] = name
			mu.Unlock()

			if failOnce[j.DocumentID] && j.Attempt == 1 {
				mu.Lock()
				delete(holders, j.DocumentID)
				mu.Unlock()
				if err := s.Fail(t.Context(), j, "flaky", time.Now()); err != nil {
					t.Errorf("%s: Fail: %v", name, err)
				}
				continue
			}
			err = s.Complete(t.Context(), j, []document.Page{{Number: 1, Text: "page of " + j.DocumentID}})
			mu.Lock()
			delete(holders, j.DocumentID)
			if err == nil {
				completions[j.DocumentID]++
			}
			mu.Unlock()
			if err != nil {
				t.Errorf("%s: Complete: %v", name, err)
				continue
			}
			finished.Add(1)
		}
	}
	for p, s := range stores {
		for c := range claimers {
			wg.Go(func() { work(s, fmt.Sprintf("process %d claimer %d", p, c)) })
		}
	}
	wg.Wait()

	for id, retried := range failOnce {
		if n := completions[id]; n != 1 {
			t.Errorf("document %s completed %d times, want once", id, n)
		}
		d, err := stores[0].Get(t.Context(), "alice", id)
		wantAttempts := 1
		if retried {
			wantAttempts = 2
		}
		if err != nil || d.Status != document.StatusDone || d.Attempts != wantAttempts {
			t.Errorf("document %s: status %s, attempts %d, %v; want done, %d", id, d.Status, d.Attempts, err, wantAttempts)
		}
	}
	if st, err := stores[1].Stats(t.Context()); err != nil || st.Queued != 0 || st.Processing != 0 {
		t.Errorf("Stats = %+v, %v; want an empty queue", st, err)
	}
}
