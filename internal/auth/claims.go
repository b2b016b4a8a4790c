package auth

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"
)

// Claims are the registered claims of a verified token and the provider-specific ones docpipe
// reads. Times are zero when the claim is absent.
type Claims struct {
	Issuer    string   `json:"iss"`
	Subject   string   `json:"sub"`
	Audience  Audience `json:"aud"`
	Expiry    Time     `json:"exp"`
	NotBefore Time     `json:"nbf"`
	IssuedAt  Time     `json:"iat"`
	ClientID  string   `json:"client_id"` // Cognito access tokens
	TokenUse  string   `json:"token_use"` // Cognito: "access" or "id"
	Scope     string   `json:"scope"`
	Email     string   `json:"email"`
	Name      string   `json:"name"`
}

// Audience is the aud claim, which may be one string or an array of strings.
type Audience []string

// UnmarshalJSON accepts a string or an array of strings.
func (a *Audience) UnmarshalJSON(b []byte) error {
	if bytes.HasPrefix(b, []byte(`"`)) {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*a = Audience{s}
		return nil
	}
	var ss []string
	if err := json.Unmarshal(b, &ss); err != nil {
		return err
	}
	*a = ss
	return nil
}

// Time is a JWT NumericDate: seconds since the epoch, possibly fractional.
type Time struct{ time.Time }

// UnmarshalJSON parses a NumericDate.
func (t *Time) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return fmt.Errorf("not a NumericDate: %s", b)
	}
	sec, frac := math.Modf(f)
	t.Time = time.Unix(int64(sec), int64(frac*1e9)).UTC()
	return nil
}

func decodeClaims(payload []byte) (Claims, error) {
	var c Claims
	if err := json.Unmarshal(payload, &c); err != nil {
		return Claims{}, fmt.Errorf("%w: claims: %w", ErrMalformed, err)
	}
	return c, nil
}

// check validates the claims against the configuration and the clock.
func (v *Verifier) check(c Claims) error {
	now, leeway := v.now(), v.cfg.Leeway
	switch {
	case c.Issuer != v.cfg.Issuer:
		return fmt.Errorf("%w %q", ErrIssuer, c.Issuer)
	case c.Expiry.IsZero():
		return fmt.Errorf("%w: no exp claim", ErrMalformed)
	case now.After(c.Expiry.Add(leeway)):
		return fmt.Errorf("%w at %s", ErrExpired, c.Expiry.Format(time.RFC3339))
	case !c.NotBefore.IsZero() && now.Add(leeway).Before(c.NotBefore.Time):
		return fmt.Errorf("%w: nbf is %s", ErrNotYetValid, c.NotBefore.Format(time.RFC3339))
	case !c.IssuedAt.IsZero() && now.Add(leeway).Before(c.IssuedAt.Time):
		return fmt.Errorf("%w: iat is %s", ErrNotYetValid, c.IssuedAt.Format(time.RFC3339))
	case c.Subject == "":
		return ErrSubject
	case v.cfg.TokenUse != "" && c.TokenUse != v.cfg.TokenUse:
		return fmt.Errorf("%w %q, want %q", ErrTokenUse, c.TokenUse, v.cfg.TokenUse)
	}
	if len(c.Audience) > 0 {
		for _, a := range c.Audience {
			if slices.Contains(v.cfg.Audiences, a) {
				return nil
			}
		}
		return fmt.Errorf("%w %q", ErrAudience, []string(c.Audience))
	}
	if c.ClientID == "" || !slices.Contains(v.cfg.Audiences, c.ClientID) {
		return fmt.Errorf("%w: client_id %q", ErrAudience, c.ClientID)
	}
	return nil
}
