package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strings"

	"github.com/docpipe/docpipe/internal/document"
)

// tagGroups reads tag parameters: each one is a group of names separated by commas, of which a
// document must have one.
func tagGroups(params []string) [][]string {
	var groups [][]string
	for _, p := range params {
		groups = append(groups, strings.Split(p, ","))
	}
	return groups
}

// maxTagBody bounds the JSON bodies of the tag routes: a thousand IDs and a hundred names.
const maxTagBody = 64 << 10

// decodeJSON reads a JSON object of body into v, refusing other members, other media types and
// more than one value.
func decodeJSON(r *http.Request, w http.ResponseWriter, v any) error {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		return errNotJSON
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxTagBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var maxBytes *http.MaxBytesError
		if errors.As(err, &maxBytes) {
			return err
		}
		return fmt.Errorf("%w: the body is not the JSON object this route takes: %v", document.ErrInvalidInput, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("%w: the body holds more than one JSON value", document.ErrInvalidInput)
	}
	return nil
}

var errNotJSON = errors.New("send the body as application/json")

func (s *Server) failJSON(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, errNotJSON) {
		writeProblem(w, r, http.StatusUnsupportedMediaType, err.Error())
		return
	}
	s.fail(w, r, err)
}

// tags lists the owner's tags with their counts of documents.
func (s *Server) tags(w http.ResponseWriter, r *http.Request, owner string) {
	tags, err := s.opt.Store.Tags(r.Context(), owner)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if tags == nil {
		tags = []document.Tag{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"tags": tags})
}

// putTag creates a tag, or renames or recolours it.
func (s *Server) putTag(w http.ResponseWriter, r *http.Request, owner string) {
	var body struct {
		Name  string `json:"name"`
		Color string `json:"color"`
	}
	if err := decodeJSON(r, w, &body); err != nil {
		s.failJSON(w, r, err)
		return
	}
	t, err := s.opt.Store.PutTag(r.Context(), owner, r.PathValue("name"), document.Tag{Name: body.Name, Color: body.Color})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, t)
}

// deleteTag removes a tag from the owner's tags and documents.
func (s *Server) deleteTag(w http.ResponseWriter, r *http.Request, owner string) {
	if err := s.opt.Store.DeleteTag(r.Context(), owner, r.PathValue("name")); err != nil {
		if errors.Is(err, document.ErrNotFound) {
			writeProblem(w, r, http.StatusNotFound, "no such tag")
			return
		}
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// tagDocuments adds and removes tags on many documents at once: those its ids name or those a
// search query finds. IDs of documents the caller does not have are answered as missing and
// touch nothing.
func (s *Server) tagDocuments(w http.ResponseWriter, r *http.Request, owner string) {
	var body struct {
		IDs    []string `json:"ids"`
		Query  string   `json:"query"`
		Add    []string `json:"add"`
		Remove []string `json:"remove"`
	}
	if err := decodeJSON(r, w, &body); err != nil {
		s.failJSON(w, r, err)
		return
	}
	ids, err := s.selection(r.Context(), owner, body.IDs, body.Query)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	body.IDs = ids
	found, err := s.opt.Store.TagDocuments(r.Context(), owner, body.IDs, body.Add, body.Remove)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	missing := []string{}
	for _, id := range body.IDs {
		if !slices.Contains(found, id) && !slices.Contains(missing, id) {
			missing = append(missing, id)
		}
	}
	if found == nil {
		found = []string{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"documents": found, "missing": missing})
}
