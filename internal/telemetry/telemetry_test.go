package telemetry

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestInstrumentLabelsRouteTemplates(t *testing.T) {
	m := NewMetrics(Build{Version: "test"})
	var logs bytes.Buffer
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/documents/{id}", func(w http.ResponseWriter, r *http.Request) {
		slog.New(NewLogger(&logs, "info", "json").Handler()).InfoContext(r.Context(), "inside")
		w.WriteHeader(http.StatusTeapot)
		_, _ = w.Write([]byte("hello"))
	})
	h := m.Instrument(NewLogger(&logs, "info", "json"), mux)

	for _, path := range []string{"/v1/documents/aaa", "/v1/documents/bbb", "/nowhere"} {
		req := httptest.NewRequest("GET", path, nil)
		req.Header.Set("X-Request-Id", "req-1")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if got := rec.Header().Get("X-Request-Id"); got != "req-1" {
			t.Errorf("X-Request-Id = %q, want the caller's", got)
		}
	}
	if got := testutil.CollectAndCount(m.RequestDuration); got != 2 {
		t.Errorf("duration series = %d, want 2 (one route template, one unmatched)", got)
	}
	if got := testutil.ToFloat64(m.ActiveRequests.WithLabelValues("GET")); got != 0 {
		t.Errorf("active requests after the fact = %v, want 0", got)
	}
	found := false
	for _, line := range strings.Split(logs.String(), "\n") {
		if !strings.Contains(line, `"msg":"inside"`) {
			continue
		}
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatal(err)
		}
		found = rec["request_id"] == "req-1"
	}
	if !found {
		t.Errorf("log records inside the handler lack request_id:\n%s", logs.String())
	}
}

func TestRouteOf(t *testing.T) {
	tests := []struct{ pattern, want string }{
		{"GET /v1/documents/{id}", "/v1/documents/{id}"},
		{"/healthz", "/healthz"},
		{"", "unmatched"},
	}
	for _, tt := range tests {
		if got := routeOf(tt.pattern); got != tt.want {
			t.Errorf("routeOf(%q) = %q, want %q", tt.pattern, got, tt.want)
		}
	}
}

func TestRequestIDRejectsJunk(t *testing.T) {
	m := NewMetrics(Build{})
	h := m.Instrument(slog.New(slog.DiscardHandler), http.NewServeMux())
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("X-Request-Id", "bad id\nwith newline")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if got := rec.Header().Get("X-Request-Id"); got == "" || strings.ContainsAny(got, " \n") {
		t.Errorf("X-Request-Id = %q, want a fresh clean id", got)
	}
}

func TestQueueAndPoolCollectors(t *testing.T) {
	m := NewMetrics(Build{})
	m.WatchQueue(func(context.Context) (QueueStats, error) { return QueueStats{Queued: 3, Processing: 1}, nil })
	m.WatchPool(func() (int, int) { return 1, 4 })
	mfs, err := m.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, mf := range mfs {
		for _, metric := range mf.GetMetric() {
			key := mf.GetName()
			for _, l := range metric.GetLabel() {
				key += "/" + l.GetValue()
			}
			if g := metric.GetGauge(); g != nil {
				got[key] = g.GetValue()
			}
		}
	}
	for key, want := range map[string]float64{
		"docpipe_queue_jobs/queued": 3, "docpipe_queue_jobs/processing": 1,
		"docpipe_ocr_engines/busy": 1, "docpipe_ocr_engines/idle": 3, "docpipe_queue_stats_up": 1,
	} {
		if got[key] != want {
			t.Errorf("%s = %v, want %v", key, got[key], want)
		}
	}
}

// A request the web makes of the API in process carries the web request's context: its records
// name the request id once, the same as the web's.
func TestInProcessRequestLogsOneRequestID(t *testing.T) {
	m := NewMetrics(Build{})
	var logs bytes.Buffer
	log := NewLogger(&logs, "info", "json")
	inner := m.Instrument(log, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		log.InfoContext(r.Context(), "api")
	}))
	outer := m.Instrument(log, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req := httptest.NewRequestWithContext(r.Context(), "GET", "/v1/documents", nil)
		inner.ServeHTTP(httptest.NewRecorder(), req)
	}))
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("X-Request-Id", "web-1")
	outer.ServeHTTP(httptest.NewRecorder(), req)

	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("got %d records, want 3 (api, its request, the web's request):\n%s", len(lines), logs.String())
	}
	for _, line := range lines {
		if n := strings.Count(line, `"request_id":`); n != 1 {
			t.Errorf("record names request_id %d times, want once: %s", n, line)
		}
		if !strings.Contains(line, `"request_id":"web-1"`) {
			t.Errorf("record lacks the web's request id: %s", line)
		}
	}
}

func TestWithAttrsReplacesAKey(t *testing.T) {
	ctx := WithAttrs(context.Background(), slog.String("request_id", "a"), slog.String("document_id", "d"))
	ctx = WithAttrs(ctx, slog.String("request_id", "b"), slog.Int("attempt", 2))
	var logs bytes.Buffer
	NewLogger(&logs, "info", "json").InfoContext(ctx, "x")
	var rec map[string]any
	if err := json.Unmarshal(logs.Bytes(), &rec); err != nil {
		t.Fatal(err)
	}
	if strings.Count(logs.String(), `"request_id"`) != 1 || rec["request_id"] != "b" || rec["document_id"] != "d" || rec["attempt"] != 2.0 {
		t.Errorf("record = %s, want request_id b once, document_id d, attempt 2", logs.String())
	}
}
