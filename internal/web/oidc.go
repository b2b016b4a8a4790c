package web

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/docpipe/docpipe/internal/auth"
)

// OIDC is the sign-in client: the authorization code flow with PKCE (S256), state and nonce,
// against any OpenID Connect provider.
type OIDC struct {
	Issuer        string
	ClientID      string
	ClientSecret  string // optional: a public client relies on PKCE alone
	Scopes        []string
	RedirectURL   string // PUBLIC_URL/auth/callback
	AuthURL       string // discovered if empty
	TokenURL      string // discovered if empty
	EndSessionURL string // discovered if empty; no RP-initiated logout if still empty
	DiscoveryURL  string // issuer + /.well-known/openid-configuration if empty
	JWKSURL       string // discovered by the verifier if empty
	LogoutURL     string // where the provider sends the browser after logout
	ForwardID     bool   // send the ID token to the API, for providers whose access tokens are opaque (Google)
	HTTP          *http.Client

	verifier *auth.Verifier
}

// Setup discovers the endpoints that were not given and prepares ID token verification.
func (o *OIDC) Setup(ctx context.Context) error {
	if o.HTTP == nil {
		o.HTTP = &http.Client{Timeout: 10 * time.Second}
	}
	if o.AuthURL == "" || o.TokenURL == "" {
		u := o.DiscoveryURL
		if u == "" {
			u = strings.TrimRight(o.Issuer, "/") + "/.well-known/openid-configuration"
		}
		var doc struct {
			Issuer        string `json:"issuer"`
			Authorization string `json:"authorization_endpoint"`
			Token         string `json:"token_endpoint"`
			EndSession    string `json:"end_session_endpoint"`
			JWKS          string `json:"jwks_uri"`
		}
		if err := o.getJSON(ctx, u, &doc); err != nil {
			return fmt.Errorf("oidc discovery: %w", err)
		}
		if doc.Issuer != o.Issuer {
			return fmt.Errorf("oidc discovery: %s names issuer %q, want %q", u, doc.Issuer, o.Issuer)
		}
		o.AuthURL = cmp(o.AuthURL, doc.Authorization)
		o.TokenURL = cmp(o.TokenURL, doc.Token)
		o.EndSessionURL = cmp(o.EndSessionURL, doc.EndSession)
		o.JWKSURL = cmp(o.JWKSURL, doc.JWKS)
		if o.AuthURL == "" || o.TokenURL == "" {
			return fmt.Errorf("oidc discovery: %s has no authorization or token endpoint", u)
		}
	}
	v, err := auth.NewVerifier(auth.Config{
		Issuer: o.Issuer, JWKSURL: o.JWKSURL, Audiences: []string{o.ClientID}, HTTPClient: o.HTTP,
	})
	if err != nil {
		return fmt.Errorf("oidc: %w", err)
	}
	o.verifier = v
	return nil
}

func cmp(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// authRequest is one sign-in in flight; it lives in the session until the callback.
type authRequest struct {
	State, Nonce, Verifier string
}

func newAuthRequest() authRequest {
	return authRequest{State: randomString(24), Nonce: randomString(24), Verifier: randomString(48)}
}

// AuthCodeURL is where the browser is sent to sign in.
func (o *OIDC) AuthCodeURL(a authRequest) string {
	sum := sha256.Sum256([]byte(a.Verifier))
	q := url.Values{
		"response_type":         {"code"},
		"client_id":             {o.ClientID},
		"redirect_uri":          {o.RedirectURL},
		"scope":                 {strings.Join(o.Scopes, " ")},
		"state":                 {a.State},
		"nonce":                 {a.Nonce},
		"code_challenge":        {base64.RawURLEncoding.EncodeToString(sum[:])},
		"code_challenge_method": {"S256"},
	}
	sep := "?"
	if strings.Contains(o.AuthURL, "?") {
		sep = "&"
	}
	return o.AuthURL + sep + q.Encode()
}

// tokens is what the token endpoint answers.
type tokens struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	IDToken      string `json:"id_token"`
	ExpiresIn    int64  `json:"expires_in"`
	TokenType    string `json:"token_type"`
}

// identity is who signed in.
type identity struct {
	Subject, Name string
}

