// Package auth verifies the bearer JWTs that an OpenID Connect provider (Amazon Cognito,
// Microsoft Entra ID, Google, Dex, Keycloak, …) issues, and tells the API who the caller is.
//
// Signatures are checked with the standard library's crypto against the issuer's JSON Web Key
// Set, which is fetched once, cached, and refreshed when a token names a key it does not know.
package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Errors a verification can fail with; match them with errors.Is.
var (
	ErrNoToken     = errors.New("no bearer token")
	ErrMalformed   = errors.New("malformed token")
	ErrAlgorithm   = errors.New("signing algorithm not allowed")
	ErrUnknownKey  = errors.New("unknown signing key")
	ErrSignature   = errors.New("bad signature")
	ErrExpired     = errors.New("token expired")
	ErrNotYetValid = errors.New("token not valid yet")
	ErrIssuer      = errors.New("wrong issuer")
	ErrAudience    = errors.New("wrong audience")
	ErrTokenUse    = errors.New("wrong token_use")
	ErrSubject     = errors.New("no subject")
)

// Config configures a Verifier.
type Config struct {
	// Issuer is the exact value every token's iss claim must have.
	Issuer string
	// JWKSURL is where the signing keys are published. If empty, it is discovered from
	// Issuer + "/.well-known/openid-configuration".
	JWKSURL string
	// Audiences are the accepted values of the aud claim or, for tokens without aud such as
	// Cognito access tokens, of the client_id claim. At least one is required.
	Audiences []string
	// TokenUse, if set, is the required value of Cognito's token_use claim: "access" or "id".
	TokenUse string
	// Leeway is the clock skew allowed on exp, nbf and iat; 60s if zero.
	Leeway time.Duration
	// MinRefresh is the least time between two fetches of the key set, so tokens naming
	// unknown keys cannot make the verifier hammer the issuer; 30s if zero.
	MinRefresh time.Duration
	// HTTPClient fetches discovery and keys; a client with a 10s timeout if nil.
	HTTPClient *http.Client
}

// Verifier verifies bearer JWTs. It is safe for concurrent use.
type Verifier struct {
	cfg    Config
	client *http.Client
	now    func() time.Time
	keys   *keySet
}

// NewVerifier checks cfg and returns a Verifier. It makes no network calls: the keys are fetched
// on the first verification.
func NewVerifier(cfg Config) (*Verifier, error) {
	if cfg.Issuer == "" {
		return nil, errors.New("auth: issuer is required")
	}
	if len(cfg.Audiences) == 0 {
		return nil, errors.New("auth: at least one audience (client id) is required")
	}
	switch cfg.TokenUse {
	case "", "access", "id":
	default:
		return nil, fmt.Errorf("auth: token use %q: want access or id", cfg.TokenUse)
	}
	if cfg.Leeway == 0 {
		cfg.Leeway = 60 * time.Second
	}
	if cfg.MinRefresh == 0 {
		cfg.MinRefresh = 30 * time.Second
	}
	client := cfg.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	v := &Verifier{cfg: cfg, client: client, now: time.Now}
	v.keys = &keySet{v: v, byKID: map[string]publicKey{}}
	return v, nil
}

// Verify checks raw's signature and claims and returns the claims.
func (v *Verifier) Verify(ctx context.Context, raw string) (Claims, error) {
	tok, err := parse(raw)
	if err != nil {
		return Claims{}, err
	}
	if !allowed(tok.header.Alg) {
		return Claims{}, fmt.Errorf("%w: %q", ErrAlgorithm, tok.header.Alg)
	}
	key, err := v.keys.find(ctx, tok.header.Kid, tok.header.Alg)
	if err != nil {
		return Claims{}, err
	}
	if err := verifySignature(tok.header.Alg, key, tok.signed, tok.signature); err != nil {
		return Claims{}, err
	}
	c, err := decodeClaims(tok.payload)
	if err != nil {
		return Claims{}, err
	}
	if err := v.check(c); err != nil {
		return Claims{}, err
	}
	return c, nil
}

// Identify returns the subject of the request's bearer token; it has the type of api.Identify.
func (v *Verifier) Identify(r *http.Request) (string, error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return "", fmt.Errorf("%w: send Authorization: Bearer <token>", ErrNoToken)
	}
	scheme, raw, ok := strings.Cut(h, " ")
	raw = strings.TrimSpace(raw)
	if !ok || !strings.EqualFold(scheme, "Bearer") || raw == "" {
		return "", fmt.Errorf("%w: Authorization header is not Bearer <token>", ErrMalformed)
	}
	c, err := v.Verify(r.Context(), raw)
	if err != nil {
		return "", fmt.Errorf("invalid token: %w", err)
	}
	return c.Subject, nil
}
