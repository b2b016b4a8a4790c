package web

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"sync"
	"time"
)

// session is what the web knows about one browser (the backend-for-frontend pattern): the
// tokens never reach the page's script. Where it is kept is the sessionStore's business.
type session struct {
	ID      string
	CSRF    string    // the synchronizer token forms and the upload script send back
	Expires time.Time // sliding: extended on use, up to the session TTL
	Started time.Time // sealed sessions end maxSessionAge after it, however much they are used

	// Signed in.
	Subject      string
	Name         string
	AccessToken  string
	RefreshToken string
	IDToken      string
	TokenExpiry  time.Time

	// Signing in: the authorization request in flight.
	State    string
	Nonce    string
	Verifier string
	Return   string
}

// signedIn reports whether the session belongs to a user.
func (s *session) signedIn() bool { return s.Subject != "" }

// newSession returns a session with a fresh id and CSRF token.
func newSession() session {
	return session{ID: randomString(32), CSRF: randomString(32), Started: time.Now()}
}

// sessionStore keeps browsers' sessions between requests and sets the cookies that name them.
type sessionStore interface {
	// load returns the request's live session and extends its life, which may set a cookie.
	load(w http.ResponseWriter, r *http.Request) (session, bool)
	// save stores ss, new or changed, and sets its cookie.
	save(w http.ResponseWriter, ss session)
	// end forgets ss and clears its cookie.
	end(w http.ResponseWriter, ss session)
}

// anonymousTTL bounds the life of sessions nobody signed in to, which any request can create.
const anonymousTTL = time.Hour

// lifetime is how long a session lives unused.
func lifetime(ttl time.Duration, ss *session) time.Duration {
	if ss.signedIn() {
		return ttl
	}
	return min(ttl, anonymousTTL)
}

// cookieJar writes the session cookies: HttpOnly, SameSite=Lax, host-only, and Secure with the
// __Host- prefix over https.
type cookieJar struct {
	name   string
	secure bool
}

func (c cookieJar) set(w http.ResponseWriter, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: c.secure, SameSite: http.SameSiteLaxMode,
	})
}

// memory keeps sessions in this process; the cookie holds only the session's random id.
// Replicas each have their own, so several behind one address need sealed sessions instead.
type memory struct {
	cookieJar
	mu  sync.Mutex
	ttl time.Duration
	m   map[string]*session
	now func() time.Time
}

func newMemory(jar cookieJar, ttl time.Duration) *memory {
	return &memory{cookieJar: jar, ttl: ttl, m: map[string]*session{}, now: time.Now}
}

func (s *memory) load(_ http.ResponseWriter, r *http.Request) (session, bool) {
	c, err := r.Cookie(s.name)
	if err != nil || c.Value == "" {
		return session{}, false
	}
	return s.get(c.Value)
}

// get returns a copy of the live session with id, extending its life.
func (s *memory) get(id string) (session, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ss, ok := s.m[id]
	if !ok {
		return session{}, false
	}
	now := s.now()
	if now.After(ss.Expires) {
		delete(s.m, id)
		return session{}, false
	}
	ss.Expires = now.Add(lifetime(s.ttl, ss))
	return *ss, true
}

func (s *memory) save(w http.ResponseWriter, ss session) {
	s.put(ss)
	s.set(w, s.name, ss.ID, 0)
}

// put stores ss and sweeps expired sessions now and then.
func (s *memory) put(ss session) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	ss.Expires = now.Add(lifetime(s.ttl, &ss))
	if _, ok := s.m[ss.ID]; !ok && len(s.m)%1024 == 1023 {
		for id, old := range s.m {
			if now.After(old.Expires) {
				delete(s.m, id)
			}
		}
	}
	s.m[ss.ID] = &ss
}

func (s *memory) end(w http.ResponseWriter, ss session) {
	s.mu.Lock()
	delete(s.m, ss.ID)
	s.mu.Unlock()
	s.set(w, s.name, "", -1)
}

// randomString returns n random bytes, base64url-encoded.
func randomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
