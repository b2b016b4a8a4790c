package web

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/docpipe/docpipe/internal/api"
	"github.com/docpipe/docpipe/internal/auth"
	"github.com/docpipe/docpipe/internal/auth/authtest"
	"github.com/docpipe/docpipe/internal/blob"
	"github.com/docpipe/docpipe/internal/document"
	"github.com/docpipe/docpipe/internal/ocr"
	"github.com/docpipe/docpipe/internal/ocr/ocrtest"
	"github.com/docpipe/docpipe/internal/store"
	"github.com/docpipe/docpipe/internal/store/sqlite"
	"github.com/docpipe/docpipe/internal/telemetry"
	gcblob "gocloud.dev/blob"
)

const clientID = "docpipe-web"

// env is the web in front of a real API on SQLite and a blob directory. With a provider, users
// sign in through it and the API verifies the tokens the web forwards; without, everyone is
// the local user.
type env struct {
	t        *testing.T
	url      string
	web      *Server
	provider *authtest.Provider
	store    *store.Store
	bucket   *gcblob.Bucket
	api      *api.Server
}

type envOptions struct {
	oidc      bool
	maxUpload int64
	secret    string
	forwardID bool // the provider's access tokens are opaque; the web forwards ID tokens
	// sessionKey seals sessions into cookies; the env then runs two replicas of the web behind
	// a balancer that alternates between them, as a load balancer without affinity does.
	sessionKey []byte
}

func newEnv(t *testing.T, o envOptions) *env {
	t.Helper()
	dir := t.TempDir()
	st, err := sqlite.Open(context.Background(), filepath.Join(dir, "docpipe.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	bucket, err := blob.Open(context.Background(), "file://"+filepath.ToSlash(filepath.Join(dir, "blobs")))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bucket.Close() })
	if o.maxUpload == 0 {
		o.maxUpload = 1 << 20
	}
	log := slog.New(slog.DiscardHandler)

	e := &env{t: t, store: st, bucket: bucket}
	front := httptest.NewUnstartedServer(nil)
	e.url = "http://" + front.Listener.Addr().String()
	identify := func(*http.Request) (string, error) { return "local", nil }
	opt := Options{PublicURL: e.url, MaxUpload: o.maxUpload, Log: log}
	if o.oidc {
		e.provider = authtest.NewProvider(t)
		e.provider.Opaque = o.forwardID
		e.provider.AddClient(clientID, o.secret, e.url+"/auth/callback")
		e.provider.AddUser("alice", "alice-pw", "sub-alice", "alice@example.com")
		e.provider.AddUser("bob", "bob-pw", "sub-bob", "bob@example.com")
		v, err := auth.NewVerifier(auth.Config{Issuer: e.provider.URL, Audiences: []string{clientID}})
		if err != nil {
			t.Fatal(err)
		}
		identify = v.Identify
		opt.OIDC = &OIDC{Issuer: e.provider.URL, ClientID: clientID, ClientSecret: o.secret,
			Scopes: []string{"openid", "email"}, RedirectURL: e.url + "/auth/callback", LogoutURL: e.url + "/",
			ForwardID: o.forwardID}
		if err := opt.OIDC.Setup(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	backend := api.New(api.Options{
		Store: st, Bucket: bucket, Identify: identify, Log: log,
		Metrics:   telemetry.NewMetrics(telemetry.Build{}),
		Limits:    ocr.Limits{MaxPages: 10, MaxPixels: 20_000_000},
		MaxUpload: o.maxUpload,
		Preview: func(ctx context.Context, data []byte, page int) ([]byte, error) {
			return ocr.Preview(ctx, data, page, 200, ocr.Limits{MaxPages: 10, MaxPixels: 20_000_000})
		},
		Lang:      "eng",
		Languages: func() ([]string, error) { return []string{"deu", "eng"}, nil },
	})
	e.api = backend
	opt.API = &Client{HTTP: &http.Client{Transport: HandlerTransport{Handler: backend}}}
	opt.SessionKey = o.sessionKey
	if e.web, err = New(opt); err != nil {
		t.Fatal(err)
	}
	front.Config.Handler = e.web
	if o.sessionKey != nil {
		other, err := New(opt)
		if err != nil {
			t.Fatal(err)
		}
		var n atomic.Int64
		replicas := []http.Handler{e.web, other}
		front.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			replicas[n.Add(1)%2].ServeHTTP(w, r)
		})
	}
	front.Start()
	t.Cleanup(front.Close)
	return e
}

// browser is a user agent with its own cookies.
type browser struct {
	t      *testing.T
	e      *env
	client *http.Client
}

func (e *env) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: e.t, e: e, client: &http.Client{Jar: jar, Timeout: 10 * time.Second}}
}

type page struct {
	status int
	url    *url.URL
	header http.Header
	body   string
}

func (b *browser) do(req *http.Request) page {
	b.t.Helper()
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return page{status: resp.StatusCode, url: resp.Request.URL, header: resp.Header, body: string(body)}
}

func (b *browser) get(path string) page {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.e.url+path, nil)
	return b.do(req)
}

// post submits a form as the browser would from one of the site's pages.
func (b *browser) post(path string, form url.Values) page {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.e.url+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", b.e.url)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return b.do(req)
}

var csrfPattern = regexp.MustCompile(`data-csrf="([^"]+)"`)

// csrf is the token the site's pages carry.
func (b *browser) csrf() string {
	b.t.Helper()
	m := csrfPattern.FindStringSubmatch(b.get("/").body)
	if m == nil {
		b.t.Fatal("no CSRF token on the home page")
	}
	return m[1]
}

// add uploads a new picture named name and returns the document's ID.
func (b *browser) add(name string) string {
	b.t.Helper()
	status, out := b.upload(b.csrf(), map[string][]byte{name: pngFile(b.t)})
	if status != http.StatusAccepted {
		b.t.Fatalf("upload of %s = %d %v", name, status, out)
	}
	return firstID(b.t, out)
}

