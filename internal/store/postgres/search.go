package postgres

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/docpipe/docpipe/internal/document"
	"github.com/docpipe/docpipe/internal/search"
	"github.com/docpipe/docpipe/internal/store"
)

// rankNormalization divides a page's ts_rank_cd by 1 + the logarithm of its length in words.
const rankNormalization = 1

// nameWeight is how much more a match in a document's name counts than one in its text.
const nameWeight = 4

// Search runs q over owner's done documents, best first. A document matches a clause when one of
// its pages or its name does; a phrase must lie within a page. A document scores as its best page
// does with ts_rank_cd, plus its name's score, and that page is the hit's.
//
// Search ranks and counts at most the newest 1,000 matching documents, so that its cost does not
// grow with the number of matches; when more match, the result is Capped.
//
// Other orders than relevance skip ranking and order the same candidates.
func (s *backend) Search(ctx context.Context, owner string, q search.Query, opt store.SearchOptions) (store.Ranked, error) {
	var res store.Ranked
	err := s.read(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT lang FROM langs`)
		if err != nil {
			return fmt.Errorf("langs: %w", err)
		}
		langs, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return fmt.Errorf("langs: %w", err)
		}
		tq, err := compile(q, langs)
		if err != nil {
			return err
		}
		match, args := tq.match(owner, q, s.maxCandidates+1)
		rows, err = tx.Query(ctx, match, args...)
		if err != nil {
			return fmt.Errorf("match: %w", err)
		}
		cands, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return fmt.Errorf("match: %w", err)
		}
		if len(cands) > s.maxCandidates {
			cands, res.Capped = cands[:s.maxCandidates], true
		}
		res.Total = len(cands)
		if opt.Offset >= len(cands) {
			return nil
		}
		ranked := make([]scored, len(cands))
		for i, seq := range cands {
			ranked[i] = scored{seq: seq, page: 1}
		}
		switch opt.Sort {
		case store.SortRelevance:
			if tq.any != "" {
				if ranked, err = rank(ctx, tx, tq.any, cands); err != nil {
					return fmt.Errorf("rank: %w", err)
				}
			}
		case store.SortOldest:
			slices.Reverse(ranked)
		case store.SortName, store.SortDate, store.SortDateAsc:
			rows, err := tx.Query(ctx, `SELECT seq, name, title, date FROM documents WHERE seq = ANY($1)`, cands)
			if err != nil {
				return fmt.Errorf("sort keys: %w", err)
			}
			keys := make(map[int64]string, len(cands))
			var (
				seq               int64
				name, title, date string
			)
			if _, err := pgx.ForEachRow(rows, []any{&seq, &name, &title, &date}, func() error {
				keys[seq] = date
				if opt.Sort == store.SortName {
					keys[seq] = cmp.Or(title, document.DefaultTitle(name))
				}
				return nil
			}); err != nil {
				return fmt.Errorf("sort keys: %w", err)
			}
			store.SortBy(ranked, opt.Sort, func(r scored) string { return keys[r.seq] })
		}
		res.Matches, err = matches(ctx, tx, store.Window(ranked, opt.Offset, opt.Limit))
		if err != nil {
			return fmt.Errorf("matches: %w", err)
		}
		return nil
	})
	return res, err
}

// scored is a candidate document with its best page and that page's score.
type scored struct {
	seq   int64
	page  int
	score float64
}

// rank scores each candidate by its best page for query, plus nameWeight times its name's score,
// and sorts them best first, newest first among equals. A document that matches by its name
// alone shows its first page.
func rank(ctx context.Context, tx pgx.Tx, query string, cands []int64) ([]scored, error) {
	rows, err := tx.Query(ctx, `SELECT d.seq, COALESCE(b.number, 1), COALESCE(b.score, 0) +
			CASE WHEN d.names @@ $1::tsquery THEN $4 * ts_rank_cd(d.names, $1::tsquery, $2) ELSE 0 END
		FROM documents d LEFT JOIN (
			SELECT DISTINCT ON (doc) doc, number, ts_rank_cd(tsv, $1::tsquery, $2) AS score
			FROM pages WHERE doc = ANY($3) AND tsv @@ $1::tsquery
			ORDER BY doc, score DESC, number
		) b ON b.doc = d.seq
		WHERE d.seq = ANY($3)`, query, rankNormalization, cands, nameWeight)
	if err != nil {
		return nil, err
	}
	ranked, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (scored, error) {
		var (
			sc    scored
			score float32
		)
		err := row.Scan(&sc.seq, &sc.page, &score)
		sc.score = float64(score)
		return sc, err
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(ranked, func(a, b scored) int {
		return cmp.Or(cmp.Compare(b.score, a.score), cmp.Compare(b.seq, a.seq))
	})
	return ranked, nil
}

// matches loads the documents of the ranked candidates with the text of their best pages.
func matches(ctx context.Context, tx pgx.Tx, ranked []scored) ([]store.Match, error) {
	seqs, numbers := make([]int64, len(ranked)), make([]int32, len(ranked))
	for i, sc := range ranked {
		seqs[i], numbers[i] = sc.seq, int32(sc.page)
	}
	rows, err := tx.Query(ctx, `SELECT `+docColumns+`, COALESCE(p.text, '')
		FROM unnest($1::bigint[], $2::integer[]) AS h (doc, number)
		JOIN documents ON seq = h.doc
		LEFT JOIN pages p ON p.doc = h.doc AND p.number = h.number`,
		seqs, numbers)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	byDoc := make(map[int64]store.Match, len(ranked))
	var text string
	for rows.Next() {
		seq, d, err := scanDoc(rows, &text)
		if err != nil {
			return nil, err
		}
		byDoc[seq] = store.Match{Document: d, Pages: []document.Page{{Text: text}}}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]store.Match, 0, len(ranked))
	for _, sc := range ranked {
		m, ok := byDoc[sc.seq]
		if !ok {
			continue
		}
		m.Pages[0].Number, m.Score = sc.page, sc.score
		out = append(out, m)
	}
	return out, nil
}

// tsqueries is a query rendered in SQL over tsquery's input syntax.
type tsqueries struct {
	where string // the condition on documents d, with placeholders from $2
	args  []any  // the tsqueries of the placeholders
	any   string // matches a page that matches any clause that is not excluded; "" for none
}

// match returns the statement that finds the owner's done documents that match and pass q's
// filters, newest first, at most limit of them, and its arguments.
func (tq tsqueries) match(owner string, q search.Query, limit int) (string, []any) {
	var b strings.Builder
	b.WriteString(`SELECT seq FROM documents d WHERE owner = $1 AND status = 'done'`)
	args := append([]any{owner}, tq.args...)
	if tq.where != "" {
		b.WriteString("\n\tAND " + tq.where)
	}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if ts := q.MediaTypes(); len(ts) > 0 {
		b.WriteString("\n\tAND content_type = ANY(" + arg(ts) + ")")
	}
	if !q.After.IsZero() {
		b.WriteString("\n\tAND date >= " + arg(document.Day(q.After)))
	}
	if !q.Before.IsZero() {
		b.WriteString("\n\tAND date < " + arg(document.Day(q.Before)))
	}
	for _, g := range q.Tags {
		b.WriteString("\n\tAND tags && " + arg(g) + "::text[]")
	}
	b.WriteString("\nORDER BY seq DESC LIMIT " + arg(limit))
	return b.String(), args
}

// clause renders the clause c of the words ws in tsquery's syntax. A bare word matches any of its
// terms in any language (see search.Variants); the rest match the words as they are.
func clause(c search.Clause, ws []string, langs []string) (string, error) {
	for _, w := range ws {
		if len(w) > maxLexeme-len(search.Term("", "")) {
			return "", fmt.Errorf("%w: word of %d bytes is too long", document.ErrInvalidInput, len(w))
		}
	}
	if !c.Exact && !c.Prefix && len(ws) == 1 {
		var alts []string
		for _, v := range search.VariantsIn(ws[0], langs) {
			alts = append(alts, quote(v))
		}
		if len(alts) == 0 {
			alts = append(alts, quote(ws[0]))
		}
		return "(" + strings.Join(alts, " | ") + ")", nil
	}
	terms := make([]string, len(ws))
	for i, w := range ws {
		terms[i] = quote(w)
	}
	if c.Prefix {
		terms[len(terms)-1] += ":*"
	}
	return strings.Join(terms, " <-> "), nil
}

// compile renders q's tree as a condition on documents d whose clauses are tsqueries. Every word
// is reduced to letters and digits by search.Words and quoted, so nothing from the user is ever
// tsquery syntax. A word longer than a lexeme may be is document.ErrInvalidInput.
func compile(q search.Query, langs []string) (tsqueries, error) {
	var (
		tq  tsqueries
		pos []string
	)
	var render func(n *search.Node) (string, error)
	render = func(n *search.Node) (string, error) {
		switch n.Op {
		case search.OpClause:
			expr, err := clause(n.Clause, n.Clause.Words, langs)
			if err != nil {
				return "", err
			}
			tq.args = append(tq.args, expr)
			p := "$" + strconv.Itoa(len(tq.args)+1) + "::tsquery"
			names := `d.seq IN (SELECT n.seq FROM documents n WHERE n.owner = $1 AND n.names @@ ` + p + `)`
			if n.Clause.Field == search.FieldName {
				return names, nil
			}
			return `d.seq IN (SELECT p.doc FROM pages p WHERE p.tsv @@ ` + p + `
			UNION ALL SELECT n.seq FROM documents n WHERE n.owner = $1 AND n.names @@ ` + p + `)`, nil
		case search.OpNot:
			x, err := render(n.Args[0])
			return "NOT (" + x + ")", err
		}
		op := " AND "
		if n.Op == search.OpOr {
			op = " OR "
		}
		parts := make([]string, len(n.Args))
		for i, a := range n.Args {
			var err error
			if parts[i], err = render(a); err != nil {
				return "", err
			}
		}
		return "(" + strings.Join(parts, op) + ")", nil
	}
	if q.Root != nil {
		var err error
		if tq.where, err = render(q.Root); err != nil {
			return tsqueries{}, err
		}
	}
	for c, not := range q.Clauses() {
		if !not {
			expr, _ := clause(c, c.Words, langs)
			pos = append(pos, expr)
		}
	}
	if len(pos) > 0 {
		tq.any = "(" + strings.Join(pos, ") | (") + ")"
	}
	return tq, nil
}

// Closest reads the words of every owner's documents that start as word does, and returns the
// closest that the owner's done documents hold; among equals the one in most of them.
func (s *backend) Closest(ctx context.Context, owner, word string, max int) (string, error) {
	first, size := utf8.DecodeRuneInString(word)
	if first == utf8.RuneError {
		return "", nil
	}
	var best string
	err := s.read(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT word FROM words WHERE word >= $1 AND word < $2`, word[:size], string(first+1))
		if err != nil {
			return err
		}
		var (
			near []store.Near
			w    string
		)
		if _, err := pgx.ForEachRow(rows, []any{&w}, func() error {
			if d := search.Distance(word, w, max); d <= max {
				near = append(near, store.Near{Word: w, Edits: d})
			}
			return nil
		}); err != nil {
			return err
		}
		best, err = store.Held(near, func(w string) (n int, err error) {
			err = tx.QueryRow(ctx, `SELECT count(*) FROM (
					SELECT p.doc FROM pages p JOIN documents d ON d.seq = p.doc
					WHERE d.owner = $1 AND d.status = 'done' AND p.tsv @@ $2::tsquery
					UNION SELECT d.seq FROM documents d WHERE d.owner = $1 AND d.status = 'done' AND d.names @@ $2::tsquery
					LIMIT $3) m`, owner, quote(w), store.HeldCountCap).Scan(&n)
			return n, err
		})
		return err
	})
	return best, err
}
