package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestLoadDefaults(t *testing.T) {
	c, err := Load(RoleServe, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Auth != "none" {
		t.Errorf("Auth = %q, want none for serve", c.Auth)
	}
	if got, want := c.SQLitePath(), filepath.Join("data", "docpipe.db"); got != want {
		t.Errorf("SQLitePath = %q, want %q", got, want)
	}
	abs, _ := filepath.Abs("data/blobs")
	if got, want := c.BlobURL, "file://"+abs+"?no_tmp_dir=true"; got != want {
		t.Errorf("BlobURL = %q, want %q", got, want)
	}
	if c.JobTimeout != 5*time.Minute || c.MaxAttempts != 5 || c.OCREngines < 1 {
		t.Errorf("unexpected defaults: %+v", c)
	}
}

func TestLoadErrorsNameTheVariable(t *testing.T) {
	tests := []struct {
		name string
		role Role
		env  map[string]string
		want []string // variables the error must name
	}{
		{"api needs auth", RoleAPI, nil, []string{"DOCPIPE_AUTH"}},
		{"unknown auth", RoleServe, map[string]string{"DOCPIPE_AUTH": "magic"}, []string{"DOCPIPE_AUTH"}},
		{"bad number", RoleServe, map[string]string{"DOCPIPE_MAX_PAGES": "many"}, []string{"DOCPIPE_MAX_PAGES"}},
		{"zero", RoleServe, map[string]string{"DOCPIPE_MAX_UPLOAD_BYTES": "0"}, []string{"DOCPIPE_MAX_UPLOAD_BYTES"}},
		{"bad duration", RoleServe, map[string]string{"DOCPIPE_JOB_TIMEOUT": "5"}, []string{"DOCPIPE_JOB_TIMEOUT"}},
		{"short lease", RoleServe, map[string]string{"DOCPIPE_JOB_LEASE": "10ms"}, []string{"DOCPIPE_JOB_LEASE"}},
		{"bad addr", RoleServe, map[string]string{"DOCPIPE_ADDR": "8080"}, []string{"DOCPIPE_ADDR"}},
		{"bad level", RoleServe, map[string]string{"DOCPIPE_LOG_LEVEL": "loud"}, []string{"DOCPIPE_LOG_LEVEL"}},
		{"bad db", RoleServe, map[string]string{"DOCPIPE_DATABASE_URL": "mysql://x"}, []string{"DOCPIPE_DATABASE_URL"}},
		{"malformed postgres", RoleServe, map[string]string{"DOCPIPE_DATABASE_URL": "postgres://u:p@host:port/db"}, []string{"DOCPIPE_DATABASE_URL"}},
		{"oidc needs an issuer", RoleAPI, map[string]string{"DOCPIPE_AUTH": "oidc", "DOCPIPE_OIDC_AUDIENCE": "c"}, []string{"DOCPIPE_OIDC_ISSUER"}},
		{"oidc issuer not a URL", RoleAPI, map[string]string{"DOCPIPE_AUTH": "oidc", "DOCPIPE_OIDC_ISSUER": "accounts.google.com", "DOCPIPE_OIDC_AUDIENCE": "c"},
			[]string{"DOCPIPE_OIDC_ISSUER"}},
		{"oidc needs an audience", RoleAPI, map[string]string{"DOCPIPE_AUTH": "oidc", "DOCPIPE_OIDC_ISSUER": "https://accounts.google.com", "DOCPIPE_OIDC_AUDIENCE": " , "},
			[]string{"DOCPIPE_OIDC_AUDIENCE"}},
		{"oidc bad jwks url", RoleAPI, map[string]string{"DOCPIPE_AUTH": "oidc", "DOCPIPE_OIDC_ISSUER": "https://i.example", "DOCPIPE_OIDC_AUDIENCE": "c", "DOCPIPE_OIDC_JWKS_URL": "/keys"},
			[]string{"DOCPIPE_OIDC_JWKS_URL"}},
		{"oidc bad token use", RoleAPI, map[string]string{"DOCPIPE_AUTH": "oidc", "DOCPIPE_OIDC_ISSUER": "https://i.example", "DOCPIPE_OIDC_AUDIENCE": "c", "DOCPIPE_OIDC_TOKEN_USE": "refresh"},
			[]string{"DOCPIPE_OIDC_TOKEN_USE"}},
		{"several at once", RoleServe, map[string]string{"DOCPIPE_MAX_PAGES": "-1", "DOCPIPE_RATE_LIMIT": "fast"},
			[]string{"DOCPIPE_MAX_PAGES", "DOCPIPE_RATE_LIMIT"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(tt.role, env(tt.env))
			if err == nil {
				t.Fatal("Load succeeded, want an error")
			}
			for _, v := range tt.want {
				if !strings.Contains(err.Error(), v) {
					t.Errorf("error %q does not name %s", err, v)
				}
			}
			var ce *Error
			if !errors.As(err, &ce) {
				t.Errorf("error %T is not a *config.Error", err)
			}
		})
	}
}

func TestDatabaseURL(t *testing.T) {
	tests := []struct {
		url      string
		postgres bool
	}{
		{"sqlite:/srv/docpipe.db", false},
		{"sqlite:///srv/docpipe.db", false},
		{"postgres://docpipe:secret@db.internal:5432/docpipe?sslmode=require", true},
		{"postgresql://docpipe@db.internal/docpipe", true},
	}
	for _, tt := range tests {
		c, err := Load(RoleServe, env(map[string]string{"DOCPIPE_DATABASE_URL": tt.url}))
		if err != nil {
			t.Errorf("Load with %s: %v", tt.url, err)
			continue
		}
		if got := c.Postgres(); got != tt.postgres {
			t.Errorf("Postgres() with %s = %v, want %v", tt.url, got, tt.postgres)
		}
	}
}

func TestAPIWithAuthNoneOnPurpose(t *testing.T) {
	c, err := Load(RoleAPI, env(map[string]string{"DOCPIPE_AUTH": "none", "DOCPIPE_LOCAL_USER": "alice"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Auth != "none" || c.LocalUser != "alice" {
		t.Errorf("got auth %q user %q", c.Auth, c.LocalUser)
	}
}

func TestSecretFromFile(t *testing.T) {
	f := filepath.Join(t.TempDir(), "db")
	if err := os.WriteFile(f, []byte("sqlite:/srv/docpipe.db\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(RoleServe, env(map[string]string{"DOCPIPE_DATABASE_URL_FILE": f}))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.SQLitePath(), "/srv/docpipe.db"; got != want {
		t.Errorf("SQLitePath = %q, want %q", got, want)
	}

	_, err = Load(RoleServe, env(map[string]string{"DOCPIPE_DATABASE_URL_FILE": f, "DOCPIPE_DATABASE_URL": "sqlite:x"}))
	if err == nil || !strings.Contains(err.Error(), "not both") {
		t.Errorf("both set: err = %v, want 'not both'", err)
	}
	_, err = Load(RoleServe, env(map[string]string{"DOCPIPE_DATABASE_URL_FILE": filepath.Join(t.TempDir(), "missing")}))
	if err == nil || !strings.Contains(err.Error(), "DOCPIPE_DATABASE_URL_FILE") {
		t.Errorf("missing file: err = %v, want it to name DOCPIPE_DATABASE_URL_FILE", err)
	}
}

func TestOIDC(t *testing.T) {
	tests := []struct {
		name string
		role Role
		env  map[string]string
		want OIDC
	}{
		{"cognito access tokens", RoleAPI, map[string]string{
			"DOCPIPE_AUTH":           "oidc",
			"DOCPIPE_OIDC_ISSUER":    "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc",
			"DOCPIPE_OIDC_JWKS_URL":  "http://moto:5000/eu-west-1_abc/.well-known/jwks.json",
			"DOCPIPE_OIDC_AUDIENCE":  "client1, client2,",
			"DOCPIPE_OIDC_TOKEN_USE": "access",
		}, OIDC{
			Issuer:    "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc",
			JWKSURL:   "http://moto:5000/eu-west-1_abc/.well-known/jwks.json",
			Audiences: []string{"client1", "client2"},
			TokenUse:  "access",
		}},
		{"discovery", RoleServe, map[string]string{
			"DOCPIPE_AUTH":          "oidc",
			"DOCPIPE_OIDC_ISSUER":   "https://accounts.google.com",
			"DOCPIPE_OIDC_AUDIENCE": "123.apps.googleusercontent.com",
		}, OIDC{Issuer: "https://accounts.google.com", Audiences: []string{"123.apps.googleusercontent.com"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load(tt.role, env(tt.env))
			if err != nil {
				t.Fatal(err)
			}
			if c.Auth != "oidc" {
				t.Errorf("Auth = %q, want oidc", c.Auth)
			}
			if got := c.OIDC; got.Issuer != tt.want.Issuer || got.JWKSURL != tt.want.JWKSURL ||
				got.TokenUse != tt.want.TokenUse || strings.Join(got.Audiences, "|") != strings.Join(tt.want.Audiences, "|") {
				t.Errorf("OIDC = %+v, want %+v", got, tt.want)
			}
		})
	}
}
