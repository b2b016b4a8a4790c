package web

import (
	"container/list"
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"slices"
	"strings"
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

// Sessions nobody signed in to can be made by any request, so their life is short and, in
// memory, their number is bounded: a flood of sign-ins evicts the oldest rather than filling
// the process.
const (
	// anonymousTTL bounds the life of sessions nobody signed in to.
	anonymousTTL = time.Hour
	// pendingTTL bounds the life of a sign-in in flight: its state, nonce and PKCE verifier.
	pendingTTL = 10 * time.Minute
	// maxAnonymous bounds the sessions nobody signed in to that one process keeps in memory.
	maxAnonymous = 10_000
)

// lifetime is how long a session lives unused.
func lifetime(ttl time.Duration, ss *session) time.Duration {
	switch {
	case ss.signedIn():
		return ttl
	case ss.State != "":
		return min(ttl, pendingTTL)
	}
	return min(ttl, anonymousTTL)
}

// cookieJar writes the session cookies: HttpOnly, SameSite=Lax, host-only, and Secure with the
// __Host- prefix over https.
type cookieJar struct {
	name   string
	secure bool
}

// set sets the cookie name, replacing any Set-Cookie for it the answer already has: a request
// that saves its session twice sends one cookie.
func (c cookieJar) set(w http.ResponseWriter, name, value string, maxAge int) {
	h := w.Header()
	if old := h["Set-Cookie"]; len(old) > 0 {
		h["Set-Cookie"] = slices.DeleteFunc(old, func(v string) bool { return strings.HasPrefix(v, name+"=") })
	}
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
	m   map[string]*stored
	// anonymous holds the ids of the sessions nobody signed in to, least recently saved first;
	// there are at most maxAnonymous of them.
	anonymous    *list.List
	maxAnonymous int
	now          func() time.Time
}

// stored is a session in memory.
type stored struct {
	session
	anonymous *list.Element // its place in memory.anonymous; nil once signed in
}

func newMemory(jar cookieJar, ttl time.Duration) *memory {
	return &memory{cookieJar: jar, ttl: ttl, m: map[string]*stored{}, anonymous: list.New(),
		maxAnonymous: maxAnonymous, now: time.Now}
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
		s.remove(id)
		return session{}, false
	}
	ss.Expires = now.Add(lifetime(s.ttl, &ss.session))
	return ss.session, true
}

func (s *memory) save(w http.ResponseWriter, ss session) {
	s.put(ss)
	s.set(w, s.name, ss.ID, 0)
}

// put stores ss, evicts the least recently saved anonymous sessions beyond maxAnonymous, and
// sweeps expired sessions now and then.
func (s *memory) put(ss session) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	ss.Expires = now.Add(lifetime(s.ttl, &ss))
	st, ok := s.m[ss.ID]
	if !ok {
		if len(s.m)%1024 == 1023 {
			for id, old := range s.m {
				if now.After(old.Expires) {
					s.remove(id)
				}
			}
		}
		st = &stored{}
		s.m[ss.ID] = st
	}
	st.session = ss
	switch {
	case ss.signedIn() && st.anonymous != nil:
		s.anonymous.Remove(st.anonymous)
		st.anonymous = nil
	case !ss.signedIn() && st.anonymous == nil:
		st.anonymous = s.anonymous.PushBack(ss.ID)
	case st.anonymous != nil:
		s.anonymous.MoveToBack(st.anonymous)
	}
	for s.anonymous.Len() > s.maxAnonymous {
		s.remove(s.anonymous.Front().Value.(string))
	}
}

// remove forgets the session with id; s.mu is held.
func (s *memory) remove(id string) {
	st, ok := s.m[id]
	if !ok {
		return
	}
	if st.anonymous != nil {
		s.anonymous.Remove(st.anonymous)
	}
	delete(s.m, id)
}

func (s *memory) end(w http.ResponseWriter, ss session) {
	s.mu.Lock()
	s.remove(ss.ID)
	s.mu.Unlock()
	s.set(w, s.name, "", -1)
}

// randomString returns n random bytes, base64url-encoded.
func randomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
