package sqlite

import (
	"context"
	"database/sql"
	"sync"
	"time"
)

const (
	// stopDocs is the size of index from which Search leaves a query's common words out of
	// ranking. Below it, finding how many documents hold a word costs FTS5 under a millisecond.
	stopDocs = 10_000
	// freqTTL is how long a document frequency is reused. Frequencies of words that hold half an
	// index of thousands of documents move slowly.
	freqTTL = 10 * time.Minute
	// freqWords is how many words' frequencies are kept at most.
	freqWords = 10_000
)

// freqs caches the number of indexed documents and how many of them hold each word, so that a
// search need not count them again: counting a common word costs FTS5 a read of its whole
// posting list.
type freqs struct {
	mu    sync.Mutex
	since time.Time        // when the cached numbers were first counted
	n     map[string]int64 // by word (a quoted FTS5 phrase); "" is the number of documents
}

// get returns the cached count for key, or counts it.
func (f *freqs) get(key string, now time.Time, count func() (int64, error)) (int64, error) {
	f.mu.Lock()
	if f.n == nil || now.Sub(f.since) > freqTTL || len(f.n) > freqWords {
		f.since, f.n = now, make(map[string]int64)
	}
	n, ok := f.n[key]
	f.mu.Unlock()
	if ok {
		return n, nil
	}
	n, err := count()
	if err != nil {
		return 0, err
	}
	f.mu.Lock()
	f.n[key] = n
	f.mu.Unlock()
	return n, nil
}

// distinctive returns the words that count in ranking. bm25 weighs a word by its inverse
// document frequency, which FTS5 floors at 1e-6 for a word in at least half of all documents:
// such a word changes no order that the other words set, and by itself orders documents only
// by length and repetition. In an index of at least s.stopDocs documents Search leaves those
// words out, since bm25 reads each word's whole posting list on every search to weigh it.
func (s *backend) distinctive(ctx context.Context, tx *sql.Tx, words []string) ([]string, error) {
	if s.stopDocs < 0 {
		return words, nil
	}
	now := s.now()
	count := func(query string, args ...any) func() (int64, error) {
		return func() (n int64, err error) {
			err = tx.QueryRowContext(ctx, query, args...).Scan(&n)
			return n, err
		}
	}
	total, err := s.freqs.get("", now, count(`SELECT count(*) FROM texts_docsize`))
	if err != nil || total < int64(s.stopDocs) {
		return words, err
	}
	var out []string
	for _, w := range words {
		n, err := s.freqs.get(w, now, count(`SELECT count(*) FROM texts WHERE texts MATCH ?`, w))
		if err != nil {
			return nil, err
		}
		if 2*n < total {
			out = append(out, w)
		}
	}
	return out, nil
}
