package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/docpipe/docpipe/internal/api"
	"github.com/docpipe/docpipe/internal/auth"
	"github.com/docpipe/docpipe/internal/blob"
	"github.com/docpipe/docpipe/internal/config"
	"github.com/docpipe/docpipe/internal/ocr"
	"github.com/docpipe/docpipe/internal/ocr/vision"
	"github.com/docpipe/docpipe/internal/pipeline"
	"github.com/docpipe/docpipe/internal/store"
	"github.com/docpipe/docpipe/internal/store/cosmos"
	"github.com/docpipe/docpipe/internal/store/postgres"
	"github.com/docpipe/docpipe/internal/store/sqlite"
	"github.com/docpipe/docpipe/internal/telemetry"
	gcblob "gocloud.dev/blob"
	"golang.org/x/oauth2/google"
)

func runServe(ctx context.Context, args []string, _ io.Writer) error {
	return run(ctx, config.RoleServe, args)
}

func runAPI(ctx context.Context, args []string, _ io.Writer) error {
	return run(ctx, config.RoleAPI, args)
}

func runWorker(ctx context.Context, args []string, _ io.Writer) error {
	return run(ctx, config.RoleWorker, args)
}

// run starts a server role and blocks until ctx is cancelled and the role has drained.
func run(ctx context.Context, role config.Role, args []string) error {
	cfg, log, metrics, flush, err := boot(ctx, role, args)
	if err != nil {
		return err
	}
	defer flush()

	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	bucket, err := blob.Open(ctx, cfg.BlobURL)
	if err != nil {
		return err
	}
	defer bucket.Close()
	metrics.WatchQueue(func(ctx context.Context) (telemetry.QueueStats, error) {
		s, err := st.Stats(ctx)
		return telemetry.QueueStats{Queued: s.Queued, Processing: s.Processing, OldestAge: s.OldestAge}, err
	})

	identify, err := identity(cfg, log)
	if err != nil {
		return err
	}
	limits := ocr.Limits{MaxPages: cfg.MaxPages, MaxPixels: cfg.MaxPixels}
	var worker *pipeline.Worker
	if role != config.RoleAPI {
		w, closeOCR, err := newWorker(cfg, log, metrics, st, bucket)
		if err != nil {
			return err
		}
		defer closeOCR()
		worker = w
	}

	if role != config.RoleWorker {
		if err := os.MkdirAll(cfg.UploadDir, 0o700); err != nil {
			return fmt.Errorf("DOCPIPE_UPLOAD_DIR: %w", err)
		}
	}
	srv := api.New(api.Options{
		Store: st, Bucket: bucket, Metrics: metrics, Log: log,
		Identify:  identify,
		Limits:    limits,
		MaxUpload: cfg.MaxUploadBytes,
		RateLimit: cfg.RateLimit, RateBurst: cfg.RateBurst,
		// Uploads in flight take up to MaxUploads times MaxUploadBytes of UploadDir.
		MaxConcurrentUploads: cfg.MaxUploads, TempDir: cfg.UploadDir,
		OnEnqueue: func() {
			if worker != nil {
				worker.Notify()
			}
		},
		OpsOnly:   role == config.RoleWorker,
		Notifiers: cfg.Notify.Subjects,
		Events:    eventPush(role, cfg, log, st, bucket, worker),
		Preview: func(ctx context.Context, data []byte, page int) ([]byte, error) {
			return drawPage(ctx, data, page, previewSide, limits)
		},
		Lang:      cfg.OCRLang,
		Languages: languages(log),
	})
	if worker != nil {
		worker.Changed = func(id string) { srv.Changed(id) }
	}
	if cfg.Auth == "none" && role != config.RoleWorker {
		log.Warn("AUTHENTICATION IS OFF: every request acts as one local user; do not expose this server",
			"user", cfg.LocalUser, "addr", cfg.Addr, "allowed_hosts", cfg.AllowedHosts,
			"hint", "set DOCPIPE_AUTH to an identity provider for shared use")
	}
	if cfg.QueueURL != "" {
		wait, err := consumeQueue(ctx, cfg, log, st, bucket, worker)
		if err != nil {
			return err
		}
		defer wait()
	}
	var app servable = srv
	if role == config.RoleServe {
		if app, err = withWeb(ctx, cfg, log, metrics, srv); err != nil {
			return err
		}
	}
	return serve(ctx, cfg, log, string(role), app, worker)
}

