package postgres

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/docpipe/docpipe/internal/document"
	"github.com/docpipe/docpipe/internal/search"
	"github.com/docpipe/docpipe/internal/store"
	"github.com/docpipe/docpipe/internal/store/postgres/pgtest"
	"github.com/docpipe/docpipe/internal/store/storetest"
)

// BenchmarkSearch is internal/store/sqlite's BenchmarkSearch on PostgreSQL: the same 100,000
// generated documents and the same queries. It loads a fresh database of the test server, which
// takes minutes; set DOCPIPE_BENCH_PG to the URL of a database that holds the corpus (or is
// empty, to load it there) to keep it between runs.
func BenchmarkSearch(b *testing.B) {
	url := os.Getenv("DOCPIPE_BENCH_PG")
	if url == "" {
		url = pgtest.URL(b)
	}
	s, err := Open(b.Context(), url)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	c := storetest.NewCorpus()
	var n int
	if err := inside(s).pool.QueryRow(b.Context(), `SELECT count(*) FROM documents`).Scan(&n); err != nil {
		b.Fatal(err)
	}
	if n == 0 {
		start := time.Now()
		if err := load(b.Context(), s, c, storetest.BenchDocs); err != nil {
			b.Fatal(err)
		}
		if _, err := inside(s).pool.Exec(b.Context(), `VACUUM ANALYZE`); err != nil {
			b.Fatal(err)
		}
		b.Logf("built %d documents in %v", storetest.BenchDocs, time.Since(start).Round(time.Second))
	} else if n != storetest.BenchDocs {
		b.Fatalf("the database holds %d documents, want %d", n, storetest.BenchDocs)
	}
	storetest.BenchSearch(b, s, c)
}

// load adds the corpus's first n documents, done and indexed as Complete indexes them, 500 to a
// transaction.
func load(ctx context.Context, s *store.Store, c *storetest.Corpus, n int) error {
	for i := 0; i < n; {
		err := inside(s).write(ctx, func(tx pgx.Tx) error {
			var (
				batch pgx.Batch
				all   []string
			)
			for end := min(i+500, n); i < end; i++ {
				d := c.Doc(i)
				all = append(all, document.DefaultTitle(d.Name))
				numbers, texts, tsvs := make([]int32, len(d.Pages)), make([]string, len(d.Pages)), make([]string, len(d.Pages))
				for p, page := range d.Pages {
					numbers[p], texts[p], tsvs[p] = int32(page.Number), page.Text, tsvector(page.Text, d.Lang)
				}
				all = append(all, texts...)
				batch.Queue(`WITH d AS (
						INSERT INTO documents (id, owner, name, content_type, size, sha256, blob_key, status, page_count, attempts,
							created_at, updated_at, lang, names, date)
						VALUES ($1, $2, $3, $4, $5, '', $6, 'done', $7, 1, $8, $8, '', $9::tsvector, $13) RETURNING seq)
					INSERT INTO pages (doc, number, text, confidence, source, tsv)
					SELECT d.seq, p.number, p.text, 90, 'ocr', p.tsv::tsvector
					FROM d, unnest($10::integer[], $11::text[], $12::text[]) AS p (number, text, tsv)`,
					d.ID, d.Owner, d.Name, d.ContentType, d.Size, d.BlobKey, d.Document.Pages, d.CreatedAt,
					labelsTSVector(d.Name, "", "", d.Lang), numbers, texts, tsvs, document.Day(d.CreatedAt))
			}
			if err := tx.SendBatch(ctx, &batch).Close(); err != nil {
				return err
			}
			if err := addLangs(ctx, tx, ""); err != nil {
				return err
			}
			return addWords(ctx, tx, all...)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// TestBenchLoad loads a few hundred documents of the benchmark's corpus and searches them, so
// that the benchmark's loader keeps indexing as Complete does.
func TestBenchLoad(t *testing.T) {
	s := open(t)
	c := storetest.NewCorpus()
	if err := load(t.Context(), s, c, 300); err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{"invoices", `"total amount due"`, "name:scan", "the", "-invoice"} {
		q, err := search.Parse(text)
		if err != nil {
			t.Fatal(err)
		}
		res, err := s.Search(t.Context(), storetest.BenchOwner, q, store.SearchOptions{Limit: 5})
		if err != nil || len(res.Hits) == 0 {
			t.Errorf("Search(%s) = %d hits, %v; want some", text, len(res.Hits), err)
		}
	}
	q, _ := search.Parse("name:000000")
	res, err := s.Search(t.Context(), storetest.BenchOwner, q, store.SearchOptions{Limit: 5})
	if err != nil || len(res.Hits) != 1 || res.Hits[0].Document.Pages != len(c.Doc(0).Pages) {
		t.Errorf("Search(name:000000) = %+v, %v; want document 0 with %d pages", res.Hits, err, len(c.Doc(0).Pages))
	}
}
