package vision

import (
	"bytes"
	"context"
	"errors"
	"image"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/docpipe/docpipe/internal/document"
	"github.com/docpipe/docpipe/internal/ocr"
	"github.com/docpipe/docpipe/internal/ocr/ocrtest"
	"github.com/docpipe/docpipe/internal/testenv"
)

const (
	testToken   = "test-token"
	operationID = "3f6e2b4a-9c1d-4e8f-a7b2-5d0c9e1f4a36"
	opPath      = "/vision/v3.2/read/analyzeResults/" + operationID
)

// staticCredential hands out one fixed token and records the scopes asked for.
type staticCredential struct {
	mu     sync.Mutex
	scopes [][]string
}

func (c *staticCredential) GetToken(_ context.Context, opt policy.TokenRequestOptions) (azcore.AccessToken, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.scopes = append(c.scopes, opt.Scopes)
	return azcore.AccessToken{Token: testToken, ExpiresOn: time.Now().Add(time.Hour)}, nil
}

// A reply is one recorded response: a status, headers and a file from testdata.
// The header value "{op}" stands for the operation URL on the test server.
type reply struct {
	status int
	header map[string]string
	file   string
}

var accepted = reply{status: http.StatusAccepted, header: map[string]string{"Operation-Location": "{op}"}}

// A request is what the client sent.
type request struct {
	method, path, query, contentType, auth string
	body                                   []byte
	at                                     time.Time
}

// fakeVision replays recorded replies: posts to the analyze path, polls to
// the operation path, the last reply of each repeating.
type fakeVision struct {
	t     *testing.T
	srv   *httptest.Server
	mu    sync.Mutex
	posts []reply
	polls []reply
	reqs  []request
}

func newFake(t *testing.T, posts, polls []reply) *fakeVision {
	f := &fakeVision{t: t, posts: posts, polls: polls}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /vision/v3.2/read/analyze", func(w http.ResponseWriter, r *http.Request) {
		f.serve(w, r, &f.posts)
	})
	mux.HandleFunc("GET "+opPath, func(w http.ResponseWriter, r *http.Request) {
		f.serve(w, r, &f.polls)
	})
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeVision) serve(w http.ResponseWriter, r *http.Request, replies *[]reply) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		f.t.Errorf("read request body: %v", err)
	}
	f.mu.Lock()
	f.reqs = append(f.reqs, request{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Get("Content-Type"),
		r.Header.Get("Authorization"), body, time.Now()})
	if len(*replies) == 0 {
		f.mu.Unlock()
		f.t.Errorf("unexpected %s %s", r.Method, r.URL)
		http.Error(w, "unexpected", http.StatusInternalServerError)
		return
	}
	rep := (*replies)[0]
	if len(*replies) > 1 {
		*replies = (*replies)[1:]
	}
	f.mu.Unlock()
	for k, v := range rep.header {
		w.Header().Set(k, strings.ReplaceAll(v, "{op}", f.srv.URL+opPath))
	}
	var data []byte
	if rep.file != "" {
		data = readFile(f.t, rep.file)
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
	}
	w.WriteHeader(rep.status)
	w.Write(data)
}

func (f *fakeVision) requests() []request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.reqs)
}

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func ok(file string) reply { return reply{status: http.StatusOK, file: file} }

// newClient returns a client of f with fast timings unless opt sets them.
func newClient(t *testing.T, f *fakeVision, opt Options) (*Client, *staticCredential) {
	t.Helper()
	cred := &staticCredential{}
	opt.Endpoint, opt.Credential = f.srv.URL+"/", cred
	if opt.PollInterval == 0 {
		opt.PollInterval = time.Millisecond
	}
	if opt.RetryDelay == 0 {
		opt.RetryDelay = time.Millisecond
	}
	if opt.MaxWait == 0 {
		opt.MaxWait = 10 * time.Second
	}
	c, err := New(opt)
	if err != nil {
		t.Fatal(err)
	}
	return c, cred
}

