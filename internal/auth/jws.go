package auth

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	_ "crypto/sha256" // SHA-256 for RS256, PS256, ES256
	_ "crypto/sha512" // SHA-384 and SHA-512
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"strings"
)

// header is a JWS protected header.
type header struct {
	Alg  string   `json:"alg"`
	Kid  string   `json:"kid"`
	Typ  string   `json:"typ"`
	Crit []string `json:"crit"`
}

// token is a compact-serialized JWS split into its parts.
type token struct {
	header    header
	payload   []byte
	signed    []byte // the header and payload as transmitted, which the signature covers
	signature []byte
}

// maxTokenLen bounds the work a caller can cause with one header.
const maxTokenLen = 16 << 10

func parse(raw string) (token, error) {
	if len(raw) > maxTokenLen {
		return token{}, fmt.Errorf("%w: longer than %d bytes", ErrMalformed, maxTokenLen)
	}
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return token{}, fmt.Errorf("%w: want three dot-separated parts", ErrMalformed)
	}
	var t token
	h, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return token{}, fmt.Errorf("%w: header: %w", ErrMalformed, err)
	}
	if err := json.Unmarshal(h, &t.header); err != nil {
		return token{}, fmt.Errorf("%w: header: %w", ErrMalformed, err)
	}
	if len(t.header.Crit) > 0 {
		return token{}, fmt.Errorf("%w: unsupported critical header parameters %v", ErrMalformed, t.header.Crit)
	}
	if t.payload, err = base64.RawURLEncoding.DecodeString(parts[1]); err != nil {
		return token{}, fmt.Errorf("%w: payload: %w", ErrMalformed, err)
	}
	if t.signature, err = base64.RawURLEncoding.DecodeString(parts[2]); err != nil {
		return token{}, fmt.Errorf("%w: signature: %w", ErrMalformed, err)
	}
	t.signed = []byte(raw[:len(parts[0])+1+len(parts[1])])
	return t, nil
}

// algorithms are the accepted JWS algorithms and their hashes. Symmetric (HS*) and unsigned
// ("none") tokens are not accepted.
var algorithms = map[string]crypto.Hash{
	"RS256": crypto.SHA256,
	"RS384": crypto.SHA384,
	"RS512": crypto.SHA512,
	"PS256": crypto.SHA256,
	"ES256": crypto.SHA256,
	"ES384": crypto.SHA384,
}

func allowed(alg string) bool {
	_, ok := algorithms[alg]
	return ok
}

// verifySignature checks sig over signed with key under alg; the key's type must suit alg.
func verifySignature(alg string, key publicKey, signed, sig []byte) error {
	if key.alg != "" && key.alg != alg {
		return fmt.Errorf("%w: token says %s but key is for %s", ErrAlgorithm, alg, key.alg)
	}
	hash := algorithms[alg]
	h := hash.New()
	h.Write(signed)
	digest := h.Sum(nil)
	switch k := key.key.(type) {
	case *rsa.PublicKey:
		var err error
		switch alg[:2] {
		case "RS":
			err = rsa.VerifyPKCS1v15(k, hash, digest, sig)
		case "PS":
			err = rsa.VerifyPSS(k, hash, digest, sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
		default:
			return fmt.Errorf("%w: %s with an RSA key", ErrAlgorithm, alg)
		}
		if err != nil {
			return fmt.Errorf("%w: %w", ErrSignature, err)
		}
		return nil
	case *ecdsa.PublicKey:
		size := (k.Curve.Params().BitSize + 7) / 8
		if alg[:2] != "ES" || size != hash.Size() {
			return fmt.Errorf("%w: %s with a %s key", ErrAlgorithm, alg, k.Curve.Params().Name)
		}
		if len(sig) != 2*size {
			return fmt.Errorf("%w: ECDSA signature of %d bytes, want %d", ErrSignature, len(sig), 2*size)
		}
		r, s := new(big.Int).SetBytes(sig[:size]), new(big.Int).SetBytes(sig[size:])
		if !ecdsa.Verify(k, digest, r, s) {
			return ErrSignature
		}
		return nil
	}
	return fmt.Errorf("%w: no usable key", ErrAlgorithm)
}
