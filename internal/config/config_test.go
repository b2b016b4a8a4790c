package config

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
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
	if c.JobTimeout != 30*time.Minute || c.PageTimeout != time.Minute || c.MaxAttempts != 5 || c.OCREngines < 1 {
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
		{"no uploads at once", RoleAPI, map[string]string{"DOCPIPE_AUTH": "none", "DOCPIPE_MAX_UPLOADS": "0"}, []string{"DOCPIPE_MAX_UPLOADS"}},
		{"bad duration", RoleServe, map[string]string{"DOCPIPE_JOB_TIMEOUT": "5"}, []string{"DOCPIPE_JOB_TIMEOUT"}},
		{"page longer than the document", RoleServe, map[string]string{"DOCPIPE_JOB_TIMEOUT": "2m", "DOCPIPE_PAGE_TIMEOUT": "3m"}, []string{"DOCPIPE_PAGE_TIMEOUT"}},
		{"page timeout too short", RoleServe, map[string]string{"DOCPIPE_PAGE_TIMEOUT": "10ms"}, []string{"DOCPIPE_PAGE_TIMEOUT"}},
		{"short lease", RoleServe, map[string]string{"DOCPIPE_JOB_LEASE": "10ms"}, []string{"DOCPIPE_JOB_LEASE"}},
		{"bad addr", RoleServe, map[string]string{"DOCPIPE_ADDR": "8080"}, []string{"DOCPIPE_ADDR"}},
		{"bad level", RoleServe, map[string]string{"DOCPIPE_LOG_LEVEL": "loud"}, []string{"DOCPIPE_LOG_LEVEL"}},
		{"bad date order", RoleServe, map[string]string{"DOCPIPE_DATE_ORDER": "ymd"}, []string{"DOCPIPE_DATE_ORDER"}},
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
		{"no auth on every address", RoleServe, map[string]string{"DOCPIPE_ADDR": ":8080"},
			[]string{"DOCPIPE_ADDR", "DOCPIPE_AUTH_NONE_ON_NETWORK"}},
		{"no auth on all IPv4 addresses", RoleAPI, map[string]string{"DOCPIPE_AUTH": "none", "DOCPIPE_ADDR": "0.0.0.0:8080"},
			[]string{"DOCPIPE_ADDR", "DOCPIPE_AUTH_NONE_ON_NETWORK"}},
		{"no auth on a LAN address", RoleWeb, map[string]string{"DOCPIPE_AUTH": "none", "DOCPIPE_API_URL": "http://api:8080", "DOCPIPE_ADDR": "192.168.1.5:8080"},
			[]string{"DOCPIPE_ADDR", "DOCPIPE_AUTH_NONE_ON_NETWORK"}},
		{"no auth on the network, said no", RoleServe, map[string]string{"DOCPIPE_ADDR": "[::]:8080", "DOCPIPE_AUTH_NONE_ON_NETWORK": "false"},
			[]string{"DOCPIPE_ADDR", "DOCPIPE_AUTH_NONE_ON_NETWORK"}},
		{"opt-in not a boolean", RoleServe, map[string]string{"DOCPIPE_AUTH_NONE_ON_NETWORK": "please"}, []string{"DOCPIPE_AUTH_NONE_ON_NETWORK"}},
		{"allowed host is a URL", RoleServe, map[string]string{"DOCPIPE_ALLOWED_HOSTS": "https://docs.example.com"}, []string{"DOCPIPE_ALLOWED_HOSTS"}},
		{"allowed host has a port", RoleServe, map[string]string{"DOCPIPE_ALLOWED_HOSTS": "docs.example.com:8080"}, []string{"DOCPIPE_ALLOWED_HOSTS"}},
		{"allowed host is a wildcard", RoleServe, map[string]string{"DOCPIPE_ALLOWED_HOSTS": "*.example.com"}, []string{"DOCPIPE_ALLOWED_HOSTS"}},
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

func TestAuthNoneListens(t *testing.T) {
	tests := []struct {
		name  string
		role  Role
		env   map[string]string
		hosts []string
	}{
		{"loopback by default", RoleServe, nil, nil},
		{"localhost", RoleServe, map[string]string{"DOCPIPE_ADDR": "localhost:8080"}, nil},
		{"IPv6 loopback", RoleAPI, map[string]string{"DOCPIPE_AUTH": "none", "DOCPIPE_ADDR": "[::1]:8080"}, nil},
		{"network on purpose", RoleServe, map[string]string{"DOCPIPE_ADDR": ":8080", "DOCPIPE_AUTH_NONE_ON_NETWORK": "true"}, nil},
		{"a LAN address on purpose", RoleAPI, map[string]string{"DOCPIPE_AUTH": "none", "DOCPIPE_ADDR": "192.168.1.5:8080", "DOCPIPE_AUTH_NONE_ON_NETWORK": "1"}, nil},
		{"a LAN name on purpose", RoleAPI, map[string]string{"DOCPIPE_AUTH": "none", "DOCPIPE_ADDR": "scanner.lan:8080", "DOCPIPE_AUTH_NONE_ON_NETWORK": "true"},
			[]string{"scanner.lan"}},
		{"allowed hosts and the public URL", RoleServe, map[string]string{"DOCPIPE_ADDR": "0.0.0.0:8080", "DOCPIPE_AUTH_NONE_ON_NETWORK": "true",
			"DOCPIPE_ALLOWED_HOSTS": " Docs.Example.com., docpipe-api [fd00::1]", "DOCPIPE_PUBLIC_URL": "https://files.example.org"},
			[]string{"docs.example.com", "docpipe-api", "files.example.org"}},
		{"oidc anywhere", RoleAPI, map[string]string{"DOCPIPE_AUTH": "oidc", "DOCPIPE_ADDR": ":8080", "DOCPIPE_OIDC_ISSUER": "https://i.example", "DOCPIPE_OIDC_AUDIENCE": "c"}, nil},
		{"worker anywhere", RoleWorker, map[string]string{"DOCPIPE_ADDR": ":8080"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load(tt.role, env(tt.env))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(c.AllowedHosts, tt.hosts) {
				t.Errorf("AllowedHosts = %q, want %q", c.AllowedHosts, tt.hosts)
			}
		})
	}
}

func TestUploadSettings(t *testing.T) {
	tests := []struct {
		env        map[string]string
		maxUploads int
		dir        string
	}{
		{nil, 4, os.TempDir()},
		{map[string]string{"DOCPIPE_MAX_UPLOADS": "16", "DOCPIPE_UPLOAD_DIR": "/var/lib/docpipe/uploads"}, 16, "/var/lib/docpipe/uploads"},
		{map[string]string{"DOCPIPE_MAX_UPLOADS": " 1 ", "DOCPIPE_UPLOAD_DIR": " "}, 1, os.TempDir()},
	}
	for _, tt := range tests {
		c, err := Load(RoleServe, env(tt.env))
		if err != nil {
			t.Errorf("Load(%v): %v", tt.env, err)
			continue
		}
		if c.MaxUploads != tt.maxUploads || c.UploadDir != tt.dir {
			t.Errorf("Load(%v): MaxUploads, UploadDir = %d, %q; want %d, %q", tt.env, c.MaxUploads, c.UploadDir, tt.maxUploads, tt.dir)
		}
	}
}

func TestPageTimeoutDefault(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want time.Duration
	}{
		{nil, time.Minute},
		{map[string]string{"DOCPIPE_JOB_TIMEOUT": "20s"}, 20 * time.Second},
		{map[string]string{"DOCPIPE_JOB_TIMEOUT": "20s", "DOCPIPE_PAGE_TIMEOUT": "5s"}, 5 * time.Second},
	}
	for _, tt := range tests {
		c, err := Load(RoleServe, func(k string) string { return tt.env[k] })
		if err != nil {
			t.Fatal(err)
		}
		if c.PageTimeout != tt.want {
			t.Errorf("%v: PageTimeout = %v, want %v", tt.env, c.PageTimeout, tt.want)
		}
	}
}
