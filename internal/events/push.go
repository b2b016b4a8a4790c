package events

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"
)

// maxPushBytes bounds a pushed event; Cloud Storage events are a few kilobytes.
const maxPushBytes = 1 << 20

// Push is the HTTP endpoint that pushed events are delivered to: Eventarc's CloudEvents on
// Cloud Run, or a Pub/Sub push subscription. Each document the event names is processed before
// the answer, so an acknowledgement means the result is stored. The status tells the sender
// what to do:
//
//   - 204: done, failed for good, deleted, or nothing to do; the sender stops.
//   - 400: the event can never be processed; the sender's retries end in its dead-letter topic.
//   - 503 with Retry-After: another worker holds the job or it waits for its retry time.
//   - 500: the store or the bucket failed; the sender delivers again with backoff.
type Push struct {
	Processor *Processor
	Decode    func(http.Header, []byte) ([]string, error) // e.g. GCS
	Log       *slog.Logger
}

func (p *Push) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	log := p.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxPushBytes))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		problem(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("event larger than %d bytes", maxPushBytes))
		return
	case err != nil:
		problem(w, http.StatusBadRequest, "read event: "+err.Error())
		return
	}
	ids, err := p.Decode(r.Header, body)
	if err != nil {
		log.WarnContext(r.Context(), "event refused", "err", err)
		problem(w, http.StatusBadRequest, err.Error())
		return
	}
	// A sender that gives up waiting must not abort a job half done: the job's own timeout
	// and lease bound it.
	retry, err := p.Processor.ProcessAll(context.WithoutCancel(r.Context()), ids)
	if err != nil {
		log.ErrorContext(r.Context(), "event not processed; asking for redelivery", "err", err)
		problem(w, http.StatusInternalServerError, "the event was not processed; deliver again")
		return
	}
	if !retry.IsZero() {
		secs := max(1, int(time.Until(retry).Round(time.Second).Seconds()))
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		problem(w, http.StatusServiceUnavailable, "the document is not ready to process yet; deliver again")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// problem writes an RFC 9457 problem.
func problem(w http.ResponseWriter, status int, detail string) {
	body, _ := json.Marshal(struct {
		Type   string `json:"type"`
		Title  string `json:"title"`
		Status int    `json:"status"`
		Detail string `json:"detail"`
	}{"about:blank", http.StatusText(status), status, detail})
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}
