package web

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func newTestSealed(t *testing.T, secret, name string) *sealed {
	t.Helper()
	key, err := SessionKey(secret)
	if err != nil {
		t.Fatal(err)
	}
	s, err := newSealed(cookieJar{name: name, secure: true}, key, 12*time.Hour, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// roundTrip saves ss with from and loads it with to, through the cookies a browser would send.
func roundTrip(t *testing.T, from, to *sealed, ss session) (session, bool, []*http.Cookie) {
	t.Helper()
	rec := httptest.NewRecorder()
	from.save(rec, ss)
	req, set := nextRequest(rec)
	got, ok := to.load(httptest.NewRecorder(), req)
	return got, ok, set
}

// nextRequest is the request a browser sends after the answer rec, with the cookies rec set
// (not those it deleted), and those cookies.
func nextRequest(rec *httptest.ResponseRecorder) (*http.Request, []*http.Cookie) {
	req := httptest.NewRequest("GET", "/", nil)
	var set []*http.Cookie
	for _, c := range rec.Result().Cookies() {
		if c.MaxAge >= 0 {
			req.AddCookie(c)
			set = append(set, c)
		}
	}
	return req, set
}

func TestSealedSessions(t *testing.T) {
	a := newTestSealed(t, "a shared secret of some length", "__Host-docpipe_session")
	ss := newSession()
	ss.Subject, ss.AccessToken, ss.RefreshToken = "alice", "access."+strings.Repeat("x", 40), "refresh"

	got, ok, cookies := roundTrip(t, a, newTestSealed(t, "a shared secret of some length", "__Host-docpipe_session"), ss)
	if !ok || got.ID != ss.ID || got.CSRF != ss.CSRF || got.AccessToken != ss.AccessToken || got.Subject != "alice" {
		t.Fatalf("another replica with the key loaded %+v, %v; want the session", got, ok)
	}
	for _, c := range cookies {
		if strings.Contains(c.Value, "access.") || strings.Contains(c.Value, "alice") || !c.HttpOnly || !c.Secure {
			t.Errorf("cookie %s = %+v: want sealed, HttpOnly and Secure", c.Name, c)
		}
	}
	if _, ok, _ := roundTrip(t, a, newTestSealed(t, "another secret of some length", "__Host-docpipe_session"), ss); ok {
		t.Error("a replica with another key read the session")
	}
	if _, ok, _ := roundTrip(t, a, newTestSealed(t, "a shared secret of some length", "other"), ss); ok {
		t.Error("the sealed value was accepted under another cookie name")
	}

	rec := httptest.NewRecorder()
	a.save(rec, ss)
	value := rec.Result().Cookies()[0].Value
	for _, i := range []int{0, len(value) / 2, len(value) - 1} {
		b := []byte(value)
		b[i] ^= 1
		if _, err := a.open(string(b)); err == nil {
			t.Errorf("a value changed at %d opened", i)
		}
	}

	big := ss
	big.AccessToken, big.RefreshToken, big.IDToken = randomString(2500), randomString(1500), randomString(1500)
	got, ok, cookies = roundTrip(t, a, a, big)
	if !ok || got.IDToken != big.IDToken || len(cookies) < 2 {
		t.Errorf("a large session: loaded %v from %d cookies, want it from several", ok, len(cookies))
	}
	for _, c := range cookies {
		if len(c.String()) > 4096 {
			t.Errorf("cookie %s is %d bytes, more than browsers keep", c.Name, len(c.String()))
		}
	}
	huge := ss
	huge.AccessToken = randomString(chunkSize * maxChunks)
	rec = httptest.NewRecorder()
	a.save(rec, huge)
	if len(rec.Result().Cookies()) != 0 {
		t.Error("a session too large for the cookies was saved cut short")
	}
}

// TestSealedSessionTooLarge checks that a session too large for its cookies keeps what the API
// needs, dropping first the token it never gets and then the refresh token.
func TestSealedSessionTooLarge(t *testing.T) {
	over := chunkSize * maxChunks
	tests := []struct {
		name                string
		forwardID           bool
		access, refresh, id int
		want                [3]bool // access, refresh and ID tokens kept
	}{
		{"fits", false, 2000, 1000, 2000, [3]bool{true, true, true}},
		{"large ID token", false, 2000, 1000, over, [3]bool{true, true, false}},
		{"large access token, ID token forwarded", true, over, 1000, 2000, [3]bool{false, true, true}},
		{"large refresh token", false, 2000, over, 2000, [3]bool{true, false, false}},
		{"large refresh token, ID token forwarded", true, 2000, over, 2000, [3]bool{false, false, true}},
	}
	for _, tt := range tests {
		s := newTestSealed(t, "a shared secret of some length", "s")
		s.forwardID = tt.forwardID
		ss := newSession()
		ss.Subject, ss.Started = "sub", time.Now()
		ss.AccessToken, ss.RefreshToken, ss.IDToken = randomString(tt.access), randomString(tt.refresh), randomString(tt.id)
		got, ok, _ := roundTrip(t, s, s, ss)
		if !ok {
			t.Errorf("%s: session not saved", tt.name)
			continue
		}
		kept := [3]bool{got.AccessToken == ss.AccessToken, got.RefreshToken == ss.RefreshToken, got.IDToken == ss.IDToken}
		if kept != tt.want || got.Subject != ss.Subject {
			t.Errorf("%s: kept access, refresh, ID = %v, want %v", tt.name, kept, tt.want)
		}
	}
}

func TestSealedSessionsExpire(t *testing.T) {
	s := newTestSealed(t, "a shared secret of some length", "s")
	now := time.Unix(1_000_000, 0)
	s.now = func() time.Time { return now }
	user := newSession()
	user.Subject, user.Started = "sub", now
	rec := httptest.NewRecorder()
	s.save(rec, user)
	req, _ := nextRequest(rec)
	now = now.Add(time.Minute)
	rec = httptest.NewRecorder()
	if _, ok := s.load(rec, req); !ok || len(rec.Result().Cookies()) != 0 {
		t.Errorf("a fresh session: loaded %v, resealed %d cookies; want loaded and not resealed", ok, len(rec.Result().Cookies()))
	}
	now = now.Add(time.Hour)
	rec = httptest.NewRecorder()
	if _, ok := s.load(rec, req); !ok || len(rec.Result().Cookies()) == 0 {
		t.Error("a session used after an hour was not resealed to extend its life")
	}
	now = now.Add(12 * time.Hour)
	if _, ok := s.load(httptest.NewRecorder(), req); ok {
		t.Error("a session outlived its TTL")
	}

	busy := newSession()
	busy.Subject, busy.Started = "sub", now
	for range 8 * 24 {
		now = now.Add(time.Hour)
		rec := httptest.NewRecorder()
		s.save(rec, busy)
		req, _ := nextRequest(rec)
		if _, ok := s.load(httptest.NewRecorder(), req); !ok {
			if age := now.Sub(busy.Started); age <= maxSessionAge {
				t.Fatalf("a session used every hour ended after %v", age)
			}
			return
		}
	}
	t.Error("a session used every hour outlived maxSessionAge")
}

func TestSealedSignInAcrossReplicas(t *testing.T) {
	key, err := SessionKey("a shared secret of some length")
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, envOptions{oidc: true, secret: "s3cret", sessionKey: key})
	alice := e.browser()
	home := alice.signInAt("/search?q=x", "alice", "alice-pw")
	if home.status != http.StatusOK || !strings.Contains(home.body, "alice@example.com") {
		t.Fatalf("sign-in across two replicas: %d at %s:\n%s", home.status, home.url, home.body)
	}
	for range 3 {
		status, out := alice.upload(alice.csrf(), map[string][]byte{"a.png": pngFile(t)})
		if status != http.StatusAccepted {
			t.Fatalf("upload through either replica = %d %v", status, out)
		}
	}
	bob := e.browser()
	bob.signIn("bob", "bob-pw")
	if got := bob.get("/"); strings.Contains(got.body, "a.png") {
		t.Error("bob sees alice's documents")
	}
	alice.post("/auth/logout", map[string][]string{"csrf": {alice.csrf()}})
	if got := alice.get("/"); !strings.Contains(got.body, `id="signin"`) {
		t.Error("still signed in after sign out")
	}
}

// FuzzSealedOpen feeds open arbitrary cookie values: it must never panic, and what it accepts
// must be a session sealed with the key (forgeries are refused, see TestSealedSessions). The
// seed is sealed again in every fuzzing process, so a valid seal can come from another one.
func FuzzSealedOpen(f *testing.F) {
	key, _ := SessionKey("a shared secret of some length")
	s, _ := newSealed(cookieJar{name: "s"}, key, time.Hour, slog.New(slog.DiscardHandler))
	v, _ := s.seal(newSession())
	f.Add(v)
	f.Add("")
	f.Add(strings.Repeat("A", 100))
	f.Fuzz(func(t *testing.T, value string) {
		ss, err := s.open(value)
		if err != nil {
			return
		}
		if len(ss.ID) != 43 || len(ss.CSRF) != 43 {
			t.Fatalf("opened a session that newSession did not make: %+v", ss)
		}
		again, err := s.seal(ss)
		if err != nil {
			t.Fatal(err)
		}
		if back, err := s.open(again); err != nil || back.ID != ss.ID {
			t.Fatalf("a reopened session does not survive sealing again: %v", err)
		}
	})
}
