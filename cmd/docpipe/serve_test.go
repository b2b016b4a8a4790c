package main

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/docpipe/docpipe/internal/config"
)

type testApp struct{ http.Handler }

func (testApp) SetReady(bool) {}

// With DOCPIPE_AUTH=none the server answers only the host names it is configured for, so that a
// page elsewhere cannot rebind a name of its own to it; a worker, which holds no documents,
// answers any.
func TestServeAnswersOnlyItsHostsWithoutAuth(t *testing.T) {
	tests := []struct {
		role, auth, host string
		want             int
	}{
		{"serve", "none", "localhost:8080", http.StatusNoContent},
		{"serve", "none", "docs.lan", http.StatusNoContent},
		{"serve", "none", "rebound.evil.example", http.StatusMisdirectedRequest},
		{"api", "none", "rebound.evil.example", http.StatusMisdirectedRequest},
		{"web", "none", "rebound.evil.example", http.StatusMisdirectedRequest},
		{"api", "oidc", "rebound.evil.example", http.StatusNoContent},
		{"worker", "none", "rebound.evil.example", http.StatusNoContent},
	}
	for _, tt := range tests {
		t.Run(tt.role+" "+tt.auth+" "+tt.host, func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			addr := ln.Addr().String()
			ln.Close()
			cfg := &config.Config{Addr: addr, Auth: tt.auth, AllowedHosts: []string{"docs.lan"}, ShutdownTimeout: time.Second}
			app := testApp{http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- serve(ctx, cfg, slog.New(slog.DiscardHandler), tt.role, app, nil) }()
			t.Cleanup(func() {
				cancel()
				if err := <-done; err != nil {
					t.Errorf("serve: %v", err)
				}
			})

			var resp *http.Response
			for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
				req, _ := http.NewRequest("GET", "http://"+addr+"/v1/documents", nil)
				req.Host = tt.host
				if resp, err = http.DefaultClient.Do(req); err == nil || time.Now().After(deadline) {
					break
				}
			}
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Errorf("Host %s = %s, want %d", tt.host, resp.Status, tt.want)
			}
		})
	}
}
