package sqlite

import (
	"cmp"
	"context"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/docpipe/docpipe/internal/document"
	"github.com/docpipe/docpipe/internal/search"
	"github.com/docpipe/docpipe/internal/store"
)

// Search runs q over owner's done documents, best bm25 score first. A document's pages are
// indexed together, so a document matches when its text as a whole matches every clause; the
// hit's page is the one where its snippet's first match lies.
//
// Search ranks and counts at most the newest 1,000 matching documents, so that its cost does not
// grow with the number of matches; when more match, the result is Capped.
func (s *Store) Search(ctx context.Context, owner string, q search.Query, opt store.SearchOptions) (store.SearchResult, error) {
	if opt.Limit < 1 || opt.Limit > 100 || opt.Offset < 0 {
		return store.SearchResult{}, fmt.Errorf("sqlite: search: %w: limit %d and offset %d, want 1..100 and at least 0",
			document.ErrInvalidInput, opt.Limit, opt.Offset)
	}
	e, err := compile(q, owner)
	if err != nil {
		return store.SearchResult{}, fmt.Errorf("sqlite: search: %w", err)
	}
	var res store.SearchResult
	err = s.read(ctx, func(tx *sql.Tx) error {
		cands, err := rowids(ctx, tx, `SELECT rowid FROM texts WHERE texts MATCH ? ORDER BY rowid DESC LIMIT ?`,
			e.match, s.maxCandidates+1)
		if err != nil {
			return err
		}
		if len(cands) > s.maxCandidates {
			cands, res.Capped = cands[:s.maxCandidates], true
		}
		res.Total = len(cands)
		if opt.Offset >= len(cands) {
			return nil
		}
		ranked, err := rank(ctx, tx, e, cands, s.rankRows)
		if err != nil {
			return err
		}
		ranked = ranked[opt.Offset:min(opt.Offset+opt.Limit, len(ranked))]
		res.Hits, err = hits(ctx, tx, owner, e.match, ranked)
		return err
	})
	if err != nil {
		return store.SearchResult{}, fmt.Errorf("sqlite: search: %w", err)
	}
	return res, nil
}

// scored is a candidate document's row and bm25 score, lower is better.
type scored struct {
	seq  int64
	bm25 float64
}

