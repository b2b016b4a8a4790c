package cosmos

import (
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/data/azcosmos"

	"github.com/docpipe/docpipe/internal/document"
	"github.com/docpipe/docpipe/internal/search"
	"github.com/docpipe/docpipe/internal/store"
	"github.com/docpipe/docpipe/internal/store/cosmos/cosmostest"
	"github.com/docpipe/docpipe/internal/store/storetest"
)

func TestConformance(t *testing.T) {
	e := cosmostest.Start(t)
	storetest.Run(t, func(t *testing.T, clock *storetest.Clock) *store.Store {
		s := open(t, e)
		inside(s).now = clock.Fake()
		return s
	})
	// The suite's concurrency checks pass only because the proxy enforces If-Match: the store
	// must never replace a document unconditionally.
	if n := e.Unconditional(); n != 0 {
		t.Errorf("the store sent %d replaces without If-Match", n)
	}
}

func open(t *testing.T, e *cosmostest.Emulator) *store.Store {
	t.Helper()
	s, err := Open(t.Context(), e.Database(t))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

// done creates a document for owner and completes it with the pages.
func done(t *testing.T, s *store.Store, owner string, texts ...string) string {
	t.Helper()
	d := &document.Document{Owner: owner, Name: "x.pdf"}
	if err := s.Create(t.Context(), d); err != nil {
		t.Fatalf("Create: %v", err)
	}
	j, err := s.ClaimDocument(t.Context(), d.ID, time.Minute)
	if err != nil {
		t.Fatalf("ClaimDocument: %v", err)
	}
	var ps []document.Page
	for i, text := range texts {
		ps = append(ps, document.Page{Number: i + 1, Text: text})
	}
	if err := s.Complete(t.Context(), j, ps); err != nil {
		t.Fatalf("Complete: %v", err)
	}
	return d.ID
}

// TestQueries runs each query the store sends and checks it selects only what it should:
// cosmium answers a query it cannot parse with every item of the container, which the checks in
// Go would hide from the conformance suite.
func TestQueries(t *testing.T) {
	e := cosmostest.Start(t)
	s := open(t, e)
	zebra := done(t, s, "alice", "a zebra crossing", "second page")
	horse := done(t, s, "alice", "horse stable")
	bob := done(t, s, "bob", "zebra of bob")
	queued := &document.Document{Owner: "alice", Name: "queued.pdf"}
	if err := s.Create(t.Context(), queued); err != nil {
		t.Fatal(err)
	}

	for _, tt := range []struct {
		c    clause
		want []string
	}{
		{clause{words: []string{"zebra"}}, []string{zebra}},
		{clause{words: []string{"zeb"}, prefix: true}, []string{zebra}},
		{clause{words: []string{"stable"}}, []string{horse}},
		{clause{words: []string{"zeb"}}, nil},
	} {
		got, err := inside(s).candidates(t.Context(), "alice", tt.c)
		if err != nil {
			t.Fatalf("candidates(%v): %v", tt.c, err)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("candidates(%v) = %v, want %v", tt.c, got, tt.want)
		}
	}

	ps, err := inside(s).pages(t.Context(), "alice", []string{zebra})
	if err != nil || len(ps) != 2 || ps[0].Doc != zebra || ps[1].Doc != zebra {
		t.Errorf("pages(%s) = %d pages, %v; want its 2", zebra, len(ps), err)
	}
	ms, err := inside(s).evaluate(t.Context(), "alice", search.Query{}, compiled{root: &expr{}, clauses: []clause{{words: []string{"zebra"}}}}, []string{zebra, horse, bob, queued.ID}, make(stemCache))
	if err != nil || len(ms) != 1 || ms[0].doc.ID != zebra {
		t.Errorf("evaluate = %d matches, %v; want only %s", len(ms), err, zebra)
	}

	it, err := inside(s).findDoc(t.Context(), bob)
	if err != nil || it.ID != bob || it.Owner != "bob" {
		t.Errorf("findDoc(%s) = %s of %s, %v", bob, it.ID, it.Owner, err)
	}
	res, err := s.List(t.Context(), "alice", store.ListOptions{Status: document.StatusDone, Limit: 10})
	if err != nil || len(res.Documents) != 2 {
		t.Errorf("List(done) = %d documents, %v; want 2", len(res.Documents), err)
	}
	if st, err := s.Stats(t.Context()); err != nil || st.Queued != 1 || st.Processing != 0 {
		t.Errorf("Stats = %+v, %v; want the one queued job", st, err)
	}

	leased := &document.Document{Owner: "bob", Name: "leased.pdf"}
	waiting := &document.Document{Owner: "bob", Name: "waiting.pdf"}
	var retry document.Job
	for _, d := range []*document.Document{leased, waiting} {
		if err := s.Create(t.Context(), d); err != nil {
			t.Fatal(err)
		}
		if retry, err = s.ClaimDocument(t.Context(), d.ID, time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Fail(t.Context(), retry, "later", time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	items, err := query[docItem](t.Context(), inside(s).c, azcosmos.NewPartitionKey(), claimQuery,
		param("@type", typeDoc), param("@turn", typeTurn), param("@now", micros(time.Now())))
	var ids []string
	for _, it := range items {
		ids = append(ids, it.Type+":"+it.Owner+":"+it.ID)
	}
	want := []string{"doc:alice:" + queued.ID, "doc:bob:" + leased.ID, "turn:alice:" + turnID("alice"), "turn:bob:" + turnID("bob")}
	if err != nil || !sameSet(ids, want) {
		t.Errorf("claimQuery = %v, %v; want the ready job, the leased one and both owners' turns, %v", ids, err, want)
	}
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// TestStaleWrite checks that a replace made from an outdated read loses, as the real service
// does with If-Match, and that a lease holder who lost that way sees ErrLeaseLost.
func TestStaleWrite(t *testing.T) {
	e := cosmostest.Start(t)
	s := open(t, e)
	d := &document.Document{Owner: "alice", Name: "x.pdf"}
	if err := s.Create(t.Context(), d); err != nil {
		t.Fatal(err)
	}
	stale, err := inside(s).readDoc(t.Context(), "alice", d.ID)
	if err != nil {
		t.Fatal(err)
	}
	j, err := s.Claim(t.Context(), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	stale.Name = "overwritten.pdf"
	if err := inside(s).replaceDoc(t.Context(), &stale); !errors.Is(err, errChanged) {
		t.Errorf("replace from a stale read: %v, want %v", err, errChanged)
	}
	if got, _ := s.Get(t.Context(), "alice", d.ID); got.Name != "x.pdf" || got.Status != document.StatusProcessing {
		t.Errorf("after a stale replace: name %q, status %s; want x.pdf, processing", got.Name, got.Status)
	}
	if _, err := s.Claim(t.Context(), time.Minute); !errors.Is(err, document.ErrNoJob) {
		t.Errorf("second Claim: %v, want %v", err, document.ErrNoJob)
	}
	if err := s.Complete(t.Context(), j, []document.Page{{Number: 1, Text: "fine"}}); err != nil {
		t.Errorf("Complete: %v", err)
	}
}

func TestOpenMissing(t *testing.T) {
	e := cosmostest.Start(t)
	_, err := Open(t.Context(), e.URL("nosuchdb"))
	if err == nil || !strings.Contains(err.Error(), `database "nosuchdb" not found`) {
		t.Errorf("Open of a missing database: %v", err)
	}
	if strings.Contains(err.Error(), e.Key) {
		t.Errorf("error quotes the key: %v", err)
	}
	name := "empty"
	if _, err := e.Direct.CreateDatabase(t.Context(), azcosmos.DatabaseProperties{ID: name}, nil); err != nil {
		t.Fatal(err)
	}
	_, err = Open(t.Context(), e.URL(name))
	if err == nil || !strings.Contains(err.Error(), `container "documents" not found in database "empty"`) {
		t.Errorf("Open of a database without the container: %v", err)
	}
	bad := strings.Replace(e.URL("x"), "key=", "key=AAAA", 1)
	if _, err := Open(t.Context(), bad); err == nil {
		t.Errorf("Open with a wrong key succeeded")
	}
}

// TestGenerations checks that only the pages of the generation a document names survive: a
// reprocessed document's old pages and the pages of a holder that lost its lease are removed.
func TestGenerations(t *testing.T) {
	e := cosmostest.Start(t)
	s := open(t, e)
	id := done(t, s, "alice", "old one", "old two", "old three")
	if _, err := s.Reprocess(t.Context(), "alice", id); err != nil {
		t.Fatal(err)
	}
	stale, err := s.ClaimDocument(t.Context(), id, 50*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	fresh, err := s.ClaimDocument(t.Context(), id, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Complete(t.Context(), fresh, []document.Page{{Number: 1, Text: "new"}}); err != nil {
		t.Fatal(err)
	}
	err = s.Complete(t.Context(), stale, []document.Page{{Number: 1, Text: "stale"}, {Number: 2, Text: "stale"}})
	if !errors.Is(err, document.ErrLeaseLost) {
		t.Fatalf("Complete by the stale holder: %v, want %v", err, document.ErrLeaseLost)
	}
	ps, err := inside(s).pages(t.Context(), "alice", []string{id})
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 1 || ps[0].Text != "new" || ps[0].Gen != fresh.Token {
		t.Errorf("page items = %+v, want only the new page of generation %s", ps, fresh.Token)
	}
}

func TestSearchCapped(t *testing.T) {
	e := cosmostest.Start(t)
	s := open(t, e)
	inside(s).maxMatches = 3
	for range 5 {
		done(t, s, "alice", "kiwi")
	}
	res, err := s.Search(t.Context(), "alice", search.Query{Root: search.Leaf(search.Clause{Words: []string{"kiwi"}})}, store.SearchOptions{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Capped || res.Total != 3 || len(res.Hits) != 3 {
		t.Errorf("Search = %d hits, total %d, capped %v; want 3, 3, capped", len(res.Hits), res.Total, res.Capped)
	}
}

// TestWorkers runs three stores on one database, as three worker processes would, each with
// three claimers, over 40 jobs, every fifth of which fails once and is retried.
func TestWorkers(t *testing.T) {
	e := cosmostest.Start(t)
	url := e.Database(t)
	var stores []*store.Store
	for range 3 {
		s, err := Open(t.Context(), url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		stores = append(stores, s)
	}
	const jobs = 40
	failOnce := make(map[string]bool)
	for i := range jobs {
		d := &document.Document{Owner: []string{"alice", "bob"}[i%2], Name: "doc.pdf"}
		if err := stores[i%3].Create(t.Context(), d); err != nil {
			t.Fatal(err)
		}
		failOnce[d.ID] = i%5 == 0
	}
	var (
		mu        sync.Mutex
		completed = make(map[string]int)
		failed    = make(map[string]bool)
		wg        sync.WaitGroup
	)
	deadline := time.Now().Add(30 * time.Second)
	for i := range 9 {
		s := stores[i%3]
		wg.Go(func() {
			for time.Now().Before(deadline) {
				j, err := s.Claim(t.Context(), time.Minute)
				if errors.Is(err, document.ErrNoJob) {
					mu.Lock()
					n := len(completed)
					mu.Unlock()
					if n == jobs {
						return
					}
					time.Sleep(5 * time.Millisecond)
					continue
				}
				if err != nil {
					t.Errorf("Claim: %v", err)
					return
				}
				mu.Lock()
				fail := failOnce[j.DocumentID] && !failed[j.DocumentID]
				failed[j.DocumentID] = failed[j.DocumentID] || fail
				mu.Unlock()
				if fail {
					if err := s.Fail(t.Context(), j, "once", time.Now()); err != nil {
						t.Errorf("Fail: %v", err)
					}
					continue
				}
				if err := s.Complete(t.Context(), j, []document.Page{{Number: 1, Text: "text"}}); err != nil {
					t.Errorf("Complete: %v", err)
					continue
				}
				mu.Lock()
				completed[j.DocumentID]++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(completed) != jobs {
		t.Fatalf("completed %d documents, want %d", len(completed), jobs)
	}
	for id, n := range completed {
		if n != 1 {
			t.Errorf("document %s completed %d times", id, n)
		}
		owner := "alice"
		if _, err := stores[0].Get(t.Context(), owner, id); err != nil {
			owner = "bob"
		}
		d, err := stores[1].Get(t.Context(), owner, id)
		want := 1
		if failOnce[id] {
			want = 2
		}
		if err != nil || d.Status != document.StatusDone || d.Attempts != want {
			t.Errorf("document %s: %s after %d attempts, %v; want done after %d", id, d.Status, d.Attempts, err, want)
		}
	}
	if st, err := stores[2].Stats(t.Context()); err != nil || st != (store.Stats{}) {
		t.Errorf("Stats = %+v, %v; want an empty queue", st, err)
	}
}

// inside returns the backend of a Store that Open returned.
func inside(s *store.Store) *backend {
	return s.Backend().(*backend)
}
