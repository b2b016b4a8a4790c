package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
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
	if !slices.Contains(s.opt.Notifiers, subject) {
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

// setTag names the states of the documents asked for by ids, of which docs are the ones found:
// it changes when any of them changes, appears or goes.
func setTag(ids []string, docs []document.Document) string {
	h := sha256.New()
	for _, id := range ids {
		fmt.Fprintf(h, "%s\n", id)
	}
	for _, d := range docs {
		fmt.Fprintf(h, "%s %s\n", d.ID, etag(d))
	}
	return `"` + hex.EncodeToString(h.Sum(nil)[:12]) + `"`
}

// noneMatch reports whether the If-None-Match fields of h match tag under RFC 9110's weak
// comparison: "*", or a list of entity tags that holds tag, with or without W/.
func noneMatch(h http.Header, tag string) bool {
	tag = strings.TrimPrefix(tag, "W/")
	for _, field := range h.Values("If-None-Match") {
		for rest := field; ; {
			rest = strings.TrimLeft(rest, " \t,")
			if rest == "" {
				break
			}
			if rest[0] == '*' {
				return true
			}
			rest = strings.TrimPrefix(rest, "W/")
			if rest == "" || rest[0] != '"' {
				break
			}
			end := strings.IndexByte(rest[1:], '"')
			if end < 0 {
				break
			}
			if rest[:end+2] == tag {
				return true
			}
			rest = rest[end+2:]
		}
	}
	return false
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

// await calls read, which returns the entity tag of what it read, until that tag no longer
// matches the If-None-Match fields of h, wait ends or the server starts draining. It watches
// ids before each read, so a change published between the two is not missed.
func (s *Server) await(ctx context.Context, ids []string, h http.Header, wait time.Duration, read func(context.Context) (string, error)) error {
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	tick := time.NewTicker(recheckEvery)
	defer tick.Stop()
	for {
		changed, stop := s.changes.Watch(ids...)
		tag, err := read(context.WithoutCancel(ctx))
		if err != nil || !noneMatch(h, tag) {
			stop()
			return err
		}
		select {
		case <-ctx.Done():
		case <-s.draining:
		case <-changed:
		case <-tick.C:
		}
		stop()
		if ctx.Err() != nil || s.isDraining() {
			return nil
		}
	}
}
