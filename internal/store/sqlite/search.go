package sqlite

import (
	"cmp"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/docpipe/docpipe/internal/document"
	"github.com/docpipe/docpipe/internal/search"
	"github.com/docpipe/docpipe/internal/store"
)

// Search runs q over owner's done documents, best bm25 score first. A document's pages are
// indexed together, so a document matches a clause when its text as a whole or its name does;
// the hit gives all its pages, and shows the one that holds its first match. Documents that
// match by exclusions alone follow the scored ones, newest first.
//
// Search ranks and counts at most the newest 1,000 matching documents, so that its cost does not
// grow with the number of matches; when more match, the result is Capped. In a large index it
// ranks by the query's distinctive words only, and lists the matches of a query that has none
// newest first (see distinctive).
//
// Other orders than relevance skip ranking and order the same candidates.
func (s *backend) Search(ctx context.Context, owner string, q search.Query, opt store.SearchOptions) (store.Ranked, error) {
	var res store.Ranked
	err := s.read(ctx, func(tx *sql.Tx) error {
		langs, err := indexedLangs(ctx, tx)
		if err != nil {
			return err
		}
		e := compile(q, owner, langs)
		filter, args := filters(q)
		cands, err := rowids(ctx, tx, `SELECT texts.rowid FROM texts`+filter+` ORDER BY texts.rowid DESC LIMIT ?`,
			append(append([]any{e.match}, args...), s.maxCandidates+1)...)
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
		ranked, err := s.order(ctx, tx, e, cands, opt.Sort)
		if err != nil {
			return err
		}
		res.Matches, err = matches(ctx, tx, owner, store.Window(ranked, opt.Offset, opt.Limit))
		return err
	})
	return res, err
}

// order puts the candidates, newest first, in the order by.
func (s *backend) order(ctx context.Context, tx *sql.Tx, e exprs, cands []int64, by store.Sort) ([]scored, error) {
	ranked := newestFirst(cands)
	switch by {
	case store.SortOldest:
		slices.Reverse(ranked)
	case store.SortName, store.SortDate, store.SortDateAsc:
		keys := make(map[int64]string, len(cands))
		rows, err := tx.QueryContext(ctx, `SELECT seq, name, title, date FROM documents WHERE seq IN (SELECT value FROM json_each(?))`, jsonInts(cands))
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				seq               int64
				name, title, date string
			)
			if err := rows.Scan(&seq, &name, &title, &date); err != nil {
				return nil, err
			}
			keys[seq] = date
			if by == store.SortName {
				keys[seq] = cmp.Or(title, document.DefaultTitle(name))
			}
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
		store.SortBy(ranked, by, func(r scored) string { return keys[r.seq] })
	case store.SortRelevance:
		words, err := s.distinctive(ctx, tx, e.words)
		if err != nil || len(words) == 0 {
			return ranked, err
		}
		return rank(ctx, tx, e, words, cands, s.rankRows)
	}
	return ranked, nil
}

// fewCandidates: see rank.
const fewCandidates = 100

// scored is a candidate document's row and bm25 score, lower is better.
type scored struct {
	seq  int64
	bm25 float64
}

