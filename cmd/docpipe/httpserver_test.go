package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// testTimeouts are serverTimeouts shrunk for tests: a body must come at 200 bytes per second
// after 300 ms.
var testTimeouts = timeouts{header: 300 * time.Millisecond, idle: 300 * time.Millisecond, bodyGrace: 300 * time.Millisecond, bodyRate: 200}

// startServer serves h with newHTTPServer on a real listener and returns its address.
func startServer(t *testing.T, h http.Handler) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := newHTTPServer(h, slog.New(slog.DiscardHandler), testTimeouts)
	go func() { _ = hs.Serve(ln) }()
	t.Cleanup(func() { hs.Close() })
	return ln.Addr().String()
}

// readBody answers how many bytes of the body it read, or 408 with the error that cut it off.
var readBody = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	n, err := io.Copy(io.Discard, r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusRequestTimeout)
		return
	}
	fmt.Fprint(w, n)
})

// trickle sends a request with a body of size bytes in chunks of chunk bytes every gap, and
// returns how long the server took to answer or hang up, and the status it answered (0 if none).
func trickle(t *testing.T, addr string, size, chunk int, gap time.Duration) (time.Duration, int) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	fmt.Fprintf(conn, "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: %d\r\n\r\n", size)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for sent := 0; sent < size; sent += chunk {
			select {
			case <-stop:
				return
			case <-time.After(gap):
			}
			if _, err := conn.Write(bytes.Repeat([]byte("x"), min(chunk, size-sent))); err != nil {
				return
			}
		}
	}()
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	took := time.Since(start)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("the server neither answered nor hung up within %v", took)
	}
	if err != nil {
		return took, 0
	}
	resp.Body.Close()
	return took, resp.StatusCode
}

func TestTrickledBodyIsCutOff(t *testing.T) {
	addr := startServer(t, readBody)
	// One byte every 100 ms would take 100 s; the server must give up soon after the grace.
	took, status := trickle(t, addr, 1000, 1, 100*time.Millisecond)
	if took > testTimeouts.bodyGrace+2*time.Second || status == http.StatusOK {
		t.Errorf("a body trickling at 10 B/s: answered %d after %v, want cut off within about %v", status, took, testTimeouts.bodyGrace)
	}
}

func TestSteadyBodyOutlastsTheGrace(t *testing.T) {
	var got int64
	addr := startServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, _ = io.Copy(io.Discard, r.Body)
		readBody.ServeHTTP(w, r)
	}))
	// 2,000 bytes at 2,000 B/s take about a second, three times the grace, at ten times the rate.
	took, status := trickle(t, addr, 2000, 100, 50*time.Millisecond)
	if status != http.StatusOK || got != 2000 {
		t.Errorf("a body at 10x the minimum rate: %d after %v with %d bytes read, want 200 and 2000", status, took, got)
	}
}

// Once its body is read, a request may take its handler as long as it needs: the deadline that
// bounded the body must not cancel it.
func TestSlowHandlerAfterItsBody(t *testing.T) {
	addr := startServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.Copy(io.Discard, r.Body); err != nil {
			http.Error(w, err.Error(), http.StatusRequestTimeout)
			return
		}
		select {
		case <-r.Context().Done():
			http.Error(w, "canceled", http.StatusInternalServerError)
		case <-time.After(3 * testTimeouts.bodyGrace):
			w.WriteHeader(http.StatusNoContent)
		}
	}))
	resp, err := http.Post("http://"+addr+"/", "text/plain", strings.NewReader("a short body"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Errorf("a handler working past the body's deadline = %s, want 204", resp.Status)
	}
}

// A long poll reads no body and answers after more than every timeout but idle has passed.
func TestLongPollIsNotCutOff(t *testing.T) {
	wait := 4 * max(testTimeouts.header, testTimeouts.bodyGrace)
	addr := startServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
			return
		case <-time.After(wait):
			fmt.Fprint(w, "changed")
		}
	}))
	resp, err := http.Get("http://" + addr + "/v1/documents/x")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK || string(b) != "changed" {
		t.Errorf("a long poll of %v = %s %q %v, want 200 changed", wait, resp.Status, b, err)
	}
}

func TestSlowHeadersAndIdleConnectionsAreClosed(t *testing.T) {
	addr := startServer(t, readBody)
	tests := []struct {
		name string
		send func(net.Conn)
	}{
		{"headers trickled", func(c net.Conn) {
			for _, b := range []byte("GET / HTTP/1.1\r\nHost: localhost\r\nX-Slow: ") {
				if _, err := c.Write([]byte{b}); err != nil {
					return
				}
				time.Sleep(100 * time.Millisecond)
			}
		}},
		{"idle after a request", func(c net.Conn) {
			fmt.Fprint(c, "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			start := time.Now()
			go tt.send(conn)
			_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
			_, err = io.Copy(io.Discard, conn)
			var ne net.Error
			if took := time.Since(start); errors.As(err, &ne) && ne.Timeout() || took > 3*time.Second {
				t.Errorf("connection still open after %v (%v), want it closed after about %v", took, err, testTimeouts.header)
			}
		})
	}
}

func TestServerTimeoutsAreSet(t *testing.T) {
	hs := newHTTPServer(http.NotFoundHandler(), slog.New(slog.DiscardHandler), serverTimeouts)
	if hs.ReadHeaderTimeout <= 0 || hs.IdleTimeout <= 0 || hs.WriteTimeout != 0 {
		t.Errorf("ReadHeaderTimeout %v, IdleTimeout %v, WriteTimeout %v; want the first two set and no write timeout (long polls)",
			hs.ReadHeaderTimeout, hs.IdleTimeout, hs.WriteTimeout)
	}
	maxUpload := int64(50 << 20)
	if took := serverTimeouts.bodyGrace + time.Duration(maxUpload/serverTimeouts.bodyRate)*time.Second; took > 2*time.Hour || serverTimeouts.bodyGrace > time.Minute {
		t.Errorf("a default-sized upload may take %v and a stalled body %v; want bounds a slow but honest client meets and a trickle does not",
			took, serverTimeouts.bodyGrace)
	}
}