// upload sends files the way the page's script does; it returns the status and JSON answer.
func (b *browser) upload(token string, files map[string][]byte, fields ...string) (int, map[string]any) {
	b.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for name, data := range files {
		fw, _ := mw.CreateFormFile("file", name)
		_, _ = fw.Write(data)
	}
	for i := 0; i+1 < len(fields); i += 2 {
		_ = mw.WriteField(fields[i], fields[i+1])
	}
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, b.e.url+"/upload", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Origin", b.e.url)
	if token != "" {
		req.Header.Set("X-CSRF-Token", token)
	}
	p := b.do(req)
	var out map[string]any
	_ = json.Unmarshal([]byte(p.body), &out)
	return p.status, out
}

func (b *browser) signIn(user, password string) page {
	b.t.Helper()
	return b.signInAt("/auth/login", user, password)
}

// signIn goes through the provider's login form, starting at path.
func (b *browser) signInAt(path, user, password string) page {
	b.t.Helper()
	form := b.get(path)
	if form.status != http.StatusOK || !strings.Contains(form.body, `id="username"`) {
		b.t.Fatalf("sign-in did not reach the provider's login form: %d %s\n%s", form.status, form.url, form.body)
	}
	v := form.url.Query()
	v.Set("username", user)
	v.Set("password", password)
	req, _ := http.NewRequest(http.MethodPost, b.e.provider.URL+"/authorize", strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// pngs counts the pictures pngFile made, so that each has bytes of its own: the same bytes
// twice would be a duplicate.
var pngs atomic.Int64

func pngFile(t *testing.T) []byte {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, 40, 30))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	n := pngs.Add(1)
	img.Pix[int(n)%len(img.Pix)] = uint8(254 - n/int64(len(img.Pix))%200)
	b, err := ocrtest.PNG(img)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func firstID(t *testing.T, out map[string]any) string {
	t.Helper()
	docs, _ := out["documents"].([]any)
	if len(docs) == 0 {
		t.Fatalf("no documents in %v", out)
	}
	return docs[0].(map[string]any)["id"].(string)
}

func TestLocalModeNeedsNoSignIn(t *testing.T) {
	e := newEnv(t, envOptions{})
	b := e.browser()
	home := b.get("/")
	if home.status != http.StatusOK || !strings.Contains(home.body, "No documents yet") {
		t.Fatalf("home = %d, want 200 with the first-time empty state:\n%s", home.status, home.body)
	}
	if strings.Contains(home.body, "Sign out") {
		t.Error("local mode shows a sign-out button")
	}
	scan := pngFile(t)
	status, out := b.upload(b.csrf(), map[string][]byte{"scan.png": scan})
	if status != http.StatusAccepted {
		t.Fatalf("upload = %d %v, want 202", status, out)
	}
	id := firstID(t, out)
	list := b.get("/")
	if !strings.Contains(list.body, "scan.png") || !strings.Contains(list.body, `data-id="`+id+`"`) {
		t.Errorf("list does not show the upload:\n%s", list.body)
	}
	doc := b.get("/documents/" + id)
	if doc.status != http.StatusOK || !strings.Contains(doc.body, "queued") || !strings.Contains(doc.body, "/documents/"+id+"/original?inline=1") {
		t.Errorf("document page = %d:\n%s", doc.status, doc.body)
	}
	orig := b.get("/documents/" + id + "/original")
	if orig.status != http.StatusOK || orig.header.Get("Content-Type") != "image/png" || orig.body != string(scan) {
		t.Errorf("original = %d %q, %d bytes", orig.status, orig.header.Get("Content-Type"), len(orig.body))
	}
	if got := orig.header.Get("Content-Disposition"); !strings.HasPrefix(got, "attachment") {
		t.Errorf("download Content-Disposition = %q, want attachment", got)
	}
	var states []map[string]any
	if err := json.Unmarshal([]byte(b.get("/status?id="+id+"&id=01NOTTHERE").body), &states); err != nil || len(states) != 2 {
		t.Fatalf("status = %v, %v", states, err)
	}
	if states[0]["status"] != "queued" || states[1]["status"] != "deleted" {
		t.Errorf("status = %v, want queued and deleted", states)
	}
}

func TestXSSFileNameRendersAsText(t *testing.T) {
	e := newEnv(t, envOptions{})
	b := e.browser()
	// The API keeps only the last path element of a name, so the first becomes "script>.png".
	tests := []struct{ name, markup, shown string }{
		{"<script>alert(1)</script>.png", "<script>", "script&gt;.png"},
		{"<script>alert(1)<script>.png", "<script>", "&lt;script&gt;alert(1)&lt;script&gt;.png"},
		{`<img src=x onerror="alert(1)">.png`, "<img src=x", "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;.png"},
	}
	for _, tt := range tests {
		status, out := b.upload(b.csrf(), map[string][]byte{tt.name: pngFile(t)})
		if status != http.StatusAccepted {
			t.Fatalf("upload = %d %v", status, out)
		}
		id := firstID(t, out)
		for _, path := range []string{"/", "/documents/" + id, "/documents/" + id + "/delete"} {
			body := b.get(path).body
			if strings.Contains(body, tt.markup) {
				t.Errorf("%s renders %q as markup", path, tt.name)
			}
			if !strings.Contains(body, tt.shown) {
				t.Errorf("%s does not show %q as text %q", path, tt.name, tt.shown)
			}
		}
	}
}

func TestSnippetsAreEscaped(t *testing.T) {
	e := newEnv(t, envOptions{})
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/search", nil)
	e.web.render(rec, req, http.StatusOK, "search", session{CSRF: "t"}, searchPage{Query: `"><b>q`, Result: &SearchPage{
		Total: 1,
		Hits: []SearchHit{{
			Document: document.Document{ID: "d1", Name: "a.png"}, Page: 2,
			Snippet: []Fragment{{Text: "before <img src=x onerror=alert(1)> "}, {Text: "harbour", Match: true}, {Text: " after"}},
		}},
	}})
	body := rec.Body.String()
	for _, want := range []string{"before &lt;img src=x onerror=alert(1)&gt; <mark>harbour</mark> after", `value="&#34;&gt;&lt;b&gt;q"`, "page 2"} {
		if !strings.Contains(body, want) {
			t.Errorf("search page lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, "<img src=x") {
		t.Error("a snippet's text became markup")
	}
}

func TestCSRF(t *testing.T) {
	e := newEnv(t, envOptions{})
	b := e.browser()
	token := b.csrf()
	status, out := b.upload(token, map[string][]byte{"a.png": pngFile(t)})
	if status != http.StatusAccepted {
		t.Fatalf("upload = %d", status)
	}
	id := firstID(t, out)

	if status, _ := b.upload("", map[string][]byte{"b.png": pngFile(t)}); status != http.StatusForbidden {
		t.Errorf("upload without a token = %d, want 403", status)
	}
	if status, _ := b.upload("forged", map[string][]byte{"b.png": pngFile(t)}); status != http.StatusForbidden {
		t.Errorf("upload with a wrong token = %d, want 403", status)
	}
	tests := []struct {
		name   string
		form   url.Values
		header map[string]string
	}{
		{"no token", url.Values{}, nil},
		{"wrong token", url.Values{"csrf": {"nope"}}, nil},
		{"cross origin", url.Values{"csrf": {token}}, map[string]string{"Origin": "https://evil.example"}},
		{"cross site", url.Values{"csrf": {token}}, map[string]string{"Sec-Fetch-Site": "cross-site"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, e.url+"/documents/"+id+"/delete", strings.NewReader(tt.form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for k, v := range tt.header {
				req.Header.Set(k, v)
			}
			if got := b.do(req); got.status != http.StatusForbidden {
				t.Errorf("delete = %d, want 403", got.status)
			}
			if got := b.get("/documents/" + id); got.status != http.StatusOK {
				t.Errorf("document is gone after a refused delete: %d", got.status)
			}
		})
	}
	other := e.browser()
	if got := other.post("/documents/"+id+"/delete", url.Values{"csrf": {token}}); got.status != http.StatusForbidden {
		t.Errorf("another session's token = %d, want 403", got.status)
	}
	confirm := b.get("/documents/" + id + "/delete")
	if !strings.Contains(confirm.body, "Delete this document?") {
		t.Errorf("no confirmation page:\n%s", confirm.body)
	}
	if got := b.post("/documents/"+id+"/delete", url.Values{"csrf": {token}}); got.status != http.StatusOK || got.url.Path != "/" {
		t.Fatalf("delete with the token = %d at %s, want the list", got.status, got.url)
	}
	if got := b.get("/documents/" + id); got.status != http.StatusNotFound {
		t.Errorf("deleted document = %d, want 404", got.status)
	}
}

var inlineScript = regexp.MustCompile(`<script(?:\s[^>]*)?>[^<]|\son[a-z]+=|\sstyle=|<style`)

func TestSecurityHeadersOnEveryPage(t *testing.T) {
	e := newEnv(t, envOptions{})
	b := e.browser()
	_, out := b.upload(b.csrf(), map[string][]byte{"a.png": pngFile(t)})
	id := firstID(t, out)
	for _, path := range []string{"/", "/?status=failed", "/search", "/search?q=harbour", "/search?q=%22unclosed",
		"/documents/" + id, "/documents/" + id + "/delete", "/documents/" + id + "/original", "/documents/01NOPE",
		"/no/such/page", "/static/app.css", "/static/app.js", "/healthz"} {
		t.Run(path, func(t *testing.T) {
			p := b.get(path)
			csp := p.header.Get("Content-Security-Policy")
			for _, want := range []string{"default-src", "frame-ancestors 'none'"} {
				if !strings.Contains(csp, want) {
					t.Errorf("CSP %q lacks %q", csp, want)
				}
			}
			if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
				t.Errorf("CSP %q allows inline code", csp)
			}
			if got := p.header.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options = %q", got)
			}
			if strings.HasPrefix(p.header.Get("Content-Type"), "text/html") {
				if got := p.header.Get("Referrer-Policy"); got != "same-origin" {
					t.Errorf("Referrer-Policy = %q", got)
				}
				if m := inlineScript.FindString(p.body); m != "" {
					t.Errorf("page has inline script or style %q", m)
				}
			}
		})
	}
}

func TestUploadErrorsComeFromTheAPI(t *testing.T) {
	e := newEnv(t, envOptions{maxUpload: 4 << 10})
	b := e.browser()
	token := b.csrf()
	tests := []struct {
		name   string
		data   []byte
		status int
		detail string
	}{
		{"notes.txt", []byte("just some text, not a scan"), http.StatusUnsupportedMediaType, "PNG, JPEG, TIFF or PDF"},
		{"big.png", bytes.Repeat([]byte{1}, 8<<10), http.StatusRequestEntityTooLarge, "larger than the limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, out := b.upload(token, map[string][]byte{tt.name: tt.data})
			if status != tt.status {
				t.Errorf("status = %d, want %d", status, tt.status)
			}
			if d, _ := out["detail"].(string); !strings.Contains(d, tt.detail) {
				t.Errorf("detail = %q, want it to contain %q", d, tt.detail)
			}
		})
	}
}

func TestCookie(t *testing.T) {
	tests := []struct {
		public, name string
		secure       bool
	}{
		{"http://127.0.0.1:8080", "docpipe_session", false},
		{"https://docs.example.com", "__Host-docpipe_session", true},
	}
	for _, tt := range tests {
		s, err := New(Options{PublicURL: tt.public, API: &Client{}})
		if err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/search", nil))
		cookies := rec.Result().Cookies()
		if len(cookies) != 1 {
			t.Fatalf("%s: cookies = %v", tt.public, cookies)
		}
		c := cookies[0]
		if c.Name != tt.name || c.Secure != tt.secure || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || len(c.Value) < 40 {
			t.Errorf("%s: cookie = %+v", tt.public, c)
		}
	}
}

func TestOIDCSignInAndIsolation(t *testing.T) {
	e := newEnv(t, envOptions{oidc: true, secret: "s3cret"})
	alice := e.browser()
	anon := alice.get("/")
	if !strings.Contains(anon.body, `id="signin"`) || strings.Contains(anon.body, "Documents</a>") {
		t.Fatalf("signed-out home is not the sign-in page:\n%s", anon.body)
	}
	home := alice.signInAt("/search?q=x", "alice", "alice-pw")
	if home.status != http.StatusOK || home.url.String() != e.url+"/search?q=x" || !strings.Contains(home.body, "alice@example.com") {
		t.Fatalf("after sign-in: %d at %s:\n%s", home.status, home.url, home.body)
	}
	if e.provider.Logins() != 1 {
		t.Errorf("provider logins = %d, want 1", e.provider.Logins())
	}
	for _, c := range alice.client.Jar.Cookies(mustURL(e.url)) {
		if strings.Count(c.Value, ".") == 2 {
			t.Errorf("cookie %s holds a JWT", c.Name)
		}
	}
	status, out := alice.upload(alice.csrf(), map[string][]byte{"alice.png": pngFile(t)})
	if status != http.StatusAccepted {
		t.Fatalf("alice's upload = %d %v", status, out)
	}
	id := firstID(t, out)

	bob := e.browser()
	bob.signIn("bob", "bob-pw")
	if got := bob.get("/documents/" + id); got.status != http.StatusNotFound {
		t.Errorf("bob sees alice's document: %d", got.status)
	}
	if got := bob.get("/documents/" + id + "/original"); got.status != http.StatusNotFound {
		t.Errorf("bob downloads alice's original: %d", got.status)
	}
	if got := bob.get("/"); strings.Contains(got.body, "alice.png") || !strings.Contains(got.body, "No documents yet") {
		t.Errorf("bob's list shows alice's document:\n%s", got.body)
	}
	if got := alice.get("/documents/" + id); got.status != http.StatusOK {
		t.Errorf("alice's own document = %d", got.status)
	}
}

func TestOIDCForwardsIDTokensForOpaqueAccessTokens(t *testing.T) {
	for _, forward := range []bool{false, true} {
		e := newEnv(t, envOptions{oidc: true, forwardID: forward})
		b := e.browser()
		b.signIn("alice", "alice-pw")
		status, out := b.upload(b.csrf(), map[string][]byte{"a.png": pngFile(t)})
		if status != http.StatusAccepted {
			t.Errorf("forward ID token %v: upload = %d %v, want 202", forward, status, out)
		}
	}
	e := newEnv(t, envOptions{oidc: true})
	e.provider.Opaque = true
	b := e.browser()
	b.signIn("alice", "alice-pw")
	if got := b.get("/"); !strings.Contains(got.body, `id="signin"`) {
		t.Error("an opaque access token the API refuses did not end the session")
	}
}

func TestOIDCRefreshesExpiringTokens(t *testing.T) {
	e := newEnv(t, envOptions{oidc: true})
	e.provider.AccessTTL = 30 * time.Second
	b := e.browser()
	b.signIn("alice", "alice-pw")
	before := e.provider.Refreshes()
	if got := b.get("/"); got.status != http.StatusOK || !strings.Contains(got.body, "alice@example.com") {
		t.Fatalf("home = %d", got.status)
	}
	if e.provider.Refreshes() <= before {
		t.Error("a token expiring within a minute was not refreshed")
	}
	status, _ := b.upload(b.csrf(), map[string][]byte{"a.png": pngFile(t)})
	if status != http.StatusAccepted {
		t.Errorf("upload with a refreshed token = %d", status)
	}
}

func TestOIDCLogout(t *testing.T) {
	e := newEnv(t, envOptions{oidc: true})
	b := e.browser()
	b.signIn("alice", "alice-pw")
	cookie := b.client.Jar.Cookies(mustURL(e.url))
	token := b.csrf()
	if got := b.post("/auth/logout", url.Values{}); got.status != http.StatusForbidden {
		t.Errorf("logout without a token = %d, want 403", got.status)
	}
	got := b.post("/auth/logout", url.Values{"csrf": {token}})
	if e.provider.Logouts() != 1 {
		t.Errorf("provider logouts = %d, want 1 (RP-initiated logout)", e.provider.Logouts())
	}
	if got.url.String() != e.url+"/" || !strings.Contains(got.body, `id="signin"`) {
		t.Errorf("after logout: %s:\n%s", got.url, got.body)
	}
	stale := e.browser()
	stale.client.Jar.SetCookies(mustURL(e.url), cookie)
	if got := stale.get("/"); !strings.Contains(got.body, `id="signin"`) {
		t.Error("the old session cookie still works after logout")
	}
}

func TestOIDCCallbackRefusesForgedState(t *testing.T) {
	e := newEnv(t, envOptions{oidc: true})
	b := e.browser()
	b.get("/")
	for _, q := range []string{"?code=x&state=forged", "?code=x", "?error=access_denied&state=forged"} {
		if got := b.get("/auth/callback" + q); got.status != http.StatusBadRequest {
			t.Errorf("callback%s = %d, want 400", q, got.status)
		}
	}
	// A stolen code is useless without the verifier: the provider refuses it.
	form := b.get("/auth/login")
	v := form.url.Query()
	v.Set("username", "alice")
	v.Set("password", "alice-pw")
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.PostForm(e.provider.URL+"/authorize", v)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	resp, err = http.PostForm(e.provider.URL+"/token", url.Values{
		"grant_type": {"authorization_code"}, "code": {loc.Query().Get("code")}, "client_id": {clientID},
		"redirect_uri": {e.url + "/auth/callback"}, "code_verifier": {strings.Repeat("x", 43)},
	})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("token with a wrong PKCE verifier = %d, want 400", resp.StatusCode)
	}
	if got := b.get("/auth/callback?" + loc.RawQuery); got.status != http.StatusBadGateway {
		t.Errorf("callback with a spent code = %d, want 502", got.status)
	}
}