// rank scores the candidates, which are in descending order, and sorts them best first.
//
// bm25 needs the number of documents that hold each phrase of the query, and finds it by running
// the phrase over the whole index: for a phrase of common words that alone takes longer than the
// rest of a search. So rank scores with e.rank, where every phrase is split into its words, and
// skips the rows that are not candidates. When the rows of all owners that e.rank matches in the
// candidates' range are more than maxRows, it reads only the owner's, with e.ownedRank.
func rank(ctx context.Context, tx *sql.Tx, e exprs, cands []int64, maxRows int) ([]scored, error) {
	lo, hi := cands[len(cands)-1], cands[0]
	expr := e.rank
	if hi-lo >= int64(maxRows) {
		var n int
		err := tx.QueryRowContext(ctx, `SELECT count(*) FROM
			(SELECT 1 FROM texts WHERE texts MATCH ? AND rowid BETWEEN ? AND ? LIMIT ?)`,
			e.rank, lo, hi, maxRows+1).Scan(&n)
		if err != nil {
			return nil, err
		}
		if n > maxRows {
			expr = e.ownedRank
		}
	}
	rows, err := tx.QueryContext(ctx, `SELECT rowid,
			CASE WHEN rowid IN (SELECT value FROM json_each(?)) THEN bm25(texts, 1.0, 0.0) END
		FROM texts WHERE texts MATCH ? AND rowid BETWEEN ? AND ?`,
		jsonInts(cands), expr, lo, hi)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ranked := make([]scored, 0, len(cands))
	for rows.Next() {
		var (
			sc    scored
			score sql.NullFloat64
		)
		if err := rows.Scan(&sc.seq, &score); err != nil {
			return nil, err
		}
		if score.Valid {
			sc.bm25 = score.Float64
			ranked = append(ranked, sc)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	slices.SortFunc(ranked, func(a, b scored) int {
		return cmp.Or(cmp.Compare(a.bm25, b.bm25), cmp.Compare(b.seq, a.seq))
	})
	return ranked, nil
}

// hits loads the documents, snippets and pages of the ranked rows.
func hits(ctx context.Context, tx *sql.Tx, owner, expr string, ranked []scored) ([]store.Hit, error) {
	seqs := make([]int64, len(ranked))
	for i, sc := range ranked {
		seqs[i] = sc.seq
	}
	list := jsonInts(seqs)
	docs := make(map[int64]document.Document)
	rows, err := tx.QueryContext(ctx, `SELECT `+docColumns+` FROM documents
		WHERE seq IN (SELECT value FROM json_each(?)) AND +owner = ? AND +status = 'done'`, list, owner)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		seq, d, err := scanDoc(rows)
		if err != nil {
			return nil, err
		}
		docs[seq] = d
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	snippets, err := snippets(ctx, tx, expr, seqs)
	if err != nil {
		return nil, err
	}
	stmt, err := tx.PrepareContext(ctx, locateQuery)
	if err != nil {
		return nil, err
	}
	defer stmt.Close()
	var out []store.Hit
	for _, sc := range ranked {
		d, ok := docs[sc.seq]
		if !ok {
			continue
		}
		h := store.Hit{Document: d, Score: -sc.bm25}
		if err := locate(ctx, stmt, sc.seq, parseSnippet(snippets[sc.seq]), &h); err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, nil
}

// snippets returns the raw FTS5 snippets of the rows by row. expr matches no rows between
// them but candidates, so reading the range costs little, and less than looking for each row,
// which sets up every word of the query again.
func snippets(ctx context.Context, tx *sql.Tx, expr string, seqs []int64) (map[int64]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT rowid,
			CASE WHEN rowid IN (SELECT value FROM json_each(?)) THEN snippet(texts, 0, ?, ?, ?, ?) END
		FROM texts WHERE texts MATCH ? AND rowid BETWEEN ? AND ?`,
		jsonInts(seqs), markOpen, markClose, markCut, snippetTokens, expr, slices.Min(seqs), slices.Max(seqs))
	if err != nil {
		return nil, fmt.Errorf("snippets: %w", err)
	}
	defer rows.Close()
	out := make(map[int64]string, len(seqs))
	for rows.Next() {
		var (
			seq int64
			raw sql.NullString
		)
		if err := rows.Scan(&seq, &raw); err != nil {
			return nil, fmt.Errorf("snippets: %w", err)
		}
		if raw.Valid {
			out[seq] = raw.String
		}
	}
	return out, rows.Err()
}

// locateQuery finds, for a document (?1), where the plain text of its snippet (?2) starts in its
// body and the page that holds the snippet's first match, ?3 bytes further on. When the text is
// not in the body it finds the first page and at is -1.
const locateQuery = `SELECT number, start, length, at
	FROM (SELECT instr(CAST(body AS BLOB), CAST(?2 AS BLOB)) - 1 AS at FROM texts WHERE rowid = ?1)
	CROSS JOIN pages
	WHERE doc = ?1 AND start <= CASE WHEN at >= 0 THEN at + ?3 ELSE 0 END
	ORDER BY number DESC LIMIT 1`

// locate sets the hit's page, where the snippet's first match lies, and the part of the
// snippet on that page.
func locate(ctx context.Context, stmt *sql.Stmt, seq int64, sn snip, h *store.Hit) error {
	var start, length, at int
	err := stmt.QueryRowContext(ctx, seq, sn.plain(), sn.firstMatch()).Scan(&h.Page, &start, &length, &at)
	if err != nil {
		return fmt.Errorf("page of snippet: %w", err)
	}
	lo, hi := sn.bounds()
	if at >= 0 {
		lo, hi = start-at, start+length-at
	}
	h.Snippet = sn.fragments(lo, hi)
	return nil
}

func rowids(ctx context.Context, tx *sql.Tx, query string, args ...any) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// jsonInts renders ns as a JSON array, for json_each.
func jsonInts(ns []int64) string {
	b := []byte{'['}
	for i, n := range ns {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, n, 10)
	}
	return string(append(b, ']'))
}

// ownerToken is the word that marks owner's done documents in the index: a hash of the owner,
// so that no two owners share one, written in private-use characters, which FTS5 takes for word
// characters but search.Words never keeps, so that no search can match it.
func ownerToken(owner string) string {
	sum := sha256.Sum256([]byte(owner))
	var b strings.Builder
	for _, c := range sum[:16] {
		b.WriteRune(0xE000 + rune(c))
	}
	return b.String()
}

// exprs are a query in FTS5's syntax.
type exprs struct {
	match     string // the owner's done documents that match
	rank      string // more: documents of any owner with the words of the positive clauses
	ownedRank string // rank limited to the owner's done documents, with the excluded words
}

// compile renders q in FTS5's syntax for owner. Every word is reduced to letters and digits and
// quoted, so nothing from the user is ever FTS5 syntax.
func compile(q search.Query, owner string) (exprs, error) {
	if len(q.Clauses) > search.MaxClauses {
		return exprs{}, fmt.Errorf("%w: query has more than %d terms", document.ErrInvalidInput, search.MaxClauses)
	}
	var pos, words, not, notWords []string
	for _, c := range q.Clauses {
		var ws []string
		for _, w := range c.Words {
			ws = append(ws, search.Words(w)...)
		}
		switch {
		case len(ws) == 0:
		case c.Not:
			not = append(not, phrase(ws, c.Prefix))
			if len(ws) == 1 {
				notWords = append(notWords, phrase(ws, c.Prefix))
			}
		default:
			pos = append(pos, phrase(ws, c.Prefix))
			for i, w := range ws {
				words = append(words, phrase([]string{w}, c.Prefix && i == len(ws)-1))
			}
		}
	}
	if len(pos) == 0 {
		return exprs{}, fmt.Errorf("%w: query has no search terms", document.ErrInvalidInput)
	}
	owned := func(terms, not []string) string {
		expr := "(" + strings.Join(terms, " AND ") + ")"
		for _, n := range not {
			expr += " NOT " + n
		}
		return `"` + ownerToken(owner) + `" AND (` + expr + ")"
	}
	return exprs{
		match:     owned(pos, not),
		rank:      strings.Join(words, " AND "),
		ownedRank: owned(words, notWords),
	}, nil
}

func phrase(words []string, prefix bool) string {
	p := `"` + strings.ReplaceAll(strings.Join(words, " "), `"`, `""`) + `"`
	if prefix {
		p += "*"
	}
	return p
}
