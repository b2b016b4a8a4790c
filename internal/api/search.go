package api

import (
	"fmt"
	"net/http"

	"github.com/docpipe/docpipe/internal/search"
	"github.com/docpipe/docpipe/internal/store"
)

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
	res, err := s.Store.Search(r.Context(), owner, q, store.SearchOptions{Limit: limit, Offset: offset})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	hits := res.Hits
	if hits == nil {
		hits = []store.Hit{}
	}
	body := map[string]any{"query": q.String(), "total": res.Total, "hits": hits}
	if res.Capped {
		body["capped"] = true
	}
	if next := offset + len(hits); next < res.Total && len(hits) > 0 {
		body["next_offset"] = next
	}
	writeJSON(w, http.StatusOK, body)
}