func pngPage(t testing.TB, w, h int) []byte {
	t.Helper()
	b, err := ocrtest.PNG(image.NewGray(image.Rect(0, 0, w, h)))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func pdfDoc(t testing.TB, pages int) []byte {
	t.Helper()
	testenv.Tool(t, "pdfinfo", "apt-get install poppler-utils")
	var ps []ocrtest.PDFPage
	for i := range pages {
		ps = append(ps, ocrtest.PDFPage{Lines: []string{"page", strings.Repeat("x", i+1)}})
	}
	b, err := ocrtest.PDF(ps)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestRecognize(t *testing.T) {
	imagePages := []document.Page{{Number: 1, Source: document.SourceOCR, Confidence: 98.77,
		Text: "Harbour Crane Services Ltd\nInvoice 2026-0415\nTotal due: EUR 1,250.00"}}
	pdfPages := []document.Page{
		{Number: 1, Source: document.SourceOCR, Confidence: 99.586, Text: "Lease agreement\nbetween the parties named below"},
		{Number: 2, Source: document.SourceOCR},
		{Number: 3, Source: document.SourceOCR, Confidence: 92.33, Text: "Signed in Rotterdam"},
	}
	tests := []struct {
		name      string
		data      func(t *testing.T) []byte
		mediaType string
		opt       Options
		posts     []reply
		polls     []reply
		wantQuery string
		want      []document.Page
	}{
		{
			name: "image", data: func(t *testing.T) []byte { return pngPage(t, 120, 80) }, mediaType: "image/png",
			posts: []reply{accepted}, polls: []reply{ok("read-image.json")},
			wantQuery: "readingOrder=natural", want: imagePages,
		},
		{
			name: "pdf", data: func(t *testing.T) []byte { return pdfDoc(t, 3) }, mediaType: "application/pdf",
			opt:   Options{ReadingOrder: "basic", Language: "en", ModelVersion: "2022-04-30"},
			posts: []reply{accepted}, polls: []reply{ok("read-pdf.json")},
			wantQuery: "language=en&model-version=2022-04-30&readingOrder=basic", want: pdfPages,
		},
		{
			name: "polls until done", data: func(t *testing.T) []byte { return pngPage(t, 120, 80) },
			posts:     []reply{accepted},
			polls:     []reply{ok("read-notstarted.json"), ok("read-running.json"), ok("read-running.json"), ok("read-image.json")},
			wantQuery: "readingOrder=natural", want: imagePages,
		},
		{
			name: "declared type is only a hint", data: func(t *testing.T) []byte { return pngPage(t, 120, 80) }, mediaType: "image/jpeg",
			posts: []reply{accepted}, polls: []reply{ok("read-image.json")},
			wantQuery: "readingOrder=natural", want: imagePages,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := tt.data(t)
			f := newFake(t, tt.posts, tt.polls)
			c, cred := newClient(t, f, tt.opt)
			got, err := c.Recognize(context.Background(), data, tt.mediaType, "")
			if err != nil {
				t.Fatal(err)
			}
			if !equalPages(got, tt.want) {
				t.Errorf("pages:\ngot  %+v\nwant %+v", got, tt.want)
			}
			reqs := f.requests()
			if got, want := len(reqs), 1+len(tt.polls); got != want {
				t.Fatalf("%d requests, want %d", got, want)
			}
			post := reqs[0]
			if post.method != http.MethodPost || post.path != "/vision/v3.2/read/analyze" || post.query != tt.wantQuery {
				t.Errorf("submitted %s %s?%s, want POST /vision/v3.2/read/analyze?%s", post.method, post.path, post.query, tt.wantQuery)
			}
			if post.contentType != "application/octet-stream" {
				t.Errorf("Content-Type %q, want application/octet-stream", post.contentType)
			}
			if !bytes.Equal(post.body, data) {
				t.Errorf("sent %d bytes that differ from the document's %d", len(post.body), len(data))
			}
			for _, r := range reqs {
				if r.auth != "Bearer "+testToken {
					t.Errorf("%s %s: Authorization %q", r.method, r.path, r.auth)
				}
			}
			for _, r := range reqs[1:] {
				if r.method != http.MethodGet || r.path != opPath || len(r.body) != 0 {
					t.Errorf("polled %s %s with %d bytes, want GET %s without a body", r.method, r.path, len(r.body), opPath)
				}
			}
			for _, s := range cred.scopes {
				if !slices.Equal(s, []string{Scope}) {
					t.Errorf("token scopes %q, want %q", s, Scope)
				}
			}
			if len(cred.scopes) != len(reqs) {
				t.Errorf("%d tokens for %d requests", len(cred.scopes), len(reqs))
			}
		})
	}
}

func equalPages(got, want []document.Page) bool {
	return slices.EqualFunc(got, want, func(a, b document.Page) bool {
		d := a.Confidence - b.Confidence
		return a.Number == b.Number && a.Text == b.Text && a.Source == b.Source && d < 0.01 && d > -0.01
	})
}

func TestRecognizeErrors(t *testing.T) {
	busy := func(status int, retryAfter string) reply {
		r := reply{status: status, file: "error-429.json"}
		if retryAfter != "" {
			r.header = map[string]string{"Retry-After": retryAfter}
		}
		return r
	}
	tests := []struct {
		name         string
		opt          Options
		posts        []reply
		polls        []reply
		wantInvalid  bool
		wantIn       string // in the error's text
		wantRequests int
	}{
		{
			name:  "failed operation",
			posts: []reply{accepted}, polls: []reply{ok("read-running.json"), ok("read-failed.json")},
			wantIn: "read operation failed", wantRequests: 3,
		},
		{
			name:        "invalid image",
			posts:       []reply{{status: http.StatusBadRequest, file: "error-invalid-image.json"}},
			wantInvalid: true, wantIn: "400 InvalidImage: The input data is not a valid image or password protected.", wantRequests: 1,
		},
		{
			name:        "invalid image size, inner error",
			posts:       []reply{{status: http.StatusBadRequest, file: "error-invalid-image-size.json"}},
			wantInvalid: true, wantIn: "400 InvalidImageSize: Image must be at least 50 pixels", wantRequests: 1,
		},
		{
			name:        "unwrapped error body",
			posts:       []reply{{status: http.StatusBadRequest, file: "error-flat.json"}},
			wantInvalid: true, wantIn: "400 UnsupportedImageFormat: Input data is not a supported image format.", wantRequests: 1,
		},
		{
			name:        "too large",
			posts:       []reply{{status: http.StatusRequestEntityTooLarge}},
			wantInvalid: true, wantIn: "413", wantRequests: 1,
		},
		{
			name:   "bad setting is not bad input",
			posts:  []reply{{status: http.StatusBadRequest, file: "error-language.json"}},
			wantIn: "400 NotSupportedLanguage", wantRequests: 1,
		},
		{
			name:   "unauthorized is final",
			posts:  []reply{{status: http.StatusUnauthorized, file: "error-401.json"}},
			wantIn: "401 PermissionDenied", wantRequests: 1,
		},
		{
			name:   "server error is final here, retried by the pipeline",
			posts:  []reply{{status: http.StatusInternalServerError}},
			wantIn: "500: Internal Server Error", wantRequests: 1,
		},
		{
			name:   "rate limited beyond the retries",
			opt:    Options{MaxRetries: 2},
			posts:  []reply{busy(http.StatusTooManyRequests, "")},
			wantIn: "429", wantRequests: 3,
		},
		{
			name:  "poll rate limited beyond the retries",
			opt:   Options{MaxRetries: 1},
			posts: []reply{accepted}, polls: []reply{busy(http.StatusServiceUnavailable, "0")},
			wantIn: "poll: Azure AI Vision answered 503", wantRequests: 3,
		},
		{
			name:  "malformed result",
			posts: []reply{accepted}, polls: []reply{ok("malformed.json")},
			wantIn: "decode read result", wantRequests: 2,
		},
		{
			name:  "unknown status",
			posts: []reply{accepted}, polls: []reply{ok("error-flat.json")},
			wantIn: `unknown status ""`, wantRequests: 2,
		},
		{
			name:  "result for another page count",
			posts: []reply{accepted}, polls: []reply{ok("read-pdf.json")},
			wantIn: "read result has 3 pages, the document 1", wantRequests: 2,
		},
		{
			name:   "no operation",
			posts:  []reply{{status: http.StatusAccepted}},
			wantIn: "Operation-Location \"\": missing", wantRequests: 1,
		},
		{
			name:   "operation on another host",
			posts:  []reply{{status: http.StatusAccepted, header: map[string]string{"Operation-Location": "https://attacker.example" + opPath}}},
			wantIn: "not on the endpoint's host", wantRequests: 1,
		},
		{
			name:   "unexpected success status",
			posts:  []reply{{status: http.StatusOK}},
			wantIn: "submit: unexpected status 200", wantRequests: 1,
		},
	}
	data := pngPage(t, 120, 80)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, tt.posts, tt.polls)
			c, _ := newClient(t, f, tt.opt)
			pages, err := c.Recognize(context.Background(), data, "image/png", "")
			if err == nil {
				t.Fatalf("got %d pages, want an error", len(pages))
			}
			if got := errors.Is(err, document.ErrInvalidInput); got != tt.wantInvalid {
				t.Errorf("errors.Is(%q, ErrInvalidInput) = %v, want %v", err, got, tt.wantInvalid)
			}
			if !strings.Contains(err.Error(), tt.wantIn) {
				t.Errorf("error %q does not contain %q", err, tt.wantIn)
			}
			if got := len(f.requests()); got != tt.wantRequests {
				t.Errorf("%d requests, want %d", got, tt.wantRequests)
			}
		})
	}
}

