package api

import (
	"net"
	"net/http"
	"strconv"
	"strings"
)

// sameOrigin refuses unsafe requests (POST, PUT, PATCH, DELETE) that a browser sent on behalf of a
// page of another origin: its Sec-Fetch-Site header says so, or its Origin header names another
// host than the request's. Requests with neither header (curl, other servers) pass. The check is
// http.CrossOriginProtection's, which the web's CSRF check shares.
func sameOrigin(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := cop.Check(r); err != nil {
			writeProblem(w, r, http.StatusForbidden, "cross-origin request refused: a page of another site may not change anything here")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// RestrictHosts serves next only to requests whose Host header names this server: localhost, an
// IP address, or one of hosts; names are compared without their port and case. Other requests
// are answered 421 Misdirected Request as a problem.
//
// This defeats DNS rebinding, in which a page of another site points its own name at this server
// to read the answers: the browser then sends that name as Host. It matters when requests need no
// credentials (DOCPIPE_AUTH=none). An IP address in Host is no such name: the browser was sent to
// the address itself, and a page of another site cannot share its origin. Health, readiness and
// metrics answer any Host, because probes and scrapers may use any name, and they hold no
// documents.
func RestrictHosts(hosts []string, next http.Handler) http.Handler {
	allowed := make(map[string]bool, len(hosts))
	for _, h := range hosts {
		if name := hostName(h); name != "" {
			allowed[name] = true
		}
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/healthz", "/readyz", "/metrics":
			next.ServeHTTP(w, r)
			return
		}
		name := hostName(r.Host)
		if name != "localhost" && net.ParseIP(name) == nil && !allowed[name] {
			writeProblem(w, r, http.StatusMisdirectedRequest,
				"this server does not answer for the host "+strconv.Quote(r.Host)+"; add it to DOCPIPE_ALLOWED_HOSTS if it is one of its names")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// hostName returns the host of a Host header or address without its port or IPv6 brackets,
// in lower case and without a trailing dot; an IP address in its canonical form.
func hostName(hostport string) string {
	h := hostport
	if host, _, err := net.SplitHostPort(hostport); err == nil {
		h = host
	}
	h = strings.TrimSuffix(strings.TrimPrefix(h, "["), "]")
	if ip := net.ParseIP(h); ip != nil {
		return ip.String()
	}
	return strings.TrimSuffix(strings.ToLower(h), ".")
}
