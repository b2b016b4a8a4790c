// Package config reads docpipe's settings from DOCPIPE_* environment variables and validates them.
// A setting that holds a secret can also be given as a file through its *_FILE twin.
package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/docpipe/docpipe/internal/dates"
)

// Config is the validated configuration of every role.
type Config struct {
	Addr            string        // DOCPIPE_ADDR: where the HTTP server listens
	DataDir         string        // DOCPIPE_DATA_DIR: home of the embedded defaults
	DatabaseURL     string        // DOCPIPE_DATABASE_URL (secret): sqlite:PATH or postgres://…
	DatabaseIAM     string        // DOCPIPE_DATABASE_IAM: "gcp" signs in to PostgreSQL with the workload's Google access token
	DatabaseRole    string        // DOCPIPE_DATABASE_ROLE: the PostgreSQL role to SET after connecting (owner of the schema)
	BlobURL         string        // DOCPIPE_BLOB_URL: a gocloud.dev/blob bucket URL
	Auth            string        // DOCPIPE_AUTH: "none" (one local user) or "oidc" (bearer JWTs)
	LocalUser       string        // DOCPIPE_LOCAL_USER: the owner of every document when Auth is none
	AllowedHosts    []string      // DOCPIPE_ALLOWED_HOSTS and more: when Auth is none, the Host names answered besides localhost and IP addresses
	AuthNoneNetwork bool          // DOCPIPE_AUTH_NONE_ON_NETWORK: when Auth is none, listening on a non-loopback address was asked for
	OIDC            OIDC          // DOCPIPE_OIDC_*: the token issuer when Auth is oidc
	Web             Web           // the frontend's settings (web and serve roles)
	MaxUploadBytes  int64         // DOCPIPE_MAX_UPLOAD_BYTES: per request body
	MaxUploads      int           // DOCPIPE_MAX_UPLOADS: upload requests handled at once
	UploadDir       string        // DOCPIPE_UPLOAD_DIR: where the files of uploads in flight are kept
	MaxPages        int           // DOCPIPE_MAX_PAGES: per document
	MaxPixels       int64         // DOCPIPE_MAX_PIXELS: per page image
	OCREngines      int           // DOCPIPE_OCR_ENGINES: Tesseract engines (and worker goroutines)
	OCRLang         string        // DOCPIPE_OCR_LANG: Tesseract language(s), e.g. eng or eng+deu
	DateOrder       dates.Order   // DOCPIPE_DATE_ORDER: dmy or mdy, how 3/2/2024 in a document's text reads
	JobTimeout      time.Duration // DOCPIPE_JOB_TIMEOUT: OCR time allowed per document, all pages
	PageTimeout     time.Duration // DOCPIPE_PAGE_TIMEOUT: OCR time allowed per page, once an engine has it
	JobLease        time.Duration // DOCPIPE_JOB_LEASE: how long a worker holds a job between renewals
	MaxAttempts     int           // DOCPIPE_MAX_ATTEMPTS: tries before a document is failed
	RetryBackoff    time.Duration // DOCPIPE_RETRY_BACKOFF: first retry delay, doubled each attempt
	PollInterval    time.Duration // DOCPIPE_POLL_INTERVAL: how often an idle worker looks for jobs
	RateLimit       float64       // DOCPIPE_RATE_LIMIT: API requests per second per user; 0 is unlimited
	RateBurst       int           // DOCPIPE_RATE_BURST
	ShutdownTimeout time.Duration // DOCPIPE_SHUTDOWN_TIMEOUT: how long draining may take
	DrainDelay      time.Duration // DOCPIPE_DRAIN_DELAY: time between readiness going false and closing listeners
	LogLevel        string        // DOCPIPE_LOG_LEVEL: debug, info, warn, error
	LogFormat       string        // DOCPIPE_LOG_FORMAT: json or text
	TraceExporter   string        // DOCPIPE_TRACE_EXPORTER: none, or otlp (endpoint from OTEL_EXPORTER_OTLP_*)
	QueueURL        string        // DOCPIPE_QUEUE_URL: the worker consumes S3 event notifications from this SQS queue
	Azure           Azure         // Azure-only settings
	Notify          Notify        // notifications of changed documents between function and api
}

// Role names the process's job; it decides which settings are required.
type Role string

// The roles of the docpipe binary.
const (
	RoleServe  Role = "serve"
	RoleAPI    Role = "api"
	RoleWorker Role = "worker"
	RoleWeb    Role = "web"
	// RoleMigrate brings the database's schema up to date and exits.
	RoleMigrate Role = "migrate"
)

