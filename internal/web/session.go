package web

import (
	"crypto/rand"
	"encoding/base64"
	"sync"
	"time"
)

// session is what the web knows about one browser. The browser holds only its random id, in
// an HttpOnly cookie; the tokens stay here (the backend-for-frontend pattern).
type session struct {
	ID      string
	CSRF    string    // the synchronizer token forms and the upload script send back
	Expires time.Time // sliding: extended on use, up to the session TTL

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

// sessions is an in-memory session store. Replicas of the web role each have their own, so a
// load balancer in front of several must keep a browser on one replica (sticky sessions).
type sessions struct {
	mu  sync.Mutex
	ttl time.Duration
	m   map[string]*session
	now func() time.Time
}

func newSessions(ttl time.Duration) *sessions {
	return &sessions{ttl: ttl, m: map[string]*session{}, now: time.Now}
}

// get returns a copy of the live session with id, extending its life.
func (s *sessions) get(id string) (session, bool) {
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
	ss.Expires = now.Add(s.life(ss))
	return *ss, true
}

// create starts a new session with fresh id and CSRF token.
func (s *sessions) create() session {
	ss := &session{ID: randomString(32), CSRF: randomString(32)}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	ss.Expires = now.Add(s.life(ss))
	s.m[ss.ID] = ss
	if len(s.m)%1024 == 0 {
		for id, old := range s.m {
			if now.After(old.Expires) {
				delete(s.m, id)
			}
		}
	}
	return *ss
}

// anonymousTTL bounds the life of sessions nobody signed in to, which any request can create.
const anonymousTTL = time.Hour

func (s *sessions) life(ss *session) time.Duration {
	if ss.signedIn() {
		return s.ttl
	}
	return min(s.ttl, anonymousTTL)
}

// put stores ss if its session still exists.
func (s *sessions) put(ss session) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.m[ss.ID]; ok {
		ss.Expires = s.now().Add(s.life(&ss))
		s.m[ss.ID] = &ss
	}
}

// delete ends a session.
func (s *sessions) delete(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, id)
}

// randomString returns n random bytes, base64url-encoded.
func randomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
