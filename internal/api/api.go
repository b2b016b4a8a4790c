// Package api serves docpipe's REST API v1: uploads, documents, their text and originals, and
// search, with health, readiness, metrics and the OpenAPI description.
package api

import (
	"context"
	_ "embed"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/docpipe/docpipe/internal/document"
	"github.com/docpipe/docpipe/internal/notify"
	"github.com/docpipe/docpipe/internal/ocr"
	"github.com/docpipe/docpipe/internal/search"
	"github.com/docpipe/docpipe/internal/store"
	"github.com/docpipe/docpipe/internal/telemetry"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"gocloud.dev/blob"
)

// Store is the part of the document store the API needs. With OpsOnly only Ping is called.
type Store interface {
	Create(ctx context.Context, d *document.Document) error
	Duplicate(ctx context.Context, owner, sha string) (document.Document, error)
	Get(ctx context.Context, owner, id string) (document.Document, error)
	Update(ctx context.Context, owner, id string, ch document.Change) (document.Document, error)
	Tags(ctx context.Context, owner string) ([]document.Tag, error)
	PutTag(ctx context.Context, owner, name string, t document.Tag) (document.Tag, error)
	DeleteTag(ctx context.Context, owner, name string) error
	TagDocuments(ctx context.Context, owner string, ids, add, remove []string) ([]string, error)
	Rules(ctx context.Context, owner string) ([]document.Rule, error)
	PutRule(ctx context.Context, owner string, r document.Rule) (document.Rule, error)
	DeleteRule(ctx context.Context, owner, id string) error
	ApplyRules(ctx context.Context, owner, rule string) (int, error)
	List(ctx context.Context, owner string, opt store.ListOptions) (store.ListResult, error)
	Text(ctx context.Context, owner, id string) ([]document.Page, error)
	Page(ctx context.Context, owner, id string, n int) (document.Page, error)
	Delete(ctx context.Context, owner, id string) (document.Document, error)
	Reprocess(ctx context.Context, owner, id string) (document.Document, error)
	Search(ctx context.Context, owner string, q search.Query, opt store.SearchOptions) (store.SearchResult, error)
	Ping(ctx context.Context) error
}

// Bucket holds the originals and the pictures of their pages.
type Bucket interface {
	Upload(ctx context.Context, key string, r io.Reader, opts *blob.WriterOptions) error
	NewReader(ctx context.Context, key string, opts *blob.ReaderOptions) (*blob.Reader, error)
	Delete(ctx context.Context, key string) error
	List(opts *blob.ListOptions) *blob.ListIterator
}

// Identify tells who makes a request: the owner of the documents it may see. An error is answered
// 401, or 503 if it has a Temporary method that reports true (the identity provider is down).
type Identify func(r *http.Request) (owner string, err error)

// Options configure a Server. Store, Bucket, Identify, Metrics and Log are required.
type Options struct {
	Store     Store
	Bucket    Bucket
	Identify  Identify
	Metrics   *telemetry.Metrics
	Log       *slog.Logger
	Limits    ocr.Limits
	MaxUpload int64   // bytes per upload request
	RateLimit float64 // requests per second per user; 0 is unlimited
	RateBurst int
	OnEnqueue func()       // called after documents are queued, e.g. to wake an in-process worker
	OpsOnly   bool         // serve only /healthz, /readyz and /metrics, as a worker does
	Events    http.Handler // if set, serves POST /events: cloud events pushed to a worker
	// Notifiers are the subjects (app identities, such as the Azure function's) whose
	// POST /v1/notifications the api takes; nobody else may notify.
	Notifiers []string
	// MaxConcurrentUploads bounds the upload requests handled at once (default
	// DefaultMaxConcurrentUploads); one more waits up to UploadWait (default 10 s) for a turn,
	// then is answered 503 with Retry-After.
	MaxConcurrentUploads int
	UploadWait           time.Duration
	// TempDir holds the files of the uploads in flight (default os.TempDir()); it needs room
	// for MaxConcurrentUploads times MaxUpload bytes.
	TempDir string
	// Preview renders a page (1-based) of an original as a PNG; ocr.Preview does.
	Preview func(ctx context.Context, data []byte, page int) ([]byte, error)
	// Renders bounds the page pictures drawn at once (default 2), RenderTimeout the time
	// each may take (default 20 s).
	Renders       int
	RenderTimeout time.Duration
	// Lang is the OCR languages of a document uploaded without any (Tesseract codes joined by
	// '+'); Languages, if set, lists the codes installed, which uploads are checked against.
	// Without it any well-formed codes are taken, and the worker refuses those it lacks.
	Lang      string
	Languages func() ([]string, error)
}

