package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/docpipe/docpipe/internal/config"
	"github.com/docpipe/docpipe/internal/telemetry"
	"github.com/docpipe/docpipe/internal/web"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// runWeb runs the frontend alone; it calls the api role at DOCPIPE_API_URL.
func runWeb(ctx context.Context, args []string, _ io.Writer) error {
	cfg, log, metrics, flush, err := boot(ctx, config.RoleWeb, args)
	if err != nil {
		return err
	}
	defer flush()
	api := &web.Client{BaseURL: cfg.Web.APIURL, HTTP: &http.Client{Timeout: 5 * time.Minute}}
	front, err := newWeb(ctx, cfg, log, api)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(metrics.Registry, promhttp.HandlerOpts{}))
	mux.Handle("/", metrics.Instrument(log, front))
	return serve(ctx, cfg, log, "web", readyMux{mux, front}, nil)
}

// withWeb puts the frontend in front of the in-process API for `docpipe serve`: the API keeps
// its paths (/v1/, health, metrics, the spec) and the web calls it through an in-memory
// transport, so one process needs no second port and no network hop.
func withWeb(ctx context.Context, cfg *config.Config, log *slog.Logger, metrics *telemetry.Metrics, api servable) (servable, error) {
	client := &web.Client{HTTP: &http.Client{Transport: web.HandlerTransport{Handler: api}}}
	front, err := newWeb(ctx, cfg, log, client)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	for _, p := range []string{"/v1/", "/healthz", "/readyz", "/metrics", "/openapi.json"} {
		mux.Handle(p, api)
	}
	mux.Handle("/", metrics.Instrument(log, front))
	return readyMux{mux, multiReady{api, front}}, nil
}

func newWeb(ctx context.Context, cfg *config.Config, log *slog.Logger, api *web.Client) (*web.Server, error) {
	opt := web.Options{
		API: api, PublicURL: cfg.Web.PublicURL, SessionTTL: cfg.Web.SessionTTL,
		MaxUpload: cfg.MaxUploadBytes, Log: log,
	}
	if cfg.Auth == "oidc" {
		c := cfg.Web.Client
		opt.OIDC = &web.OIDC{
			Issuer: cfg.OIDC.Issuer, JWKSURL: cfg.OIDC.JWKSURL,
			ClientID: c.ID, ClientSecret: c.Secret, Scopes: c.Scopes,
			RedirectURL: cfg.Web.PublicURL + "/auth/callback", LogoutURL: c.LogoutRedirect,
			AuthURL: c.AuthURL, TokenURL: c.TokenURL, EndSessionURL: c.EndSessionURL, DiscoveryURL: c.DiscoveryURL,
			ForwardID: c.ForwardToken == "id",
		}
		if err := opt.OIDC.Setup(ctx); err != nil {
			return nil, err
		}
		log.Info("signing users in with OpenID Connect", "issuer", cfg.OIDC.Issuer, "client_id", c.ID,
			"redirect_uri", opt.OIDC.RedirectURL, "end_session", opt.OIDC.EndSessionURL != "")
	}
	secret, from := cfg.Web.SessionKey, "DOCPIPE_SESSION_KEY"
	if secret == "" && cfg.Auth == "oidc" {
		secret, from = cfg.Web.Client.Secret, "DOCPIPE_OIDC_CLIENT_SECRET"
	}
	switch {
	case secret != "":
		key, err := web.SessionKey(secret)
		if err != nil {
			log.Warn("sessions live in this process: the client secret is too short to seal them; set DOCPIPE_SESSION_KEY", "err", err)
			break
		}
		opt.SessionKey = key
		log.Info("sessions are sealed into cookies; any replica with the same key serves any browser", "key_from", from)
	case cfg.Auth == "oidc":
		log.Warn("sessions live in this process: run one web replica, or set DOCPIPE_SESSION_KEY on all of them")
	}
	front, err := web.New(opt)
	if err != nil {
		return nil, err
	}
	log.Info("web frontend", "url", cfg.Web.PublicURL)
	return front, nil
}

// readyMux serves a mux and passes readiness on.
type readyMux struct {
	*http.ServeMux
	ready interface{ SetReady(bool) }
}

func (m readyMux) SetReady(ok bool) { m.ready.SetReady(ok) }

type multiReady []interface{ SetReady(bool) }

func (m multiReady) SetReady(ok bool) {
	for _, r := range m {
		r.SetReady(ok)
	}
}
