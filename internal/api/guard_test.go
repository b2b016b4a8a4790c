package api

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestCrossSiteChangesRefused(t *testing.T) {
	e := newEnv(t, nil)
	id := decode[docs](t, e.upload("", file{"keep.png", pngBytes(t, 10, 10)})).Documents[0].ID
	tests := []struct {
		name   string
		method string
		path   string
		header map[string]string
		want   int
	}{
		{"curl upload", "POST", "/v1/documents", nil, http.StatusAccepted},
		{"same-origin upload", "POST", "/v1/documents", map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": "http://example.com"}, http.StatusAccepted},
		{"origin of the request's host", "POST", "/v1/documents", map[string]string{"Origin": "http://example.com"}, http.StatusAccepted},
		{"cross-site upload", "POST", "/v1/documents", map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
		{"same-site upload", "POST", "/v1/documents", map[string]string{"Sec-Fetch-Site": "same-site"}, http.StatusForbidden},
		{"foreign origin upload", "POST", "/v1/documents", map[string]string{"Origin": "http://evil.example"}, http.StatusForbidden},
		{"opaque origin upload", "POST", "/v1/documents", map[string]string{"Origin": "null"}, http.StatusForbidden},
		{"cross-site delete", "DELETE", "/v1/documents/" + id, map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "http://evil.example"}, http.StatusForbidden},
		{"cross-site reprocess", "POST", "/v1/documents/" + id + "/reprocess", map[string]string{"Origin": "http://evil.example"}, http.StatusForbidden},
		{"cross-site read", "GET", "/v1/documents/" + id, map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var req *http.Request
			if tt.path == "/v1/documents" {
				body, ct := multipartBody(t, file{"a.png", pngBytes(t, 10, 10)})
				req = httptest.NewRequest(tt.method, tt.path, body)
				req.Header.Set("Content-Type", ct)
			} else {
				req = httptest.NewRequest(tt.method, tt.path, nil)
			}
			for k, v := range tt.header {
				req.Header.Set(k, v)
			}
			rec := e.do(req)
			if tt.want == http.StatusForbidden {
				wantProblem(t, rec, http.StatusForbidden, "cross-origin")
			} else if rec.Code != tt.want {
				t.Errorf("status = %d, want %d; body %s", rec.Code, tt.want, rec.Body)
			}
		})
	}
	if got := e.get("/v1/documents/"+id, "").Code; got != http.StatusOK {
		t.Errorf("document after refused cross-site requests = %d, want 200", got)
	}
}

func TestRestrictHosts(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	h := RestrictHosts([]string{"docs.example.com", "files.lan.", ""}, ok)
	tests := []struct {
		host, path string
		want       int
	}{
		{"localhost:8080", "/v1/documents", http.StatusNoContent},
		{"LOCALHOST", "/", http.StatusNoContent},
		{"127.0.0.1:8080", "/v1/documents", http.StatusNoContent},
		{"127.0.0.2", "/", http.StatusNoContent},
		{"[::1]:8080", "/", http.StatusNoContent},
		{"docs.example.com", "/", http.StatusNoContent},
		{"Docs.Example.Com.:443", "/", http.StatusNoContent},
		{"[fd00::1]:8080", "/", http.StatusNoContent},
		{"10.0.0.5:8080", "/v1/documents", http.StatusNoContent},
		{"files.lan:8080", "/", http.StatusNoContent},
		{"rebind.evil.example:8080", "/v1/documents", http.StatusMisdirectedRequest},
		{"localhost.evil.example", "/", http.StatusMisdirectedRequest},
		{"docs.example.com.evil.example", "/", http.StatusMisdirectedRequest},
		{"127.1", "/", http.StatusMisdirectedRequest},
		{"localhost.", "/", http.StatusNoContent},
		{"", "/", http.StatusMisdirectedRequest},
		{"rebind.evil.example", "/healthz", http.StatusNoContent},
		{"rebind.evil.example", "/readyz", http.StatusNoContent},
		{"rebind.evil.example", "/metrics", http.StatusNoContent},
	}
	for _, tt := range tests {
		req := httptest.NewRequest("GET", tt.path, nil)
		req.Host = tt.host
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != tt.want {
			t.Errorf("Host %q %s = %d, want %d", tt.host, tt.path, rec.Code, tt.want)
		}
		if tt.want == http.StatusMisdirectedRequest {
			wantProblem(t, rec, http.StatusMisdirectedRequest, "DOCPIPE_ALLOWED_HOSTS")
		}
	}
}
