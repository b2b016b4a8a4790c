package cosmos

import (
	"net/url"
	"strings"
	"testing"
)

const testKey = "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw=="

func TestParseURL(t *testing.T) {
	tests := []struct {
		in   string
		want config
	}{
		{"cosmos://acct.documents.azure.com/docpipe", config{endpoint: "https://acct.documents.azure.com:443/", database: "docpipe"}},
		{"cosmos://acct.documents.azure.com:443/db", config{endpoint: "https://acct.documents.azure.com:443/", database: "db"}},
		{"cosmos://acct.documents.azure.us/db", config{endpoint: "https://acct.documents.azure.us:443/", database: "db"}},
		{"cosmos://127.0.0.1:8081/db?protocol=http&key=" + strings.ReplaceAll(testKey, "+", "%2B"),
			config{endpoint: "http://127.0.0.1:8081/", database: "db", key: testKey}},
		{"cosmos://localhost:8081/db?key=" + strings.ReplaceAll(testKey, "+", "%2B"),
			config{endpoint: "https://localhost:8081/", database: "db", key: testKey}},
	}
	for _, tt := range tests {
		got, err := parseURL(tt.in)
		if err != nil {
			t.Errorf("parseURL(%q): %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("parseURL(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func TestParseURLErrors(t *testing.T) {
	secret := strings.ReplaceAll(testKey, "+", "%2B")
	tests := []struct {
		in, want string
	}{
		{"postgres://host/db", `scheme is "postgres"`},
		{"cosmos:///db", "no host"},
		{"cosmos://acct.documents.azure.com", "must name one database"},
		{"cosmos://acct.documents.azure.com/", "must name one database"},
		{"cosmos://acct.documents.azure.com/a/b", "must name one database"},
		{"cosmos://user:pw@acct.documents.azure.com/db", "user information"},
		{"cosmos://acct.documents.azure.com/db?key=" + secret, "keys are disabled"},
		{"cosmos://acct.documents.azure.com/db?protocol=http", "plain http"},
		{"cosmos://acct.documents.azure.us/db?key=" + secret, "keys are disabled"},
		{"cosmos://ACCT.DOCUMENTS.AZURE.CN/db?protocol=http", "plain http"},
		{"cosmos://127.0.0.1:1/db?protocol=ftp", `protocol is "ftp"`},
		{"cosmos://127.0.0.1:1/db?key=not*base64", "key is not base64"},
		{"cosmos://127.0.0.1:1/db?key=", "key is not base64"},
		{"cosmos://127.0.0.1:1/db?container=x", `unknown parameter "container"`},
		{"cosmos://127.0.0.1:1/db?protocol=http&protocol=https", "given 2 times"},
		{"cosmos://127.0.0.1:1/db#frag", "malformed"},
		{"cosmos://[::1/db?key=" + secret, "malformed database URL"},
		{"cosmos://127.0.0.1:x/db?key=" + secret, "malformed database URL"},
	}
	for _, tt := range tests {
		_, err := parseURL(tt.in)
		if err == nil {
			t.Errorf("parseURL(%q) succeeded, want an error about %s", tt.in, tt.want)
			continue
		}
		if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("parseURL(%q) = %v, want it to mention %q", tt.in, err, tt.want)
		}
		if strings.Contains(err.Error(), testKey[:20]) || strings.Contains(err.Error(), secret[:20]) {
			t.Errorf("parseURL(%q) error quotes the key: %v", tt.in, err)
		}
	}
}

func FuzzParseURL(f *testing.F) {
	for _, s := range []string{
		"cosmos://acct.documents.azure.com/docpipe",
		"cosmos://127.0.0.1:8081/db?protocol=http&key=" + testKey,
		"cosmos://[::1]:8081/db?key=AAAA",
		"cosmos://h/db?key=a%zz", "cosmos://h/%2F", "cosmos:h/db", "cosmos://h/db?protocol=http&protocol=http",
		"", "://", "cosmos://", "cosmos://user@h/db", "Cosmos://key=00000000",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cfg, err := parseURL(s)
		if err != nil {
			// The key must not be echoed; a string that also appears outside the query (in
			// the host, say) may be quoted for that.
			if u, perr := url.Parse(s); perr == nil {
				key := u.Query().Get("key")
				if len(key) >= 8 && strings.Count(s, key) == 1 && strings.Contains(err.Error(), key) {
					t.Fatalf("parseURL(%q) error quotes the key: %v", s, err)
				}
			}
			return
		}
		if cfg.database == "" || strings.ContainsAny(cfg.database, "/?#") {
			t.Fatalf("parseURL(%q) gave database %q", s, cfg.database)
		}
		if !strings.HasPrefix(cfg.endpoint, "https://") && !strings.HasPrefix(cfg.endpoint, "http://") || !strings.HasSuffix(cfg.endpoint, "/") {
			t.Fatalf("parseURL(%q) gave endpoint %q", s, cfg.endpoint)
		}
		if strings.HasPrefix(cfg.endpoint, "http://") && strings.Contains(strings.ToLower(cfg.endpoint), ".documents.azure.com") {
			t.Fatalf("parseURL(%q) gave plain http to Azure: %q", s, cfg.endpoint)
		}
	})
}