// rank scores the candidates, which are in descending order, by words, and sorts them best first;
// candidates that hold none of the words follow, newest first.
//
// bm25 needs the number of documents that hold each phrase of the query, and finds it by running
// the phrase over the whole index: for a phrase of common words that alone takes longer than the
// rest of a search. So rank scores with words, the query's phrases split into their words, and
// skips the rows that are not candidates. When the rows of all owners that hold the words in the
// candidates' range are more than maxRows, it reads only the owner's; so it does, without
// counting them, when the candidates are fewer than one in fewCandidates of maxRows, as a small
// owner's are, spread over a large index.
func rank(ctx context.Context, tx *sql.Tx, e exprs, words []string, cands []int64, maxRows int) ([]scored, error) {
	lo, hi := cands[len(cands)-1], cands[0]
	expr, owned := e.ranking(words)
	switch {
	case hi-lo >= int64(maxRows) && len(cands) <= maxRows/fewCandidates:
		expr = owned
	case hi-lo >= int64(maxRows):
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
	if len(ranked) < len(cands) {
		seen := make(map[int64]bool, len(ranked))
		for _, sc := range ranked {
			seen[sc.seq] = true
		}
		for _, seq := range cands {
			if !seen[seq] {
				ranked = append(ranked, scored{seq: seq})
			}
		}
	}
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

// filters returns the FROM and WHERE clauses, after texts, that keep the rows that match a
// query's expression and pass its filters, and the arguments after the expression's.
func filters(q search.Query) (string, []any) {
	if !q.Filtered() {
		return ` WHERE texts MATCH ?`, nil
	}
	var (
		b    strings.Builder
		args []any
	)
	b.WriteString(` JOIN documents d ON d.seq = texts.rowid WHERE texts MATCH ?`)
	if ts := q.MediaTypes(); len(ts) > 0 {
		b.WriteString(` AND d.content_type IN (SELECT value FROM json_each(?))`)
		list, _ := json.Marshal(ts)
		args = append(args, string(list))
	}
	if !q.After.IsZero() {
		b.WriteString(` AND d.date >= ?`)
		args = append(args, document.Day(q.After))
	}
	if !q.Before.IsZero() {
		b.WriteString(` AND d.date < ?`)
		args = append(args, document.Day(q.Before))
	}
	for _, g := range q.Tags {
		b.WriteString(` AND ` + tagged("d"))
		args = append(args, jsonTags(g))
	}
	return b.String(), args
}

// exprs are a query in FTS5's syntax.
type exprs struct {
	match string   // the owner's done documents that match
	owner string   // the phrase of the owner's token
	words []string // the words of the clauses that are not excluded, each an expression: what ranking weighs
	langs []string // the languages of the indexed documents
	all   bool     // every document that matches holds every word
}

// ranking returns what rank matches to weigh words with: any, the documents of any owner that
// hold every word (one of them, when the query does not need them all), and owned, the owner's
// done documents that do.
func (e exprs) ranking(words []string) (any, owned string) {
	op := " OR "
	if e.all {
		op = " AND "
	}
	any = strings.Join(words, op)
	return any, e.owner + " AND (" + any + ")"
}

// indexedLangs returns the languages of the documents in the index.
func indexedLangs(ctx context.Context, tx *sql.Tx) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT lang FROM langs`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var langs []string
	for rows.Next() {
		var l string
		if err := rows.Scan(&l); err != nil {
			return nil, err
		}
		langs = append(langs, l)
	}
	return langs, rows.Err()
}

// compile renders q in FTS5's syntax for owner, looking up bare words' stems in langs, the
// languages of the indexed documents. Every word is reduced to letters and digits and quoted, so
// nothing from the user is ever FTS5 syntax.
func compile(q search.Query, owner string, langs []string) exprs {
	e := exprs{owner: ownerPhrase(owner), langs: langs, all: needsAll(q.Root)}
	e.match = e.owner
	if q.Root != nil {
		e.match += " AND " + e.render(q.Root)
	}
	for c, not := range q.Clauses() {
		switch {
		case not:
		case len(c.Words) == 1:
			e.words = append(e.words, e.clause(c))
		default:
			for i, w := range c.Words {
				e.words = append(e.words, exact(c.Field, []string{w}, c.Prefix && i == len(c.Words)-1))
			}
		}
	}
	return e
}

// needsAll reports whether a document that matches n holds each clause of n that is not excluded:
// n is a clause, or an AND of clauses and exclusions.
func needsAll(n *search.Node) bool {
	switch {
	case n == nil:
		return false
	case n.Op == search.OpClause:
		return true
	case n.Op != search.OpAnd:
		return false
	}
	for _, a := range n.Args {
		if a.Op != search.OpClause && a.Op != search.OpNot {
			return false
		}
	}
	return true
}

// render renders n. FTS5's NOT takes two operands: the exclusions of an AND become NOTs of the
// AND of the rest, so that FTS5 checks them only on the documents the rest match, and a NOT of
// its own is the owner's documents NOT what it excludes.
func (e exprs) render(n *search.Node) string {
	switch n.Op {
	case search.OpClause:
		return e.clause(n.Clause)
	case search.OpNot:
		return "(" + e.owner + " NOT " + e.render(n.Args[0]) + ")"
	case search.OpOr:
		parts := make([]string, len(n.Args))
		for i, a := range n.Args {
			parts[i] = e.render(a)
		}
		return "(" + strings.Join(parts, " OR ") + ")"
	}
	var pos, neg []string
	for _, a := range n.Args {
		if a.Op == search.OpNot {
			neg = append(neg, e.render(a.Args[0]))
		} else {
			pos = append(pos, e.render(a))
		}
	}
	expr := e.owner
	if len(pos) > 0 {
		expr = "(" + strings.Join(pos, " AND ") + ")"
	}
	for _, x := range neg {
		expr = "(" + expr + " NOT " + x + ")"
	}
	return expr
}

// clause renders the clause c. A bare word matches its terms in the indexed languages among the
// stems of the text and the name; the rest match the text's and the name's words as they are.
// A clause of the name field looks in the name alone.
//
// Column filters make FTS5 decode every position list it reads, which costs common words dear,
// so clauses carry one only when their terms could match elsewhere: tagged stems are only in
// stems and name, and words only in body and name, but a prefix could be one of a stem.
func (e exprs) clause(c search.Clause) string {
	if !c.Stemmed() {
		return exact(c.Field, c.Words, c.Prefix)
	}
	vs := search.VariantsIn(c.Words[0], e.langs)
	if len(vs) == 0 {
		vs = []string{c.Words[0]}
	}
	for i, v := range vs {
		vs[i] = phrase([]string{v}, false)
	}
	if c.Field == search.FieldName {
		return "({name} : (" + strings.Join(vs, " OR ") + "))"
	}
	return "(" + strings.Join(vs, " OR ") + ")"
}

// exact matches the phrase of words, its last a prefix when prefix is set, in the text or the
// name, or only the name for the name field.
func exact(field string, words []string, prefix bool) string {
	switch {
	case field == search.FieldName:
		return "({name} : " + phrase(words, prefix) + ")"
	case prefix:
		return "({body name} : " + phrase(words, prefix) + ")"
	}
	return "(" + phrase(words, prefix) + ")"
}

// labelTerms is what the name column holds for d, whose Title is its owner's ("" for none).
func labelTerms(d document.Document) string {
	return strings.Join(search.LabelWords(d.Lang, d.Name, d.Title, d.Notes), " ")
}

func phrase(words []string, prefix bool) string {
	p := `"` + strings.ReplaceAll(strings.Join(words, " "), `"`, `""`) + `"`
	if prefix {
		p += "*"
	}
	return p
}

// ownWordsDocs is up to how many documents Closest reads an owner's own words rather than the
// index's.
const ownWordsDocs = 500

// Closest returns the closest word that the owner's done documents hold; among equals the one
// in most of them. For an owner of at most s.ownWordsDocs documents it reads their words; for a
// larger one, the index's words that start as word does, and checks each it would offer.
func (s *backend) Closest(ctx context.Context, owner, word string, max int) (string, error) {
	first, size := utf8.DecodeRuneInString(word)
	if first == utf8.RuneError {
		return "", nil
	}
	owned := ownerPhrase(owner)
	var best string
	err := s.read(ctx, func(tx *sql.Tx) error {
		var n int
		err := tx.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM texts WHERE texts MATCH ? LIMIT ?)`,
			owned, s.ownWordsDocs+1).Scan(&n)
		if err != nil {
			return err
		}
		var near []store.Near
		if n <= s.ownWordsDocs {
			docs, err := s.vocabs.get(owner, s.now(), func() (map[string]int, error) { return ownWords(ctx, tx, owned) })
			if err != nil {
				return err
			}
			for w, n := range docs {
				if r, _ := utf8.DecodeRuneInString(w); r != first {
					continue
				}
				if d := search.Distance(word, w, max); d <= max {
					near = append(near, store.Near{Word: w, Edits: d, Docs: n})
				}
			}
			if len(near) > 0 {
				store.SortNear(near)
				best = near[0].Word
			}
			return nil
		}
		rows, err := tx.QueryContext(ctx, `SELECT word FROM words WHERE word >= ? AND word < ?`, word[:size], string(first+1))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var n store.Near
			if err := rows.Scan(&n.Word); err != nil {
				return err
			}
			if n.Edits = search.Distance(word, n.Word, max); n.Edits <= max {
				near = append(near, n)
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		best, err = store.Held(near, func(w string) (n int, err error) {
			err = tx.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM texts WHERE texts MATCH ? LIMIT ?)`,
				owned+" AND "+exact(search.FieldAny, []string{w}, false), store.HeldCountCap).Scan(&n)
			return n, err
		})
		return err
	})
	return best, err
}

