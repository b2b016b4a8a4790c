package api

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"syscall"
	"time"

	"github.com/docpipe/docpipe/internal/document"
	"github.com/docpipe/docpipe/internal/ocr"
)

// Problem is an RFC 9457 problem details object.
type Problem struct {
	Type     string `json:"type"`
	Title    string `json:"title"`
	Status   int    `json:"status"`
	Detail   string `json:"detail,omitempty"`
	Instance string `json:"instance,omitempty"`
}

func writeProblem(w http.ResponseWriter, r *http.Request, status int, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(Problem{
		Type:     "about:blank",
		Title:    http.StatusText(status),
		Status:   status,
		Detail:   detail,
		Instance: r.URL.Path,
	})
}

// fail answers with the problem that err stands for. Errors without a known meaning are logged
// and answered with a 500 that reveals nothing of them.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var (
		maxBytes    *http.MaxBytesError
		limit       *ocr.LimitError
		unknownLang *ocr.UnknownLanguageError
	)
	switch {
	case errors.Is(err, document.ErrNotFound):
		writeProblem(w, r, http.StatusNotFound, "no such document")
	case errors.Is(err, document.ErrConflict):
		writeProblem(w, r, http.StatusConflict, err.Error())
	case errors.As(err, &maxBytes):
		writeProblem(w, r, http.StatusRequestEntityTooLarge,
			"the upload is larger than the limit of "+strconv.FormatInt(maxBytes.Limit, 10)+" bytes")
	case errors.Is(err, ocr.ErrUnsupportedType):
		writeProblem(w, r, http.StatusUnsupportedMediaType, err.Error()+"; send PNG, JPEG, TIFF or PDF")
	case errors.As(err, &limit), errors.As(err, &unknownLang):
		writeProblem(w, r, http.StatusUnprocessableEntity, err.Error())
	case errors.Is(err, errUnreadable):
		writeProblem(w, r, http.StatusUnprocessableEntity, err.Error())
	case errors.Is(err, document.ErrInvalidInput):
		writeProblem(w, r, http.StatusBadRequest, err.Error())
	case errors.Is(err, document.ErrStorageFull) || errors.Is(err, syscall.ENOSPC):
		s.full.Store(time.Now().UnixNano())
		s.log.ErrorContext(r.Context(), "storage full", slog.Any("err", err))
		writeProblem(w, r, http.StatusInsufficientStorage, "the server has no room to store this right now; nothing was kept, try again later")
	case errors.Is(err, errBusy):
		w.Header().Set("Retry-After", "5")
		writeProblem(w, r, http.StatusServiceUnavailable, err.Error())
	case errors.Is(err, context.DeadlineExceeded):
		w.Header().Set("Retry-After", "5")
		writeProblem(w, r, http.StatusServiceUnavailable, "the store did not answer in time; try again")
	case errors.Is(err, context.Canceled) && r.Context().Err() != nil:
		// The client went away; nobody reads the answer.
	default:
		s.log.ErrorContext(r.Context(), "request failed", slog.Any("err", err))
		writeProblem(w, r, http.StatusInternalServerError, "internal error; the request id is in the X-Request-Id header")
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}
