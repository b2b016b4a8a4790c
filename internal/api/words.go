package api

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/docpipe/docpipe/internal/document"
	"github.com/docpipe/docpipe/internal/search"
	"github.com/docpipe/docpipe/internal/store"
)

// pageWords is the answer to a page's words: where OCR found each word, in the pixels of the
// page picture it read. Pages read from a PDF's text layer have no boxes: their lines are empty
// and their size is zero.
type pageWords struct {
	Page   int    `json:"page"`
	Source string `json:"source"`
	document.Layout
	Matches []document.Box `json:"matches,omitempty"` // boxes of the words the query q marks
}

// words answers the words of one page of a done document with their boxes and confidences, and
// with a search query q the boxes of the words it matches, for clients to highlight a hit on the
// page picture.
func (s *Server) words(w http.ResponseWriter, r *http.Request, owner string) {
	var (
		h     *store.Highlighter
		query search.Query
		hasQ  = r.URL.Query().Has("q")
	)
	if hasQ {
		var err error
		if query, err = search.Parse(r.URL.Query().Get("q")); err != nil {
			s.fail(w, r, fmt.Errorf("q: %w", err))
			return
		}
	}
	d, err := s.document(r, owner)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if hasQ {
		hl := store.NewHighlighter(query, d.Lang)
		h = &hl
	}
	if d.Status != document.StatusDone {
		s.fail(w, r, fmt.Errorf("%w: the document is %s; its words are known when it is done", document.ErrConflict, d.Status))
		return
	}
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 1 || n > d.Pages {
		writeProblem(w, r, http.StatusNotFound, "the document has no page "+r.PathValue("n"))
		return
	}
	p, err := s.opt.Store.Page(r.Context(), owner, d.ID, n)
	if errors.Is(err, document.ErrNotFound) {
		writeProblem(w, r, http.StatusNotFound, fmt.Sprintf("the document has no page %d", n))
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := pageWords{Page: p.Number, Source: p.Source}
	if p.Layout != nil {
		out.Layout = *p.Layout
	}
	if out.Lines == nil {
		out.Lines = []document.Line{}
	}
	if h != nil {
		for _, line := range out.Lines {
			for _, word := range line.Words {
				if h.Marks(word.Text) {
					out.Matches = append(out.Matches, word.Box)
				}
			}
		}
	}
	writeJSON(w, http.StatusOK, out)
}
