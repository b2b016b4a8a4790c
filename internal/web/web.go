// Package web serves docpipe's frontend: server-rendered pages that call the REST API on behalf
// of the signed-in user. With OIDC it is a backend-for-frontend: it runs the authorization code
// flow with PKCE, keeps the tokens in a server-side session and forwards the access token to the
// API; the browser only ever holds an opaque session cookie.
package web

import (
	"crypto/subtle"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/docpipe/docpipe/internal/document"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Options configure a Server.
type Options struct {
	API        *Client
	OIDC       *OIDC  // nil: no sign-in, every visitor is the API's local user
	PublicURL  string // the scheme and host browsers use; https makes cookies Secure and __Host-
	SessionTTL time.Duration
	// SessionKey, if set, seals sessions into the cookies (see SessionKey), so that any replica
	// can serve any browser; without it sessions live in this process's memory.
	SessionKey []byte
	MaxUpload  int64 // shown to users; the API enforces it
	Log        *slog.Logger
}

// Server is the web frontend's HTTP handler.
type Server struct {
	opt         Options
	log         *slog.Logger
	sessions    sessionStore
	pages       map[string]*template.Template
	secure      bool
	origin      string
	crossOrigin *http.CrossOriginProtection
	csp         string
	ready       atomic.Bool
	mux         *http.ServeMux
}

// New returns a ready frontend.
func New(opt Options) (*Server, error) {
	if opt.SessionTTL <= 0 {
		opt.SessionTTL = 12 * time.Hour
	}
	if opt.Log == nil {
		opt.Log = slog.Default()
	}
	u, err := url.Parse(opt.PublicURL)
	if err != nil || u.Host == "" {
		return nil, errors.New("web: the public URL must be an absolute URL")
	}
	s := &Server{opt: opt, log: opt.Log, secure: u.Scheme == "https", origin: u.Scheme + "://" + u.Host}
	// Behind a proxy that rewrites Host, the public origin is still this site's.
	s.crossOrigin = http.NewCrossOriginProtection()
	if err := s.crossOrigin.AddTrustedOrigin(s.origin); err != nil {
		return nil, fmt.Errorf("web: public URL: %w", err)
	}
	jar := cookieJar{name: "docpipe_session", secure: s.secure}
	if s.secure {
		jar.name = "__Host-docpipe_session"
	}
	s.sessions = newMemory(jar, opt.SessionTTL)
	if opt.SessionKey != nil {
		sealed, err := newSealed(jar, opt.SessionKey, opt.SessionTTL, opt.Log)
		if err != nil {
			return nil, err
		}
		sealed.forwardID = opt.OIDC != nil && opt.OIDC.ForwardID
		s.sessions = sealed
	}
	// Browsers apply form-action to the redirects after a form post too: signing out is a form
	// that ends at the provider's end-session endpoint.
	formAction := "'self'"
	if opt.OIDC != nil {
		if u, err := url.Parse(opt.OIDC.EndSessionURL); err == nil && u.Host != "" {
			formAction += " " + u.Scheme + "://" + u.Host
		}
	}
	s.csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; object-src 'none'; " +
		"base-uri 'none'; form-action " + formAction + "; frame-ancestors 'none'"
	if s.pages, err = parseTemplates(); err != nil {
		return nil, err
	}
	s.ready.Store(true)
	static, _ := fs.Sub(staticFS, "static")
	mux := http.NewServeMux()
	mux.Handle("GET /static/", http.StripPrefix("/static/", cacheStatic(http.FileServerFS(static))))
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /readyz", s.readyz)
	mux.HandleFunc("GET /auth/login", s.login)
	mux.HandleFunc("GET /auth/callback", s.callback)
	mux.HandleFunc("POST /auth/logout", s.csrf(s.logout))
	mux.HandleFunc("GET /{$}", s.user(s.list))
	mux.HandleFunc("POST /upload", s.csrf(s.user(s.upload)))
	mux.HandleFunc("GET /status", s.user(s.status))
	mux.HandleFunc("GET /search", s.user(s.search))
	mux.HandleFunc("GET /documents/{id}", s.user(s.document))
	mux.HandleFunc("GET /documents/{id}/original", s.user(s.original))
	mux.HandleFunc("GET /documents/{id}/pdf", s.user(s.searchablePDF))
	mux.HandleFunc("GET /documents/{id}/pages/{n}/image", s.user(s.pageImage))
	mux.HandleFunc("GET /documents/{id}/thumbnail", s.user(s.thumbnail))
	mux.HandleFunc("GET /documents/{id}/delete", s.user(s.confirmDelete))
	mux.HandleFunc("POST /documents/{id}/delete", s.csrf(s.user(s.delete)))
	mux.HandleFunc("POST /documents/{id}/reprocess", s.csrf(s.user(s.reprocess)))
	mux.HandleFunc("POST /documents/{id}/labels", s.csrf(s.user(s.labels)))
	mux.HandleFunc("POST /documents/{id}/tags", s.csrf(s.user(s.tag)))
	mux.HandleFunc("POST /bulk", s.csrf(s.user(s.bulk)))
	mux.HandleFunc("GET /rules", s.user(s.rules))
	mux.HandleFunc("POST /rules", s.csrf(s.user(s.createRule)))
	mux.HandleFunc("POST /rules/apply", s.csrf(s.user(s.applyRules)))
	mux.HandleFunc("POST /rules/{id}/delete", s.csrf(s.user(s.deleteRule)))
	mux.HandleFunc("POST /rules/{id}/apply", s.csrf(s.user(s.applyRules)))
	mux.HandleFunc("/", s.notFound)
	s.mux = mux
	return s, nil
}

// ServeHTTP serves the frontend with its security headers on every answer.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", s.csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	if s.secure {
		h.Set("Strict-Transport-Security", "max-age=31536000")
	}
	s.mux.ServeHTTP(w, r)
}