// Exchange trades the authorization code for tokens and verifies the ID token and its nonce.
func (o *OIDC) Exchange(ctx context.Context, code string, a authRequest) (tokens, identity, error) {
	t, err := o.token(ctx, url.Values{
		"grant_type":    {"authorization_code"},
		"code":          {code},
		"redirect_uri":  {o.RedirectURL},
		"code_verifier": {a.Verifier},
	})
	if err != nil {
		return tokens{}, identity{}, err
	}
	if t.IDToken == "" {
		return tokens{}, identity{}, errors.New("oidc: the token endpoint returned no id_token; is the openid scope allowed?")
	}
	id, err := o.verifyID(ctx, t.IDToken, a.Nonce)
	if err != nil {
		return tokens{}, identity{}, err
	}
	return t, id, nil
}

// Refresh uses a refresh token for new tokens. Providers may or may not rotate the refresh
// token or return a new ID token.
func (o *OIDC) Refresh(ctx context.Context, refreshToken string) (tokens, error) {
	t, err := o.token(ctx, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refreshToken}})
	if err != nil {
		return tokens{}, err
	}
	if t.RefreshToken == "" {
		t.RefreshToken = refreshToken
	}
	return t, nil
}

// LogoutURL is the provider's end-session URL for the session, or "" if it has none.
func (o *OIDC) logoutURL(idToken string) string {
	if o.EndSessionURL == "" {
		return ""
	}
	q := url.Values{"client_id": {o.ClientID}, "post_logout_redirect_uri": {o.LogoutURL}}
	if idToken != "" {
		q.Set("id_token_hint", idToken)
	}
	sep := "?"
	if strings.Contains(o.EndSessionURL, "?") {
		sep = "&"
	}
	return o.EndSessionURL + sep + q.Encode()
}

func (o *OIDC) verifyID(ctx context.Context, raw, nonce string) (identity, error) {
	c, err := o.verifier.Verify(ctx, raw)
	if err != nil {
		return identity{}, fmt.Errorf("oidc: id token: %w", err)
	}
	var extra struct {
		Nonce string `json:"nonce"`
		Name  string `json:"preferred_username"`
	}
	parts := strings.Split(raw, ".")
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if len(parts) != 3 || err != nil || json.Unmarshal(payload, &extra) != nil {
		return identity{}, errors.New("oidc: id token: malformed payload")
	}
	if subtle.ConstantTimeCompare([]byte(extra.Nonce), []byte(nonce)) != 1 {
		return identity{}, errors.New("oidc: id token: nonce does not match the sign-in request")
	}
	name := c.Email
	if name == "" {
		name = cmp(c.Name, extra.Name)
	}
	return identity{Subject: c.Subject, Name: cmp(name, c.Subject)}, nil
}

// jwtExpiry reads the exp claim of a JWT the token endpoint sent; the API verifies it.
func jwtExpiry(raw string) (time.Time, bool) {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return time.Time{}, false
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	var c struct {
		Exp int64 `json:"exp"`
	}
	if err != nil || json.Unmarshal(payload, &c) != nil || c.Exp == 0 {
		return time.Time{}, false
	}
	return time.Unix(c.Exp, 0), true
}

func (o *OIDC) token(ctx context.Context, form url.Values) (tokens, error) {
	if o.ClientSecret == "" {
		form.Set("client_id", o.ClientID)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, o.TokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return tokens{}, fmt.Errorf("oidc token request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	if o.ClientSecret != "" {
		req.SetBasicAuth(url.QueryEscape(o.ClientID), url.QueryEscape(o.ClientSecret))
	}
	resp, err := o.HTTP.Do(req)
	if err != nil {
		return tokens{}, fmt.Errorf("oidc token endpoint: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error       string `json:"error"`
			Description string `json:"error_description"`
		}
		_ = json.Unmarshal(body, &e)
		return tokens{}, fmt.Errorf("oidc token endpoint: %s: %s %s", resp.Status, e.Error, e.Description)
	}
	var t tokens
	if err := json.Unmarshal(body, &t); err != nil || t.AccessToken == "" {
		return tokens{}, fmt.Errorf("oidc token endpoint: answer without an access_token")
	}
	return t, nil
}

func (o *OIDC) getJSON(ctx context.Context, u string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := o.HTTP.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	return json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(v)
}