// TestRetryAfter checks that a busy service's Retry-After is waited out, on
// the submission and on a poll, when the client's own delays are far shorter.
// HTTP dates are covered by TestRetryAfterHeader, away from the wall clock.
func TestRetryAfter(t *testing.T) {
	tests := []struct {
		name  string
		posts []reply
		polls []reply
		gap   int // index of the request that must come a second after the one before
	}{
		{
			name:  "429 on submit",
			posts: []reply{{status: http.StatusTooManyRequests, header: map[string]string{"Retry-After": "1"}, file: "error-429.json"}, accepted},
			polls: []reply{ok("read-image.json")},
			gap:   1,
		},
		{
			name:  "503 on poll",
			posts: []reply{accepted},
			polls: []reply{{status: http.StatusServiceUnavailable, header: map[string]string{"Retry-After": "1"}}, ok("read-image.json")},
			gap:   2,
		},
		{
			name:  "running, poll again later",
			posts: []reply{accepted},
			polls: []reply{{status: http.StatusOK, header: map[string]string{"Retry-After": "1"}, file: "read-running.json"}, ok("read-image.json")},
			gap:   2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t, tt.posts, tt.polls)
			c, _ := newClient(t, f, Options{})
			pages, err := c.Recognize(context.Background(), pngPage(t, 120, 80), "", "")
			if err != nil {
				t.Fatal(err)
			}
			if len(pages) != 1 || !strings.HasPrefix(pages[0].Text, "Harbour") {
				t.Errorf("pages %+v", pages)
			}
			reqs := f.requests()
			if len(reqs) != 3 {
				t.Fatalf("%d requests, want 3", len(reqs))
			}
			if gap := reqs[tt.gap].at.Sub(reqs[tt.gap-1].at); gap < time.Second {
				t.Errorf("request %d came %v after the one before, want about a second", tt.gap, gap)
			}
		})
	}
}

