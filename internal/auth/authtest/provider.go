package authtest

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"html/template"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Provider is an OpenID Connect provider for tests that speaks the real protocol over HTTP:
// discovery, the authorization endpoint with a login form, the token endpoint (authorization
// code with PKCE S256 required, refresh tokens that rotate), the JWKS and RP-initiated logout.
// Its tokens are RS256 JWTs with aud set to the client id.
type Provider struct {
	*Issuer
	AccessTTL time.Duration // lifetime of access tokens; an hour unless set before use
	Opaque    bool          // issue opaque access tokens, as Google does, instead of JWTs

	mu       sync.Mutex
	clients  map[string]client
	users    map[string]user // by username
	codes    map[string]grant
	refresh  map[string]grant
	logins   atomic.Int64
	refreshs atomic.Int64
	logouts  atomic.Int64
}

type client struct {
	secret   string
	redirect string
}

type user struct {
	password, sub, email string
}

type grant struct {
	client, redirect, challenge, nonce, scope string
	user                                      user
	expires                                   time.Time
}

const providerKey = "provider-1"

// NewProvider starts a provider that is stopped when the test ends.
func NewProvider(t testing.TB) *Provider {
	t.Helper()
	p := &Provider{
		Issuer:    &Issuer{t: t, keys: map[string]key{}},
		AccessTTL: time.Hour,
		clients:   map[string]client{}, users: map[string]user{},
		codes: map[string]grant{}, refresh: map[string]grant{},
	}
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	p.URL, p.JWKSURL = srv.URL, srv.URL+"/keys"
	p.AddRSAKey(providerKey, "RS256")
	mux.HandleFunc("GET /.well-known/openid-configuration", p.discovery)
	mux.HandleFunc("GET /keys", func(w http.ResponseWriter, r *http.Request) {
		p.fetches.Add(1)
		writeJSON(w, p.jwks())
	})
	mux.HandleFunc("GET /authorize", p.authorize)
	mux.HandleFunc("POST /authorize", p.authorize)
	mux.HandleFunc("POST /token", p.token)
	mux.HandleFunc("GET /logout", p.logout)
	return p
}

// AddClient registers a client with its one redirect URI; secret may be empty for a public client.
func (p *Provider) AddClient(id, secret, redirectURI string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clients[id] = client{secret: secret, redirect: redirectURI}
}

// AddUser adds a user who signs in with username and password and gets subject sub.
func (p *Provider) AddUser(username, password, sub, email string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.users[username] = user{password: password, sub: sub, email: email}
}

// Logins, Refreshes and Logouts count successful sign-ins, refresh grants and logouts.
func (p *Provider) Logins() int    { return int(p.logins.Load()) }
func (p *Provider) Refreshes() int { return int(p.refreshs.Load()) }
func (p *Provider) Logouts() int   { return int(p.logouts.Load()) }

