package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	docblob "github.com/docpipe/docpipe/internal/blob"
	"github.com/docpipe/docpipe/internal/document"
	"github.com/docpipe/docpipe/internal/store"
	"gocloud.dev/blob"
	"gocloud.dev/gcerrors"
)

func (s *Server) list(w http.ResponseWriter, r *http.Request, owner string) {
	q := r.URL.Query()
	if ids, ok := q["id"]; ok {
		s.listIDs(w, r, owner, ids)
		return
	}
	limit, err := intParam(q.Get("limit"), 50, 1, 200)
	if err != nil {
		s.fail(w, r, fmt.Errorf("limit: %w", err))
		return
	}
	status := document.Status(q.Get("status"))
	if status != "" && !status.Valid() {
		s.fail(w, r, fmt.Errorf("%w: status must be queued, processing, done or failed", document.ErrInvalidInput))
		return
	}
	var byDate bool
	switch q.Get("sort") {
	case "", "newest":
	case "date":
		byDate = true
	default:
		s.fail(w, r, fmt.Errorf("%w: sort must be newest or date", document.ErrInvalidInput))
		return
	}
	res, err := s.opt.Store.List(r.Context(), owner, store.ListOptions{
		Status: status, Tags: tagGroups(q["tag"]), ByDate: byDate, After: q.Get("after"), Before: q.Get("before"),
		Cursor: q.Get("cursor"), Limit: limit,
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if res.Documents == nil {
		res.Documents = []document.Document{}
	}
	body := map[string]any{"documents": res.Documents}
	if res.Next != "" {
		body["next_cursor"] = res.Next
		next := *r.URL
		nq := next.Query()
		nq.Set("cursor", res.Next)
		next.RawQuery = nq.Encode()
		w.Header().Set("Link", fmt.Sprintf("<%s>; rel=\"next\"", next.RequestURI()))
	}
	writeJSON(w, http.StatusOK, body)
}

func (s *Server) get(w http.ResponseWriter, r *http.Request, owner string) {
	d, err := s.document(r, owner)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if wait := preferWait(r); wait > 0 && noneMatch(r.Header, etag(d)) {
		err := s.await(r.Context(), []string{d.ID}, r.Header, wait, func(ctx context.Context) (string, error) {
			next, err := s.opt.Store.Get(ctx, owner, d.ID)
			if err == nil {
				d = next
			}
			return etag(d), err
		})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		w.Header().Set("Preference-Applied", "wait="+strconv.Itoa(int(wait.Seconds())))
	}
	w.Header().Set("ETag", etag(d))
	w.Header().Set("Cache-Control", "no-cache")
	if noneMatch(r.Header, etag(d)) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

// maxListIDs bounds the ids of one GET /v1/documents?id=….
const maxListIDs = 100

// listIDs answers the owner's documents among ids, in the order asked, leaving out those that do
// not exist. Its ETag names their states together, so that with If-None-Match and Prefer: wait
// it is one long poll of them all: the web's live status asks it about every document a page
// shows.
func (s *Server) listIDs(w http.ResponseWriter, r *http.Request, owner string, ids []string) {
	q := r.URL.Query()
	for _, other := range []string{"status", "cursor", "limit"} {
		if q.Has(other) {
			s.fail(w, r, fmt.Errorf("%w: id cannot be combined with %s", document.ErrInvalidInput, other))
			return
		}
	}
	if len(ids) > maxListIDs {
		s.fail(w, r, fmt.Errorf("%w: at most %d ids", document.ErrInvalidInput, maxListIDs))
		return
	}
	for _, id := range ids {
		if !document.ValidID(id) {
			s.fail(w, r, fmt.Errorf("%w: %q is not a document id", document.ErrInvalidInput, id))
			return
		}
	}
	var docs []document.Document
	read := func(ctx context.Context) (string, error) {
		var err error
		docs, err = s.documents(ctx, owner, ids)
		return setTag(ids, docs), err
	}
	tag, err := read(r.Context())
	if err == nil && noneMatch(r.Header, tag) {
		if wait := preferWait(r); wait > 0 {
			err = s.await(r.Context(), ids, r.Header, wait, read)
			tag = setTag(ids, docs)
			w.Header().Set("Preference-Applied", "wait="+strconv.Itoa(int(wait.Seconds())))
		}
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("ETag", tag)
	w.Header().Set("Cache-Control", "no-cache")
	if noneMatch(r.Header, tag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"documents": docs})
}

// documents reads the owner's documents among ids, each once, in the order asked.
func (s *Server) documents(ctx context.Context, owner string, ids []string) ([]document.Document, error) {
	docs := []document.Document{}
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		d, err := s.opt.Store.Get(ctx, owner, id)
		if errors.Is(err, document.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		docs = append(docs, d)
	}
	return docs, nil
}

// pathID is the document id in the path. A malformed id is simply not found.
func pathID(r *http.Request) (string, error) {
	id := r.PathValue("id")
	if !document.ValidID(id) {
		return "", document.ErrNotFound
	}
	return id, nil
}

// document loads the document named in the path.
func (s *Server) document(r *http.Request, owner string) (document.Document, error) {
	id, err := pathID(r)
	if err != nil {
		return document.Document{}, err
	}
	return s.opt.Store.Get(r.Context(), owner, id)
}

func (s *Server) delete(w http.ResponseWriter, r *http.Request, owner string) {
	id, err := pathID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.remove(r.Context(), owner, id); err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// remove deletes one of the owner's documents, then its original, searchable PDF and pictures.
// Objects left behind by a failure are only logged: nothing reads them without the document.
func (s *Server) remove(ctx context.Context, owner, id string) error {
	d, err := s.opt.Store.Delete(ctx, owner, id)
	if err != nil {
		return err
	}
	ctx = context.WithoutCancel(ctx)
	if err := s.opt.Bucket.Delete(ctx, d.BlobKey); err != nil && gcerrors.Code(err) != gcerrors.NotFound {
		s.log.WarnContext(ctx, "document deleted but its original was not", "key", d.BlobKey, "err", err)
	}
	if err := s.opt.Bucket.Delete(ctx, docblob.SearchableKey(d.ID)); err != nil && gcerrors.Code(err) != gcerrors.NotFound {
		s.log.WarnContext(ctx, "document deleted but its searchable PDF was not", "id", d.ID, "err", err)
	}
	if err := s.removePictures(ctx, d.ID); err != nil {
		s.log.WarnContext(ctx, "document deleted but not all its page pictures", "id", d.ID, "err", err)
	}
	return nil
}

// maxPatch bounds the body of a PATCH: the longest notes, escaped, and room for the rest.
const maxPatch = 8*document.MaxNotes + 64<<10

// patch changes a document's title, notes or date, as a JSON merge patch (RFC 7396): a member
// that is absent stays as it is, and null or "" takes the owner's away (the title goes back to
// the file's name, the date to the one found in the text or the upload day).
func (s *Server) patch(w http.ResponseWriter, r *http.Request, owner string) {
	id, err := pathID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" && mt != "application/merge-patch+json" {
		w.Header().Set("Accept-Patch", "application/merge-patch+json")
		writeProblem(w, r, http.StatusUnsupportedMediaType, "send the changes as application/merge-patch+json")
		return
	}
	ch, err := readChange(http.MaxBytesReader(w, r.Body, maxPatch))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d, err := s.opt.Store.Update(r.Context(), owner, id, ch)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("ETag", etag(d))
	writeJSON(w, http.StatusOK, d)
}

// readChange decodes a merge patch of a document's labels.
func readChange(body io.Reader) (document.Change, error) {
	var members map[string]json.RawMessage
	dec := json.NewDecoder(body)
	if err := dec.Decode(&members); err != nil || members == nil {
		var maxBytes *http.MaxBytesError
		if errors.As(err, &maxBytes) {
			return document.Change{}, err
		}
		return document.Change{}, fmt.Errorf("%w: the body is not a JSON object of title, notes and date", document.ErrInvalidInput)
	}
	if dec.More() {
		return document.Change{}, fmt.Errorf("%w: the body holds more than one JSON value", document.ErrInvalidInput)
	}
	var ch document.Change
	for name, raw := range members {
		var field **string
		switch name {
		case "title":
			field = &ch.Title
		case "notes":
			field = &ch.Notes
		case "date":
			field = &ch.Date
		default:
			return document.Change{}, fmt.Errorf("%w: %q cannot be changed; send title, notes or date", document.ErrInvalidInput, name)
		}
		v := new(string)
		if string(raw) != "null" {
			if err := json.Unmarshal(raw, v); err != nil {
				return document.Change{}, fmt.Errorf("%w: %s must be a string or null", document.ErrInvalidInput, name)
			}
		}
		*field = v
	}
	return ch, nil
}

func (s *Server) reprocess(w http.ResponseWriter, r *http.Request, owner string) {
	id, err := pathID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d, err := s.opt.Store.Reprocess(r.Context(), owner, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.opt.OnEnqueue()
	w.Header().Set("Location", "/v1/documents/"+d.ID)
	writeJSON(w, http.StatusAccepted, d)
}

// text answers the document's text: plain text with pages separated by form feeds, or the pages
// as JSON when asked with ?format=json or Accept: application/json.
func (s *Server) text(w http.ResponseWriter, r *http.Request, owner string) {
	d, err := s.document(r, owner)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if d.Status != document.StatusDone {
		s.fail(w, r, fmt.Errorf("%w: the document is %s; its text is ready when it is done", document.ErrConflict, d.Status))
		return
	}
	pages, err := s.opt.Store.Text(r.Context(), owner, d.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if wantsJSON(r) {
		if pages == nil {
			pages = []document.Page{}
		}
		writeJSON(w, http.StatusOK, map[string]any{"document_id": d.ID, "pages": pages})
		return
	}
	texts := make([]string, len(pages))
	for i, p := range pages {
		texts[i] = p.Text
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte(strings.Join(texts, "\f")))
}

func wantsJSON(r *http.Request) bool {
	if f := r.URL.Query().Get("format"); f != "" {
		return f == "json"
	}
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		if mt, _, _ := mime.ParseMediaType(strings.TrimSpace(part)); mt == "application/json" {
			return true
		}
	}
	return false
}

// content serves the original with its sniffed type, as an attachment, with Range and
// conditional requests handled by http.ServeContent.
func (s *Server) content(w http.ResponseWriter, r *http.Request, owner string) {
	d, err := s.document(r, owner)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rd, err := s.original(r.Context(), d)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer rd.Close()
	h := w.Header()
	h.Set("Content-Type", d.ContentType)
	// Cleaned again: a name stored before cleanName learned a rule still has what it strips.
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": cleanName(d.Name)}))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("ETag", `"`+d.SHA256+`"`)
	h.Set("Cache-Control", "private, max-age=0, must-revalidate")
	http.ServeContent(w, r, "", d.CreatedAt, rd)
}

// original opens the stored original of d; a missing one is document.ErrNotFound.
func (s *Server) original(ctx context.Context, d document.Document) (*blob.Reader, error) {
	rd, err := s.opt.Bucket.NewReader(ctx, d.BlobKey, nil)
	if gcerrors.Code(err) == gcerrors.NotFound {
		return nil, fmt.Errorf("original of %s: %w", d.ID, document.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("open original: %w", err)
	}
	return rd, nil
}

func intParam(v string, def, lo, hi int) (int, error) {
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("%w: want a whole number from %d to %d, got %q", document.ErrInvalidInput, lo, hi, v)
	}
	return n, nil
}