// boot parses a server role's flags, loads its configuration and sets up its logger, metrics
// and tracing. flush sends the spans still buffered, giving up after five seconds.
func boot(ctx context.Context, role config.Role, args []string) (cfg *config.Config, log *slog.Logger, metrics *telemetry.Metrics, flush func(), err error) {
	if err := flags(string(role)).Parse(args); err != nil {
		return nil, nil, nil, nil, err
	}
	if cfg, err = config.Load(role, os.Getenv); err != nil {
		return nil, nil, nil, nil, fmt.Errorf("configuration:\n%w", err)
	}
	log = telemetry.NewLogger(os.Stderr, cfg.LogLevel, cfg.LogFormat)
	slog.SetDefault(log)
	build := telemetry.Build{Version: version, Revision: buildRevision()}
	stop, err := telemetry.StartTracing(ctx, cfg.TraceExporter, "docpipe-"+string(role), build)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	flush = func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := stop(ctx); err != nil {
			log.Warn("flush traces", "err", err)
		}
	}
	return cfg, log, telemetry.NewMetrics(build), flush, nil
}

// newWorker returns the OCR worker of the server roles and the function, with its engine:
// Azure AI Vision when DOCPIPE_AZURE_VISION_ENDPOINT is set, else a Tesseract pool, which also
// makes each document's searchable PDF.
func newWorker(cfg *config.Config, log *slog.Logger, metrics *telemetry.Metrics, st *store.Store, bucket *gcblob.Bucket) (*pipeline.Worker, func(), error) {
	limits := ocr.Limits{MaxPages: cfg.MaxPages, MaxPixels: cfg.MaxPixels}
	w := &pipeline.Worker{
		Store: st, Bucket: bucket,
		Concurrency: cfg.OCREngines, Lease: cfg.JobLease, Timeout: cfg.JobTimeout,
		MaxAttempts: cfg.MaxAttempts, Backoff: cfg.RetryBackoff, Poll: cfg.PollInterval,
		Metrics: metrics, Log: log,
		Thumbnail: func(ctx context.Context, data []byte) ([]byte, error) {
			return drawPage(ctx, data, 1, thumbnailSide, limits)
		},
	}
	if cfg.Azure.VisionEndpoint != "" {
		cred, err := azidentity.NewDefaultAzureCredential(nil)
		if err != nil {
			return nil, nil, fmt.Errorf("azure credential for Azure AI Vision: %w", err)
		}
		c, err := vision.New(vision.Options{
			Endpoint: cfg.Azure.VisionEndpoint, Credential: cred,
			MaxWait: cfg.Azure.VisionMaxWait, Language: cfg.Azure.VisionLanguage,
			Limits: limits, MaxBytes: cfg.MaxUploadBytes, Log: log,
		})
		if err != nil {
			return nil, nil, err
		}
		log.Info("OCR by Azure AI Vision Read", "endpoint", cfg.Azure.VisionEndpoint)
		w.OCR = c
		return w, func() {}, nil
	}
	pool, err := ocr.New(ocr.Options{Size: cfg.OCREngines, Lang: cfg.OCRLang, Limits: limits, PageTimeout: cfg.PageTimeout})
	if err != nil {
		return nil, nil, err
	}
	metrics.WatchPool(pool.Stats)
	w.OCR, w.PDF = pool, ocr.SearchablePDF
	return w, func() { pool.Close() }, nil
}

// languages lists the OCR language packs installed here, for the api to check uploads against,
// or is nil when this host has no Tesseract data to list (the worker still checks).
func languages(log *slog.Logger) func() ([]string, error) {
	if _, err := ocr.Languages(""); err != nil {
		log.Warn("OCR languages cannot be listed here; uploads are not checked against them", "err", err)
		return nil
	}
	return func() ([]string, error) { return ocr.Languages("") }
}

// openStore opens the document store that the database URL names.
func openStore(ctx context.Context, cfg *config.Config) (*store.Store, error) {
	s, err := openBackend(ctx, cfg)
	if err != nil {
		return nil, err
	}
	s.SetDateOrder(cfg.DateOrder)
	return s, nil
}

func openBackend(ctx context.Context, cfg *config.Config) (*store.Store, error) {
	if cfg.Cosmos() {
		return cosmos.Open(ctx, cfg.DatabaseURL)
	}
	if cfg.Postgres() {
		opts, err := postgresOptions(ctx, cfg)
		if err != nil {
			return nil, err
		}
		return postgres.OpenWith(ctx, cfg.DatabaseURL, opts)
	}
	if err := os.MkdirAll(filepath.Dir(cfg.SQLitePath()), 0o750); err != nil {
		return nil, fmt.Errorf("data dir: %w", err)
	}
	return sqlite.Open(ctx, cfg.SQLitePath())
}

