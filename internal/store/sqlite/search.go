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
// hit gives all its pages, and shows the one that holds its first match.
//
// Search ranks and counts at most the newest 1,000 matching documents, so that its cost does not
// grow with the number of matches; when more match, the result is Capped. In a large index it
// ranks by the query's distinctive words only, and lists the matches of a query that has none
// newest first (see distinctive).
func (s *backend) Search(ctx context.Context, owner string, q search.Query, offset, limit int) (store.Ranked, error) {
	e := compile(q, owner)
	var res store.Ranked
	err := s.read(ctx, func(tx *sql.Tx) error {
		cands, err := rowids(ctx, tx, `SELECT rowid FROM texts WHERE texts MATCH ? ORDER BY rowid DESC LIMIT ?`,
			e.match, s.maxCandidates+1)
		if err != nil {
			return err
		}
		if len(cands) > s.maxCandidates {
			cands, res.Capped = cands[:s.maxCandidates], true
		}
		res.Total = len(cands)
		if offset >= len(cands) {
			return nil
		}
		words, err := s.distinctive(ctx, tx, e.words)
		if err != nil {
			return err
		}
		ranked := newestFirst(cands)
		if len(words) > 0 {
			if ranked, err = rank(ctx, tx, e, words, cands, s.rankRows); err != nil {
				return err
			}
		}
		res.Matches, err = matches(ctx, tx, owner, store.Window(ranked, offset, limit))
		return err
	})
	return res, err
}

// scored is a candidate document's row and bm25 score, lower is better.
type scored struct {
	seq  int64
	bm25 float64
}

