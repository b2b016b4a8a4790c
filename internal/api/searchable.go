package api

import (
	"fmt"
	"mime"
	"net/http"
	"path"
	"strings"

	"gocloud.dev/gcerrors"

	docblob "github.com/docpipe/docpipe/internal/blob"
	"github.com/docpipe/docpipe/internal/document"
)

// searchablePDF serves the searchable PDF the worker made of a done document, as an attachment
// named after the original, with Range and conditional requests handled by http.ServeContent.
func (s *Server) searchablePDF(w http.ResponseWriter, r *http.Request, owner string) {
	d, err := s.document(r, owner)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if d.Status != document.StatusDone {
		s.fail(w, r, fmt.Errorf("%w: the document is %s; its searchable PDF is made with its text", document.ErrConflict, d.Status))
		return
	}
	rd, err := s.opt.Bucket.NewReader(r.Context(), docblob.SearchableKey(d.ID), nil)
	if gcerrors.Code(err) == gcerrors.NotFound {
		writeProblem(w, r, http.StatusNotFound, "this document has no searchable PDF: it was read before they were made, or making it failed; reprocess the document to make one")
		return
	}
	if err != nil {
		s.fail(w, r, fmt.Errorf("open searchable PDF: %w", err))
		return
	}
	defer rd.Close()
	name := cleanName(d.Name)
	name = strings.TrimSuffix(name, path.Ext(name)) + ".pdf"
	h := w.Header()
	h.Set("Content-Type", "application/pdf")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("ETag", fmt.Sprintf(`"pdf-%s-%d"`, d.SHA256, d.UpdatedAt.UnixMicro()))
	h.Set("Cache-Control", "private, max-age=0, must-revalidate")
	http.ServeContent(w, r, "", rd.ModTime(), rd)
}