func TestBackoffWithoutRetryAfter(t *testing.T) {
	f := newFake(t, []reply{{status: http.StatusServiceUnavailable}, {status: http.StatusTooManyRequests}, accepted},
		[]reply{ok("read-image.json")})
	c, _ := newClient(t, f, Options{RetryDelay: 50 * time.Millisecond, MaxRetries: 2})
	if _, err := c.Recognize(context.Background(), pngPage(t, 120, 80), "", ""); err != nil {
		t.Fatal(err)
	}
	reqs := f.requests()
	if len(reqs) != 4 {
		t.Fatalf("%d requests, want 4", len(reqs))
	}
	// 50ms, then 100ms, each ±20%.
	for i, min := range []time.Duration{40 * time.Millisecond, 80 * time.Millisecond} {
		if gap := reqs[i+1].at.Sub(reqs[i].at); gap < min {
			t.Errorf("retry %d came after %v, want at least %v", i+1, gap, min)
		}
	}
}

func TestRecognizeCancel(t *testing.T) {
	f := newFake(t, []reply{accepted}, []reply{ok("read-running.json")})
	c, _ := newClient(t, f, Options{PollInterval: 10 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	_, err := c.Recognize(ctx, pngPage(t, 120, 80), "", "")
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("returned %v after the cancel", d)
	}
	if n := len(f.requests()); n < 3 {
		t.Errorf("%d requests, want the submission and some polls", n)
	}
}

func TestRecognizeMaxWait(t *testing.T) {
	f := newFake(t, []reply{accepted}, []reply{ok("read-running.json")})
	c, _ := newClient(t, f, Options{PollInterval: 10 * time.Millisecond, MaxWait: 200 * time.Millisecond})
	start := time.Now()
	_, err := c.Recognize(context.Background(), pngPage(t, 120, 80), "", "")
	if !errors.Is(err, ErrNotFinished) {
		t.Fatalf("err = %v, want ErrNotFinished", err)
	}
	// The pipeline fails a document at once on its own job timeout; this one it retries.
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, document.ErrInvalidInput) {
		t.Errorf("err = %v wraps DeadlineExceeded or ErrInvalidInput", err)
	}
	if d := time.Since(start); d < 200*time.Millisecond || d > 2*time.Second {
		t.Errorf("gave up after %v, want 200ms", d)
	}
}

