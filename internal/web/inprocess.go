package web

import (
	"io"
	"net/http"
	"sync"
)

// HandlerTransport is an http.RoundTripper that serves requests from an in-process handler: in
// `docpipe serve` the web calls the API this way, through the same client code and the API's own
// middleware (identity, limits, problems, metrics) as over the network, without a socket.
// Response bodies stream through a pipe, so large originals are not buffered.
type HandlerTransport struct {
	Handler http.Handler
}

// RoundTrip runs the handler on req and returns its response once the headers are written.
func (t HandlerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	pr, pw := io.Pipe()
	w := &pipeWriter{header: http.Header{}, body: pw, ready: make(chan struct{})}
	in := req.Clone(req.Context())
	in.RequestURI = req.URL.RequestURI()
	in.RemoteAddr = "127.0.0.1:0"
	if in.Body == nil {
		in.Body = http.NoBody
	}
	go func() {
		defer func() {
			in.Body.Close()
			if p := recover(); p != nil {
				w.WriteHeader(http.StatusInternalServerError)
				pw.CloseWithError(http.ErrAbortHandler)
				return
			}
			w.WriteHeader(http.StatusOK)
			pw.Close()
		}()
		t.Handler.ServeHTTP(w, in)
	}()
	select {
	case <-w.ready:
	case <-req.Context().Done():
		pr.CloseWithError(req.Context().Err())
		return nil, req.Context().Err()
	}
	return &http.Response{
		Status: http.StatusText(w.status), StatusCode: w.status,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: w.sent, Body: pr, Request: req, ContentLength: -1,
	}, nil
}

// pipeWriter is the http.ResponseWriter the handler writes to.
type pipeWriter struct {
	header http.Header
	body   *io.PipeWriter
	once   sync.Once
	status int
	sent   http.Header
	ready  chan struct{}
}

func (w *pipeWriter) Header() http.Header { return w.header }

func (w *pipeWriter) WriteHeader(code int) {
	w.once.Do(func() {
		w.status = code
		w.sent = w.header.Clone()
		close(w.ready)
	})
}

func (w *pipeWriter) Write(b []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return w.body.Write(b)
}

// Flush is a no-op: every Write already reaches the reader.
func (w *pipeWriter) Flush() {}
