package notify

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

func TestHub(t *testing.T) {
	var h Hub
	a1, stopA1 := h.Watch("a")
	a2, _ := h.Watch("a")
	b, stopB := h.Watch("b")
	stopA1()
	if got := h.Watching("a"); got != 1 {
		t.Errorf("after one stop, %d watch a, want 1", got)
	}
	h.Publish("a", "c")
	select {
	case <-a2:
	default:
		t.Error("Publish(a) did not wake a watcher of a")
	}
	select {
	case <-a1:
		t.Error("a stopped watcher was woken")
	case <-b:
		t.Error("Publish(a) woke a watcher of b")
	default:
	}
	stopB()
	if h.Watching("a")+h.Watching("b") != 0 {
		t.Errorf("watchers left: a %d, b %d", h.Watching("a"), h.Watching("b"))
	}

	many, stopMany := h.Watch("x", "y", "z")
	h.Publish("y")
	h.Publish("z", "x")
	select {
	case <-many:
	default:
		t.Error("Publish(y) did not wake a watcher of x, y and z")
	}
	stopMany()
	if n := h.Watching("x") + h.Watching("y") + h.Watching("z"); n != 0 {
		t.Errorf("%d watchers left of x, y and z", n)
	}
}

func TestClient(t *testing.T) {
	var got [][]string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/notifications" || r.Header.Get("Authorization") != "Bearer tok" ||
			r.Header.Get("Content-Type") != "application/json" {
			http.Error(w, "bad request "+r.URL.Path, http.StatusBadRequest)
			return
		}
		var m Message
		if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if slices.Contains(m.Documents, "refused") {
			http.Error(w, "no", http.StatusForbidden)
			return
		}
		got = append(got, m.Documents)
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()
	c := &Client{URL: srv.URL, Token: func(context.Context) (string, error) { return "tok", nil }}

	ids := make([]string, MaxDocuments+1)
	for i := range ids {
		ids[i] = "d" + strings.Repeat("x", i%3)
	}
	if err := c.Changed(t.Context(), ids); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || len(got[0]) != MaxDocuments || len(got[1]) != 1 {
		t.Errorf("%d ids went in batches of %v, want %d and 1", len(ids), lens(got), MaxDocuments)
	}
	if err := c.Changed(t.Context(), []string{"refused"}); err == nil || !strings.Contains(err.Error(), "403") {
		t.Errorf("refused notification: err %v, want one naming 403", err)
	}
	c.Token = func(context.Context) (string, error) { return "", errors.New("no identity") }
	if err := c.Changed(t.Context(), []string{"a"}); err == nil || !strings.Contains(err.Error(), "no identity") {
		t.Errorf("without a token: err %v, want the token error", err)
	}
}

func lens(b [][]string) []int {
	var n []int
	for _, x := range b {
		n = append(n, len(x))
	}
	return n
}
