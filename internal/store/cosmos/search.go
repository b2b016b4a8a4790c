package cosmos

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

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

// clause is a search clause reduced to words as search.Words finds them.
type clause struct {
	words  []string
	prefix bool
	not    bool
}

// compile reduces q's clauses, of which one is positive, to words, so that nothing the user
// typed reaches a query other than as a parameter.
func compile(q search.Query) []clause {
	var cs []clause
	for _, c := range q.Clauses {
		ws := store.ClauseWords(c)
		if len(ws) == 0 {
			continue
		}
		cs = append(cs, clause{words: ws, prefix: c.Prefix, not: c.Not})
	}
	// Positive clauses first: the first one selects the candidate pages.
	slices.SortStableFunc(cs, func(a, b clause) int {
		if a.not == b.not {
			return 0
		}
		if a.not {
			return 1
		}
		return -1
	})
	return cs
}

// matchWord reports whether the page word w matches the clause word cw, the last of its clause
// when last is set.
func (c clause) matchWord(w, cw string, last bool) bool {
	if c.prefix && last {
		return strings.HasPrefix(w, cw)
	}
	return w == cw
}

// in reports whether the clause matches a page with the words ws, in order.
func (c clause) in(ws []string) bool {
	n := len(c.words)
	for i := 0; i+n <= len(ws); i++ {
		ok := true
		for k, cw := range c.words {
			if !c.matchWord(ws[i+k], cw, k == n-1) {
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

// Search runs q over owner's done documents, best first. A document matches when each positive
// clause matches one of its pages and no excluded clause matches any; a phrase must lie within a
// page. Candidates are the pages that hold the first word of the first positive clause, newest
// document first; the rest is checked here. A document scores as its best page does with BM25
// over the matching documents' pages, and that page is the hit's.
func (s *backend) Search(ctx context.Context, owner string, q search.Query, offset, limit int) (store.Ranked, error) {
	cs := compile(q)
	ids, err := s.candidates(ctx, owner, cs[0])
	if err != nil {
		return store.Ranked{}, err
	}
	var (
		res     store.Ranked
		matches []match
	)
	for len(ids) > 0 && !res.Capped {
		batch := ids[:min(batchDocs, len(ids))]
		ids = ids[len(batch):]
		ms, err := s.evaluate(ctx, owner, cs, batch)
		if err != nil {
			return store.Ranked{}, err
		}
		matches = append(matches, ms...)
		if len(matches) > s.maxMatches {
			matches, res.Capped = matches[:s.maxMatches], true
		}
	}
	res.Total = len(matches)
	rank(cs, matches)
	for _, m := range store.Window(matches, offset, limit) {
		res.Matches = append(res.Matches, store.Match{
			Document: m.doc.document(),
			Score:    m.score,
			Pages:    []document.Page{m.pages[m.best].Page},
		})
	}
	return res, nil
}

// candidates returns the IDs of owner's documents with a page that holds the first word of c,
// newest first.
func (s *backend) candidates(ctx context.Context, owner string, c clause) ([]string, error) {
	cond := `EXISTS(SELECT VALUE w FROM w IN c.words WHERE w = @word)`
	if c.prefix && len(c.words) == 1 {
		cond = `EXISTS(SELECT VALUE w FROM w IN c.words WHERE STARTSWITH(w, @word))`
	}
	type ref struct {
		Doc string `json:"doc"`
	}
	refs, err := query[ref](ctx, s.c, azcosmos.NewPartitionKeyString(owner),
		`SELECT c.doc FROM c WHERE c.type = @type AND c.owner = @owner AND `+cond,
		param("@type", typePage), param("@owner", owner), param("@word", c.words[0]))
	if err != nil {
		return nil, fmt.Errorf("candidates: %w", err)
	}
	var ids []string
	for _, r := range refs {
		ids = append(ids, r.Doc)
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	slices.Reverse(ids)
	return ids, nil
}

// match is a matching document with its pages.
type match struct {
	doc   docItem
	pages []textPage
	best  int // index of the best page
	score float64
}

// textPage is a page with its words, in order.
type textPage struct {
	document.Page
	words []string
}

// evaluate reads the documents ids and their pages and returns those that are done and match
// every clause, in the order of ids.
func (s *backend) evaluate(ctx context.Context, owner string, cs []clause, ids []string) ([]match, error) {
	q := `SELECT * FROM c WHERE c.type = @type AND c.owner = @owner AND c.status = @status AND c.id IN (`
	params := []azcosmos.QueryParameter{param("@type", typeDoc), param("@owner", owner), param("@status", string(document.StatusDone))}
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
		byID[d.ID] = &match{doc: d}
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
		m.pages = append(m.pages, textPage{
			Page:  document.Page{Number: p.Number, Text: p.Text},
			words: search.Words(p.Text),
		})
	}
	var out []match
	for _, id := range ids {
		m := byID[id]
		if m != nil && matches(cs, m.pages) {
			slices.SortFunc(m.pages, func(a, b textPage) int { return cmp.Compare(a.Number, b.Number) })
			out = append(out, *m)
		}
	}
	return out, nil
}

// matches reports whether every positive clause matches one of the pages and no excluded one
// matches any.
func matches(cs []clause, pages []textPage) bool {
	for _, c := range cs {
		found := slices.ContainsFunc(pages, func(p textPage) bool { return c.in(p.words) })
		if found == c.not {
			return false
		}
	}
	return true
}

// rank scores every page of the matches with BM25 over the words of the positive clauses, sets
// each match's best page and score, and sorts the matches best first, newest first among equals.
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
				if c.not {
					continue
				}
				for wi := range c.words {
					if slices.ContainsFunc(p.words, func(w string) bool { return c.matchWord(w, c.words[wi], wi == len(c.words)-1) }) {
						df[[2]int{ci, wi}]++
					}
				}
			}
		}
	}
	if n == 0 {
		return
	}
	avg := float64(total) / float64(n)
	for i := range ms {
		m := &ms[i]
		m.score = -1
		for pi, p := range m.pages {
			var score float64
			for ci, c := range cs {
				if c.not {
					continue
				}
				for wi, cw := range c.words {
					tf := 0
					for _, w := range p.words {
						if c.matchWord(w, cw, wi == len(c.words)-1) {
							tf++
						}
					}
					if tf == 0 {
						continue
					}
					d := float64(df[[2]int{ci, wi}])
					idf := math.Log(1 + (float64(n)-d+0.5)/(d+0.5))
					f := float64(tf)
					score += idf * f * (bm25K1 + 1) / (f + bm25K1*(1-bm25B+bm25B*float64(len(p.words))/avg))
				}
			}
			if score > m.score {
				m.best, m.score = pi, score
			}
		}
	}
	slices.SortStableFunc(ms, func(a, b match) int {
		return cmp.Or(cmp.Compare(b.score, a.score), cmp.Compare(b.doc.ID, a.doc.ID))
	})
}
