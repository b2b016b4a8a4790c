// Package notify carries the news that documents changed from where they change to where users
// wait for it: a Hub inside the api wakes the requests waiting on a document, and a Client lets
// a worker in another process (the Azure function) tell the api.
//
// A notification is only a hint to look again: the store stays the truth, so a lost or
// repeated notification delays or repeats a read and changes nothing.
package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
)

// MaxDocuments bounds the ids of one notification.
const MaxDocuments = 100

// Hub wakes the waiters of documents that changed. Its zero value is ready to use.
type Hub struct {
	mu      sync.Mutex
	waiters map[string][]*waiter
}

type waiter struct {
	ch    chan struct{}
	woken bool
}

// Watch returns a channel that is closed when Publish names one of ids, and a func that stops
// watching; call it when done waiting.
func (h *Hub) Watch(ids ...string) (<-chan struct{}, func()) {
	w := &waiter{ch: make(chan struct{})}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.waiters == nil {
		h.waiters = make(map[string][]*waiter)
	}
	for _, id := range ids {
		h.waiters[id] = append(h.waiters[id], w)
	}
	return w.ch, func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		for _, id := range ids {
			ws := slices.DeleteFunc(h.waiters[id], func(x *waiter) bool { return x == w })
			if len(ws) == 0 {
				delete(h.waiters, id)
			} else {
				h.waiters[id] = ws
			}
		}
	}
}

// Publish wakes everyone watching the ids.
func (h *Hub) Publish(ids ...string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, id := range ids {
		for _, w := range h.waiters[id] {
			if !w.woken {
				w.woken = true
				close(w.ch)
			}
		}
		delete(h.waiters, id)
	}
}

// Watching reports how many waiters id has, for tests and metrics.
func (h *Hub) Watching(id string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.waiters[id])
}

// Message is the body of POST /v1/notifications.
type Message struct {
	Documents []string `json:"documents"`
}

// Client notifies the api at URL that documents changed, with a bearer token from Token.
type Client struct {
	URL   string // the api's base URL
	Token func(ctx context.Context) (string, error)
	HTTP  *http.Client // http.DefaultClient if nil
}

// Changed tells the api that the documents with these ids changed.
func (c *Client) Changed(ctx context.Context, ids []string) error {
	for len(ids) > 0 {
		n := min(len(ids), MaxDocuments)
		if err := c.post(ctx, ids[:n]); err != nil {
			return err
		}
		ids = ids[n:]
	}
	return nil
}

func (c *Client) post(ctx context.Context, ids []string) error {
	token, err := c.Token(ctx)
	if err != nil {
		return fmt.Errorf("notify: token: %w", err)
	}
	body, _ := json.Marshal(Message{Documents: ids})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL+"/v1/notifications", bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("notify: %s answered %s: %s", req.URL, resp.Status, bytes.TrimSpace(b))
	}
	return nil
}
