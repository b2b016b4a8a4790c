// Command docpipe uploads documents, OCRs them asynchronously and searches their text. One binary
// plays every role; the first argument chooses it.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

// Set at build time with -ldflags "-X main.version=… -X main.revision=…".
var (
	version  = "dev"
	revision = ""
)

const usage = `docpipe: upload documents, OCR them, search their text.

Usage:
  docpipe <command> [flags]

Commands:
  serve         every role in one process on embedded defaults (SQLite, local files, Tesseract)
  api           the REST API only
  web           the web frontend only; it calls the api at DOCPIPE_API_URL
  worker        the OCR worker only
  function      the OCR worker as an Azure Functions custom handler (Event Grid trigger)
  ocr FILE...   print the text of image and PDF files (and -pdf: their searchable PDFs); no server
  render FILE   draw one page of an image or PDF as a PNG on stdout; no server
  migrate       bring the database's schema up to date, then exit
  import ZIP... add the documents of archives that GET /v1/export wrote
  healthcheck   exit 0 if the local server's /healthz answers, 1 otherwise
  version       print the version

Run 'docpipe <command> --help' for a command's settings. Settings are DOCPIPE_* environment
variables; see docs/configuration.md.
`

var commands = map[string]func(ctx context.Context, args []string, stdout io.Writer) error{
	"serve":       runServe,
	"api":         runAPI,
	"worker":      runWorker,
	"function":    runFunction,
	"web":         runWeb,
	"ocr":         runOCR,
	"render":      runRender,
	"migrate":     runMigrate,
	"import":      runImport,
	"healthcheck": runHealthcheck,
	"version":     runVersion,
}

// summaries are the first lines of each command's --help.
var summaries = map[string]string{
	"serve":       "Run the web frontend, the API and the OCR worker in one process.",
	"api":         "Run the REST API. Needs DOCPIPE_AUTH set: oidc, or none on purpose for no sign-in.",
	"web":         "Run the web frontend. Needs DOCPIPE_API_URL, and DOCPIPE_AUTH set: oidc, or none on purpose.",
	"worker":      "Run the OCR worker; /healthz, /readyz and /metrics are served on DOCPIPE_ADDR.",
	"function":    "Run the OCR worker as an Azure Functions custom handler: listen on FUNCTIONS_CUSTOMHANDLER_PORT for the host's invocations (POST /ocr for Blob Storage events, POST /sweep for the timer) and notify the api at DOCPIPE_API_URL.",
	"ocr":         "Print the text of image and PDF files, pages separated by form feeds, reading as many files at once as there are engines; -lang picks the languages, -pdf DIR also writes each file's searchable PDF.",
	"render":      "Draw one page of an image or PDF file (- for stdin) as a PNG on stdout. The server draws its page pictures with it, in a child process of bounded memory.",
	"migrate":     "Apply the database migrations this version needs, then exit. Servers migrate at start too; this runs it once, ahead of them (a Kubernetes Job).",
	"import":      "Add the documents, tags and rules of archives that GET /v1/export wrote to the database and bucket the settings name, as -owner's; files the owner has already are skipped.",
	"healthcheck": "Exit 0 if http://DOCPIPE_ADDR/healthz answers 200, else 1.",
	"version":     "Print the version.",
}

func main() {
	if len(os.Args) < 2 || os.Args[1] == "-h" || os.Args[1] == "--help" || os.Args[1] == "help" {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	run, ok := commands[os.Args[1]]
	if !ok {
		fmt.Fprintf(os.Stderr, "docpipe: unknown command %q\n\n%s", os.Args[1], usage)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[2:], os.Stdout); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintf(os.Stderr, "docpipe %s: %v\n", os.Args[1], err)
		var ee *exitError
		if errors.As(err, &ee) {
			os.Exit(ee.code)
		}
		os.Exit(1)
	}
}

// flags returns a flag set for a command whose --help prints its summary and the settings.
func flags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: docpipe %s [flags]\n\n%s\n", name, summaries[name])
		if name != "version" {
			fmt.Fprint(fs.Output(), settingsHelp)
		}
		fs.PrintDefaults()
	}
	return fs
}

