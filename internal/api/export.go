package api

import (
	"net/http"
	"time"

	"github.com/docpipe/docpipe/internal/archive"
)

// export streams a ZIP archive of the owner's documents (see package archive), which `docpipe
// import` reads back.
func (s *Server) export(w http.ResponseWriter, r *http.Request, owner string) {
	now := time.Now().UTC()
	h := w.Header()
	h.Set("Content-Type", "application/zip")
	h.Set("Content-Disposition", `attachment; filename="docpipe-export-`+now.Format("2006-01-02")+`.zip"`)
	h.Set("Cache-Control", "no-store")
	if err := archive.Write(r.Context(), w, s.opt.Store, s.opt.Bucket, owner, now); err != nil {
		s.log.ErrorContext(r.Context(), "export failed part-way; the client has an archive without its directory", "err", err)
	}
}