// DefaultMaxConcurrentUploads is the default of Options.MaxConcurrentUploads.
const DefaultMaxConcurrentUploads = 4

// defaultUploadWait is the default of Options.UploadWait.
const defaultUploadWait = 10 * time.Second

// Server is the API's HTTP handler. Its configuration is fixed when New makes it.
type Server struct {
	opt     Options // with the defaults applied
	log     *slog.Logger
	limiter *limiter
	uploads chan struct{} // a slot for each upload in progress
	ready   atomic.Bool
	full    atomic.Int64 // when a write last failed for want of space, in Unix nanoseconds
	handler http.Handler
	changes notify.Hub
	// draining is closed when the server stops being ready, to end long polls early.
	draining   chan struct{}
	drainOnce  sync.Once
	renders    chan struct{} // one token per page picture being drawn
	renderWait time.Duration // for a token, before answering 503
}

// New returns a server that is ready; SetReady(false) when draining. It keeps its own copy of
// opt: changing opt or its Notifiers later does not change the server.
func New(opt Options) *Server {
	opt.Notifiers = slices.Clone(opt.Notifiers)
	if opt.Lang == "" {
		opt.Lang = "eng"
	}
	if opt.OnEnqueue == nil {
		opt.OnEnqueue = func() {}
	}
	if opt.MaxConcurrentUploads <= 0 {
		opt.MaxConcurrentUploads = DefaultMaxConcurrentUploads
	}
	if opt.UploadWait <= 0 {
		opt.UploadWait = defaultUploadWait
	}
	if opt.Renders <= 0 {
		opt.Renders = defaultRenders
	}
	if opt.RenderTimeout <= 0 {
		opt.RenderTimeout = defaultRenderTimeout
	}
	s := &Server{
		opt:        opt,
		log:        opt.Log,
		limiter:    newLimiter(opt.RateLimit, opt.RateBurst),
		uploads:    make(chan struct{}, opt.MaxConcurrentUploads),
		draining:   make(chan struct{}),
		renders:    make(chan struct{}, opt.Renders),
		renderWait: defaultRenderWait,
	}
	s.ready.Store(true)
	mux := http.NewServeMux()
	for _, rt := range s.routes() {
		if opt.OpsOnly && strings.Contains(rt.pattern, " /v1/") {
			continue
		}
		mux.HandleFunc(rt.pattern, rt.handler)
	}
	s.handler = opt.Metrics.Instrument(s.log, sameOrigin(problems(mux)))
	return s
}

// ServeHTTP serves the API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// SetReady sets what /readyz answers; a draining server is not ready.
func (s *Server) SetReady(ok bool) {
	s.ready.Store(ok)
	if !ok {
		s.drainOnce.Do(func() { close(s.draining) })
	}
}

func (s *Server) isDraining() bool {
	select {
	case <-s.draining:
		return true
	default:
		return false
	}
}

type route struct {
	pattern string
	handler http.HandlerFunc
}

