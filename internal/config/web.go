package config

import (
	"net"
	"net/url"
	"strings"
	"time"
)

// Web configures the frontend role: where the API is, its public address and, with
// DOCPIPE_AUTH=oidc, the OpenID Connect client it signs users in as.
type Web struct {
	APIURL     string        // DOCPIPE_API_URL: the api role's base URL; unused by serve, which calls the API in process
	PublicURL  string        // DOCPIPE_PUBLIC_URL: the address browsers use; https makes cookies __Host- and Secure
	SessionTTL time.Duration // DOCPIPE_SESSION_TTL: how long a signed-in session lasts without use
	SessionKey string        // DOCPIPE_SESSION_KEY (secret): seals sessions into cookies, shared by every replica
	Client     OIDCClient    // DOCPIPE_OIDC_CLIENT_*, DOCPIPE_OIDC_*_URL: the sign-in client
}

// OIDCClient is the web's OpenID Connect client: the authorization code flow with PKCE.
// Endpoints left empty are discovered from the issuer.
type OIDCClient struct {
	ID             string   // DOCPIPE_OIDC_CLIENT_ID; the first DOCPIPE_OIDC_AUDIENCE if unset
	Secret         string   // DOCPIPE_OIDC_CLIENT_SECRET (secret, optional: public clients use PKCE alone)
	Scopes         []string // DOCPIPE_OIDC_SCOPES, space- or comma-separated
	AuthURL        string   // DOCPIPE_OIDC_AUTH_URL: the authorization endpoint
	TokenURL       string   // DOCPIPE_OIDC_TOKEN_URL: the token endpoint
	EndSessionURL  string   // DOCPIPE_OIDC_END_SESSION_URL: RP-initiated logout; none if unset and not discovered
	DiscoveryURL   string   // DOCPIPE_OIDC_DISCOVERY_URL: the discovery document; issuer + /.well-known/openid-configuration if empty
	SkipDiscovery  bool     // true when both the authorization and token endpoints are given
	LogoutRedirect string   // where the provider returns after logout: the public URL
	ForwardToken   string   // DOCPIPE_OIDC_FORWARD_TOKEN: "access" (default) or "id", the token sent to the API
}

func (r *reader) web(role Role, c *Config) Web {
	w := Web{
		APIURL:     strings.TrimRight(r.str("DOCPIPE_API_URL", ""), "/"),
		PublicURL:  strings.TrimRight(r.str("DOCPIPE_PUBLIC_URL", ""), "/"),
		SessionTTL: r.duration("DOCPIPE_SESSION_TTL", 12*time.Hour),
		SessionKey: r.secret("DOCPIPE_SESSION_KEY", ""),
	}
	if w.SessionKey != "" && len(w.SessionKey) < 32 {
		r.fail("DOCPIPE_SESSION_KEY", "want at least 32 random characters, e.g. from `openssl rand -base64 48`")
	}
	if w.PublicURL == "" {
		host, port, _ := net.SplitHostPort(c.Addr)
		if host == "" || host == "0.0.0.0" || host == "::" {
			host = "localhost"
		}
		w.PublicURL = "http://" + net.JoinHostPort(host, port)
	}
	if u, err := url.Parse(w.PublicURL); err != nil || !httpURL(w.PublicURL) || u.Path != "" && u.Path != "/" {
		r.fail("DOCPIPE_PUBLIC_URL", "want the scheme and host browsers use, e.g. https://docs.example.com (no path)")
	}
	switch {
	case role == RoleWeb && w.APIURL == "":
		r.fail("DOCPIPE_API_URL", "required for the web role: the api's base URL, e.g. http://docpipe-api:8080")
	case w.APIURL != "" && !httpURL(w.APIURL):
		r.fail("DOCPIPE_API_URL", "want an http(s) URL such as http://docpipe-api:8080")
	}
	if c.Auth != "oidc" {
		return w
	}
	cl := OIDCClient{
		ID:            r.str("DOCPIPE_OIDC_CLIENT_ID", ""),
		Secret:        r.secret("DOCPIPE_OIDC_CLIENT_SECRET", ""),
		AuthURL:       r.str("DOCPIPE_OIDC_AUTH_URL", ""),
		TokenURL:      r.str("DOCPIPE_OIDC_TOKEN_URL", ""),
		EndSessionURL: r.str("DOCPIPE_OIDC_END_SESSION_URL", ""),
		DiscoveryURL:  r.str("DOCPIPE_OIDC_DISCOVERY_URL", ""),
		ForwardToken:  r.oneOf("DOCPIPE_OIDC_FORWARD_TOKEN", "access", "access", "id"),
	}
	cl.Scopes = strings.FieldsFunc(r.str("DOCPIPE_OIDC_SCOPES", "openid email profile"), func(r rune) bool {
		return r == ' ' || r == ','
	})
	if cl.ID == "" && len(c.OIDC.Audiences) > 0 {
		cl.ID = c.OIDC.Audiences[0]
	}
	cl.SkipDiscovery = cl.AuthURL != "" && cl.TokenURL != ""
	cl.LogoutRedirect = w.PublicURL + "/"
	if cl.ID == "" {
		r.fail("DOCPIPE_OIDC_CLIENT_ID", "required to sign users in when DOCPIPE_AUTH=oidc: the client id registered at the provider")
	}
	hasOpenID := false
	for _, s := range cl.Scopes {
		hasOpenID = hasOpenID || s == "openid"
	}
	if !hasOpenID {
		r.fail("DOCPIPE_OIDC_SCOPES", `must include "openid"`)
	}
	for name, v := range map[string]string{
		"DOCPIPE_OIDC_AUTH_URL": cl.AuthURL, "DOCPIPE_OIDC_TOKEN_URL": cl.TokenURL,
		"DOCPIPE_OIDC_END_SESSION_URL": cl.EndSessionURL, "DOCPIPE_OIDC_DISCOVERY_URL": cl.DiscoveryURL,
	} {
		if v != "" && !httpURL(v) {
			r.fail(name, "want an http(s) URL")
		}
	}
	w.Client = cl
	return w
}
