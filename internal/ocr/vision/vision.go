// Package vision recognizes documents with the Azure AI Vision Read API v3.2.
//
// A Client checks a document exactly as the Tesseract pool does (type sniffed
// from its bytes, page and pixel limits read from headers) and only then sends
// it to the service: POST {endpoint}/vision/v3.2/read/analyze, answered 202
// with an Operation-Location to poll until the operation has succeeded or
// failed. Every request carries a Microsoft Entra bearer token; account keys
// are never used.
package vision

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/docpipe/docpipe/internal/document"
	"github.com/docpipe/docpipe/internal/ocr"
)

// Scope is the OAuth 2.0 scope of the tokens sent to the service.
const Scope = "https://cognitiveservices.azure.com/.default"

// Defaults used for zero fields of Options.
const (
	DefaultPollInterval = time.Second
	DefaultMaxWait      = 2 * time.Minute
	DefaultMaxRetries   = 4
	DefaultRetryDelay   = time.Second
	DefaultReadingOrder = "natural"
	// DefaultMaxBytes is the service's file size limit on paid tiers.
	DefaultMaxBytes = 500 << 20
)

const (
	analyzePath   = "vision/v3.2/read/analyze"
	maxDelay      = time.Minute // longest wait between two requests, whatever the service asks for
	maxErrorBytes = 64 << 10
)

// ErrNotFinished means the service did not finish a read operation within
// Options.MaxWait. It does not wrap document.ErrInvalidInput: the document
// may well be read on a later attempt.
var ErrNotFinished = errors.New("read operation not finished")

// Options configure a Client.
type Options struct {
	// Endpoint is the Azure AI Vision account's endpoint, such as
	// https://NAME.cognitiveservices.azure.com. Plain http is accepted for
	// loopback addresses only.
	Endpoint string
	// Credential issues the bearer tokens for Scope, in Azure
	// azidentity.NewDefaultAzureCredential. Required.
	Credential azcore.TokenCredential
	// Client sends the requests; default http.DefaultClient.
	Client *http.Client

	PollInterval time.Duration // between polls of an operation, unless the service says otherwise
	MaxWait      time.Duration // for one document, from upload to result
	MaxRetries   int           // per request, for 429 and 503 answers
	RetryDelay   time.Duration // first backoff without Retry-After, doubled per retry, ±20% jitter

	ReadingOrder string // readingOrder query parameter: "natural" (default) or "basic"
	Language     string // language query parameter (BCP-47); empty lets the service detect it
	ModelVersion string // model-version query parameter; empty is the latest GA model

	Limits   ocr.Limits // the same limits the Tesseract pool applies
	MaxBytes int64      // per document

	Log *slog.Logger
}

// A Client recognizes documents with the Read API. It is safe for concurrent use.
type Client struct {
	opt     Options
	client  *http.Client
	base    *url.URL
	analyze string
	log     *slog.Logger
}

