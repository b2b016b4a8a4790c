package sqlite

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/docpipe/docpipe/internal/store"
	"github.com/docpipe/docpipe/internal/store/storetest"
)

// BenchmarkSearch measures Search over 100,000 generated documents and reports the latency
// percentiles of each class of query, then of all of them, for the owner of most documents and
// for one with a hundred. Building the database takes minutes; set DOCPIPE_BENCH_DB to a file to
// keep it for later runs.
func BenchmarkSearch(b *testing.B) {
	path := os.Getenv("DOCPIPE_BENCH_DB")
	if path == "" {
		path = filepath.Join(b.TempDir(), "bench.db")
	}
	s, err := Open(b.Context(), path)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	c := storetest.NewCorpus()
	var n int
	if err := inside(s).ro.QueryRowContext(b.Context(), `SELECT count(*) FROM documents`).Scan(&n); err != nil {
		b.Fatal(err)
	}
	if n == 0 {
		start := time.Now()
		if err := load(b.Context(), s, c, storetest.BenchDocs); err != nil {
			b.Fatal(err)
		}
		b.Logf("built %d documents in %v", storetest.BenchDocs, time.Since(start).Round(time.Second))
	} else if n != storetest.BenchDocs {
		b.Fatalf("%s holds %d documents, want %d", path, n, storetest.BenchDocs)
	}
	storetest.BenchSearch(b, s, c)
}

// load adds the corpus's first n documents, done, 500 to a transaction.
func load(ctx context.Context, s *store.Store, c *storetest.Corpus, n int) error {
	for i := 0; i < n; {
		err := inside(s).write(ctx, func(tx *sql.Tx) error {
			for end := min(i+500, n); i < end; i++ {
				d := c.Doc(i)
				seq, err := insertDoc(ctx, tx, d.Document)
				if err != nil {
					return err
				}
				if err := putText(ctx, tx, seq, d.Document, d.Pages); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}