// SetReady sets what /readyz answers; a draining server is not ready.
func (s *Server) SetReady(ok bool) { s.ready.Store(ok) }

func cacheStatic(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=300")
		h.ServeHTTP(w, r)
	})
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(`{"status":"ok"}` + "\n"))
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	if !s.ready.Load() {
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte(`{"status":"shutting down"}` + "\n"))
		return
	}
	_, _ = w.Write([]byte(`{"status":"ready"}` + "\n"))
}

// session returns the browser's live session, if it has one.
func (s *Server) session(w http.ResponseWriter, r *http.Request) (session, bool) {
	return s.sessions.load(w, r)
}

// ensureSession returns the browser's session, starting one if it has none.
func (s *Server) ensureSession(w http.ResponseWriter, r *http.Request) session {
	if ss, ok := s.session(w, r); ok {
		return ss
	}
	ss := newSession()
	s.sessions.save(w, ss)
	return ss
}

// request is what a page handler knows about the request's user.
type request struct {
	session session
	token   string // the access token to forward; empty without sign-in
}

type userHandler func(w http.ResponseWriter, r *http.Request, u request)

// user runs h for a signed-in user (or, without OIDC, the local user), refreshing the access
// token when it is about to expire. Others are sent to sign in.
func (s *Server) user(h userHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.opt.OIDC == nil {
			h(w, r, request{session: s.ensureSession(w, r)})
			return
		}
		ss, ok := s.session(w, r)
		if !ok || !ss.signedIn() {
			if r.URL.Path == "/" {
				ss = s.ensureSession(w, r)
				s.render(w, r, http.StatusOK, "signin", ss, nil)
				return
			}
			s.toSignIn(w, r)
			return
		}
		if time.Until(ss.TokenExpiry) < time.Minute {
			if ss.RefreshToken == "" || !s.refresh(w, r, &ss) {
				s.sessions.end(w, ss)
				s.toSignIn(w, r)
				return
			}
		}
		token := ss.AccessToken
		if s.opt.OIDC.ForwardID {
			token = ss.IDToken
		}
		h(w, r, request{session: ss, token: token})
	}
}