// New returns a Client for opt.
func New(opt Options) (*Client, error) {
	if opt.Credential == nil {
		return nil, errors.New("vision: no credential")
	}
	base, err := parseEndpoint(opt.Endpoint)
	if err != nil {
		return nil, fmt.Errorf("vision: endpoint %q: %w", opt.Endpoint, err)
	}
	switch {
	case opt.PollInterval < 0, opt.MaxWait < 0, opt.MaxRetries < 0, opt.RetryDelay < 0, opt.MaxBytes < 0:
		return nil, errors.New("vision: negative option")
	}
	if opt.PollInterval == 0 {
		opt.PollInterval = DefaultPollInterval
	}
	if opt.MaxWait == 0 {
		opt.MaxWait = DefaultMaxWait
	}
	if opt.MaxRetries == 0 {
		opt.MaxRetries = DefaultMaxRetries
	}
	if opt.RetryDelay == 0 {
		opt.RetryDelay = DefaultRetryDelay
	}
	if opt.ReadingOrder == "" {
		opt.ReadingOrder = DefaultReadingOrder
	}
	if opt.MaxBytes == 0 {
		opt.MaxBytes = DefaultMaxBytes
	}
	c := &Client{opt: opt, client: opt.Client, base: base, log: opt.Log}
	if c.client == nil {
		c.client = http.DefaultClient
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	q := url.Values{"readingOrder": {opt.ReadingOrder}}
	if opt.Language != "" {
		q.Set("language", opt.Language)
	}
	if opt.ModelVersion != "" {
		q.Set("model-version", opt.ModelVersion)
	}
	c.analyze = base.JoinPath(analyzePath).String() + "?" + q.Encode()
	return c, nil
}

func parseEndpoint(s string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimRight(s, "/"))
	if err != nil {
		return nil, err
	}
	switch {
	case u.Host == "":
		return nil, errors.New("not an absolute URL")
	case u.User != nil, u.RawQuery != "", u.Fragment != "":
		return nil, errors.New("want scheme, host and optional path only")
	case u.Scheme == "https":
	case u.Scheme == "http" && isLoopback(u.Hostname()):
	default:
		return nil, errors.New("want https (http only for loopback addresses)")
	}
	return u, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Recognize returns the text of every page of the document in data, in
// order. The type is sniffed from data; mediaType is only a hint. lang, in
// Tesseract's codes, is not passed on: the service detects the language, or
// reads Options.Language.
//
// Errors wrap document.ErrInvalidInput for input that can never be read:
// refused by the limits before anything is sent, or refused by the service as
// bad input (see ResponseError). A read that takes longer than MaxWait
// returns ErrNotFinished; if ctx ends first, its error is returned.
func (c *Client) Recognize(ctx context.Context, data []byte, mediaType, _ string) ([]document.Page, error) {
	if int64(len(data)) > c.opt.MaxBytes {
		return nil, fmt.Errorf("vision: %w", &ocr.LimitError{Limit: "bytes", Max: c.opt.MaxBytes, Got: int64(len(data))})
	}
	info, err := ocr.Inspect(ctx, data, c.opt.Limits)
	if err != nil {
		return nil, err
	}
	if hint, _, _ := mime.ParseMediaType(mediaType); hint != "" && hint != info.MediaType {
		c.log.DebugContext(ctx, "vision: declared media type disagrees with content", "declared", hint, "sniffed", info.MediaType)
	}

	wctx, cancel := context.WithTimeoutCause(ctx, c.opt.MaxWait, ErrNotFinished)
	defer cancel()
	pages, err := c.read(wctx, data, info.Pages)
	if err != nil {
		if ctx.Err() == nil && errors.Is(context.Cause(wctx), ErrNotFinished) {
			return nil, fmt.Errorf("vision: %w within %v", ErrNotFinished, c.opt.MaxWait)
		}
		return nil, fmt.Errorf("vision: %w", err)
	}
	return pages, nil
}

// read submits data and polls its operation until it ends.
func (c *Client) read(ctx context.Context, data []byte, want int) ([]document.Page, error) {
	resp, err := c.send(ctx, http.MethodPost, c.analyze, data)
	if err != nil {
		return nil, fmt.Errorf("submit: %w", err)
	}
	op := resp.Header.Get("Operation-Location")
	drain(resp)
	if resp.StatusCode != http.StatusAccepted {
		return nil, fmt.Errorf("submit: unexpected status %s", resp.Status)
	}
	if err := c.checkOperation(op); err != nil {
		return nil, fmt.Errorf("submit: Operation-Location %q: %w", op, err)
	}

	delay := c.opt.PollInterval
	for {
		if err := sleep(ctx, delay); err != nil {
			return nil, err
		}
		resp, err := c.send(ctx, http.MethodGet, op, nil)
		if err != nil {
			return nil, fmt.Errorf("poll: %w", err)
		}
		body, err := readBody(resp, int64(want+1)<<20)
		if err != nil {
			return nil, fmt.Errorf("poll: %w", err)
		}
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("poll: unexpected status %s", resp.Status)
		}
		result, err := decodeOperation(body)
		if err != nil {
			return nil, fmt.Errorf("poll: %w", err)
		}
		switch result.Status {
		case statusSucceeded:
			return result.pages(want)
		case statusFailed:
			return nil, errors.New("the service reports the read operation failed")
		}
		delay = c.opt.PollInterval
		if d, ok := retryAfter(resp.Header, time.Now()); ok {
			delay = d
		}
	}
}

// checkOperation makes sure the operation URL points at the endpoint's
// host, so the bearer token goes nowhere else.
func (c *Client) checkOperation(op string) error {
	if op == "" {
		return errors.New("missing")
	}
	u, err := url.Parse(op)
	if err != nil {
		return err
	}
	if u.Scheme != c.base.Scheme || u.Host != c.base.Host {
		return errors.New("not on the endpoint's host")
	}
	return nil
}

// send makes one request, retrying answers 429 and 503 up to MaxRetries
// times after the delay the service asks for in Retry-After or else an
// exponential backoff. A GET is also retried after a transport error; a POST
// is not, as the service may have accepted it. A response that is not 429 or
// 503, or one after the last retry, is returned with its body checked: any
// status of 400 or more is returned as a *ResponseError.
func (c *Client) send(ctx context.Context, method, target string, body []byte) (*http.Response, error) {
	for attempt := 0; ; attempt++ {
		resp, err := c.do(ctx, method, target, body)
		var delay time.Duration
		switch {
		case err != nil && (ctx.Err() != nil || method != http.MethodGet || attempt >= c.opt.MaxRetries):
			return nil, err
		case err != nil:
			delay = backoff(c.opt.RetryDelay, attempt)
			c.log.WarnContext(ctx, "vision: request failed; retrying", "method", method, "retry_in", delay, "err", err)
		case retryable(resp.StatusCode) && attempt < c.opt.MaxRetries:
			d, ok := retryAfter(resp.Header, time.Now())
			if !ok {
				d = backoff(c.opt.RetryDelay, attempt)
			}
			delay = d
			drain(resp)
			c.log.WarnContext(ctx, "vision: service busy; retrying", "method", method, "status", resp.StatusCode, "retry_in", delay)
		case resp.StatusCode >= 400:
			return nil, responseError(resp)
		default:
			return resp, nil
		}
		if err := sleep(ctx, delay); err != nil {
			return nil, err
		}
	}
}

// do sends one request with a fresh bearer token.
func (c *Client) do(ctx context.Context, method, target string, body []byte) (*http.Response, error) {
	tok, err := c.opt.Credential.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{Scope}})
	if err != nil {
		return nil, fmt.Errorf("get token: %w", err)
	}
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, r)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+tok.Token)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/octet-stream")
	}
	return c.client.Do(req)
}

func retryable(status int) bool {
	return status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable
}

// readBody reads at most limit bytes of resp's body and closes it.
func readBody(resp *http.Response, limit int64) ([]byte, error) {
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read response: %w", err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("response larger than %d bytes", limit)
	}
	return b, nil
}

// drain discards the rest of resp's body so its connection can be reused.
func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBytes))
	resp.Body.Close()
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
