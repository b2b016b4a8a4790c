package auth

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"strings"
	"sync"
	"time"
)

// maxKeyAge is how long a fetched key set is trusted before it is fetched again, so a key the
// issuer has withdrawn stops being accepted even if no unknown kid triggers a refresh.
const maxKeyAge = time.Hour

// keySet is the cached JSON Web Key Set.
type keySet struct {
	v       *Verifier
	fetch   sync.Mutex // held while fetching, so concurrent misses cause one request
	mu      sync.RWMutex
	byKID   map[string]publicKey
	fetched time.Time // last successful fetch
	tried   time.Time // last attempt, successful or not
	jwksURL string    // resolved JWKS URL, after discovery if needed
}

// errThrottled says the key set was fetched too recently to be fetched again.
var errThrottled = errors.New("key set fetched recently; not fetching again yet")

// publicKey is one signing key from the key set.
type publicKey struct {
	key crypto.PublicKey // *rsa.PublicKey or *ecdsa.PublicKey
	alg string           // the JWK's alg, if it names one
}

// find returns the key kid names, fetching the key set if it is unknown or old.
func (s *keySet) find(ctx context.Context, kid, alg string) (publicKey, error) {
	key, ok, fresh := s.lookup(kid)
	if ok && fresh {
		return key, nil
	}
	if err := s.refresh(ctx); err != nil {
		if ok {
			if !errors.Is(err, errThrottled) {
				slog.WarnContext(ctx, "auth: refreshing signing keys failed; using cached keys", "err", err)
			}
			return key, nil
		}
		return publicKey{}, fmt.Errorf("%w %q: %w", ErrUnknownKey, kid, err)
	}
	if key, ok, _ = s.lookup(kid); !ok {
		return publicKey{}, fmt.Errorf("%w %q", ErrUnknownKey, kid)
	}
	return key, nil
}

// lookup finds kid in the cache. A token without kid matches a key set of exactly one key.
func (s *keySet) lookup(kid string) (key publicKey, ok, fresh bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if kid == "" && len(s.byKID) == 1 {
		for _, k := range s.byKID {
			key, ok = k, true
		}
	} else {
		key, ok = s.byKID[kid]
	}
	return key, ok, s.v.now().Sub(s.fetched) < maxKeyAge
}

// refresh fetches the key set unless another caller just did or the last attempt is more recent
// than MinRefresh.
func (s *keySet) refresh(ctx context.Context) error {
	s.fetch.Lock()
	defer s.fetch.Unlock()
	now := s.v.now()
	if !s.tried.IsZero() && now.Sub(s.tried) < s.v.cfg.MinRefresh {
		return errThrottled
	}
	s.tried = now
	if s.jwksURL == "" {
		u, err := s.discover(ctx)
		if err != nil {
			return err
		}
		s.jwksURL = u
	}
	var doc struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := s.getJSON(ctx, s.jwksURL, &doc); err != nil {
		return fmt.Errorf("key set: %w", err)
	}
	keys := make(map[string]publicKey, len(doc.Keys))
	for _, raw := range doc.Keys {
		kid, key, err := parseJWK(raw)
		if err != nil {
			slog.WarnContext(ctx, "auth: skipping a key in the key set", "url", s.jwksURL, "kid", kid, "err", err)
			continue
		}
		if key.key != nil {
			keys[kid] = key
		}
	}
	if len(keys) == 0 {
		return fmt.Errorf("key set %s has no usable signing keys", s.jwksURL)
	}
	s.mu.Lock()
	s.byKID, s.fetched = keys, now
	s.mu.Unlock()
	return nil
}

// discover reads the JWKS URL from the issuer's OpenID configuration.
func (s *keySet) discover(ctx context.Context) (string, error) {
	if s.v.cfg.JWKSURL != "" {
		return s.v.cfg.JWKSURL, nil
	}
	u := strings.TrimSuffix(s.v.cfg.Issuer, "/") + "/.well-known/openid-configuration"
	var doc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	if err := s.getJSON(ctx, u, &doc); err != nil {
		return "", fmt.Errorf("discovery: %w", err)
	}
	if doc.Issuer != s.v.cfg.Issuer {
		return "", fmt.Errorf("discovery: %s names issuer %q, want %q", u, doc.Issuer, s.v.cfg.Issuer)
	}
	if doc.JWKSURI == "" {
		return "", fmt.Errorf("discovery: %s has no jwks_uri", u)
	}
	return doc.JWKSURI, nil
}

