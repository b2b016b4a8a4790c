package cosmos

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/Azure/azure-sdk-for-go/sdk/data/azcosmos"

	"github.com/docpipe/docpipe/internal/document"
	"github.com/docpipe/docpipe/internal/search"
	"github.com/docpipe/docpipe/internal/store"
)

// BM25's parameters, and how many documents' pages are read at once.
const (
	bm25K1    = 1.2
	bm25B     = 0.75
	batchDocs = 50
)

// nameWeight is how much more a match in a document's name counts than one in its text.
const nameWeight = 4

// clause is a search clause reduced to words as search.Words finds them.
type clause struct {
	words    []string
	prefix   bool
	not      bool            // the clause sits under an odd number of NOTs: ranking leaves it out
	name     bool            // the clause looks in the name alone
	variants map[string]bool // a bare word's variants (search.Variants); nil for the others
}

// expr is a query's tree over its clauses.
type expr struct {
	op   search.Op
	c    int // the index of the clause, for search.OpClause
	args []*expr
}

// compiled is a query reduced to clauses and a tree over them.
type compiled struct {
	root    *expr // nil: every document
	clauses []clause
}

// compile reduces q's clauses to words, so that nothing the user typed reaches a query other
// than as a parameter.
func compile(q search.Query) compiled {
	var cq compiled
	var build func(n *search.Node, not bool) *expr
	build = func(n *search.Node, not bool) *expr {
		switch n.Op {
		case search.OpClause:
			c := n.Clause
			cl := clause{words: c.Words, prefix: c.Prefix, not: not, name: c.Field == search.FieldName}
			if c.Stemmed() {
				cl.variants = make(map[string]bool)
				for _, v := range search.Variants(c.Words[0]) {
					cl.variants[v] = true
				}
			}
			cq.clauses = append(cq.clauses, cl)
			return &expr{op: n.Op, c: len(cq.clauses) - 1}
		case search.OpNot:
			not = !not
		}
		e := &expr{op: n.Op}
		for _, a := range n.Args {
			e.args = append(e.args, build(a, not))
		}
		return e
	}
	if q.Root != nil {
		cq.root = build(q.Root, false)
	}
	return cq
}

// required returns the index of a clause that every document that matches e matches, or -1
// when there is none.
func (e *expr) required() int {
	switch {
	case e == nil:
		return -1
	case e.op == search.OpClause:
		return e.c
	case e.op == search.OpAnd:
		for _, a := range e.args {
			if c := a.required(); c >= 0 {
				return c
			}
		}
	}
	return -1
}

// eval reports whether m matches e, given whether m matches each clause.
func (e *expr) eval(found []bool) bool {
	switch e.op {
	case search.OpClause:
		return found[e.c]
	case search.OpNot:
		return !e.args[0].eval(found)
	case search.OpAnd:
		for _, a := range e.args {
			if !a.eval(found) {
				return false
			}
		}
		return true
	}
	for _, a := range e.args {
		if a.eval(found) {
			return true
		}
	}
	return false
}

// textPage is a page, or a document's name, with its words in order and their stems.
type textPage struct {
	document.Page
	words []string
	stems [][]string // the stems of words[i] in the document's languages
}

// stemCache remembers the stems of words in a language: a search reads the same words on many
// pages, and stemming is the dearest part of matching them.
type stemCache map[[2]string][]string

func (sc stemCache) stems(lang, w string) []string {
	k := [2]string{lang, w}
	s, ok := sc[k]
	if !ok {
		s = search.Stems(lang, w)
		sc[k] = s
	}
	return s
}

func (sc stemCache) page(p document.Page, text, lang string) textPage {
	tp := textPage{Page: p, words: search.Words(text)}
	tp.stems = make([][]string, len(tp.words))
	for i, w := range tp.words {
		tp.stems[i] = sc.stems(lang, w)
	}
	return tp
}

// matchAt reports whether the word at i of p matches word k of the clause.
func (c clause) matchAt(p textPage, i, k int) bool {
	w := p.words[i]
	if c.variants != nil {
		if c.variants[w] {
			return true
		}
		return slices.ContainsFunc(p.stems[i], func(s string) bool { return c.variants[s] })
	}
	if c.prefix && k == len(c.words)-1 {
		return strings.HasPrefix(w, c.words[k])
	}
	return w == c.words[k]
}

