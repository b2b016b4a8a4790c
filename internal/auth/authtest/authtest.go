// Package authtest runs an OpenID Connect token issuer for tests: it serves discovery and a
// JSON Web Key Set over HTTP and signs tokens with keys the test adds, rotates and removes.
package authtest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Issuer is a running test issuer. Its URL is the issuer identifier.
type Issuer struct {
	URL     string // the issuer, e.g. http://127.0.0.1:1234
	JWKSURL string

	t       testing.TB
	mu      sync.Mutex
	keys    map[string]key
	order   []string
	fetches atomic.Int64
}

type key struct {
	alg       string
	signer    crypto.Signer
	withdrawn bool
}

// NewIssuer starts an issuer that is stopped when the test ends.
func NewIssuer(t testing.TB) *Issuer {
	t.Helper()
	iss := &Issuer{t: t, keys: map[string]key{}}
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	iss.URL, iss.JWKSURL = srv.URL, srv.URL+"/keys"
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, map[string]any{"issuer": iss.URL, "jwks_uri": iss.JWKSURL})
	})
	mux.HandleFunc("GET /keys", func(w http.ResponseWriter, r *http.Request) {
		iss.fetches.Add(1)
		writeJSON(w, iss.jwks())
	})
	return iss
}

// Fetches counts the requests for the key set.
func (iss *Issuer) Fetches() int { return int(iss.fetches.Load()) }

// AddRSAKey publishes a new 2048-bit RSA key for alg (RS256, RS384, RS512 or PS256).
func (iss *Issuer) AddRSAKey(kid, alg string) {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		iss.t.Fatal(err)
	}
	iss.add(kid, key{alg: alg, signer: k})
}

// AddECKey publishes a new EC key for alg (ES256 on P-256 or ES384 on P-384).
func (iss *Issuer) AddECKey(kid, alg string) {
	curve := elliptic.P256()
	if alg == "ES384" {
		curve = elliptic.P384()
	}
	k, err := ecdsa.GenerateKey(curve, rand.Reader)
	if err != nil {
		iss.t.Fatal(err)
	}
	iss.add(kid, key{alg: alg, signer: k})
}

func (iss *Issuer) add(kid string, k key) {
	iss.mu.Lock()
	defer iss.mu.Unlock()
	iss.keys[kid] = k
	iss.order = append(iss.order, kid)
}

// RemoveKey withdraws a key from the key set; Sign can still use it, as a leaked key could.
func (iss *Issuer) RemoveKey(kid string) {
	iss.mu.Lock()
	defer iss.mu.Unlock()
	k := iss.keys[kid]
	k.withdrawn = true
	iss.keys[kid] = k
}

// PublicKey returns the public half of a key.
func (iss *Issuer) PublicKey(kid string) crypto.PublicKey {
	iss.mu.Lock()
	defer iss.mu.Unlock()
	return iss.keys[kid].signer.Public()
}

// Claims returns valid claims for sub and audience aud, issued now and expiring in an hour.
func (iss *Issuer) Claims(sub, aud string) map[string]any {
	now := time.Now()
	return map[string]any{
		"iss": iss.URL, "sub": sub, "aud": aud,
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
	}
}

// Token signs a token for sub and aud with the key kid.
func (iss *Issuer) Token(kid, sub, aud string) string {
	return iss.Sign(kid, iss.Claims(sub, aud))
}

// Sign signs claims with the key kid, naming the key's alg and kid in the header.
func (iss *Issuer) Sign(kid string, claims map[string]any) string {
	iss.mu.Lock()
	k, ok := iss.keys[kid]
	iss.mu.Unlock()
	if !ok {
		iss.t.Fatalf("authtest: no key %q", kid)
	}
	signing := Encode(map[string]any{"alg": k.alg, "kid": kid, "typ": "JWT"}, claims)
	return signing + "." + base64.RawURLEncoding.EncodeToString(iss.signature(k, []byte(signing)))
}

// Encode returns the first two parts of a compact JWS: the header and claims, base64url-encoded.
func Encode(header, claims map[string]any) string {
	h, _ := json.Marshal(header)
	c, _ := json.Marshal(claims)
	return base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(c)
}

func (iss *Issuer) signature(k key, signing []byte) []byte {
	var hash crypto.Hash
	var digest []byte
	switch k.alg {
	case "RS384", "ES384":
		hash = crypto.SHA384
		d := sha512.Sum384(signing)
		digest = d[:]
	case "RS512":
		hash = crypto.SHA512
		d := sha512.Sum512(signing)
		digest = d[:]
	default:
		hash = crypto.SHA256
		d := sha256.Sum256(signing)
		digest = d[:]
	}
	var sig []byte
	var err error
	switch s := k.signer.(type) {
	case *rsa.PrivateKey:
		if k.alg == "PS256" {
			sig, err = rsa.SignPSS(rand.Reader, s, hash, digest, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
		} else {
			sig, err = rsa.SignPKCS1v15(rand.Reader, s, hash, digest)
		}
	case *ecdsa.PrivateKey:
		var r, ss *big.Int
		r, ss, err = ecdsa.Sign(rand.Reader, s, digest)
		size := (s.Curve.Params().BitSize + 7) / 8
		sig = make([]byte, 2*size)
		if err == nil {
			r.FillBytes(sig[:size])
			ss.FillBytes(sig[size:])
		}
	}
	if err != nil {
		iss.t.Fatal(err)
	}
	return sig
}

func (iss *Issuer) jwks() map[string]any {
	iss.mu.Lock()
	defer iss.mu.Unlock()
	b64 := base64.RawURLEncoding.EncodeToString
	var keys []map[string]any
	for _, kid := range iss.order {
		k := iss.keys[kid]
		if k.withdrawn {
			continue
		}
		jwk := map[string]any{"kid": kid, "alg": k.alg, "use": "sig"}
		switch pub := k.signer.Public().(type) {
		case *rsa.PublicKey:
			jwk["kty"], jwk["n"], jwk["e"] = "RSA", b64(pub.N.Bytes()), b64(big.NewInt(int64(pub.E)).Bytes())
		case *ecdsa.PublicKey:
			size := (pub.Curve.Params().BitSize + 7) / 8
			pt, err := pub.Bytes()
			if err != nil {
				iss.t.Fatal(err)
			}
			x, y := pt[1:1+size], pt[1+size:]
			jwk["kty"], jwk["crv"], jwk["x"], jwk["y"] = "EC", pub.Curve.Params().Name, b64(x), b64(y)
		}
		keys = append(keys, jwk)
	}
	return map[string]any{"keys": keys}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}