// unavailableError is a failure to reach the issuer's keys: the token may be fine, so callers
// should answer "try again" rather than "unauthorized".
type unavailableError struct{ err error }

func (e *unavailableError) Error() string   { return "identity provider unavailable: " + e.err.Error() }
func (e *unavailableError) Unwrap() error   { return e.err }
func (e *unavailableError) Temporary() bool { return true }

// getJSON fetches url into v; transport failures and 5xx answers are unavailableErrors.
func (s *keySet) getJSON(ctx context.Context, url string, v any) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := s.v.client.Do(req)
	if err != nil {
		return &unavailableError{err}
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 500 {
		return &unavailableError{fmt.Errorf("GET %s: %s", url, resp.Status)}
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(v); err != nil {
		return fmt.Errorf("GET %s: %w", url, err)
	}
	return nil
}

// parseJWK parses an RSA or EC signing key. Keys of other types or uses (such as symmetric
// "oct" keys) are skipped: they come back with a nil key and no error.
func parseJWK(raw []byte) (string, publicKey, error) {
	var j struct {
		Kty, Kid, Use, Alg string
		N, E               string
		Crv, X, Y          string
	}
	if err := json.Unmarshal(raw, &j); err != nil {
		return "", publicKey{}, err
	}
	if j.Use != "" && j.Use != "sig" {
		return j.Kid, publicKey{}, nil
	}
	switch j.Kty {
	case "RSA":
		k, err := rsaKey(j.N, j.E)
		return j.Kid, publicKey{key: k, alg: j.Alg}, err
	case "EC":
		k, err := ecKey(j.Crv, j.X, j.Y)
		return j.Kid, publicKey{key: k, alg: j.Alg}, err
	}
	return j.Kid, publicKey{}, nil
}

func rsaKey(n, e string) (*rsa.PublicKey, error) {
	nb, err := base64.RawURLEncoding.DecodeString(n)
	if err != nil {
		return nil, fmt.Errorf("RSA n: %w", err)
	}
	eb, err := base64.RawURLEncoding.DecodeString(e)
	if err != nil {
		return nil, fmt.Errorf("RSA e: %w", err)
	}
	k := &rsa.PublicKey{N: new(big.Int).SetBytes(nb)}
	ei := new(big.Int).SetBytes(eb)
	if !ei.IsInt64() || ei.Int64() < 3 || ei.Int64() > 1<<31-1 || ei.Bit(0) == 0 {
		return nil, errors.New("RSA e out of range")
	}
	k.E = int(ei.Int64())
	if k.N.BitLen() < 2048 {
		return nil, fmt.Errorf("RSA key of %d bits; want at least 2048", k.N.BitLen())
	}
	return k, nil
}

func ecKey(crv, x, y string) (*ecdsa.PublicKey, error) {
	var curve elliptic.Curve
	switch crv {
	case "P-256":
		curve = elliptic.P256()
	case "P-384":
		curve = elliptic.P384()
	default:
		return nil, fmt.Errorf("unsupported curve %q", crv)
	}
	size := (curve.Params().BitSize + 7) / 8
	xb, errX := base64.RawURLEncoding.DecodeString(x)
	yb, errY := base64.RawURLEncoding.DecodeString(y)
	if errX != nil || errY != nil || len(xb) != size || len(yb) != size {
		return nil, errors.New("malformed EC coordinates")
	}
	point := append(append([]byte{4}, xb...), yb...)
	k, err := ecdsa.ParseUncompressedPublicKey(curve, point)
	if err != nil {
		return nil, fmt.Errorf("EC key: %w", err)
	}
	return k, nil
}