// Error is a configuration error; it names the variable at fault.
type Error struct {
	Var string
	Msg string
}

func (e *Error) Error() string { return e.Var + ": " + e.Msg }

// Load reads the configuration for role from getenv (os.Getenv in production).
// All errors are returned together so one start-up reports every bad variable.
func Load(role Role, getenv func(string) string) (*Config, error) {
	r := reader{getenv: getenv}
	c := &Config{
		Addr:            r.str("DOCPIPE_ADDR", "127.0.0.1:8080"),
		DataDir:         r.str("DOCPIPE_DATA_DIR", "data"),
		Auth:            r.str("DOCPIPE_AUTH", ""),
		LocalUser:       r.str("DOCPIPE_LOCAL_USER", "local"),
		MaxUploadBytes:  r.int64("DOCPIPE_MAX_UPLOAD_BYTES", 50<<20, 1),
		MaxUploads:      int(r.int64("DOCPIPE_MAX_UPLOADS", 4, 1)),
		UploadDir:       r.str("DOCPIPE_UPLOAD_DIR", os.TempDir()),
		MaxPages:        int(r.int64("DOCPIPE_MAX_PAGES", 200, 1)),
		MaxPixels:       r.int64("DOCPIPE_MAX_PIXELS", 60_000_000, 1),
		OCREngines:      int(r.int64("DOCPIPE_OCR_ENGINES", int64(runtime.NumCPU()), 1)),
		OCRLang:         r.str("DOCPIPE_OCR_LANG", "eng"),
		JobTimeout:      r.duration("DOCPIPE_JOB_TIMEOUT", 30*time.Minute),
		JobLease:        r.duration("DOCPIPE_JOB_LEASE", 30*time.Second),
		MaxAttempts:     int(r.int64("DOCPIPE_MAX_ATTEMPTS", 5, 1)),
		RetryBackoff:    r.duration("DOCPIPE_RETRY_BACKOFF", 5*time.Second),
		PollInterval:    r.duration("DOCPIPE_POLL_INTERVAL", time.Second),
		RateLimit:       r.float("DOCPIPE_RATE_LIMIT", 50),
		RateBurst:       int(r.int64("DOCPIPE_RATE_BURST", 100, 1)),
		ShutdownTimeout: r.duration("DOCPIPE_SHUTDOWN_TIMEOUT", 30*time.Second),
		DrainDelay:      r.durationMin("DOCPIPE_DRAIN_DELAY", 0, 0),
		LogLevel:        r.oneOf("DOCPIPE_LOG_LEVEL", "info", "debug", "info", "warn", "error"),
		LogFormat:       r.oneOf("DOCPIPE_LOG_FORMAT", "json", "json", "text"),
		TraceExporter:   r.oneOf("DOCPIPE_TRACE_EXPORTER", "none", "none", "otlp"),
	}
	c.DateOrder, _ = dates.ParseOrder(r.oneOf("DOCPIPE_DATE_ORDER", "dmy", "dmy", "mdy"))
	c.PageTimeout = r.duration("DOCPIPE_PAGE_TIMEOUT", min(time.Minute, c.JobTimeout))
	c.DatabaseURL = r.secret("DOCPIPE_DATABASE_URL", "sqlite:"+filepath.Join(c.DataDir, "docpipe.db"))
	c.BlobURL = r.str("DOCPIPE_BLOB_URL", "")
	if c.BlobURL == "" {
		abs, err := filepath.Abs(filepath.Join(c.DataDir, "blobs"))
		if err != nil {
			r.fail("DOCPIPE_DATA_DIR", err.Error())
		}
		// Temporary files next to the blobs: os.TempDir may be another filesystem (a tmpfs
		// /tmp in a container), where the final rename fails.
		c.BlobURL = (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs), RawQuery: "no_tmp_dir=true"}).String()
	}

	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		r.fail("DOCPIPE_ADDR", "want host:port, e.g. 127.0.0.1:8080 or :8080")
	}
	if c.JobLease < time.Second {
		r.fail("DOCPIPE_JOB_LEASE", "must be at least 1s")
	}
	if c.JobTimeout < time.Second {
		r.fail("DOCPIPE_JOB_TIMEOUT", "must be at least 1s")
	}
	if c.PageTimeout < time.Second || c.PageTimeout > c.JobTimeout {
		r.fail("DOCPIPE_PAGE_TIMEOUT", "must be at least 1s and at most DOCPIPE_JOB_TIMEOUT")
	}
	if c.PollInterval <= 0 {
		r.fail("DOCPIPE_POLL_INTERVAL", "must be positive")
	}
	if role == RoleFunction {
		c.Addr = r.functionAddr(c.Addr)
	}
	c.Azure, c.Notify = r.azure(role, c.JobTimeout)
	c.DatabaseURL = r.databasePassword(c.DatabaseURL)
	c.DatabaseIAM, c.DatabaseRole = r.databaseIdentity(c.DatabaseURL)
	c.QueueURL = r.queueURL(role)
	if _, err := url.Parse(c.DatabaseURL); err != nil || !strings.HasPrefix(c.DatabaseURL, "sqlite:") && !c.Postgres() && !c.Cosmos() {
		r.fail("DOCPIPE_DATABASE_URL", "unsupported or malformed URL; want sqlite:PATH, postgres://USER:PASSWORD@HOST/DB or cosmos://ACCOUNT.documents.azure.com/DATABASE")
	}
	if u, err := url.Parse(c.BlobURL); err != nil || u.Scheme == "" {
		r.fail("DOCPIPE_BLOB_URL", "want a bucket URL such as file:///var/lib/docpipe/blobs")
	}
	switch {
	case c.Auth == "" && role == RoleServe:
		c.Auth = "none"
	case c.Auth == "" && (role == RoleAPI || role == RoleWeb):
		r.fail("DOCPIPE_AUTH", `required for the `+string(role)+` role; set DOCPIPE_AUTH=none to run without sign-in on purpose`)
	case c.Auth == "" || c.Auth == "none":
		c.Auth = "none"
	case c.Auth == "oidc":
		c.OIDC = r.oidc()
	default:
		r.fail("DOCPIPE_AUTH", fmt.Sprintf("unknown mode %q; want none or oidc", c.Auth))
	}
	if role == RoleWeb || role == RoleServe {
		c.Web = r.web(role, c)
	}
	c.AllowedHosts, c.AuthNoneNetwork = r.network(role, c)
	if c.Auth == "none" && c.LocalUser == "" {
		r.fail("DOCPIPE_LOCAL_USER", "must not be empty")
	}
	if err := errors.Join(r.errs...); err != nil {
		return nil, err
	}
	return c, nil
}