// routes lists every route; the OpenAPI test checks the spec against it.
func (s *Server) routes() []route {
	return []route{
		{"POST /v1/documents", s.user(s.upload)},
		{"GET /v1/documents", s.user(s.list)},
		{"GET /v1/documents/{id}", s.user(s.get)},
		{"DELETE /v1/documents/{id}", s.user(s.delete)},
		{"PATCH /v1/documents/{id}", s.user(s.patch)},
		{"POST /v1/documents/tags", s.user(s.tagDocuments)},
		{"POST /v1/documents/bulk", s.user(s.bulk)},
		{"GET /v1/documents/zip", s.user(s.zipDocuments)},
		{"GET /v1/tags", s.user(s.tags)},
		{"PUT /v1/tags/{name}", s.user(s.putTag)},
		{"DELETE /v1/tags/{name}", s.user(s.deleteTag)},
		{"GET /v1/export", s.user(s.export)},
		{"GET /v1/rules", s.user(s.rules)},
		{"POST /v1/rules", s.user(s.putRule)},
		{"POST /v1/rules/apply", s.user(s.applyRules)},
		{"PUT /v1/rules/{id}", s.user(s.putRule)},
		{"DELETE /v1/rules/{id}", s.user(s.deleteRule)},
		{"POST /v1/rules/{id}/apply", s.user(s.applyRules)},
		{"GET /v1/documents/{id}/text", s.user(s.text)},
		{"GET /v1/documents/{id}/content", s.user(s.content)},
		{"GET /v1/documents/{id}/pdf", s.user(s.searchablePDF)},
		{"GET /v1/documents/{id}/pages/{n}/image", s.user(s.pageImage)},
		{"GET /v1/documents/{id}/thumbnail", s.user(s.thumbnail)},
		{"GET /v1/documents/{id}/pages/{n}/words", s.user(s.words)},
		{"POST /v1/documents/{id}/reprocess", s.user(s.reprocess)},
		{"GET /v1/search", s.user(s.search)},
		{"GET /v1/languages", s.user(s.languages)},
		{"POST /v1/notifications", s.user(s.notification)},
		{"POST /events", s.events},
		{"GET /healthz", s.healthz},
		{"GET /readyz", s.readyz},
		{"GET /metrics", promhttp.HandlerFor(s.opt.Metrics.Registry, promhttp.HandlerOpts{}).ServeHTTP},
		{"GET /openapi.json", s.openapi},
	}
}

// events hands pushed cloud events to the worker's handler, if it has one.
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	if s.opt.Events == nil {
		writeProblem(w, r, http.StatusNotFound, "this server takes no pushed events")
		return
	}
	s.opt.Events.ServeHTTP(w, r)
}

type userHandler func(w http.ResponseWriter, r *http.Request, owner string)

// user identifies the caller and applies their rate limit before h runs.
func (s *Server) user(h userHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		owner, err := s.opt.Identify(r)
		var temporary interface{ Temporary() bool }
		if errors.As(err, &temporary) && temporary.Temporary() {
			s.log.WarnContext(r.Context(), "cannot identify the caller", "err", err)
			w.Header().Set("Retry-After", "5")
			writeProblem(w, r, http.StatusServiceUnavailable, "the identity provider cannot be reached; try again")
			return
		}
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer`)
			writeProblem(w, r, http.StatusUnauthorized, err.Error())
			return
		}
		if ok, wait := s.limiter.allow(owner); !ok {
			w.Header().Set("Retry-After", strconv.Itoa(int(wait/time.Second)+1))
			writeProblem(w, r, http.StatusTooManyRequests, "too many requests; slow down")
			return
		}
		h(w, r, owner)
	}
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	if !s.ready.Load() {
		writeProblem(w, r, http.StatusServiceUnavailable, "shutting down")
		return
	}
	if at := s.full.Load(); at != 0 && time.Since(time.Unix(0, at)) < fullFor {
		writeProblem(w, r, http.StatusServiceUnavailable, "storage full: the last write found no room")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.opt.Store.Ping(ctx); err != nil {
		s.log.WarnContext(ctx, "readiness: store unreachable", "err", err)
		writeProblem(w, r, http.StatusServiceUnavailable, "store unreachable")
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

// fullFor is how long /readyz reports not ready after a write found no room, so that a load
// balancer sends uploads elsewhere while space is freed.
const fullFor = 30 * time.Second

//go:embed openapi.json
var openapiSpec []byte

func (s *Server) openapi(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(openapiSpec)
}

// problems makes the mux's own 404 and 405 answers problem+json like every other error.
func problems(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pattern := mux.Handler(r); pattern != "" {
			mux.ServeHTTP(w, r)
			return
		}
		mux.ServeHTTP(&problemWriter{ResponseWriter: w, r: r}, r)
	})
}

type problemWriter struct {
	http.ResponseWriter
	r     *http.Request
	wrote bool
}

func (p *problemWriter) WriteHeader(code int) {
	if p.wrote {
		return
	}
	p.wrote = true
	detail := "no such route"
	if code == http.StatusMethodNotAllowed {
		detail = "method not allowed; see the Allow header"
	}
	writeProblem(p.ResponseWriter, p.r, code, detail)
}

func (p *problemWriter) Write(b []byte) (int, error) {
	if !p.wrote {
		p.WriteHeader(http.StatusOK)
	}
	return len(b), nil
}
