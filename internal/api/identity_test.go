package api

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/docpipe/docpipe/internal/auth"
	"github.com/docpipe/docpipe/internal/auth/authtest"
)

// TestTwoUsersWithRealTokens runs the API behind the JWT verifier with tokens signed by a test
// issuer: each user sees only their own documents, and requests without a valid token are 401.
func TestTwoUsersWithRealTokens(t *testing.T) {
	iss := authtest.NewIssuer(t)
	iss.AddRSAKey("k1", "RS256")
	v, err := auth.NewVerifier(auth.Config{Issuer: iss.URL, Audiences: []string{"docpipe"}})
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, func(o *Options) { o.Identify = v.Identify })
	alice, bob := "Bearer "+iss.Token("k1", "alice-sub", "docpipe"), "Bearer "+iss.Token("k1", "bob-sub", "docpipe")
	as := func(token string, req *http.Request) *httptest.ResponseRecorder {
		if token != "" {
			req.Header.Set("Authorization", token)
		}
		return e.do(req)
	}

	body, ct := multipartBody(t, file{"alice.png", pngBytes(t, 10, 10)})
	req := httptest.NewRequest("POST", "/v1/documents", body)
	req.Header.Set("Content-Type", ct)
	rec := as(alice, req)
	if rec.Code != http.StatusAccepted && rec.Code != http.StatusCreated {
		t.Fatalf("alice's upload: %d %s", rec.Code, rec.Body)
	}
	id := decode[docs](t, rec).Documents[0].ID
	e.finish("alice confidential words")
	doc, err := e.store.Get(t.Context(), "alice-sub", id)
	if err != nil || doc.Owner != "alice-sub" {
		t.Fatalf("stored owner = %q (%v), want the token's subject alice-sub", doc.Owner, err)
	}

	for _, tt := range []struct{ method, path string }{
		{"GET", "/v1/documents/" + id},
		{"GET", "/v1/documents/" + id + "/text"},
		{"GET", "/v1/documents/" + id + "/content"},
		{"POST", "/v1/documents/" + id + "/reprocess"},
		{"DELETE", "/v1/documents/" + id},
	} {
		t.Run("bob "+tt.method+" "+tt.path, func(t *testing.T) {
			wantProblem(t, as(bob, httptest.NewRequest(tt.method, tt.path, nil)), http.StatusNotFound, "no such document")
		})
	}
	if got := decode[docs](t, as(bob, httptest.NewRequest("GET", "/v1/documents", nil))); len(got.Documents) != 0 {
		t.Errorf("bob lists %d documents, want 0", len(got.Documents))
	}
	if got := decode[struct{ Total int }](t, as(bob, httptest.NewRequest("GET", "/v1/search?q=confidential", nil))); got.Total != 0 {
		t.Errorf("bob's search finds %d documents, want 0", got.Total)
	}
	if got := decode[struct{ Total int }](t, as(alice, httptest.NewRequest("GET", "/v1/search?q=confidential", nil))); got.Total != 1 {
		t.Errorf("alice's search finds %d documents, want 1", got.Total)
	}
	if rec := as(alice, httptest.NewRequest("GET", "/v1/documents/"+id, nil)); rec.Code != http.StatusOK {
		t.Errorf("alice GET her document: %d, want 200", rec.Code)
	}

	expired := iss.Claims("alice-sub", "docpipe")
	expired["exp"] = 1
	for _, tt := range []struct{ name, header, detail string }{
		{"no token", "", "bearer"},
		{"not bearer", "Basic YWxpY2U6cw==", "Bearer"},
		{"garbage", "Bearer not.a.token", "invalid token"},
		{"wrong audience", "Bearer " + iss.Token("k1", "alice-sub", "other-app"), "audience"},
		{"expired", "Bearer " + iss.Sign("k1", expired), "expired"},
		{"tampered", alice[:len(alice)-4] + "AAAA", "invalid token"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, path := range []string{"/v1/documents", "/v1/documents/" + id, "/v1/search?q=confidential"} {
				rec := as(tt.header, httptest.NewRequest("GET", path, nil))
				wantProblem(t, rec, http.StatusUnauthorized, tt.detail)
				if got := rec.Header().Get("WWW-Authenticate"); !strings.HasPrefix(got, "Bearer") {
					t.Errorf("%s: WWW-Authenticate = %q, want Bearer", path, got)
				}
			}
		})
	}
}

// TestIdentityProviderDown answers 503, not 401, when the issuer's keys cannot be fetched: the
// caller's token may well be valid.
func TestIdentityProviderDown(t *testing.T) {
	iss := authtest.NewIssuer(t)
	iss.AddRSAKey("k1", "RS256")
	token := iss.Token("k1", "alice-sub", "docpipe")
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "maintenance", http.StatusBadGateway)
	}))
	defer down.Close()
	v, err := auth.NewVerifier(auth.Config{Issuer: iss.URL, JWKSURL: down.URL, Audiences: []string{"docpipe"}})
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, func(o *Options) { o.Identify = v.Identify })
	req := httptest.NewRequest("GET", "/v1/documents", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	rec := e.do(req)
	wantProblem(t, rec, http.StatusServiceUnavailable, "identity provider")
	if rec.Header().Get("Retry-After") == "" {
		t.Errorf("503 without Retry-After")
	}
}
