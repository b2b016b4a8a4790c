package auth

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/docpipe/docpipe/internal/auth/authtest"
)

const aud = "docpipe-client"

func newIssuer(t *testing.T) *authtest.Issuer {
	t.Helper()
	iss := authtest.NewIssuer(t)
	iss.AddRSAKey("rsa", "RS256")
	iss.AddRSAKey("rsa512", "RS512")
	iss.AddRSAKey("pss", "PS256")
	iss.AddECKey("ec", "ES256")
	iss.AddECKey("ec384", "ES384")
	return iss
}

func newVerifier(t *testing.T, cfg Config) *Verifier {
	t.Helper()
	v, err := NewVerifier(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func with(claims map[string]any, kv ...any) map[string]any {
	for i := 0; i < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(claims, kv[i].(string))
		} else {
			claims[kv[i].(string)] = kv[i+1]
		}
	}
	return claims
}

func TestVerify(t *testing.T) {
	iss := newIssuer(t)
	now := time.Now()
	valid := func() map[string]any { return iss.Claims("alice", aud) }
	b64 := base64.RawURLEncoding.EncodeToString

	pemKey, err := x509.MarshalPKIXPublicKey(iss.PublicKey("rsa"))
	if err != nil {
		t.Fatal(err)
	}
	hsSigning := authtest.Encode(map[string]any{"alg": "HS256", "kid": "rsa", "typ": "JWT"}, valid())
	mac := hmac.New(sha256.New, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pemKey}))
	mac.Write([]byte(hsSigning))
	hs256 := hsSigning + "." + b64(mac.Sum(nil))

	good := iss.Token("rsa", "alice", aud)
	parts := strings.Split(good, ".")
	tampered := parts[0] + "." + strings.Split(authtest.Encode(nil, with(valid(), "sub", "mallory")), ".")[1] + "." + parts[2]
	rsAsEC := strings.Split(iss.Token("rsa", "alice", aud), ".")
	ecHeader := strings.Split(authtest.Encode(map[string]any{"alg": "RS256", "kid": "ec"}, nil), ".")[0]

	tests := []struct {
		name     string
		token    string
		tokenUse string
		wantSub  string
		wantErr  error
	}{
		{"RS256", good, "", "alice", nil},
		{"RS512", iss.Token("rsa512", "alice", aud), "", "alice", nil},
		{"PS256", iss.Token("pss", "alice", aud), "", "alice", nil},
		{"ES256", iss.Token("ec", "alice", aud), "", "alice", nil},
		{"ES384", iss.Token("ec384", "alice", aud), "", "alice", nil},
		{"aud array", iss.Sign("rsa", with(valid(), "aud", []string{"other", aud})), "", "alice", nil},
		{"client_id without aud", iss.Sign("rsa", with(valid(), "aud", nil, "client_id", aud)), "", "alice", nil},
		{"expired within leeway", iss.Sign("rsa", with(valid(), "exp", now.Add(-30*time.Second).Unix())), "", "alice", nil},
		{"token_use access", iss.Sign("rsa", with(valid(), "token_use", "access")), "access", "alice", nil},
		{"expired", iss.Sign("rsa", with(valid(), "exp", now.Add(-2*time.Minute).Unix())), "", "", ErrExpired},
		{"no exp", iss.Sign("rsa", with(valid(), "exp", nil)), "", "", ErrMalformed},
		{"not yet valid", iss.Sign("rsa", with(valid(), "nbf", now.Add(5*time.Minute).Unix())), "", "", ErrNotYetValid},
		{"issued in the future", iss.Sign("rsa", with(valid(), "iat", now.Add(5*time.Minute).Unix())), "", "", ErrNotYetValid},
		{"wrong audience", iss.Token("rsa", "alice", "someone-else"), "", "", ErrAudience},
		{"wrong client_id", iss.Sign("rsa", with(valid(), "aud", nil, "client_id", "someone-else")), "", "", ErrAudience},
		{"neither aud nor client_id", iss.Sign("rsa", with(valid(), "aud", nil)), "", "", ErrAudience},
		{"wrong issuer", iss.Sign("rsa", with(valid(), "iss", iss.URL+"/")), "", "", ErrIssuer},
		{"missing sub", iss.Sign("rsa", with(valid(), "sub", nil)), "", "", ErrSubject},
		{"wrong token_use", iss.Sign("rsa", with(valid(), "token_use", "id")), "access", "", ErrTokenUse},
		{"missing token_use", good, "access", "", ErrTokenUse},
		{"alg none", authtest.Encode(map[string]any{"alg": "none"}, valid()) + ".", "", "", ErrAlgorithm},
		{"alg none with kid", authtest.Encode(map[string]any{"alg": "none", "kid": "rsa"}, valid()) + ".", "", "", ErrAlgorithm},
		{"HS256 keyed with the RSA public key", hs256, "", "", ErrAlgorithm},
		{"RS256 header on an EC key", ecHeader + "." + rsAsEC[1] + "." + rsAsEC[2], "", "", ErrAlgorithm},
		{"tampered payload", tampered, "", "", ErrSignature},
		{"signature of another key", parts[0] + "." + parts[1] + "." + strings.Split(iss.Token("rsa512", "alice", aud), ".")[2], "", "", ErrSignature},
		{"unknown kid", authtest.Encode(map[string]any{"alg": "RS256", "kid": "nope"}, valid()) + "." + parts[2], "", "", ErrUnknownKey},
		{"two parts", parts[0] + "." + parts[1], "", "", ErrMalformed},
		{"garbage", "not a token", "", "", ErrMalformed},
		{"critical header", authtest.Encode(map[string]any{"alg": "RS256", "kid": "rsa", "crit": []string{"exp"}}, valid()) + "." + parts[2], "", "", ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := newVerifier(t, Config{Issuer: iss.URL, Audiences: []string{aud}, TokenUse: tt.tokenUse})
			c, err := v.Verify(context.Background(), tt.token)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Verify error = %v, want %v", err, tt.wantErr)
			}
			if got := c.Subject; got != tt.wantSub {
				t.Errorf("Subject = %q, want %q", got, tt.wantSub)
			}
		})
	}
}

