package config

import (
	"fmt"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// network reads who may reach a server that asks for no credentials. With DOCPIPE_AUTH=none the
// serve, api and web roles must listen on a loopback address unless DOCPIPE_AUTH_NONE_ON_NETWORK
// is true. They answer Host headers of localhost or an IP address, and of the names hosts holds:
// those of DOCPIPE_ALLOWED_HOSTS, of the public URL and of the listen address.
func (r *reader) network(role Role, c *Config) (hosts []string, onNetwork bool) {
	onNetwork = r.bool("DOCPIPE_AUTH_NONE_ON_NETWORK", false)
	add := func(name string) {
		if name != "localhost" && net.ParseIP(name) == nil && !slices.Contains(hosts, name) {
			hosts = append(hosts, name)
		}
	}
	for _, h := range strings.FieldsFunc(r.str("DOCPIPE_ALLOWED_HOSTS", ""), func(c rune) bool { return c == ',' || c == ' ' }) {
		name, ok := hostName(h)
		if !ok {
			r.fail("DOCPIPE_ALLOWED_HOSTS", fmt.Sprintf("%q is not a host name; want names or addresses such as docs.example.com or 192.0.2.10, comma-separated, without scheme or port", h))
			continue
		}
		add(name)
	}
	if c.Auth != "none" || role != RoleServe && role != RoleAPI && role != RoleWeb {
		return hosts, onNetwork
	}
	host, _, err := net.SplitHostPort(c.Addr)
	if err != nil {
		return hosts, onNetwork
	}
	if !loopback(host) && !onNetwork {
		r.fail("DOCPIPE_ADDR", fmt.Sprintf("%s is not a loopback address, and with DOCPIPE_AUTH=none whoever reaches it acts as the local user; "+
			"listen on 127.0.0.1:PORT, sign users in with DOCPIPE_AUTH=oidc, or set DOCPIPE_AUTH_NONE_ON_NETWORK=true "+
			"if everyone who can reach this address may read and change every document", c.Addr))
	}
	if name, ok := hostName(host); ok {
		add(name)
	}
	if u, err := url.Parse(c.Web.PublicURL); err == nil {
		if name, ok := hostName(u.Hostname()); ok {
			add(name)
		}
	}
	return hosts, onNetwork
}

// hostName returns h, a host name or IP address with or without IPv6 brackets, in lower case
// and without a trailing dot; ok is false for anything else, such as a URL or a name with a port.
func hostName(h string) (name string, ok bool) {
	h = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(h)), ".")
	if ip := net.ParseIP(strings.TrimSuffix(strings.TrimPrefix(h, "["), "]")); ip != nil {
		return ip.String(), true
	}
	if h == "" || len(h) > 253 {
		return "", false
	}
	for _, c := range h {
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_') {
			return "", false
		}
	}
	return h, true
}

// loopback reports whether host, of a listen address, is this machine's own: localhost or a
// loopback IP address. An empty host is every address.
func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (r *reader) bool(name string, def bool) bool {
	v := strings.TrimSpace(r.getenv(name))
	if v == "" {
		return def
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		r.fail(name, fmt.Sprintf("want true or false, got %q", v))
		return def
	}
	return b
}