func (p *Provider) discovery(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, map[string]any{
		"issuer":                                p.URL,
		"authorization_endpoint":                p.URL + "/authorize",
		"token_endpoint":                        p.URL + "/token",
		"jwks_uri":                              p.JWKSURL,
		"end_session_endpoint":                  p.URL + "/logout",
		"response_types_supported":              []string{"code"},
		"grant_types_supported":                 []string{"authorization_code", "refresh_token"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"code_challenge_methods_supported":      []string{"S256"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post", "none"},
		"scopes_supported":                      []string{"openid", "email", "profile"},
	})
}

var loginForm = template.Must(template.New("login").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in to the test provider</title></head>
<body><h1>Test provider</h1>{{if .Error}}<p id="error">{{.Error}}</p>{{end}}
<form method="post" action="/authorize">
{{range $k, $v := .Params}}<input type="hidden" name="{{$k}}" value="{{index $v 0}}">{{end}}
<label>Username <input id="username" name="username" autocomplete="username"></label>
<label>Password <input id="password" name="password" type="password" autocomplete="current-password"></label>
<button id="login" type="submit">Sign in</button>
</form></body></html>`))

// authorize checks the authorization request, shows the login form and, once the user's
// password is right, sends the browser back to the client with a code.
func (p *Provider) authorize(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	q := r.Form
	p.mu.Lock()
	c, ok := p.clients[q.Get("client_id")]
	p.mu.Unlock()
	if !ok || q.Get("redirect_uri") != c.redirect {
		http.Error(w, "unknown client_id or unregistered redirect_uri", http.StatusBadRequest)
		return
	}
	back := func(v url.Values) {
		v.Set("state", q.Get("state"))
		http.Redirect(w, r, c.redirect+"?"+v.Encode(), http.StatusFound)
	}
	switch {
	case q.Get("response_type") != "code":
		back(url.Values{"error": {"unsupported_response_type"}})
		return
	case q.Get("code_challenge_method") != "S256" || len(q.Get("code_challenge")) < 43:
		back(url.Values{"error": {"invalid_request"}, "error_description": {"PKCE with S256 is required"}})
		return
	case !strings.Contains(" "+q.Get("scope")+" ", " openid "):
		back(url.Values{"error": {"invalid_scope"}})
		return
	}
	params := url.Values{}
	for _, k := range []string{"response_type", "client_id", "redirect_uri", "scope", "state", "nonce", "code_challenge", "code_challenge_method"} {
		params.Set(k, q.Get(k))
	}
	show := func(msg string) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = loginForm.Execute(w, map[string]any{"Params": params, "Error": msg})
	}
	if r.Method == http.MethodGet {
		show("")
		return
	}
	p.mu.Lock()
	u, ok := p.users[q.Get("username")]
	p.mu.Unlock()
	if !ok || subtle.ConstantTimeCompare([]byte(u.password), []byte(q.Get("password"))) != 1 {
		show("Invalid username or password.")
		return
	}
	code := random()
	p.mu.Lock()
	p.codes[code] = grant{client: q.Get("client_id"), redirect: c.redirect, challenge: q.Get("code_challenge"),
		nonce: q.Get("nonce"), scope: q.Get("scope"), user: u, expires: time.Now().Add(time.Minute)}
	p.mu.Unlock()
	p.logins.Add(1)
	back(url.Values{"code": {code}})
}

// token serves the authorization_code and refresh_token grants.
func (p *Provider) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		tokenError(w, http.StatusBadRequest, "invalid_request")
		return
	}
	id, secret, basic := r.BasicAuth()
	if basic {
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	p.mu.Lock()
	c, ok := p.clients[id]
	p.mu.Unlock()
	if !ok || subtle.ConstantTimeCompare([]byte(c.secret), []byte(secret)) != 1 {
		tokenError(w, http.StatusUnauthorized, "invalid_client")
		return
	}
	var g grant
	switch r.PostForm.Get("grant_type") {
	case "authorization_code":
		code := r.PostForm.Get("code")
		p.mu.Lock()
		g, ok = p.codes[code]
		delete(p.codes, code)
		p.mu.Unlock()
		sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
		challenge := base64.RawURLEncoding.EncodeToString(sum[:])
		if !ok || time.Now().After(g.expires) || g.client != id || g.redirect != r.PostForm.Get("redirect_uri") ||
			subtle.ConstantTimeCompare([]byte(challenge), []byte(g.challenge)) != 1 {
			tokenError(w, http.StatusBadRequest, "invalid_grant")
			return
		}
	case "refresh_token":
		rt := r.PostForm.Get("refresh_token")
		p.mu.Lock()
		g, ok = p.refresh[rt]
		delete(p.refresh, rt)
		p.mu.Unlock()
		if !ok || g.client != id {
			tokenError(w, http.StatusBadRequest, "invalid_grant")
			return
		}
		p.refreshs.Add(1)
	default:
		tokenError(w, http.StatusBadRequest, "unsupported_grant_type")
		return
	}
	rt := random()
	p.mu.Lock()
	p.refresh[rt] = g
	ttl, opaque := p.AccessTTL, p.Opaque
	p.mu.Unlock()
	now := time.Now()
	access := p.Sign(providerKey, map[string]any{
		"iss": p.URL, "sub": g.user.sub, "aud": id, "client_id": id, "scope": g.scope,
		"iat": now.Unix(), "exp": now.Add(ttl).Unix(),
	})
	if opaque {
		access = random()
	}
	idToken := p.Sign(providerKey, map[string]any{
		"iss": p.URL, "sub": g.user.sub, "aud": id, "nonce": g.nonce, "email": g.user.email,
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
	})
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, map[string]any{
		"access_token": access, "token_type": "Bearer", "expires_in": int(ttl.Seconds()),
		"refresh_token": rt, "id_token": idToken, "scope": g.scope,
	})
}

// logout ends the user's session at the provider and returns to the client if asked to a
// URL on the origin of its registered redirect URI.
func (p *Provider) logout(w http.ResponseWriter, r *http.Request) {
	p.logouts.Add(1)
	q := r.URL.Query()
	to := q.Get("post_logout_redirect_uri")
	p.mu.Lock()
	c, ok := p.clients[q.Get("client_id")]
	p.mu.Unlock()
	if to != "" && ok {
		ru, err1 := url.Parse(c.redirect)
		tu, err2 := url.Parse(to)
		if err1 == nil && err2 == nil && ru.Scheme == tu.Scheme && ru.Host == tu.Host {
			http.Redirect(w, r, to, http.StatusFound)
			return
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write([]byte(`<!doctype html><title>Signed out</title><p id="signed-out">You are signed out.</p>`))
}

func tokenError(w http.ResponseWriter, status int, code string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(`{"error":"` + code + `"}`))
}

func random() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