// ownWords returns the words of the owner's documents, whose token phrase is owned, with the
// number of documents that hold each.
func ownWords(ctx context.Context, tx *sql.Tx, owned string) (map[string]int, error) {
	rows, err := tx.QueryContext(ctx, `SELECT texts.body, d.name, d.title, d.notes FROM texts JOIN documents d ON d.seq = texts.rowid
		WHERE texts MATCH ?`, owned)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	docs := make(map[string]int)
	for rows.Next() {
		var body, name, title, notes string
		if err := rows.Scan(&body, &name, &title, &notes); err != nil {
			return nil, err
		}
		seen := make(map[string]bool)
		for _, w := range slices.Concat(search.Words(body), search.Words(document.DefaultTitle(name)), search.Words(title), search.Words(notes)) {
			if !seen[w] {
				seen[w] = true
				docs[w]++
			}
		}
	}
	return docs, rows.Err()
}

// vocabs keeps small owners' words for a while (vocabTTL), so that the words of a query that
// found nothing, and the next few searches, read the owner's documents once.
type vocabs struct {
	mu sync.Mutex
	m  map[string]vocab
}

type vocab struct {
	since time.Time
	docs  map[string]int
}

// Limits of vocabs.
const (
	vocabTTL    = time.Minute
	vocabOwners = 100
)

// get returns owner's words, read by read when they are not kept or older than vocabTTL.
func (v *vocabs) get(owner string, now time.Time, read func() (map[string]int, error)) (map[string]int, error) {
	v.mu.Lock()
	kept, ok := v.m[owner]
	v.mu.Unlock()
	if ok && now.Sub(kept.since) < vocabTTL {
		return kept.docs, nil
	}
	docs, err := read()
	if err != nil {
		return nil, err
	}
	v.mu.Lock()
	if v.m == nil || len(v.m) >= vocabOwners {
		v.m = make(map[string]vocab)
	}
	v.m[owner] = vocab{since: now, docs: docs}
	v.mu.Unlock()
	return docs, nil
}