func (s *Server) refresh(w http.ResponseWriter, r *http.Request, ss *session) bool {
	ctx := r.Context()
	t, err := s.opt.OIDC.Refresh(ctx, ss.RefreshToken)
	if err != nil {
		s.log.InfoContext(ctx, "token refresh failed; signing the user in again", "err", err)
		return false
	}
	ss.AccessToken, ss.RefreshToken = t.AccessToken, t.RefreshToken
	if t.IDToken != "" {
		ss.IDToken = t.IDToken
	}
	ss.TokenExpiry = s.expiry(t, ss.IDToken)
	s.sessions.save(w, *ss)
	return true
}

// expiry is when the token forwarded to the API expires: the access token's expires_in, or
// the ID token's exp when that is what is forwarded.
func (s *Server) expiry(t tokens, idToken string) time.Time {
	if s.opt.OIDC.ForwardID {
		if exp, ok := jwtExpiry(idToken); ok {
			return exp
		}
	}
	if t.ExpiresIn <= 0 {
		return time.Now().Add(time.Hour)
	}
	return time.Now().Add(time.Duration(t.ExpiresIn) * time.Second)
}

// toSignIn sends a browser to sign in, or answers 401 to the page's script.
func (s *Server) toSignIn(w http.ResponseWriter, r *http.Request) {
	if wantsJSON(r) {
		writeJSON(w, http.StatusUnauthorized, &Problem{Status: 401, Title: "Unauthorized", Detail: "your session ended; sign in again"})
		return
	}
	back := r.URL.RequestURI()
	if r.Method != http.MethodGet {
		back = "/"
	}
	http.Redirect(w, r, "/auth/login?return="+url.QueryEscape(back), http.StatusSeeOther)
}

// csrf refuses state-changing requests that do not come from this site's own pages: the
// browser's Sec-Fetch-Site and Origin must say same origin (http.CrossOriginProtection, the check
// the API makes too), and the request must carry the session's synchronizer token (form field
// csrf, or header X-CSRF-Token from the script).
// maxFormBytes bounds a posted form: the longest notes, every byte percent-encoded, and room
// for the rest.
const maxFormBytes = 3*document.MaxNotes + 64<<10

func (s *Server) csrf(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := s.crossOrigin.Check(r); err != nil {
			s.forbidden(w, r, "cross-origin request refused: a page of another site may not change anything here")
			return
		}
		ss, ok := s.session(w, r)
		token := r.Header.Get("X-CSRF-Token")
		if token == "" {
			token = r.URL.Query().Get("csrf")
		}
		if token == "" && r.Header.Get("Content-Type") == "application/x-www-form-urlencoded" {
			r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
			token = r.PostFormValue("csrf")
		}
		if !ok || token == "" || subtle.ConstantTimeCompare([]byte(token), []byte(ss.CSRF)) != 1 {
			s.forbidden(w, r, "the form expired or did not come from this site; reload the page and try again")
			return
		}
		h(w, r)
	}
}

func (s *Server) forbidden(w http.ResponseWriter, r *http.Request, msg string) {
	if wantsJSON(r) {
		writeJSON(w, http.StatusForbidden, &Problem{Status: 403, Title: "Forbidden", Detail: msg})
		return
	}
	ss, _ := s.session(w, r)
	s.render(w, r, http.StatusForbidden, "error", ss, errorPage{Title: "Not allowed", Message: msg})
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	ss, _ := s.session(w, r)
	s.render(w, r, http.StatusNotFound, "error", ss, errorPage{Title: "Not found", Message: "There is no page here."})
}

// wantsJSON reports whether the caller is the page's script rather than a navigation.
func wantsJSON(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "application/json")
}

// safeReturn keeps a post-sign-in redirect on this site.
func safeReturn(p string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") {
		return "/"
	}
	return p
}