// rank scores the candidates, which are in descending order, by words, and sorts them best first.
//
// bm25 needs the number of documents that hold each phrase of the query, and finds it by running
// the phrase over the whole index: for a phrase of common words that alone takes longer than the
// rest of a search. So rank scores with words, the query's phrases split into their words, and
// skips the rows that are not candidates. When the rows of all owners that hold the words in the
// candidates' range are more than maxRows, it reads only the owner's.
func rank(ctx context.Context, tx *sql.Tx, e exprs, words []string, cands []int64, maxRows int) ([]scored, error) {
	lo, hi := cands[len(cands)-1], cands[0]
	expr, owned := e.ranking(words)
	if hi-lo >= int64(maxRows) {
		var n int
		err := tx.QueryRowContext(ctx, `SELECT count(*) FROM
			(SELECT 1 FROM texts WHERE texts MATCH ? AND rowid BETWEEN ? AND ? LIMIT ?)`,
			expr, lo, hi, maxRows+1).Scan(&n)
		if err != nil {
			return nil, err
		}
		if n > maxRows {
			expr = owned
		}
	}
	rows, err := tx.QueryContext(ctx, `SELECT rowid,
			CASE WHEN rowid IN (SELECT value FROM json_each(?)) THEN bm25(texts, 1.0, 0.0, 1.0, 4.0) END
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

// newestFirst ranks the candidates as they come, newest first, with a score of 0.
func newestFirst(cands []int64) []scored {
	out := make([]scored, len(cands))
	for i, seq := range cands {
		out[i] = scored{seq: seq}
	}
	return out
}

// matches loads the documents of the ranked rows with all their pages.
func matches(ctx context.Context, tx *sql.Tx, owner string, ranked []scored) ([]store.Match, error) {
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
	texts, err := bodies(ctx, tx, list)
	if err != nil {
		return nil, err
	}
	var out []store.Match
	for _, sc := range ranked {
		if d, ok := docs[sc.seq]; ok {
			out = append(out, store.Match{Document: d, Score: -sc.bm25, Pages: texts[sc.seq].pages})
		}
	}
	return out, nil
}

// text is a document's indexed text and its pages, which are slices of it.
type text struct {
	body  string
	pages []document.Page
}

// bodies returns the texts of the rows in the JSON list, with a page 1 of the whole body when
// a row has no pages.
func bodies(ctx context.Context, tx *sql.Tx, list string) (map[int64]text, error) {
	out := make(map[int64]text)
	rows, err := tx.QueryContext(ctx, `SELECT rowid, body FROM texts WHERE rowid IN (SELECT value FROM json_each(?))`, list)
	if err != nil {
		return nil, fmt.Errorf("texts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			seq int64
			t   text
		)
		if err := rows.Scan(&seq, &t.body); err != nil {
			return nil, fmt.Errorf("texts: %w", err)
		}
		out[seq] = t
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("texts: %w", err)
	}
	rows, err = tx.QueryContext(ctx, `SELECT doc, number, start, length FROM pages
		WHERE doc IN (SELECT value FROM json_each(?)) ORDER BY doc, number`, list)
	if err != nil {
		return nil, fmt.Errorf("pages: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			seq                   int64
			number, start, length int
		)
		if err := rows.Scan(&seq, &number, &start, &length); err != nil {
			return nil, fmt.Errorf("pages: %w", err)
		}
		t, ok := out[seq]
		if !ok {
			continue
		}
		start = min(start, len(t.body))
		t.pages = append(t.pages, document.Page{Number: number, Text: t.body[start:min(start+length, len(t.body))]})
		out[seq] = t
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("pages: %w", err)
	}
	for seq, t := range out {
		if len(t.pages) == 0 {
			t.pages = []document.Page{{Number: 1, Text: t.body}}
			out[seq] = t
		}
	}
	return out, nil
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
// characters but search.Words never keeps, so that no search can match it. Queries look for it
// in the owner column alone (ownerPhrase).
func ownerToken(owner string) string {
	sum := sha256.Sum256([]byte(owner))
	var b strings.Builder
	for _, c := range sum[:16] {
		b.WriteRune(0xE000 + rune(c))
	}
	return b.String()
}

// ownerPhrase matches owner's token in the owner column only: a document's text may hold any
// owner's token (text is the uploader's to choose), and must not make it anyone else's.
func ownerPhrase(owner string) string {
	return `owner : "` + ownerToken(owner) + `"`
}

// exprs are a query in FTS5's syntax.
type exprs struct {
	match string   // the owner's done documents that match
	owner string   // the phrase of the owner's token
	words []string // the words of the positive clauses, each an expression: what ranking weighs
	not   []string // the excluded clauses of one word
}

// ranking returns what rank matches to weigh words with: any, the documents of any owner that
// hold every word, and owned, the owner's done documents that do and hold no excluded word.
func (e exprs) ranking(words []string) (any, owned string) {
	return strings.Join(words, " AND "), ownedBy(e.owner, words, e.not)
}

// compile renders q, which has a positive clause, in FTS5's syntax for owner. Every word is
// reduced to letters and digits and quoted, so nothing from the user is ever FTS5 syntax.
func compile(q search.Query, owner string) exprs {
	e := exprs{owner: ownerPhrase(owner)}
	var pos, not []string
	for _, c := range q.Clauses {
		ws := store.ClauseWords(c)
		if len(ws) == 0 {
			continue
		}
		expr := clause(c, ws)
		switch {
		case c.Not:
			not = append(not, expr)
			if len(ws) == 1 {
				e.not = append(e.not, expr)
			}
		case len(ws) == 1:
			pos = append(pos, expr)
			e.words = append(e.words, expr)
		default:
			pos = append(pos, expr)
			for i, w := range ws {
				e.words = append(e.words, exact([]string{w}, c.Prefix && i == len(ws)-1))
			}
		}
	}
	e.match = ownedBy(e.owner, pos, not)
	return e
}

// clause renders the clause c of the words ws. A bare word matches any of its variants among
// the stems of the text and the words of the name; the rest match the text's and the name's
// words as they are.
func clause(c search.Clause, ws []string) string {
	if c.Exact || c.Prefix || len(ws) > 1 {
		return exact(ws, c.Prefix)
	}
	vs := search.Variants(ws[0])
	for i, v := range vs {
		vs[i] = phrase([]string{v}, false)
	}
	return "({stems name} : (" + strings.Join(vs, " OR ") + "))"
}

// exact matches the phrase of words, its last a prefix when prefix is set, in the text or the name.
func exact(words []string, prefix bool) string {
	return "({body name} : " + phrase(words, prefix) + ")"
}

// nameTerms is what the name column holds for a document named name in lang.
func nameTerms(name, lang string) string {
	return strings.Join(search.NameWords(name, lang), " ")
}

// ownedBy matches owner's done documents that match every term and no excluded one.
func ownedBy(owner string, terms, not []string) string {
	expr := "(" + strings.Join(terms, " AND ") + ")"
	for _, n := range not {
		expr += " NOT " + n
	}
	return owner + " AND (" + expr + ")"
}

func phrase(words []string, prefix bool) string {
	p := `"` + strings.ReplaceAll(strings.Join(words, " "), `"`, `""`) + `"`
	if prefix {
		p += "*"
	}
	return p
}
