package main

import (
	"io"
	"log/slog"
	"net/http"
	"time"
)

// timeouts bound the time a client may take over each part of a request, so that slow or
// stalled clients cannot hold connections, and the goroutines serving them, open.
type timeouts struct {
	header time.Duration // to send the request line and headers
	idle   time.Duration // between requests on a kept-alive connection
	// A request body must arrive within bodyGrace plus the time its bytes so far take at
	// bodyRate bytes per second: a client that stalls is cut off after bodyGrace, and one that
	// trickles soon after.
	bodyGrace time.Duration
	bodyRate  int64
}

// serverTimeouts are those of every server the binary starts. At 16 KiB/s a 50 MiB upload may
// take 30 s + 53 min, and a client sending one byte every few seconds is cut off after 30 s.
// There is no WriteTimeout: it runs from the end of the request headers to the end of the
// answer, so it would have to allow the longest long poll (Prefer: wait, 30 s) and the slowest
// download of a large original, and would bound nothing else worth bounding.
var serverTimeouts = timeouts{header: 10 * time.Second, idle: 2 * time.Minute, bodyGrace: 30 * time.Second, bodyRate: 16 << 10}

// newHTTPServer returns a server of h with the limits t, logging its errors to log.
func newHTTPServer(h http.Handler, log *slog.Logger, t timeouts) *http.Server {
	return &http.Server{
		Handler:           readBodyWithin(t.bodyGrace, t.bodyRate, h),
		ReadHeaderTimeout: t.header,
		IdleTimeout:       t.idle,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// readBodyWithin gives the body of each request a read deadline that moves with the bytes
// received: grace, plus the time they take at rate bytes per second. Requests without a body
// get none, so long polls wait as long as they like.
func readBodyWithin(grace time.Duration, rate int64, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Body == http.NoBody {
			h.ServeHTTP(w, r)
			return
		}
		b := &deadlineBody{ReadCloser: r.Body, rc: http.NewResponseController(w), start: time.Now(), grace: grace, rate: rate}
		if err := b.extend(); err == nil {
			r.Body = b
		}
		h.ServeHTTP(w, r)
	})
}

// deadlineBody is a request body whose reads move the connection's read deadline.
type deadlineBody struct {
	io.ReadCloser
	rc    *http.ResponseController
	start time.Time
	grace time.Duration
	rate  int64
	n     int64
}

// Read extends the deadline while bytes come. Not at the end of the body: the server then lifts
// the deadline to watch for the client going away, and one set again would cancel the request
// when it passed, however long the handler still had to work.
func (b *deadlineBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n += int64(n)
	if n > 0 && err == nil {
		_ = b.extend()
	}
	return n, err
}

func (b *deadlineBody) extend() error {
	return b.rc.SetReadDeadline(b.start.Add(b.grace + time.Duration(float64(b.n)/float64(b.rate)*float64(time.Second))))
}
