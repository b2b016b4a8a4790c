package web

import (
	"bytes"
	"compress/flate"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Sealed cookies: the session itself, compressed and encrypted with AES-256-GCM, split over
// cookies of at most chunkSize characters. Every replica that has the key reads every
// session, so no shared store and no sticky load balancing is needed. The price: a session
// cannot be revoked on the server, so a copied cookie works until it expires even after sign
// out; maxSessionAge caps that however much the copy is used.
const (
	chunkSize = 3800 // below browsers' 4096 bytes per cookie, name and attributes included
	maxChunks = 4
	// resealAfter bounds how often a used session's cookie is rewritten to extend its life.
	resealAfter = 5 * time.Minute
	// maxSessionAge bounds a sealed session however often it is used: a copied cookie cannot
	// be revoked, so its life must end on its own.
	maxSessionAge = 7 * 24 * time.Hour
	// sealedMaxBytes bounds what a request's cookies may make us decrypt and inflate.
	sealedMaxBytes = 64 << 10
)

// SessionKey derives the key that seals session cookies from secret, a secret of at least 16
// bytes that every replica shares: DOCPIPE_SESSION_KEY or, failing that, the OIDC client secret.
func SessionKey(secret string) ([]byte, error) {
	if len(secret) < 16 {
		return nil, errors.New("web: a session secret needs at least 16 bytes")
	}
	return hkdf.Key(sha256.New, []byte(secret), nil, "docpipe web session v1", 32)
}

type sealed struct {
	cookieJar
	aead      cipher.AEAD
	ttl       time.Duration
	now       func() time.Time
	log       *slog.Logger
	forwardID bool // the ID token, not the access token, is what the API gets
}

// errTooLarge is a session that its cookies cannot hold.
var errTooLarge = errors.New("sealed session is more than its cookies hold")

func newSealed(jar cookieJar, key []byte, ttl time.Duration, log *slog.Logger) (*sealed, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("web: session key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("web: session key: %w", err)
	}
	return &sealed{cookieJar: jar, aead: aead, ttl: ttl, now: time.Now, log: log}, nil
}

// chunkName is the name of the cookie holding part i of a sealed session.
func (s *sealed) chunkName(i int) string {
	if i == 0 {
		return s.name
	}
	return s.name + "." + strconv.Itoa(i)
}

func (s *sealed) load(w http.ResponseWriter, r *http.Request) (session, bool) {
	var value strings.Builder
	for i := range maxChunks {
		c, err := r.Cookie(s.chunkName(i))
		if err != nil {
			break
		}
		value.WriteString(c.Value)
	}
	ss, err := s.open(value.String())
	if err != nil {
		return session{}, false
	}
	now := s.now()
	if now.After(ss.Expires) || now.Sub(ss.Started) > maxSessionAge {
		return session{}, false
	}
	if ss.Expires.Sub(now) < lifetime(s.ttl, &ss)-resealAfter {
		s.save(w, ss)
	}
	return ss, true
}

// save seals ss into its cookies. Tokens are most of a session: when they are too large, save
// drops in turn what the session can do without, so that signing in still works. First the
// token the API never gets (the ID token is then no hint at sign-out; the access token is
// unused when the ID token is forwarded), then the refresh token (the session then ends when
// its token expires).
func (s *sealed) save(w http.ResponseWriter, ss session) {
	ss.Expires = s.now().Add(lifetime(s.ttl, &ss))
	unused, unusedName := &ss.IDToken, "ID token"
	if s.forwardID {
		unused, unusedName = &ss.AccessToken, "access token"
	}
	value, err := s.seal(ss)
	for _, spare := range []struct {
		field *string
		name  string
	}{{unused, unusedName}, {&ss.RefreshToken, "refresh token"}} {
		if !errors.Is(err, errTooLarge) || *spare.field == "" {
			continue
		}
		s.log.Warn("session too large for its cookies; dropping a token", "token", spare.name, "sub", ss.Subject)
		*spare.field = ""
		value, err = s.seal(ss)
	}
	if err != nil {
		s.log.Error("session not saved", "err", err, "sub", ss.Subject)
		return
	}
	for i := range maxChunks {
		if value == "" {
			s.set(w, s.chunkName(i), "", -1)
			continue
		}
		n := min(len(value), chunkSize)
		s.set(w, s.chunkName(i), value[:n], 0)
		value = value[n:]
	}
}

func (s *sealed) end(w http.ResponseWriter, _ session) {
	for i := range maxChunks {
		s.set(w, s.chunkName(i), "", -1)
	}
}

// seal returns ss compressed, encrypted and base64url-encoded; the cookie name is bound in as
// additional data, so a sealed value is good only under its own name.
func (s *sealed) seal(ss session) (string, error) {
	var buf bytes.Buffer
	zw, _ := flate.NewWriter(&buf, flate.BestCompression)
	if err := json.NewEncoder(zw).Encode(ss); err != nil {
		return "", err
	}
	if err := zw.Close(); err != nil {
		return "", err
	}
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+buf.Len()+s.aead.Overhead())
	_, _ = rand.Read(nonce)
	out := base64.RawURLEncoding.EncodeToString(s.aead.Seal(nonce, nonce, buf.Bytes(), []byte(s.name)))
	if len(out) > chunkSize*maxChunks {
		return "", fmt.Errorf("%w: %d bytes in at most %d cookies", errTooLarge, len(out), maxChunks)
	}
	return out, nil
}

// open reverses seal; anything forged, truncated or sealed with another key is an error.
func (s *sealed) open(value string) (session, error) {
	if value == "" || len(value) > chunkSize*maxChunks {
		return session{}, errors.New("no sealed session")
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(value)
	if err != nil || len(raw) < s.aead.NonceSize() {
		return session{}, errors.New("malformed sealed session")
	}
	n := s.aead.NonceSize()
	plain, err := s.aead.Open(nil, raw[:n], raw[n:], []byte(s.name))
	if err != nil {
		return session{}, err
	}
	var ss session
	dec := json.NewDecoder(io.LimitReader(flate.NewReader(bytes.NewReader(plain)), sealedMaxBytes))
	if err := dec.Decode(&ss); err != nil {
		return session{}, err
	}
	return ss, nil
}