// cloudSQLScope is the OAuth scope of an access token that signs in to Cloud SQL.
const cloudSQLScope = "https://www.googleapis.com/auth/sqlservice.login"

// postgresOptions says how to sign in to PostgreSQL: with DOCPIPE_DATABASE_IAM=gcp the password of
// every new connection is an access token of the workload's Google identity (Application Default
// Credentials; the token source caches a token until shortly before it expires).
func postgresOptions(ctx context.Context, cfg *config.Config) (postgres.Options, error) {
	opts := postgres.Options{Role: cfg.DatabaseRole}
	if cfg.DatabaseIAM == "gcp" {
		src, err := google.DefaultTokenSource(ctx, cloudSQLScope)
		if err != nil {
			return opts, fmt.Errorf("DOCPIPE_DATABASE_IAM=gcp: google credentials: %w", err)
		}
		opts.Password = func(context.Context) (string, error) {
			tok, err := src.Token()
			if err != nil {
				return "", fmt.Errorf("google access token: %w", err)
			}
			return tok.AccessToken, nil
		}
	}
	return opts, nil
}

// serve is the lifecycle of every role that listens, the function's included. It serves app on
// cfg.Addr and runs worker, if any, until ctx ends, then drains: readiness goes false, after
// DrainDelay the listener closes and in-flight requests finish, and the worker finishes the jobs
// it holds, all within ShutdownTimeout.
func serve(ctx context.Context, cfg *config.Config, log *slog.Logger, role string, app servable, worker *pipeline.Worker) error {
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	var h http.Handler = app
	if cfg.Auth == "none" && role != "worker" && role != "function" {
		// Without credentials, a browser's access to this server is all a request needs: a page
		// elsewhere must not reach it under a name of its own (DNS rebinding).
		h = api.RestrictHosts(cfg.AllowedHosts, app)
	}
	hs := newHTTPServer(h, log, serverTimeouts)
	httpDone := make(chan error, 1)
	go func() { httpDone <- hs.Serve(ln) }()
	workerDone := make(chan struct{})
	if worker != nil {
		go func() { _ = worker.Run(ctx); close(workerDone) }()
	} else {
		close(workerDone)
	}
	log.Info("docpipe started", "role", role, "url", "http://"+ln.Addr().String(), "version", version)

	select {
	case err := <-httpDone:
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down: draining requests and jobs", "drain_delay", cfg.DrainDelay, "timeout", cfg.ShutdownTimeout)
	app.SetReady(false)
	time.Sleep(cfg.DrainDelay)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(shutdownCtx); err != nil {
		log.Warn("requests still running at the shutdown timeout", "err", err)
	}
	select {
	case <-workerDone:
	case <-shutdownCtx.Done():
		log.Warn("jobs still running at the shutdown timeout; their leases will expire and they will be retried")
	}
	if err := <-httpDone; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}

// servable is what serve runs: a handler that answers not ready while draining.
type servable interface {
	http.Handler
	SetReady(ok bool)
}

// noReadiness is a servable for a handler that has no readiness to report.
type noReadiness struct{ http.Handler }

func (noReadiness) SetReady(bool) {}

// identity returns how the API tells who a request comes from: the subject of a verified bearer
// JWT when DOCPIPE_AUTH=oidc, else the one local user.
func identity(cfg *config.Config, log *slog.Logger) (api.Identify, error) {
	if cfg.Auth != "oidc" {
		return localUser(cfg.LocalUser), nil
	}
	v, err := auth.NewVerifier(auth.Config{
		Issuer:    cfg.OIDC.Issuer,
		JWKSURL:   cfg.OIDC.JWKSURL,
		Audiences: cfg.OIDC.Audiences,
		TokenUse:  cfg.OIDC.TokenUse,
	})
	if err != nil {
		return nil, fmt.Errorf("identity: %w", err)
	}
	log.Info("accepting bearer tokens", "issuer", cfg.OIDC.Issuer, "jwks_url", cfg.OIDC.JWKSURL,
		"audiences", cfg.OIDC.Audiences, "token_use", cfg.OIDC.TokenUse)
	return v.Identify, nil
}

// localUser identifies every request as the one local user, for DOCPIPE_AUTH=none.
func localUser(name string) api.Identify {
	return func(*http.Request) (string, error) { return name, nil }
}
