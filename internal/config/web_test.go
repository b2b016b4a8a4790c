package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestLoadWeb(t *testing.T) {
	secret := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secret, []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(RoleWeb, env(map[string]string{
		"DOCPIPE_AUTH": "oidc", "DOCPIPE_OIDC_ISSUER": "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc",
		"DOCPIPE_OIDC_CLIENT_ID": "web-client", "DOCPIPE_OIDC_CLIENT_SECRET_FILE": secret,
		"DOCPIPE_OIDC_SCOPES":    "openid,email",
		"DOCPIPE_OIDC_AUTH_URL":  "https://docpipe.auth.eu-west-1.amazoncognito.com/oauth2/authorize",
		"DOCPIPE_OIDC_TOKEN_URL": "https://docpipe.auth.eu-west-1.amazoncognito.com/oauth2/token",
		"DOCPIPE_API_URL":        "http://docpipe-api:8080/", "DOCPIPE_PUBLIC_URL": "https://docs.example.com",
		"DOCPIPE_SESSION_TTL": "1h", "DOCPIPE_SESSION_KEY": "k3y-of-at-least-thirty-two-characters",
	}))
	if err != nil {
		t.Fatal(err)
	}
	w := c.Web
	if w.APIURL != "http://docpipe-api:8080" || w.PublicURL != "https://docs.example.com" || w.SessionTTL != time.Hour ||
		w.SessionKey != "k3y-of-at-least-thirty-two-characters" {
		t.Errorf("Web = %+v", w)
	}
	if w.Client.ID != "web-client" || w.Client.Secret != "s3cret" || !w.Client.SkipDiscovery {
		t.Errorf("Client = %+v", w.Client)
	}
	if got, want := w.Client.Scopes, []string{"openid", "email"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Scopes = %v, want %v", got, want)
	}
	if got, want := c.OIDC.Audiences, []string{"web-client"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Audiences = %v, want the client id %v", got, want)
	}
	if got, want := w.Client.LogoutRedirect, "https://docs.example.com/"; got != want {
		t.Errorf("LogoutRedirect = %q, want %q", got, want)
	}
}

func TestLoadWebDefaults(t *testing.T) {
	tests := []struct {
		addr, public string
	}{
		{"127.0.0.1:8080", "http://127.0.0.1:8080"},
		{":9000", "http://localhost:9000"},
		{"0.0.0.0:8080", "http://localhost:8080"},
	}
	for _, tt := range tests {
		c, err := Load(RoleServe, env(map[string]string{"DOCPIPE_ADDR": tt.addr, "DOCPIPE_AUTH_NONE_ON_NETWORK": "true"}))
		if err != nil {
			t.Fatal(err)
		}
		if c.Web.PublicURL != tt.public {
			t.Errorf("addr %s: PublicURL = %q, want %q", tt.addr, c.Web.PublicURL, tt.public)
		}
	}
}

func TestLoadWebErrors(t *testing.T) {
	oidc := func(extra map[string]string) map[string]string {
		m := map[string]string{"DOCPIPE_AUTH": "oidc", "DOCPIPE_OIDC_ISSUER": "https://i.example",
			"DOCPIPE_OIDC_CLIENT_ID": "c", "DOCPIPE_API_URL": "http://api:8080"}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	tests := []struct {
		name string
		role Role
		env  map[string]string
		want string
	}{
		{"web needs auth", RoleWeb, map[string]string{"DOCPIPE_API_URL": "http://api:8080"}, "DOCPIPE_AUTH"},
		{"web needs the api", RoleWeb, map[string]string{"DOCPIPE_AUTH": "none"}, "DOCPIPE_API_URL"},
		{"api url not http", RoleWeb, map[string]string{"DOCPIPE_AUTH": "none", "DOCPIPE_API_URL": "api:8080"}, "DOCPIPE_API_URL"},
		{"public url with a path", RoleServe, map[string]string{"DOCPIPE_PUBLIC_URL": "https://x.example/docs"}, "DOCPIPE_PUBLIC_URL"},
		{"public url not a url", RoleServe, map[string]string{"DOCPIPE_PUBLIC_URL": "docs.example.com"}, "DOCPIPE_PUBLIC_URL"},
		{"client id", RoleWeb, oidc(map[string]string{"DOCPIPE_OIDC_CLIENT_ID": ""}), "DOCPIPE_OIDC_CLIENT_ID"},
		{"scopes without openid", RoleWeb, oidc(map[string]string{"DOCPIPE_OIDC_SCOPES": "email profile"}), "DOCPIPE_OIDC_SCOPES"},
		{"bad token url", RoleWeb, oidc(map[string]string{"DOCPIPE_OIDC_TOKEN_URL": "/token"}), "DOCPIPE_OIDC_TOKEN_URL"},
		{"secret twice", RoleWeb, oidc(map[string]string{"DOCPIPE_OIDC_CLIENT_SECRET": "a", "DOCPIPE_OIDC_CLIENT_SECRET_FILE": "/x"}), "DOCPIPE_OIDC_CLIENT_SECRET"},
		{"forward token", RoleWeb, oidc(map[string]string{"DOCPIPE_OIDC_FORWARD_TOKEN": "refresh"}), "DOCPIPE_OIDC_FORWARD_TOKEN"},
		{"session ttl", RoleServe, map[string]string{"DOCPIPE_SESSION_TTL": "forever"}, "DOCPIPE_SESSION_TTL"},
		{"session key short", RoleWeb, oidc(map[string]string{"DOCPIPE_SESSION_KEY": "password"}), "DOCPIPE_SESSION_KEY"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(tt.role, env(tt.env))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want one naming %s", err, tt.want)
			}
		})
	}
}