func TestSafeReturn(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/documents/1", "/documents/1"},
		{"/search?q=a", "/search?q=a"},
		{"", "/"},
		{"//evil.example/x", "/"},
		{`/\evil.example`, "/"},
		{"https://evil.example", "/"},
		{"javascript:alert(1)", "/"},
	}
	for _, tt := range tests {
		if got := safeReturn(tt.in); got != tt.want {
			t.Errorf("safeReturn(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzSafeReturn(f *testing.F) {
	for _, s := range []string{"/", "//x", `/\x`, "/a?b=//c", "http://x", "\t/x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := safeReturn(s)
		u, err := url.Parse(got)
		if err == nil && (u.Host != "" || u.Scheme != "") {
			t.Fatalf("safeReturn(%q) = %q leaves the site", s, got)
		}
		if !strings.HasPrefix(got, "/") || strings.HasPrefix(got, "//") || strings.HasPrefix(got, `/\`) {
			t.Fatalf("safeReturn(%q) = %q", s, got)
		}
	})
}

func TestHandlerTransportStreams(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Path", r.URL.Path+"?"+r.URL.RawQuery)
		w.WriteHeader(http.StatusTeapot)
		w.(http.Flusher).Flush()
		fmt.Fprint(w, "first ")
		w.Header().Set("X-Late", "ignored")
		body, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "%s", body)
	})
	c := &http.Client{Transport: HandlerTransport{Handler: h}}
	resp, err := c.Post("http://in-process/a/b?x=1", "text/plain", strings.NewReader("echo"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusTeapot || resp.Header.Get("X-Path") != "/a/b?x=1" || string(body) != "first echo" {
		t.Errorf("got %d %v %q", resp.StatusCode, resp.Header, body)
	}
	if resp.Header.Get("X-Late") != "" {
		t.Error("a header set after WriteHeader leaked into the response")
	}
	panics := &http.Client{Transport: HandlerTransport{Handler: http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") })}}
	resp, err = panics.Get("http://in-process/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusInternalServerError {
		t.Errorf("a panicking handler answered %d, want 500", resp.StatusCode)
	}
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

func TestSessionsExpire(t *testing.T) {
	now := time.Unix(1_000_000, 0)
	s := newMemory(cookieJar{name: "s"}, 12*time.Hour)
	s.now = func() time.Time { return now }
	anon := newSession()
	s.put(anon)
	user := newSession()
	user.Subject = "sub"
	s.put(user)
	now = now.Add(2 * time.Hour)
	if _, ok := s.get(anon.ID); ok {
		t.Error("an anonymous session outlived an hour")
	}
	if _, ok := s.get(user.ID); !ok {
		t.Error("a signed-in session ended before its TTL")
	}
	now = now.Add(11 * time.Hour)
	if _, ok := s.get(user.ID); !ok {
		t.Error("use did not extend the session")
	}
	now = now.Add(13 * time.Hour)
	if _, ok := s.get(user.ID); ok {
		t.Error("an unused session outlived its TTL")
	}
	if _, ok := s.get("forged"); ok {
		t.Error("an unknown id found a session")
	}
}

// A done document's page shows a picture of each page beside its text, relayed from the API.
func TestPagePreviews(t *testing.T) {
	e := newEnv(t, envOptions{})
	b := e.browser()
	page := func(shade uint8) *image.Gray {
		img := image.NewGray(image.Rect(0, 0, 300, 400))
		for i := range img.Pix {
			img.Pix[i] = shade
		}
		return img
	}
	status, out := b.upload(b.csrf(), map[string][]byte{"two pages.tiff": ocrtest.TIFF([]*image.Gray{page(250), page(10)})})
	if status != http.StatusAccepted {
		t.Fatalf("upload = %d %v", status, out)
	}
	id := firstID(t, out)
	job, err := e.store.Claim(t.Context(), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	pages := []document.Page{{Number: 1, Text: "first"}, {Number: 2, Text: "second"}}
	if err := e.store.Complete(t.Context(), job, pages); err != nil {
		t.Fatal(err)
	}
	doc := b.get("/documents/" + id)
	var pictures []string
	for n := 1; n <= 2; n++ {
		src := fmt.Sprintf("/documents/%s/pages/%d/image", id, n)
		if !strings.Contains(doc.body, `src="`+src+`"`) {
			t.Errorf("document page lacks the picture of page %d:\n%s", n, doc.body)
		}
		img := b.get(src)
		if img.status != http.StatusOK || img.header.Get("Content-Type") != "image/png" || img.header.Get("Content-Disposition") != "inline" {
			t.Fatalf("page %d picture = %d %q %q", n, img.status, img.header.Get("Content-Type"), img.header.Get("Content-Disposition"))
		}
		pictures = append(pictures, img.body)
	}
	if pictures[0] == pictures[1] {
		t.Error("both pages have the same picture")
	}
	if got := b.get("/documents/" + id + "/pages/3/image"); got.status != http.StatusNotFound {
		t.Errorf("picture of a page the document lacks = %d, want 404", got.status)
	}

	link := `href="/documents/` + id + `/pdf"`
	if !strings.Contains(doc.body, link) {
		t.Errorf("document page lacks the searchable PDF's link %s", link)
	}
	if got := b.get("/documents/" + id + "/pdf"); got.status != http.StatusNotFound || !strings.Contains(got.body, "reprocess") {
		t.Errorf("searchable PDF before the worker made one = %d, want 404 saying to reprocess:\n%s", got.status, got.body)
	}
	pdf := "%PDF-1.7 searchable"
	if err := e.bucket.WriteAll(t.Context(), blob.SearchableKey(id), []byte(pdf), &gcblob.WriterOptions{ContentType: "application/pdf"}); err != nil {
		t.Fatal(err)
	}
	got := b.get("/documents/" + id + "/pdf")
	if got.status != http.StatusOK || got.body != pdf || got.header.Get("Content-Type") != "application/pdf" ||
		!strings.HasPrefix(got.header.Get("Content-Disposition"), "attachment") {
		t.Errorf("searchable PDF = %d %q %q %q", got.status, got.header.Get("Content-Type"), got.header.Get("Content-Disposition"), got.body)
	}
}

func TestStatusWaitsForAChange(t *testing.T) {
	e := newEnv(t, envOptions{})
	b := e.browser()
	status, out := b.upload(b.csrf(), map[string][]byte{"a.png": pngFile(t)})
	if status != http.StatusAccepted {
		t.Fatalf("upload = %d %v", status, out)
	}
	id := firstID(t, out)
	if got := b.get("/status?id=" + id + "&known=processing&wait=1"); got.body != `[{"id":"`+id+`","status":"queued","pages":0}]`+"\n" {
		t.Errorf("status of a document that is not as known = %q, want its status at once", got.body)
	}

	// A page shows many documents: a change to the last of them must arrive as soon as one to
	// the first would.
	files := make(map[string][]byte)
	for i := range 11 {
		files[fmt.Sprintf("p%d.png", i)] = pngFile(t)
	}
	if status, out = b.upload(b.csrf(), files); status != http.StatusAccepted {
		t.Fatalf("upload = %d %v", status, out)
	}
	query := url.Values{"wait": {"1"}, "id": {id}, "known": {"queued"}}
	for _, d := range out["documents"].([]any) {
		query.Add("id", d.(map[string]any)["id"].(string))
		query.Add("known", "queued")
	}
	last := query["id"][len(query["id"])-1]
	answered := make(chan page, 1)
	start := time.Now()
	go func() { answered <- b.get("/status?" + query.Encode()) }()
	time.Sleep(200 * time.Millisecond)
	select {
	case p := <-answered:
		t.Fatalf("unchanged documents answered at once: %q", p.body)
	default:
	}
	if _, err := e.store.ClaimDocument(context.Background(), last, time.Minute); err != nil {
		t.Fatal(err)
	}
	e.api.Changed(last)
	select {
	case p := <-answered:
		if want := `[{"id":"` + last + `","status":"processing","pages":0}]` + "\n"; p.body != want {
			t.Errorf("after the change of the 12th document: %q, want %q", p.body, want)
		}
		if d := time.Since(start); d > 1500*time.Millisecond {
			t.Errorf("the change took %v to arrive, want it as soon as the api was told", d)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the waiting status did not answer after the change")
	}
}

// TestUploadLanguage checks that the upload form offers the server's languages, alone and with
// English, and that the one chosen reaches the document.
func TestUploadLanguage(t *testing.T) {
	e := newEnv(t, envOptions{})
	b := e.browser()
	list := b.get("/")
	for _, want := range []string{
		`<select id="lang" name="lang">`, `<option value="">Default (English)</option>`,
		`<option value="deu">German</option>`, `<option value="deu&#43;eng">German &#43; English</option>`,
	} {
		if !strings.Contains(list.body, want) {
			t.Errorf("upload form lacks %s:\n%s", want, list.body)
		}
	}
	status, out := b.upload(b.csrf(), map[string][]byte{"rechnung.png": pngFile(t)}, "lang", "deu+eng")
	if status != http.StatusAccepted {
		t.Fatalf("upload = %d %v", status, out)
	}
	if d, err := e.store.Get(t.Context(), "local", firstID(t, out)); err != nil || d.Lang != "deu+eng" {
		t.Errorf("uploaded document = %+v, %v; want lang deu+eng", d, err)
	}
	status, out = b.upload(b.csrf(), map[string][]byte{"x.png": pngFile(t)}, "lang", "tlh")
	if d, _ := out["detail"].(string); status != http.StatusUnprocessableEntity || !strings.Contains(d, "installed are deu, eng") {
		t.Errorf("upload in a language not installed = %d %v, want 422 naming the installed ones", status, out)
	}
}

// TestSearchFiltersAndMarks searches with the form's filters and order, follows a hit to its page
// and finds the matching words marked on the page picture.
func TestSearchFiltersAndMarks(t *testing.T) {
	e := newEnv(t, envOptions{})
	b := e.browser()
	var ids []string
	for i, name := range []string{"harbour.png", "notes.png"} {
		page := image.NewGray(image.Rect(0, 0, 300, 400))
		page.Pix[i] = 255
		status, out := b.upload(b.csrf(), map[string][]byte{name: ocrtest.TIFF([]*image.Gray{page, page})})
		if status != http.StatusAccepted {
			t.Fatalf("upload = %d %v", status, out)
		}
		ids = append(ids, firstID(t, out))
	}
	layout := &document.Layout{Width: 300, Height: 400, Lines: []document.Line{{Box: document.Box{10, 10, 200, 30}, Words: []document.Word{
		{Text: "Cranes", Box: document.Box{10, 10, 90, 30}, Confidence: 90},
		{Text: "unload,", Box: document.Box{100, 10, 200, 30}, Confidence: 90},
	}}}}
	for _, text := range []string{"the harbour", "nothing"} {
		job, err := e.store.Claim(t.Context(), time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		pages := []document.Page{
			{Number: 1, Text: text, Source: document.SourceOCR},
			{Number: 2, Text: "Cranes unload,", Source: document.SourceOCR, Layout: layout},
		}
		if err := e.store.Complete(t.Context(), job, pages); err != nil {
			t.Fatal(err)
		}
	}

	res := b.get("/search?q=crane&sort=name")
	first, second := strings.Index(res.body, ">harbour<"), strings.Index(res.body, ">notes<")
	if res.status != http.StatusOK || first < 0 || second < first {
		t.Fatalf("search for crane by title = %d, want harbour then notes:\n%s", res.status, res.body)
	}
	link := `href="/documents/` + ids[0] + `?q=crane#page-2"`
	if !strings.Contains(res.body, link) {
		t.Errorf("hit lacks the link %s to its page:\n%s", link, res.body)
	}
	for _, tt := range []struct {
		query string
		want  []string
	}{
		{"/search?q=crane&type=pdf", nil},
		{"/search?q=crane&type=image&from=2000-01-01", []string{"harbour", "notes"}},
		{"/search?q=harbour", []string{"harbour"}},
		{"/search?q=-harbour&type=image", []string{"notes"}},
		{"/search?type=image&to=2000-01-01", nil},
	} {
		got := b.get(tt.query)
		for _, name := range []string{"harbour", "notes"} {
			if found, want := strings.Contains(got.body, ">"+name+"<"), slices.Contains(tt.want, name); found != want {
				t.Errorf("%s lists %s: %v, want %v", tt.query, name, found, want)
			}
		}
	}
	for _, bad := range []string{"/search?q=x&from=yesterday", "/search?q=x&sort=size", "/search?q=x&type=exe", "/search?q=type:exe"} {
		if got := b.get(bad); got.status != http.StatusOK || !strings.Contains(got.body, `role="alert"`) {
			t.Errorf("%s = %d without an error shown", bad, got.status)
		}
	}

	typo := b.get("/search?q=cranez+harbor&type=image")
	if want := `Did you mean <a href="/search?q=cranes%20harbour%20type%3aimage&amp;sort=">cranes harbour type:image</a>?`; !strings.Contains(typo.body, want) {
		t.Errorf("search with typos lacks %s:\n%s", want, typo.body)
	}

	doc := b.get("/documents/" + ids[0] + "?q=crane")
	marks := regexp.MustCompile(`<svg class="marks" viewBox="0 0 300 400"[^>]*><rect x="10" y="10" width="80" height="20"/></svg>`)
	if doc.status != http.StatusOK || !marks.MatchString(doc.body) || strings.Count(doc.body, "<rect") != 1 {
		t.Errorf("document page for crane marks %d words, want Cranes on page 2:\n%s", strings.Count(doc.body, "<rect"), doc.body)
	}
	if plain := b.get("/documents/" + ids[0]); strings.Contains(plain.body, "<rect") {
		t.Error("document page without a query marks words")
	}
}

// TestLabelsAndDuplicates edits a document's title, date and notes from its page, and uploads
// its file again to be pointed at it.
func TestLabelsAndDuplicates(t *testing.T) {
	e := newEnv(t, envOptions{})
	b := e.browser()
	scan := pngFile(t)
	status, out := b.upload(b.csrf(), map[string][]byte{"scan-12.png": scan})
	if status != http.StatusAccepted {
		t.Fatalf("upload = %d %v", status, out)
	}
	id := firstID(t, out)
	doc := b.get("/documents/" + id)
	if !strings.Contains(doc.body, `<h1 class="docname">scan-12</h1>`) || !strings.Contains(doc.body, "(the upload day)") {
		t.Errorf("new document's page lacks its default title or date:\n%s", doc.body)
	}

	got := b.post("/documents/"+id+"/labels", url.Values{"csrf": {b.csrf()}, "title": {"Council <tax>"}, "date": {"2024-02-29"}, "notes": {"second instalment"}})
	if got.status != http.StatusOK || got.url.Path != "/documents/"+id {
		t.Fatalf("saving labels = %d at %s, want the document's page", got.status, got.url)
	}
	for _, want := range []string{`<h1 class="docname">Council &lt;tax&gt;</h1>`, `<time datetime="2024-02-29">29 Feb 2024</time>`, `<p class="notes">second instalment</p>`, `value="2024-02-29"`} {
		if !strings.Contains(got.body, want) {
			t.Errorf("document page after saving lacks %s:\n%s", want, got.body)
		}
	}
	if list := b.get("/"); !strings.Contains(list.body, ">Council &lt;tax&gt;</a>") {
		t.Errorf("list does not show the new title:\n%s", list.body)
	}
	if bad := b.post("/documents/"+id+"/labels", url.Values{"csrf": {b.csrf()}, "title": {"x"}, "date": {"29.02.2024"}}); bad.status != http.StatusBadRequest || !strings.Contains(bad.body, "YYYY-MM-DD") {
		t.Errorf("saving a bad date = %d, want 400 saying how to write it:\n%s", bad.status, bad.body)
	}

	status, out = b.upload(b.csrf(), map[string][]byte{"again.png": scan})
	dups, _ := out["duplicates"].([]any)
	if status != http.StatusOK || len(dups) != 1 || !strings.Contains(fmt.Sprint(dups[0]), id) {
		t.Errorf("upload of the same file = %d %v, want 200 naming %s", status, out, id)
	}
}

// TestTagsOnPages tags a document from its page, sees the tag with its colour on the page and
// in the list, follows it to the list filtered by it, and removes it.
func TestTagsOnPages(t *testing.T) {
	e := newEnv(t, envOptions{})
	b := e.browser()
	var ids []string
	for _, name := range []string{"a.png", "b.png"} {
		ids = append(ids, b.add(name))
	}
	got := b.post("/documents/"+ids[0]+"/tags", url.Values{"csrf": {b.csrf()}, "add": {"home office"}})
	dot := `fill="` + document.DefaultColor("home office") + `"`
	if got.status != http.StatusOK || got.url.Path != "/documents/"+ids[0] || !strings.Contains(got.body, `href="/?tag=home%20office"`) || !strings.Contains(got.body, dot) {
		t.Fatalf("document page after tagging = %d at %s, want the tag linked in its colour:\n%s", got.status, got.url, got.body)
	}
	list := b.get("/?tag=home+office")
	if !strings.Contains(list.body, `data-id="`+ids[0]+`"`) || strings.Contains(list.body, `data-id="`+ids[1]+`"`) || !strings.Contains(list.body, "tagged home office") {
		t.Errorf("list filtered by the tag shows the wrong documents:\n%s", list.body)
	}
	if bad := b.post("/documents/"+ids[0]+"/tags", url.Values{"csrf": {b.csrf()}, "add": {"a,b"}}); bad.status != http.StatusBadRequest || !strings.Contains(bad.body, "comma") {
		t.Errorf("a tag with a comma = %d:\n%s", bad.status, bad.body)
	}
	got = b.post("/documents/"+ids[0]+"/tags", url.Values{"csrf": {b.csrf()}, "remove": {"home office"}})
	if strings.Contains(got.body, `href="/?tag=home%20office"`) {
		t.Errorf("the tag is still shown after removing it:\n%s", got.body)
	}
}

// TestRulesPage creates a rule from the rules page, applies it to a document already read and
// deletes it.
func TestRulesPage(t *testing.T) {
	e := newEnv(t, envOptions{})
	b := e.browser()
	id := b.add("a.png")
	job, err := e.store.Claim(t.Context(), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.Complete(t.Context(), job, []document.Page{{Number: 1, Text: "Stadtwerke gas bill", Source: document.SourceOCR}}); err != nil {
		t.Fatal(err)
	}
	if empty := b.get("/rules"); !strings.Contains(empty.body, "No rules yet") {
		t.Errorf("rules page without rules:\n%s", empty.body)
	}
	got := b.post("/rules", url.Values{"csrf": {b.csrf()}, "name": {"Energy"}, "match": {"any"}, "pattern": {"gas electricity"}, "field": {"text"}, "tags": {"energy, bills"}})
	if got.status != http.StatusOK || got.url.Path != "/rules" || !strings.Contains(got.body, "<code>gas electricity</code>") || !strings.Contains(got.body, `href="/?tag=bills"`) {
		t.Fatalf("after creating a rule = %d at %s:\n%s", got.status, got.url, got.body)
	}
	ruleID := regexp.MustCompile(`data-rule="([^"]+)"`).FindStringSubmatch(got.body)
	if ruleID == nil {
		t.Fatal("no rule listed")
	}
	got = b.post("/rules/"+ruleID[1]+"/apply", url.Values{"csrf": {b.csrf()}})
	if !strings.Contains(got.body, "Tagged 1 document.") {
		t.Errorf("apply did not say what it tagged:\n%s", got.body)
	}
	if doc := b.get("/documents/" + id); !strings.Contains(doc.body, `href="/?tag=energy"`) {
		t.Errorf("the document lacks the rule's tag:\n%s", doc.body)
	}
	if bad := b.post("/rules", url.Values{"csrf": {b.csrf()}, "match": {"regexp"}, "pattern": {"a("}, "tags": {"x"}}); bad.status != http.StatusBadRequest || !strings.Contains(bad.body, "regular expression") {
		t.Errorf("a broken regular expression = %d:\n%s", bad.status, bad.body)
	}
	got = b.post("/rules/"+ruleID[1]+"/delete", url.Values{"csrf": {b.csrf()}})
	if !strings.Contains(got.body, "No rules yet") {
		t.Errorf("the rule is still listed after deleting it:\n%s", got.body)
	}
}

// TestBulk acts on ticked documents from the list: tags them, downloads them as a ZIP, and
// deletes them only after the confirmation page.
func TestBulk(t *testing.T) {
	e := newEnv(t, envOptions{})
	b := e.browser()
	var ids []string
	for _, name := range []string{"a.png", "b.png", "c.png"} {
		ids = append(ids, b.add(name))
	}
	if list := b.get("/"); !strings.Contains(list.body, `name="id" value="`+ids[0]+`"`) {
		t.Fatalf("the list has no box to tick:\n%s", list.body)
	}
	form := func(action string, extra ...string) url.Values {
		v := url.Values{"csrf": {b.csrf()}, "action": {action}, "id": ids[:2]}
		for i := 0; i+1 < len(extra); i += 2 {
			v.Set(extra[i], extra[i+1])
		}
		return v
	}
	if got := b.post("/bulk", form("tag", "tag", "batch")); got.status != http.StatusOK || strings.Count(got.body, `href="/?tag=batch"`) != 2 {
		t.Errorf("tagging two = %d, want two tagged rows:\n%s", got.status, got.body)
	}
	z := b.post("/bulk", form("zip"))
	zr, err := zip.NewReader(strings.NewReader(z.body), int64(len(z.body)))
	if z.status != http.StatusOK || err != nil || len(zr.File) != 2 {
		t.Errorf("ZIP of two = %d, %v", z.status, err)
	}
	confirm := b.post("/bulk", form("delete"))
	if !strings.Contains(confirm.body, "Delete 2 documents?") || !strings.Contains(confirm.body, `value="`+ids[1]+`"`) {
		t.Fatalf("delete did not ask first:\n%s", confirm.body)
	}
	if n := strings.Count(b.get("/").body, "<tr data-id"); n != 3 {
		t.Errorf("%d documents before confirming, want 3", n)
	}
	b.post("/bulk", form("delete", "confirm", "yes"))
	if list := b.get("/").body; strings.Count(list, "<tr data-id") != 1 || !strings.Contains(list, ids[2]) {
		t.Errorf("after deleting two the list is:\n%s", list)
	}
	if bad := b.post("/bulk", url.Values{"csrf": {b.csrf()}, "action": {"tag"}}); bad.status != http.StatusBadRequest {
		t.Errorf("bulk with nothing ticked = %d, want 400", bad.status)
	}
}

// TestThumbnailPlaceholder: a document without a thumbnail sends the browser to a placeholder.
func TestThumbnailPlaceholder(t *testing.T) {
	e := newEnv(t, envOptions{})
	b := e.browser()
	id := b.add("a.png")
	if list := b.get("/"); !strings.Contains(list.body, `src="/documents/`+id+`/thumbnail"`) {
		t.Errorf("the list shows no thumbnail:\n%s", list.body)
	}
	got := b.get("/documents/" + id + "/thumbnail")
	if got.status != http.StatusOK || got.url.Path != "/static/page.svg" || !strings.Contains(got.body, "<svg") {
		t.Errorf("thumbnail of an unread document = %d at %s, want the placeholder", got.status, got.url)
	}
}

// TestListByDate orders the list by the documents' dates and keeps a range of them, both days
// included.
func TestListByDate(t *testing.T) {
	e := newEnv(t, envOptions{})
	b := e.browser()
	ids := map[string]string{}
	for _, date := range []string{"2024-05-01", "2022-01-01"} {
		ids[date] = b.add("d" + date + ".png")
		b.post("/documents/"+ids[date]+"/labels", url.Values{"csrf": {b.csrf()}, "title": {"d" + date}, "date": {date}})
	}
	list := b.get("/?sort=date").body
	if i, j := strings.Index(list, ids["2024-05-01"]), strings.Index(list, ids["2022-01-01"]); i < 0 || j < i || !strings.Contains(list, `<option value="date" selected>`) {
		t.Errorf("list by date is not latest first:\n%s", list)
	}
	in := b.get("/?from=2022-01-01&to=2022-01-01").body
	if !strings.Contains(in, ids["2022-01-01"]) || strings.Contains(in, ids["2024-05-01"]) {
		t.Errorf("list dated 2022-01-01 shows the wrong documents:\n%s", in)
	}
}
