package main

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/docpipe/docpipe/internal/config"
)

// With DOCPIPE_AUTH=none the server answers only the host names it is configured for, so that a
// page elsewhere cannot rebind a name of its own to it; a worker or the function, which hold
// no documents, answer any.
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
		{"function", "none", "rebound.evil.example", http.StatusNoContent},
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
			app := noReadiness{http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })}
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

// readiness records the readiness serve sets.
type readiness struct {
	http.Handler
	ready atomic.Bool
}

func (r *readiness) SetReady(ok bool) { r.ready.Store(ok) }

// TestServeDrains stops a server with a request in flight: readiness goes false, the request
// finishes, and serve returns only then, for every role alike.
func TestServeDrains(t *testing.T) {
	for _, role := range []string{"serve", "function"} {
		t.Run(role, func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			addr := ln.Addr().String()
			ln.Close()
			started, release := make(chan struct{}), make(chan struct{})
			app := &readiness{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				close(started)
				<-release
				w.WriteHeader(http.StatusNoContent)
			})}
			app.ready.Store(true)
			cfg := &config.Config{Addr: addr, Auth: "oidc", ShutdownTimeout: 10 * time.Second, DrainDelay: 50 * time.Millisecond}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan error, 1)
			go func() { done <- serve(ctx, cfg, slog.New(slog.DiscardHandler), role, app, nil) }()

			answered := make(chan int, 1)
			go func() {
				for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
					if resp, err := http.Get("http://" + addr + "/"); err == nil {
						resp.Body.Close()
						answered <- resp.StatusCode
						return
					}
				}
				answered <- 0
			}()
			select {
			case <-started:
			case <-time.After(5 * time.Second):
				t.Fatal("the request never reached the handler")
			}
			cancel()
			time.Sleep(200 * time.Millisecond)
			if app.ready.Load() {
				t.Error("still ready while draining")
			}
			select {
			case err := <-done:
				t.Fatalf("serve returned with a request in flight: %v", err)
			default:
			}
			close(release)
			if code := <-answered; code != http.StatusNoContent {
				t.Errorf("the request in flight was answered %d, want 204", code)
			}
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("serve: %v", err)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("serve did not return after the last request")
			}
		})
	}
}