func TestRecognizeJobDeadline(t *testing.T) {
	f := newFake(t, []reply{accepted}, []reply{ok("read-running.json")})
	c, _ := newClient(t, f, Options{PollInterval: 10 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := c.Recognize(ctx, pngPage(t, 120, 80), "", "")
	if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ErrNotFinished) {
		t.Errorf("err = %v, want context.DeadlineExceeded", err)
	}
}

// TestLimits checks that input the Tesseract pool would refuse is refused
// before anything is sent.
func TestLimits(t *testing.T) {
	tests := []struct {
		name   string
		data   func(t *testing.T) []byte
		opt    Options
		wantIn string
	}{
		{"unsupported type", func(*testing.T) []byte { return []byte("GIF89a not a supported image") }, Options{}, "unsupported file type"},
		{"bmp", func(*testing.T) []byte { return append([]byte("BM"), make([]byte, 64)...) }, Options{}, "unsupported file type"},
		{"empty", func(*testing.T) []byte { return nil }, Options{}, "unsupported file type"},
		{"decompression bomb", func(*testing.T) []byte { return ocrtest.BombPNG(20000, 20000) }, Options{}, "too many pixels"},
		{"pixels", func(t *testing.T) []byte { return pngPage(t, 120, 80) }, Options{Limits: ocr.Limits{MaxPixels: 5000}}, "too many pixels: 9600, limit 5000"},
		{"bytes", func(t *testing.T) []byte { return pngPage(t, 120, 80) }, Options{MaxBytes: 20}, "too many bytes"},
		{"pages", func(t *testing.T) []byte { return pdfDoc(t, 3) }, Options{Limits: ocr.Limits{MaxPages: 2}}, "too many pages: 3, limit 2"},
		{"truncated pdf", func(t *testing.T) []byte { b := pdfDoc(t, 1); return b[:len(b)/2] }, Options{}, "truncated"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := tt.data(t)
			f := newFake(t, nil, nil)
			c, _ := newClient(t, f, tt.opt)
			_, err := c.Recognize(context.Background(), data, "image/png", "")
			if !errors.Is(err, document.ErrInvalidInput) {
				t.Errorf("err = %v, want ErrInvalidInput", err)
			}
			if err != nil && !strings.Contains(err.Error(), tt.wantIn) {
				t.Errorf("error %q does not contain %q", err, tt.wantIn)
			}
			if n := len(f.requests()); n != 0 {
				t.Errorf("%d requests sent, want none", n)
			}
		})
	}
}

func TestNew(t *testing.T) {
	cred := &staticCredential{}
	tests := []struct {
		name    string
		opt     Options
		wantErr string
	}{
		{"https", Options{Endpoint: "https://docpipe.cognitiveservices.azure.com/", Credential: cred}, ""},
		{"loopback http", Options{Endpoint: "http://127.0.0.1:8080", Credential: cred}, ""},
		{"no credential", Options{Endpoint: "https://docpipe.cognitiveservices.azure.com"}, "no credential"},
		{"no endpoint", Options{Credential: cred}, "not an absolute URL"},
		{"relative", Options{Endpoint: "docpipe.cognitiveservices.azure.com", Credential: cred}, "not an absolute URL"},
		{"plain http", Options{Endpoint: "http://docpipe.cognitiveservices.azure.com", Credential: cred}, "want https"},
		{"query", Options{Endpoint: "https://docpipe.cognitiveservices.azure.com/?key=x", Credential: cred}, "scheme, host and optional path only"},
		{"negative", Options{Endpoint: "https://docpipe.cognitiveservices.azure.com", Credential: cred, MaxRetries: -1}, "negative option"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.opt)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && !strings.Contains(got, tt.wantErr) {
				t.Errorf("New() error %q, want %q", got, tt.wantErr)
			}
		})
	}
}