// in reports whether the clause matches p, its words in order.
func (c clause) in(p textPage) bool {
	n := len(c.words)
	for i := 0; i+n <= len(p.words); i++ {
		ok := true
		for k := range c.words {
			if !c.matchAt(p, i+k, k) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// count returns how many times word k of the clause occurs in p.
func (c clause) count(p textPage, k int) int {
	n := 0
	for i := range p.words {
		if c.matchAt(p, i, k) {
			n++
		}
	}
	return n
}

// Search runs q over owner's done documents, best first. A document matches when each positive
// clause matches one of its pages and no excluded clause matches any; a phrase must lie within a
// page. Candidates are the pages that hold the first word of the first positive clause, newest
// document first; the rest is checked here. A document scores as its best page does with BM25
// over the matching documents' pages, and that page is the hit's.
//
// Other orders than relevance sort the same matches.
func (s *backend) Search(ctx context.Context, owner string, q search.Query, opt store.SearchOptions) (store.Ranked, error) {
	cq := compile(q)
	var (
		ids []string
		err error
	)
	if c := cq.root.required(); c >= 0 {
		ids, err = s.candidates(ctx, owner, cq.clauses[c])
	} else {
		ids, err = s.everyDone(ctx, owner)
	}
	if err != nil {
		return store.Ranked{}, err
	}
	var (
		res     store.Ranked
		matches []match
		sc      = make(stemCache)
	)
	for len(ids) > 0 && !res.Capped {
		batch := ids[:min(batchDocs, len(ids))]
		ids = ids[len(batch):]
		ms, err := s.evaluate(ctx, owner, q, cq, batch, sc)
		if err != nil {
			return store.Ranked{}, err
		}
		matches = append(matches, ms...)
		if len(matches) > s.maxMatches {
			matches, res.Capped = matches[:s.maxMatches], true
		}
	}
	res.Total = len(matches)
	rank(cq.clauses, matches)
	switch opt.Sort {
	case store.SortRelevance:
	default:
		slices.SortFunc(matches, func(a, b match) int { return cmp.Compare(b.doc.Key, a.doc.Key) })
		switch opt.Sort {
		case store.SortOldest:
			slices.Reverse(matches)
		case store.SortName:
			store.SortBy(matches, opt.Sort, func(m match) string { return m.doc.document().Title })
		case store.SortDate, store.SortDateAsc:
			store.SortBy(matches, opt.Sort, func(m match) string { return m.doc.document().Date })
		}
	}
	for _, m := range store.Window(matches, opt.Offset, opt.Limit) {
		res.Matches = append(res.Matches, store.Match{
			Document: m.doc.document(),
			Score:    m.score,
			Pages:    []document.Page{m.pages[m.best].Page},
		})
	}
	return res, nil
}

// candidates returns the IDs of owner's documents with a page or a name that holds the first word
// of c, newest first.
func (s *backend) candidates(ctx context.Context, owner string, c clause) (ids []string, err error) {
	params := []azcosmos.QueryParameter{param("@owner", owner)}
	cond := `w = @word`
	switch {
	case c.variants != nil:
		var names []string
		for _, v := range slices.Sorted(maps.Keys(c.variants)) {
			name := fmt.Sprintf("@v%d", len(names))
			names = append(names, name)
			params = append(params, param(name, v))
		}
		cond = `w IN (` + strings.Join(names, ", ") + `)`
	case c.prefix && len(c.words) == 1:
		cond = `STARTSWITH(w, @word)`
	}
	if c.variants == nil {
		params = append(params, param("@word", c.words[0]))
	}
	holds := func(list string) string {
		return `EXISTS(SELECT VALUE w FROM w IN ` + list + ` WHERE ` + cond + `)`
	}
	onPage := holds("c.words")
	if c.variants != nil {
		onPage += " OR " + holds("c.stems")
	}
	type ref struct {
		Doc string `json:"doc"`
	}
	pk := azcosmos.NewPartitionKeyString(owner)
	var refs []ref
	if !c.name {
		refs, err = query[ref](ctx, s.c, pk,
			`SELECT c.doc FROM c WHERE c.type = @type AND c.owner = @owner AND (`+onPage+`)`,
			append(params, param("@type", typePage))...)
		if err != nil {
			return nil, fmt.Errorf("candidates: %w", err)
		}
	}
	named, err := query[docRef](ctx, s.c, pk,
		`SELECT c.id FROM c WHERE c.type = @type AND c.owner = @owner AND `+holds("c.nameWords"),
		append(params[:len(params):len(params)], param("@type", typeDoc))...)
	if err != nil {
		return nil, fmt.Errorf("candidates by name: %w", err)
	}
	for _, r := range refs {
		ids = append(ids, r.Doc)
	}
	for _, r := range named {
		ids = append(ids, r.ID)
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	slices.Reverse(ids)
	return ids, nil
}

// everyDone returns the IDs of all owner's done documents, newest first: the candidates of a
// query that requires no clause.
func (s *backend) everyDone(ctx context.Context, owner string) ([]string, error) {
	refs, err := query[docRef](ctx, s.c, azcosmos.NewPartitionKeyString(owner),
		`SELECT c.id FROM c WHERE c.type = @type AND c.owner = @owner AND c.status = @status`,
		param("@type", typeDoc), param("@owner", owner), param("@status", string(document.StatusDone)))
	if err != nil {
		return nil, fmt.Errorf("candidates: %w", err)
	}
	ids := make([]string, len(refs))
	for i, r := range refs {
		ids[i] = r.ID
	}
	slices.Sort(ids)
	slices.Reverse(ids)
	return ids, nil
}

// docRef is a document item's ID.
type docRef struct {
	ID string `json:"id"`
}

// match is a matching document with its pages and its name.
type match struct {
	doc   docItem
	name  textPage
	pages []textPage
	best  int // index of the best page
	score float64
}

// evaluate reads the documents ids and their pages and returns those that are done and match
// every clause, in the order of ids.
func (s *backend) evaluate(ctx context.Context, owner string, sq search.Query, cq compiled, ids []string, sc stemCache) ([]match, error) {
	q := `SELECT * FROM c WHERE c.type = @type AND c.owner = @owner AND c.status = @status`
	params := []azcosmos.QueryParameter{param("@type", typeDoc), param("@owner", owner), param("@status", string(document.StatusDone))}
	if ts := sq.MediaTypes(); len(ts) > 0 {
		var names []string
		for i, t := range ts {
			names = append(names, fmt.Sprintf("@t%d", i))
			params = append(params, param(names[i], t))
		}
		q += ` AND c.contentType IN (` + strings.Join(names, ", ") + `)`
	}
	q += ` AND c.id IN (`
	for i, id := range ids {
		name := fmt.Sprintf("@d%d", i)
		if i > 0 {
			q += ", "
		}
		q += name
		params = append(params, param(name, id))
	}
	docs, err := query[docItem](ctx, s.c, azcosmos.NewPartitionKeyString(owner), q+")", params...)
	if err != nil {
		return nil, fmt.Errorf("documents: %w", err)
	}
	byID := make(map[string]*match, len(docs))
	var done []string
	for _, d := range docs {
		if !dated(sq, d.document().Date) || !store.HasTags(d.Tags, sq.Tags) {
			continue
		}
		byID[d.ID] = &match{doc: d, name: sc.page(document.Page{}, d.labels(), d.Lang)}
		done = append(done, d.ID)
	}
	if len(done) == 0 {
		return nil, nil
	}
	ps, err := s.pages(ctx, owner, done)
	if err != nil {
		return nil, fmt.Errorf("pages: %w", err)
	}
	for _, p := range ps {
		m := byID[p.Doc]
		if m == nil || p.Gen != m.doc.Gen {
			continue
		}
		m.pages = append(m.pages, sc.page(document.Page{Number: p.Number, Text: p.Text}, p.Text, m.doc.Lang))
	}
	var out []match
	for _, id := range ids {
		m := byID[id]
		if m != nil && matches(cq, m) {
			slices.SortFunc(m.pages, func(a, b textPage) int { return cmp.Compare(a.Number, b.Number) })
			if len(m.pages) == 0 {
				m.pages = []textPage{{Page: document.Page{Number: 1}}}
			}
			out = append(out, *m)
		}
	}
	return out, nil
}

// dated reports whether a document dated date passes q's date filters. They are applied here
// rather than in the query, which would leave out the items written before documents had dates.
func dated(q search.Query, date string) bool {
	return (q.After.IsZero() || date >= document.Day(q.After)) && (q.Before.IsZero() || date < document.Day(q.Before))
}

// matches reports whether m matches cq: a clause matches when one of m's pages or its name does.
func matches(cq compiled, m *match) bool {
	if cq.root == nil {
		return true
	}
	found := make([]bool, len(cq.clauses))
	for i, c := range cq.clauses {
		found[i] = c.in(m.name) || !c.name && slices.ContainsFunc(m.pages, c.in)
	}
	return cq.root.eval(found)
}

// rank scores every page of the matches with BM25 over the words of the positive clauses, adds
// to each nameWeight times the inverse document frequency of the words its name holds, sets each
// match's best page and score, and sorts the matches best first, newest first among equals.
func rank(cs []clause, ms []match) {
	var (
		n     int
		total int
	)
	df := make(map[[2]int]int) // pages a clause's word matches, by clause and word index
	for _, m := range ms {
		for _, p := range m.pages {
			n++
			total += len(p.words)
			for ci, c := range cs {
				if c.not || c.name {
					continue
				}
				for wi := range c.words {
					if c.count(p, wi) > 0 {
						df[[2]int{ci, wi}]++
					}
				}
			}
		}
	}
	if n == 0 {
		return
	}
	avg := max(1, float64(total)/float64(n))
	idf := func(ci, wi int) float64 {
		d := float64(df[[2]int{ci, wi}])
		return math.Log(1 + (float64(n)-d+0.5)/(d+0.5))
	}
	for i := range ms {
		m := &ms[i]
		m.score = -1
		for pi, p := range m.pages {
			var score float64
			for ci, c := range cs {
				if c.not || c.name {
					continue
				}
				for wi := range c.words {
					tf := c.count(p, wi)
					if tf == 0 {
						continue
					}
					f := float64(tf)
					score += idf(ci, wi) * f * (bm25K1 + 1) / (f + bm25K1*(1-bm25B+bm25B*float64(len(p.words))/avg))
				}
			}
			if score > m.score {
				m.best, m.score = pi, score
			}
		}
		for ci, c := range cs {
			if c.not {
				continue
			}
			for wi := range c.words {
				if c.count(m.name, wi) > 0 {
					m.score += nameWeight * idf(ci, wi)
				}
			}
		}
	}
	slices.SortStableFunc(ms, func(a, b match) int {
		return cmp.Or(cmp.Compare(b.score, a.score), cmp.Compare(b.doc.ID, a.doc.ID))
	})
}

// Closest reads the word lists of the owner's pages and names and returns the closest of their
// words that start as word does. It reads every page of the owner's: it is for searches that
// found nothing.
func (s *backend) Closest(ctx context.Context, owner, word string, max int) (string, error) {
	first, size := utf8.DecodeRuneInString(word)
	if first == utf8.RuneError {
		return "", nil
	}
	type lists struct {
		Words     []string `json:"words"`
		NameWords []string `json:"nameWords"`
	}
	items, err := query[lists](ctx, s.c, azcosmos.NewPartitionKeyString(owner),
		`SELECT c.words, c.nameWords FROM c WHERE c.owner = @owner AND (c.type = @page OR c.type = @doc AND c.status = @done)`,
		param("@owner", owner), param("@page", typePage), param("@doc", typeDoc), param("@done", string(document.StatusDone)))
	if err != nil {
		return "", fmt.Errorf("closest: %w", err)
	}
	docs := make(map[string]int)
	for _, it := range items {
		for _, w := range append(it.Words, it.NameWords...) {
			if strings.HasPrefix(w, word[:size]) {
				docs[w]++
			}
		}
	}
	var near []store.Near
	for w, n := range docs {
		if d := search.Distance(word, w, max); d <= max {
			near = append(near, store.Near{Word: w, Edits: d, Docs: n})
		}
	}
	if len(near) == 0 {
		return "", nil
	}
	store.SortNear(near)
	return near[0].Word, nil
}