const settingsHelp = `
Settings (environment):
  DOCPIPE_ADDR              listen address (127.0.0.1:8080)
  DOCPIPE_DATA_DIR          home of the embedded defaults (./data)
  DOCPIPE_DATABASE_URL      sqlite:PATH (sqlite:$DATA_DIR/docpipe.db); also DOCPIPE_DATABASE_URL_FILE
  DOCPIPE_DATABASE_PASSWORD the password of a postgres:// URL given without one; also DOCPIPE_DATABASE_PASSWORD_FILE
  DOCPIPE_DATABASE_IAM      gcp: sign in to PostgreSQL (Cloud SQL) with the workload's Google access token
  DOCPIPE_DATABASE_ROLE     PostgreSQL role to SET after connecting, which owns the schema
  DOCPIPE_BLOB_URL          bucket URL (file://$DATA_DIR/blobs?no_tmp_dir=true)
  DOCPIPE_QUEUE_URL         worker: SQS queue of S3 ObjectCreated events to consume (AWS_REGION, AWS_ENDPOINT_URL_SQS apply)
  DOCPIPE_AUTH              none: one local user, no sign-in (the default for serve only);
                            oidc: bearer JWTs from an OpenID Connect provider (see docs/auth.md)
  DOCPIPE_LOCAL_USER        the owner of documents when DOCPIPE_AUTH=none (local)
  DOCPIPE_AUTH_NONE_ON_NETWORK  true: let DOCPIPE_AUTH=none listen on an address that is not loopback (false)
  DOCPIPE_ALLOWED_HOSTS     auth none: more Host names to answer, comma-separated (localhost, IP addresses,
                            the hosts of DOCPIPE_PUBLIC_URL and DOCPIPE_ADDR); others get 421
  DOCPIPE_OIDC_ISSUER       oidc: the tokens' exact iss, e.g. https://accounts.google.com (required)
  DOCPIPE_OIDC_JWKS_URL     oidc: the signing keys (discovered from the issuer if unset)
  DOCPIPE_OIDC_AUDIENCE     oidc: accepted aud or client_id values, comma-separated (required)
  DOCPIPE_OIDC_TOKEN_USE    oidc: Cognito token_use to require, access or id (any)
  DOCPIPE_OIDC_CLIENT_ID    web, oidc: the client that signs users in (also the default audience)
  DOCPIPE_OIDC_CLIENT_SECRET  web, oidc: its secret, if confidential; also DOCPIPE_OIDC_CLIENT_SECRET_FILE
  DOCPIPE_OIDC_SCOPES       web, oidc: requested scopes (openid email profile)
  DOCPIPE_OIDC_AUTH_URL, DOCPIPE_OIDC_TOKEN_URL, DOCPIPE_OIDC_END_SESSION_URL, DOCPIPE_OIDC_DISCOVERY_URL
                            web, oidc: endpoints, when discovery is missing or wrong (Cognito)
  DOCPIPE_API_URL           web: the api's base URL (required for the web role)
  DOCPIPE_PUBLIC_URL        web: the URL browsers use (http://DOCPIPE_ADDR); https makes cookies Secure
  DOCPIPE_SESSION_TTL       web: idle time before a session ends (12h)
  DOCPIPE_MAX_UPLOAD_BYTES  per upload request (52428800)
  DOCPIPE_MAX_UPLOADS       upload requests handled at once; more wait 10s, then get 503 (4)
  DOCPIPE_UPLOAD_DIR        where uploads are kept while checked and stored (the system's temporary directory)
  DOCPIPE_MAX_PAGES         per document (200)
  DOCPIPE_MAX_PIXELS        per page image (60000000)
  DOCPIPE_OCR_ENGINES       Tesseract engines (number of CPUs)
  DOCPIPE_OCR_LANG          Tesseract languages (eng)
  DOCPIPE_JOB_TIMEOUT       OCR time per document, all its pages (30m)
  DOCPIPE_PAGE_TIMEOUT      OCR time per page, once an engine has it (1m)
  DOCPIPE_JOB_LEASE         job lease, renewed while OCR runs (30s)
  DOCPIPE_MAX_ATTEMPTS      tries before a document fails (5)
  DOCPIPE_RETRY_BACKOFF     first retry delay, doubled each time (5s)
  DOCPIPE_POLL_INTERVAL     idle worker's look for jobs (1s)
  DOCPIPE_RATE_LIMIT        API requests per second per user, 0 unlimited (50)
  DOCPIPE_RATE_BURST        (100)
  DOCPIPE_SHUTDOWN_TIMEOUT  time allowed to drain on SIGTERM (30s)
  DOCPIPE_DRAIN_DELAY       time unready before closing listeners (0s)
  DOCPIPE_LOG_LEVEL         debug, info, warn, error (info)
  DOCPIPE_LOG_FORMAT        json or text (json)
  DOCPIPE_TRACE_EXPORTER    none, or otlp to export traces (OTEL_EXPORTER_OTLP_ENDPOINT) (none)

`

func runVersion(_ context.Context, args []string, stdout io.Writer) error {
	if err := flags("version").Parse(args); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "docpipe %s %s\n", version, buildRevision())
	return nil
}

// buildRevision is the revision stamped at link time, else the one the Go toolchain recorded.
func buildRevision() string {
	if revision != "" {
		return revision
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				return s.Value
			}
		}
	}
	return "unknown"
}