func TestAnalyzeURL(t *testing.T) {
	c, err := New(Options{Endpoint: "https://docpipe.cognitiveservices.azure.com/", Credential: &staticCredential{}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.analyze, "https://docpipe.cognitiveservices.azure.com/vision/v3.2/read/analyze?readingOrder=natural"; got != want {
		t.Errorf("analyze URL %q, want %q", got, want)
	}
}

func TestRetryAfterHeader(t *testing.T) {
	now := time.Date(2026, 11, 26, 7, 0, 0, 0, time.UTC)
	tests := []struct {
		value  string
		want   time.Duration
		wantOK bool
	}{
		{"", 0, false},
		{"0", 0, true},
		{"3", 3 * time.Second, true},
		{" 3 ", 3 * time.Second, true},
		{"86400", maxDelay, true},
		{"99999999999999999", maxDelay, true},
		{"-1", 0, false},
		{"1.5", 0, false},
		{"soon", 0, false},
		{"Thu, 26 Nov 2026 07:00:05 GMT", 5 * time.Second, true},
		{"Thu, 26 Nov 2026 06:59:00 GMT", 0, true},
		{"Fri, 27 Nov 2026 07:00:00 GMT", maxDelay, true},
	}
	for _, tt := range tests {
		h := http.Header{}
		if tt.value != "" {
			h.Set("Retry-After", tt.value)
		}
		got, ok := retryAfter(h, now)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("retryAfter(%q) = %v, %v; want %v, %v", tt.value, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestBackoff(t *testing.T) {
	tests := []struct {
		attempt  int
		min, max time.Duration
	}{
		{0, 800 * time.Millisecond, 1200 * time.Millisecond},
		{1, 1600 * time.Millisecond, 2400 * time.Millisecond},
		{3, 6400 * time.Millisecond, 9600 * time.Millisecond},
		{10, 48 * time.Second, 72 * time.Second},
		{100, 48 * time.Second, 72 * time.Second},
	}
	for _, tt := range tests {
		for range 20 {
			if got := backoff(time.Second, tt.attempt); got < tt.min || got > tt.max {
				t.Errorf("backoff(1s, %d) = %v, want within [%v, %v]", tt.attempt, got, tt.min, tt.max)
			}
		}
	}
}

func TestPages(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		want    int
		pages   []document.Page
		wantErr string
	}{
		{
			name: "out of order",
			body: `{"status":"succeeded","analyzeResult":{"readResults":[
				{"page":2,"lines":[{"text":"two","words":[{"confidence":0.5}]}]},
				{"page":1,"lines":[{"text":"one a","words":[{"confidence":1},{"confidence":0.5}]},{"text":"one b","words":[]}]}]}}`,
			want: 2,
			pages: []document.Page{
				{Number: 1, Text: "one a\none b", Confidence: 75, Source: document.SourceOCR},
				{Number: 2, Text: "two", Confidence: 50, Source: document.SourceOCR},
			},
		},
		{
			name:  "confidence clamped",
			body:  `{"status":"succeeded","analyzeResult":{"readResults":[{"page":1,"lines":[{"text":"x","words":[{"confidence":7},{"confidence":-3}]}]}]}}`,
			want:  1,
			pages: []document.Page{{Number: 1, Text: "x", Confidence: 50, Source: document.SourceOCR}},
		},
		{
			name:    "duplicate page",
			body:    `{"status":"succeeded","analyzeResult":{"readResults":[{"page":1},{"page":1}]}}`,
			want:    2,
			wantErr: "page 1 twice",
		},
		{
			name:    "page out of range",
			body:    `{"status":"succeeded","analyzeResult":{"readResults":[{"page":3}]}}`,
			want:    1,
			wantErr: "page 3 of a 1-page document",
		},
		{
			name:    "missing pages",
			body:    `{"status":"succeeded","analyzeResult":{"readResults":[{"page":1}]}}`,
			want:    2,
			wantErr: "1 pages, the document 2",
		},
		{
			name:    "succeeded without result",
			body:    `{"status":"succeeded"}`,
			want:    1,
			wantErr: "without analyzeResult",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			op, err := decodeOperation([]byte(tt.body))
			var pages []document.Page
			if err == nil {
				pages, err = op.pages(tt.want)
			}
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !equalPages(pages, tt.pages) {
				t.Errorf("got  %+v\nwant %+v", pages, tt.pages)
			}
		})
	}
}
