package config

import (
	"net/url"
	"strings"
)

// OIDC names the identity provider whose bearer JWTs the API accepts (DOCPIPE_AUTH=oidc).
type OIDC struct {
	Issuer    string   // DOCPIPE_OIDC_ISSUER: the exact iss of accepted tokens
	JWKSURL   string   // DOCPIPE_OIDC_JWKS_URL: the signing keys; discovered from the issuer if empty
	Audiences []string // DOCPIPE_OIDC_AUDIENCE: accepted aud (or Cognito client_id) values, comma-separated
	TokenUse  string   // DOCPIPE_OIDC_TOKEN_USE: Cognito's token_use, "access" or "id"; any if empty
}

func (r *reader) oidc() OIDC {
	o := OIDC{
		Issuer:   r.str("DOCPIPE_OIDC_ISSUER", ""),
		JWKSURL:  r.str("DOCPIPE_OIDC_JWKS_URL", ""),
		TokenUse: r.oneOf("DOCPIPE_OIDC_TOKEN_USE", "", "", "access", "id"),
	}
	for a := range strings.SplitSeq(r.getenv("DOCPIPE_OIDC_AUDIENCE"), ",") {
		if a = strings.TrimSpace(a); a != "" {
			o.Audiences = append(o.Audiences, a)
		}
	}
	switch {
	case o.Issuer == "":
		r.fail("DOCPIPE_OIDC_ISSUER", "required when DOCPIPE_AUTH=oidc, e.g. https://accounts.google.com")
	case !httpURL(o.Issuer):
		r.fail("DOCPIPE_OIDC_ISSUER", "want an http(s) URL, exactly as the tokens' iss claim spells it")
	}
	if o.JWKSURL != "" && !httpURL(o.JWKSURL) {
		r.fail("DOCPIPE_OIDC_JWKS_URL", "want an http(s) URL of a JSON Web Key Set")
	}
	if len(o.Audiences) == 0 {
		if id := r.str("DOCPIPE_OIDC_CLIENT_ID", ""); id != "" {
			o.Audiences = []string{id}
		}
	}
	if len(o.Audiences) == 0 {
		r.fail("DOCPIPE_OIDC_AUDIENCE", "required when DOCPIPE_AUTH=oidc: the client id(s) or API identifier tokens are issued for")
	}
	return o
}

func httpURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}