func TestKeyRotation(t *testing.T) {
	iss := authtest.NewIssuer(t)
	iss.AddRSAKey("old", "RS256")
	clock := time.Now()
	v := newVerifier(t, Config{Issuer: iss.URL, JWKSURL: iss.JWKSURL, Audiences: []string{aud}, MinRefresh: time.Minute})
	v.now = func() time.Time { return clock }
	verify := func(kid string) error {
		claims := with(iss.Claims("alice", aud), "iat", clock.Unix(), "exp", clock.Add(time.Hour).Unix())
		_, err := v.Verify(context.Background(), iss.Sign(kid, claims))
		return err
	}

	if err := verify("old"); err != nil {
		t.Fatalf("old key before rotation: %v", err)
	}
	iss.AddECKey("new", "ES256")
	if err := verify("new"); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("new key within MinRefresh of the last fetch: err = %v, want ErrUnknownKey", err)
	}
	clock = clock.Add(2 * time.Minute)
	if err := verify("new"); err != nil {
		t.Errorf("new key after refresh: %v", err)
	}
	if err := verify("old"); err != nil {
		t.Errorf("old key still published: %v", err)
	}
	iss.RemoveKey("old")
	clock = clock.Add(maxKeyAge + time.Minute)
	if err := verify("old"); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("old key after withdrawal: err = %v, want ErrUnknownKey", err)
	}
	if err := verify("new"); err != nil {
		t.Errorf("new key after withdrawal of old: %v", err)
	}
	if got, want := iss.Fetches(), 3; got != want {
		t.Errorf("key set fetched %d times, want %d", got, want)
	}
}

func TestUnknownKidFloodIsRateLimited(t *testing.T) {
	iss := authtest.NewIssuer(t)
	iss.AddRSAKey("k", "RS256")
	v := newVerifier(t, Config{Issuer: iss.URL, Audiences: []string{aud}})
	sig := strings.Split(iss.Token("k", "alice", aud), ".")[2]
	var wg sync.WaitGroup
	for i := range 200 {
		wg.Go(func() {
			tok := authtest.Encode(map[string]any{"alg": "RS256", "kid": "flood-" + strconv.Itoa(i)}, iss.Claims("x", aud)) + "." + sig
			if _, err := v.Verify(context.Background(), tok); !errors.Is(err, ErrUnknownKey) {
				t.Errorf("err = %v, want ErrUnknownKey", err)
			}
		})
	}
	wg.Wait()
	if got := iss.Fetches(); got != 1 {
		t.Errorf("200 unknown kids fetched the key set %d times, want 1", got)
	}
	if _, err := v.Verify(context.Background(), iss.Token("k", "alice", aud)); err != nil {
		t.Errorf("known key after the flood: %v", err)
	}
}

func TestDiscoveryIssuerMismatch(t *testing.T) {
	iss := newIssuer(t)
	v := newVerifier(t, Config{Issuer: iss.URL + "/", Audiences: []string{aud}})
	_, err := v.Verify(context.Background(), iss.Sign("rsa", with(iss.Claims("alice", aud), "iss", iss.URL+"/")))
	if err == nil || !strings.Contains(err.Error(), "discovery") {
		t.Errorf("err = %v, want a discovery error", err)
	}
}

func TestIdentify(t *testing.T) {
	iss := newIssuer(t)
	v := newVerifier(t, Config{Issuer: iss.URL, Audiences: []string{aud}})
	tests := []struct {
		name, header string
		want         string
		wantErr      error
	}{
		{"bearer", "Bearer " + iss.Token("ec", "alice", aud), "alice", nil},
		{"lower-case scheme", "bearer " + iss.Token("ec", "bob", aud), "bob", nil},
		{"no header", "", "", ErrNoToken},
		{"basic", "Basic YWxpY2U6c2VjcmV0", "", ErrMalformed},
		{"empty bearer", "Bearer ", "", ErrMalformed},
		{"bad token", "Bearer " + iss.Token("ec", "alice", "other"), "", ErrAudience},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/v1/documents", nil)
			if tt.header != "" {
				r.Header.Set("Authorization", tt.header)
			}
			got, err := v.Identify(r)
			if !errors.Is(err, tt.wantErr) || got != tt.want {
				t.Errorf("Identify = %q, %v; want %q, %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestNewVerifierChecksConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
	}{
		{"no issuer", Config{Audiences: []string{aud}}},
		{"no audience", Config{Issuer: "https://issuer.example"}},
		{"bad token use", Config{Issuer: "https://issuer.example", Audiences: []string{aud}, TokenUse: "refresh"}},
	}
	for _, tt := range tests {
		if _, err := NewVerifier(tt.cfg); err == nil {
			t.Errorf("%s: NewVerifier succeeded, want an error", tt.name)
		}
	}
}
