package telemetry

import (
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
)

var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// Instrument wraps a handler built on a ServeMux: it records the HTTP metrics labelled with the
// route template the mux matched, traces the request as a server span named after that template,
// tags the request's context with a request id (taken from a well-formed X-Request-Id header, else
// the id of the request that made this one in process, else made up) and logs the request.
func (m *Metrics) Instrument(log *slog.Logger, mux http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-Id")
		if !requestIDPattern.MatchString(id) {
			if v, ok := attr(r.Context(), "request_id"); ok {
				id = v.String()
			} else {
				id = newRequestID()
			}
		}
		w.Header().Set("X-Request-Id", id)
		ctx, span := startServerSpan(r)
		r = r.WithContext(WithAttrs(ctx, slog.String("request_id", id)))

		active := m.ActiveRequests.WithLabelValues(r.Method)
		active.Inc()
		defer active.Dec()
		rec := &recorder{ResponseWriter: w, status: http.StatusOK}
		body := &countingBody{ReadCloser: r.Body}
		if r.Body != nil && r.Body != http.NoBody {
			r.Body = body
		}
		mux.ServeHTTP(rec, r)

		route := routeOf(r.Pattern)
		labels := []string{r.Method, route, strconv.Itoa(rec.status)}
		elapsed := time.Since(start)
		m.RequestDuration.WithLabelValues(labels...).Observe(elapsed.Seconds())
		m.RequestSize.WithLabelValues(labels...).Observe(float64(body.n))
		m.ResponseSize.WithLabelValues(labels...).Observe(float64(rec.bytes))
		endServerSpan(span, r.Method, route, rec.status)
		if route != "/healthz" && route != "/readyz" && route != "/metrics" {
			log.InfoContext(r.Context(), "request", "method", r.Method, "route", route,
				"status", rec.status, "duration_ms", elapsed.Milliseconds(), "bytes", rec.bytes)
		}
	})
}

// routeOf turns a ServeMux pattern such as "GET /v1/documents/{id}" into its route template.
func routeOf(pattern string) string {
	if pattern == "" {
		return "unmatched"
	}
	if _, path, ok := strings.Cut(pattern, " "); ok {
		return path
	}
	return pattern
}

func newRequestID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
	wrote  bool
}

func (r *recorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	r.wrote = true
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer (flushing, deadlines).
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

type countingBody struct {
	io.ReadCloser
	n int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n += int64(n)
	return n, err
}
