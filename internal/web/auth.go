package web

import (
	"crypto/subtle"
	"net/http"
)

// login starts the authorization code flow: a fresh state, nonce and PKCE verifier are kept in
// the browser's session for pendingTTL, and the browser goes to the provider.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	if s.opt.OIDC == nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	ss, ok := s.session(w, r)
	if !ok {
		ss = newSession()
	}
	a := newAuthRequest()
	ss.State, ss.Nonce, ss.Verifier = a.State, a.Nonce, a.Verifier
	ss.Return = safeReturn(r.URL.Query().Get("return"))
	s.sessions.save(w, ss)
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, s.opt.OIDC.AuthCodeURL(a), http.StatusFound)
}

// callback finishes the flow: the state must match the session's, the code is exchanged with
// the verifier, and the ID token's nonce is checked. The signed-in session gets a new id, so an
// id planted before sign-in is worthless.
func (s *Server) callback(w http.ResponseWriter, r *http.Request) {
	if s.opt.OIDC == nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	q := r.URL.Query()
	ss, ok := s.session(w, r)
	if !ok || ss.State == "" || subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(ss.State)) != 1 {
		s.render(w, r, http.StatusBadRequest, "error", ss, errorPage{Title: "Sign-in failed",
			Message: "This sign-in link is stale or was not started here. Sign in again.", SignIn: true})
		return
	}
	if e := q.Get("error"); e != "" {
		s.render(w, r, http.StatusUnauthorized, "error", ss, errorPage{Title: "Sign-in failed",
			Message: "The identity provider said: " + e + " " + q.Get("error_description"), SignIn: true})
		return
	}
	t, id, err := s.opt.OIDC.Exchange(r.Context(), q.Get("code"), authRequest{State: ss.State, Nonce: ss.Nonce, Verifier: ss.Verifier})
	if err != nil {
		s.log.WarnContext(r.Context(), "sign-in failed", "err", err)
		s.render(w, r, http.StatusBadGateway, "error", ss, errorPage{Title: "Sign-in failed",
			Message: "The identity provider's answer could not be verified. Sign in again.", SignIn: true})
		return
	}
	s.sessions.end(w, ss)
	next := newSession()
	next.Subject, next.Name = id.Subject, id.Name
	next.AccessToken, next.RefreshToken, next.IDToken, next.TokenExpiry = t.AccessToken, t.RefreshToken, t.IDToken, s.expiry(t, t.IDToken)
	s.sessions.save(w, next)
	s.log.InfoContext(r.Context(), "signed in", "sub", id.Subject)
	http.Redirect(w, r, ss.Return, http.StatusSeeOther)
}

// logout ends the session here and, when the provider supports it, at the provider too.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	ss, _ := s.session(w, r)
	s.sessions.end(w, ss)
	if s.opt.OIDC != nil {
		if u := s.opt.OIDC.logoutURL(ss.IDToken); u != "" {
			http.Redirect(w, r, u, http.StatusSeeOther)
			return
		}
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}
