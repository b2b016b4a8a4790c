package api

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"time"

	docblob "github.com/docpipe/docpipe/internal/blob"
	"github.com/docpipe/docpipe/internal/document"
	"github.com/docpipe/docpipe/internal/search"
	"github.com/docpipe/docpipe/internal/store"
	"gocloud.dev/gcerrors"
)

// selection resolves the documents a bulk request names: its ids, or, with a query instead, the
// owner's done documents that match it, at most store.MaxBulk either way.
func (s *Server) selection(ctx context.Context, owner string, ids []string, query string) ([]string, error) {
	if query == "" {
		if len(ids) == 0 {
			return nil, fmt.Errorf("%w: name the documents with ids, or a search with query", document.ErrInvalidInput)
		}
		if len(ids) > store.MaxBulk {
			return nil, fmt.Errorf("%w: more than %d documents", document.ErrInvalidInput, store.MaxBulk)
		}
		return ids, nil
	}
	if len(ids) > 0 {
		return nil, fmt.Errorf("%w: name the documents with ids or with query, not both", document.ErrInvalidInput)
	}
	q, err := search.Parse(query)
	if err != nil {
		return nil, fmt.Errorf("query: %w", err)
	}
	var out []string
	for len(out) < store.MaxBulk {
		res, err := s.opt.Store.Search(ctx, owner, q, store.SearchOptions{Limit: store.MaxSearchLimit, Offset: len(out), Sort: store.SortNewest})
		if err != nil {
			return nil, err
		}
		for _, h := range res.Hits {
			out = append(out, h.Document.ID)
		}
		if len(res.Hits) < store.MaxSearchLimit {
			break
		}
	}
	return out, nil
}

// bulk deletes or reprocesses many documents: those its ids name or those a search query
// finds. Each document is done on its own; the answer says which were, which the caller does
// not have, and which could not be and why.
func (s *Server) bulk(w http.ResponseWriter, r *http.Request, owner string) {
	var body struct {
		Action string   `json:"action"`
		IDs    []string `json:"ids"`
		Query  string   `json:"query"`
	}
	if err := decodeJSON(r, w, &body); err != nil {
		s.failJSON(w, r, err)
		return
	}
	var do func(ctx context.Context, id string) error
	switch body.Action {
	case "delete":
		do = func(ctx context.Context, id string) error { return s.remove(ctx, owner, id) }
	case "reprocess":
		do = func(ctx context.Context, id string) error {
			_, err := s.opt.Store.Reprocess(ctx, owner, id)
			return err
		}
	default:
		s.fail(w, r, fmt.Errorf("%w: action %q, want delete or reprocess", document.ErrInvalidInput, body.Action))
		return
	}
	ids, err := s.selection(r.Context(), owner, body.IDs, body.Query)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	type skip struct {
		ID     string `json:"id"`
		Reason string `json:"reason"`
	}
	res := struct {
		Documents []string `json:"documents"`
		Missing   []string `json:"missing"`
		Skipped   []skip   `json:"skipped"`
	}{[]string{}, []string{}, []skip{}}
	for _, id := range ids {
		if slices.Contains(res.Documents, id) || slices.Contains(res.Missing, id) {
			continue
		}
		if !document.ValidID(id) {
			res.Missing = append(res.Missing, id)
			continue
		}
		err := do(r.Context(), id)
		switch {
		case err == nil:
			res.Documents = append(res.Documents, id)
		case errors.Is(err, document.ErrNotFound):
			res.Missing = append(res.Missing, id)
		case errors.Is(err, document.ErrConflict):
			res.Skipped = append(res.Skipped, skip{id, "it is being read now; try again when it is done"})
		default:
			s.fail(w, r, fmt.Errorf("%s %s: %w", body.Action, id, err))
			return
		}
	}
	if body.Action == "reprocess" && len(res.Documents) > 0 {
		s.opt.OnEnqueue()
	}
	writeJSON(w, http.StatusOK, res)
}

// zipDocuments streams a ZIP of the originals (files=originals, the default) or searchable
// PDFs (files=pdf) of the documents the id parameters name or the search q finds. Documents the
// caller does not have, and searchable PDFs not made, are left out.
func (s *Server) zipDocuments(w http.ResponseWriter, r *http.Request, owner string) {
	q := r.URL.Query()
	files := q.Get("files")
	if files == "" {
		files = "originals"
	}
	if files != "originals" && files != "pdf" {
		s.fail(w, r, fmt.Errorf("%w: files %q, want originals or pdf", document.ErrInvalidInput, files))
		return
	}
	ids, err := s.selection(r.Context(), owner, q["id"], q.Get("q"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/zip")
	h.Set("Content-Disposition", `attachment; filename="docpipe-`+files+`.zip"`)
	h.Set("Cache-Control", "no-store")
	zw := zip.NewWriter(w)
	names := make(map[string]int)
	for _, id := range ids {
		if err := s.zipOne(r.Context(), zw, owner, id, files, names); err != nil {
			s.log.ErrorContext(r.Context(), "zip of documents failed part-way", "id", id, "err", err)
			return
		}
	}
	if err := zw.Close(); err != nil {
		s.log.ErrorContext(r.Context(), "zip of documents: close", "err", err)
	}
}

// zipOne adds one document's file to zw under a name of its own: its file name (a PDF's with
// .pdf), numbered when another file took it.
func (s *Server) zipOne(ctx context.Context, zw *zip.Writer, owner, id, files string, names map[string]int) error {
	if !document.ValidID(id) {
		return nil
	}
	d, err := s.opt.Store.Get(ctx, owner, id)
	if errors.Is(err, document.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	key, name := d.BlobKey, cleanName(d.Name)
	if files == "pdf" {
		key, name = docblob.SearchableKey(d.ID), cleanName(document.DefaultTitle(d.Name)+".pdf")
	}
	rd, err := s.opt.Bucket.NewReader(ctx, key, nil)
	if gcerrors.Code(err) == gcerrors.NotFound {
		return nil
	}
	if err != nil {
		return err
	}
	defer rd.Close()
	if n := names[name]; n > 0 {
		names[name]++
		name = document.DefaultTitle(name) + " (" + strconv.Itoa(n+1) + ")" + name[len(document.DefaultTitle(name)):]
	} else {
		names[name] = 1
	}
	f, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store, Modified: d.CreatedAt.In(time.UTC)})
	if err != nil {
		return err
	}
	_, err = io.Copy(f, rd)
	return err
}
