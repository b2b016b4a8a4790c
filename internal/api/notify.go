package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/docpipe/docpipe/internal/document"
	"github.com/docpipe/docpipe/internal/notify"
)

// Long polls of a document: a GET with If-None-Match and Prefer: wait=SECONDS (RFC 7240)
// answers when the document changes or the wait ends. A change is seen at once when it is
// notified to this replica, and within recheckEvery otherwise.
const (
	maxWait      = 30 * time.Second
	recheckEvery = 2 * time.Second
)

// Changed wakes the requests waiting on the documents with these ids; an in-process worker
// calls it after each job.
func (s *Server) Changed(ids ...string) { s.changes.Publish(ids...) }

// notification takes the news that documents changed from a notifier: POST /v1/notifications.
func (s *Server) notification(w http.ResponseWriter, r *http.Request, subject string) {
	if !slices.Contains(s.Notifiers, subject) {
		writeProblem(w, r, http.StatusForbidden, "only the configured notifiers (DOCPIPE_NOTIFY_SUBJECTS) may notify")
		return
	}
	var m notify.Message
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
	if err := dec.Decode(&m); err != nil {
		writeProblem(w, r, http.StatusBadRequest, "want {\"documents\": [ids]}: "+err.Error())
		return
	}
	if len(m.Documents) == 0 || len(m.Documents) > notify.MaxDocuments {
		writeProblem(w, r, http.StatusUnprocessableEntity, fmt.Sprintf("want 1 to %d document ids", notify.MaxDocuments))
		return
	}
	for _, id := range m.Documents {
		if !document.ValidID(id) {
			writeProblem(w, r, http.StatusUnprocessableEntity, fmt.Sprintf("%q is not a document id", id))
			return
		}
	}
	s.Changed(m.Documents...)
	w.WriteHeader(http.StatusAccepted)
}

// etag names a document's state: it changes with every change of the document.
func etag(d document.Document) string {
	return `"` + strconv.FormatInt(d.UpdatedAt.UnixMicro(), 36) + "-" + string(d.Status) + `"`
}

// preferWait returns the wait a request prefers (Prefer: wait=SECONDS), capped at maxWait.
func preferWait(r *http.Request) time.Duration {
	for _, v := range r.Header.Values("Prefer") {
		for pref := range strings.SplitSeq(v, ",") {
			name, val, _ := strings.Cut(strings.TrimSpace(pref), "=")
			if !strings.EqualFold(strings.TrimSpace(name), "wait") {
				continue
			}
			n, err := strconv.Atoi(strings.Trim(strings.TrimSpace(val), `"`))
			if err != nil || n <= 0 {
				return 0
			}
			return min(time.Duration(n)*time.Second, maxWait)
		}
	}
	return 0
}

// await returns the document once its state differs from tag, or as it is when wait ends or the
// server starts draining. It watches before it reads, so a change published between the two is
// not missed.
func (s *Server) await(ctx context.Context, owner string, d document.Document, tag string, wait time.Duration) (document.Document, error) {
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	tick := time.NewTicker(recheckEvery)
	defer tick.Stop()
	for {
		changed, stop := s.changes.Watch(d.ID)
		next, err := s.Store.Get(context.WithoutCancel(ctx), owner, d.ID)
		if err != nil || etag(next) != tag {
			stop()
			return next, err
		}
		d = next
		select {
		case <-ctx.Done():
		case <-s.draining:
		case <-changed:
		case <-tick.C:
		}
		stop()
		if ctx.Err() != nil || s.isDraining() {
			return d, nil
		}
	}
}
