package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/docpipe/docpipe/internal/blob"
	"github.com/docpipe/docpipe/internal/config"
	"github.com/docpipe/docpipe/internal/events"
	"github.com/docpipe/docpipe/internal/notify"
)

// runFunction runs the OCR worker as an Azure Functions custom handler: the Functions host
// starts it, and posts an invocation for each Blob Storage event (POST /ocr) and each tick of
// the sweep timer (POST /sweep) to FUNCTIONS_CUSTOMHANDLER_PORT on loopback.
func runFunction(ctx context.Context, args []string, _ io.Writer) error {
	cfg, log, metrics, flush, err := boot(ctx, config.RoleFunction, args)
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
	worker, closeOCR, err := newWorker(cfg, log, metrics, st, bucket)
	if err != nil {
		return err
	}
	defer closeOCR()
	changed, err := notifier(cfg)
	if err != nil {
		return err
	}
	if changed != nil {
		// Whatever moved the job (an event, the sweep, a retry), the api hears of each change;
		// a notification is a hint, so it is sent on the side and a failure only logged.
		worker.Changed = func(id string) {
			go func() {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				if err := changed(ctx, []string{id}); err != nil {
					log.Warn("notify the api of a changed document", "document_id", id, "err", err)
				}
			}()
		}
	}
	fn := &events.Function{
		Processor: &events.Processor{Store: st, Bucket: bucket, Worker: worker, Lease: cfg.JobLease},
		Drain:     worker.Drain,
		Log:       log,
	}

	mux := http.NewServeMux()
	mux.Handle("/", fn.Handler())
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok\n") })
	return serve(ctx, cfg, log, string(config.RoleFunction), noReadiness{metrics.Instrument(log, mux)}, nil)
}

// notifier returns how the function tells the api about documents it processed: a POST with a
// token its managed identity gets for DOCPIPE_API_TOKEN_SCOPE. Nil when DOCPIPE_API_URL is unset.
func notifier(cfg *config.Config) (func(context.Context, []string) error, error) {
	if cfg.Notify.APIURL == "" {
		return nil, nil
	}
	cred, err := azidentity.NewDefaultAzureCredential(nil)
	if err != nil {
		return nil, fmt.Errorf("azure credential for notifying the api: %w", err)
	}
	c := &notify.Client{
		URL: cfg.Notify.APIURL,
		Token: func(ctx context.Context) (string, error) {
			tok, err := cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{cfg.Azure.APITokenScope}})
			return tok.Token, err
		},
		HTTP: &http.Client{Timeout: 10 * time.Second},
	}
	return c.Changed, nil
}
