package api

import (
	"fmt"
	"net/http"

	"github.com/docpipe/docpipe/internal/document"
	"github.com/docpipe/docpipe/internal/search"
	"github.com/docpipe/docpipe/internal/store"
)

// searchResult is the answer to GET /v1/search (SearchResult in openapi.json). Its fields are
// in the order of their names, as the answer has always listed them.
type searchResult struct {
	Capped     bool        `json:"capped,omitempty"`
	Hits       []searchHit `json:"hits"`
	NextOffset int         `json:"next_offset,omitempty"`
	Query      string      `json:"query"`
	Suggestion string      `json:"suggestion,omitempty"`
	Total      int         `json:"total"`
}

// searchHit is one document found, with the page of its best match.
type searchHit struct {
	Document document.Document `json:"document"`
	Page     int               `json:"page"`
	Snippet  []fragment        `json:"snippet"`
	Score    float64           `json:"score"`
}

// fragment is a piece of a snippet; Match marks the words that match the query.
type fragment struct {
	Text  string `json:"text"`
	Match bool   `json:"match,omitempty"`
}

func (s *Server) search(w http.ResponseWriter, r *http.Request, owner string) {
	params := r.URL.Query()
	q, err := search.Parse(params.Get("q"))
	if err != nil {
		s.fail(w, r, fmt.Errorf("q: %w", err))
		return
	}
	limit, err := intParam(params.Get("limit"), 20, 1, 100)
	if err != nil {
		s.fail(w, r, fmt.Errorf("limit: %w", err))
		return
	}
	offset, err := intParam(params.Get("offset"), 0, 0, 10_000)
	if err != nil {
		s.fail(w, r, fmt.Errorf("offset: %w", err))
		return
	}
	sort := store.Sort(params.Get("sort"))
	if sort == "relevance" {
		sort = store.SortRelevance
	}
	res, err := s.opt.Store.Search(r.Context(), owner, q, store.SearchOptions{Limit: limit, Offset: offset, Sort: sort})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	body := searchResult{Capped: res.Capped, Hits: searchHits(res.Hits), Query: q.String(), Suggestion: res.Suggestion, Total: res.Total}
	if next := offset + len(res.Hits); next < res.Total && len(res.Hits) > 0 {
		body.NextOffset = next
	}
	writeJSON(w, http.StatusOK, body)
}

// searchHits converts the store's hits to the API's.
func searchHits(hits []store.Hit) []searchHit {
	out := make([]searchHit, len(hits))
	for i, h := range hits {
		out[i] = searchHit{Document: h.Document, Page: h.Page, Score: h.Score}
		if h.Snippet != nil {
			out[i].Snippet = make([]fragment, len(h.Snippet))
			for j, f := range h.Snippet {
				out[i].Snippet[j] = fragment{Text: f.Text, Match: f.Match}
			}
		}
	}
	return out
}
