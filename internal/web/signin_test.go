package web

import (
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// noRedirects is a client that returns the first answer, as a bot flooding /auth/login does.
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// Sign-ins started and never finished stay at the cap, the oldest evicted; a sign-in started
// since then still works.
func TestPendingSignInsAreBounded(t *testing.T) {
	e := newEnv(t, envOptions{oidc: true})
	mem := e.web.sessions.(*memory)
	mem.maxAnonymous = 20
	for range 100 {
		resp, err := noRedirects.Get(e.url + "/auth/login")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusFound {
			t.Fatalf("login = %s, want a redirect to the provider", resp.Status)
		}
	}
	mem.mu.Lock()
	got, queued := len(mem.m), mem.anonymous.Len()
	mem.mu.Unlock()
	if got != 20 || queued != 20 {
		t.Errorf("after 100 sign-ins started: %d sessions, %d anonymous, want 20 (the cap)", got, queued)
	}
	if home := e.browser().signIn("alice", "alice-pw"); !strings.Contains(home.body, "alice@example.com") {
		t.Errorf("a sign-in after the flood failed: %d at %s", home.status, home.url)
	}
}

// A sign-in whose state, nonce and verifier were kept longer than pendingTTL ago is refused.
func TestExpiredSignInIsRefused(t *testing.T) {
	e := newEnv(t, envOptions{oidc: true})
	mem := e.web.sessions.(*memory)
	var skew atomic.Int64
	mem.now = func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }
	for _, tt := range []struct {
		name   string
		wait   time.Duration
		status int
	}{
		{"at once", 0, http.StatusOK},
		{"almost expired", pendingTTL - time.Minute, http.StatusOK},
		{"expired", pendingTTL + time.Second, http.StatusBadRequest},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b := e.browser()
			form := b.get("/auth/login")
			skew.Add(int64(tt.wait))
			v := form.url.Query()
			v.Set("username", "alice")
			v.Set("password", "alice-pw")
			req, _ := http.NewRequest(http.MethodPost, e.provider.URL+"/authorize", strings.NewReader(v.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			got := b.do(req)
			if got.status != tt.status {
				t.Errorf("sign-in finished %v after it started = %d at %s, want %d", tt.wait, got.status, got.url, tt.status)
			}
			if tt.status == http.StatusBadRequest && !strings.Contains(got.body, "stale") {
				t.Errorf("refused sign-in page does not say it is stale:\n%s", got.body)
			}
		})
	}
}

func TestPendingSignInLifetime(t *testing.T) {
	now := time.Unix(1_000_000, 0)
	s := newMemory(cookieJar{name: "s"}, 12*time.Hour)
	s.now = func() time.Time { return now }
	pending := newSession()
	pending.State = "state"
	s.put(pending)
	anon := newSession()
	s.put(anon)
	now = now.Add(pendingTTL + time.Second)
	if _, ok := s.get(pending.ID); ok {
		t.Errorf("a pending sign-in outlived %v", pendingTTL)
	}
	if _, ok := s.get(anon.ID); !ok {
		t.Errorf("an anonymous session ended after %v, before anonymousTTL", pendingTTL+time.Second)
	}
	if got := lifetime(5*time.Minute, &pending); got != 5*time.Minute {
		t.Errorf("lifetime of a pending sign-in with a 5m TTL = %v, want 5m", got)
	}
}

// Starting a sign-in sets the session cookie once, with or without sealed sessions, and with or
// without a session already.
func TestLoginSetsEachCookieOnce(t *testing.T) {
	key, err := SessionKey("a shared secret of some length")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		opt  envOptions
	}{
		{"memory", envOptions{oidc: true}},
		{"sealed", envOptions{oidc: true, sessionKey: key}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, tt.opt)
			jar, _ := cookiejar.New(nil)
			client := &http.Client{Jar: jar, CheckRedirect: noRedirects.CheckRedirect}
			for _, path := range []string{"/auth/login", "/", "/auth/login"} {
				resp, err := client.Get(e.url + path)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				seen := map[string]int{}
				for _, c := range resp.Cookies() {
					seen[c.Name]++
				}
				for name, n := range seen {
					if n != 1 {
						t.Errorf("GET %s sets cookie %s %d times, want once", path, name, n)
					}
				}
				if path == "/auth/login" && len(seen) == 0 {
					t.Errorf("GET %s sets no cookie", path)
				}
			}
		})
	}
}

func TestCookieJarReplaces(t *testing.T) {
	rec := httptest.NewRecorder()
	jar := cookieJar{name: "s"}
	jar.set(rec, "s", "one", 0)
	jar.set(rec, "s.1", "part", 0)
	jar.set(rec, "s", "", -1)
	jar.set(rec, "s", "two", 0)
	var got []string
	for _, c := range rec.Result().Cookies() {
		got = append(got, c.Name+"="+c.Value)
	}
	if want := "s.1=part s=two"; strings.Join(got, " ") != want {
		t.Errorf("cookies = %q, want %q", got, want)
	}
}