// Postgres reports whether the database URL is a PostgreSQL one (postgres:// or postgresql://).
func (c *Config) Postgres() bool {
	return strings.HasPrefix(c.DatabaseURL, "postgres://") || strings.HasPrefix(c.DatabaseURL, "postgresql://")
}

// SQLitePath returns the file of a sqlite: database URL.
func (c *Config) SQLitePath() string {
	p := strings.TrimPrefix(c.DatabaseURL, "sqlite:")
	return strings.TrimPrefix(p, "//")
}

type reader struct {
	getenv func(string) string
	errs   []error
}

func (r *reader) fail(name, msg string) { r.errs = append(r.errs, &Error{Var: name, Msg: msg}) }

func (r *reader) str(name, def string) string {
	if v := strings.TrimSpace(r.getenv(name)); v != "" {
		return v
	}
	return def
}

// secret reads name, or the file named by name_FILE; setting both is an error.
func (r *reader) secret(name, def string) string {
	v, file := r.getenv(name), r.getenv(name+"_FILE")
	switch {
	case v != "" && file != "":
		r.fail(name, "set either "+name+" or "+name+"_FILE, not both")
		return def
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			r.fail(name+"_FILE", err.Error())
			return def
		}
		return strings.TrimSpace(string(b))
	case v != "":
		return v
	}
	return def
}

func (r *reader) int64(name string, def, min int64) int64 {
	v := r.getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil || n < min {
		r.fail(name, fmt.Sprintf("want a whole number ≥ %d, got %q", min, v))
		return def
	}
	return n
}

func (r *reader) float(name string, def float64) float64 {
	v := r.getenv(name)
	if v == "" {
		return def
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || f < 0 {
		r.fail(name, fmt.Sprintf("want a number ≥ 0, got %q", v))
		return def
	}
	return f
}

func (r *reader) duration(name string, def time.Duration) time.Duration {
	return r.durationMin(name, def, time.Millisecond)
}

func (r *reader) durationMin(name string, def, min time.Duration) time.Duration {
	v := r.getenv(name)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(strings.TrimSpace(v))
	if err != nil || d < min {
		r.fail(name, fmt.Sprintf("want a duration such as 30s or 2m (≥ %v), got %q", min, v))
		return def
	}
	return d
}

func (r *reader) oneOf(name, def string, allowed ...string) string {
	v := r.str(name, def)
	for _, a := range allowed {
		if v == a {
			return v
		}
	}
	r.fail(name, fmt.Sprintf("want one of %s, got %q", strings.Join(allowed, ", "), v))
	return def
}
