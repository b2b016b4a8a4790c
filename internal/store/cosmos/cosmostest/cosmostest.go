// Package cosmostest runs the cosmium Cosmos DB emulator for tests, behind a proxy that gives it
// the optimistic concurrency of the real service.
package cosmostest

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/data/azcosmos"

	"github.com/docpipe/docpipe/internal/testenv"
)

// container is the container the deployment creates and the store uses (cosmos.Container; the
// store's own tests use this package, so it cannot import the store).
const container = "documents"

// Emulator is a cosmium server behind a proxy that gives it what the real service has and the
// store relies on (see etagProxy).
type Emulator struct {
	Direct *azcosmos.Client // to cosmium itself, past the proxy
	Key    string           // the account key
	p      *etagProxy
	proxy  string // host:port of the proxy
	dbs    atomic.Int64
}

// Start runs cosmium (scripts/emulators.sh builds it) on a free port with a random account key,
// and the proxy, until the test ends.
func Start(t *testing.T) *Emulator {
	t.Helper()
	bin := testenv.Tool(t, "cosmium", "run scripts/emulators.sh")
	port := testenv.FreePort(t)
	raw := make([]byte, 64)
	rand.Read(raw)
	key := base64.StdEncoding.EncodeToString(raw)
	cmd := exec.Command(bin, "-Host", "127.0.0.1", "-Port", strconv.Itoa(port), "-DisableTls",
		"-AccountKey", key, "-LogLevel", "error")
	base := fmt.Sprintf("http://127.0.0.1:%d/", port)
	testenv.Start(t, cmd, 30*time.Second, testenv.HTTPReady(base))

	cred, err := azcosmos.NewKeyCredential(key)
	if err != nil {
		t.Fatal(err)
	}
	direct, err := azcosmos.NewClientWithKey(base, cred, nil)
	if err != nil {
		t.Fatal(err)
	}
	p := &etagProxy{direct: direct, upstream: strings.TrimSuffix(base, "/")}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	// cosmium names https://127.0.0.1:PORT/ as the account's endpoint: point clients back at
	// the proxy.
	p.rewrite = [2][]byte{fmt.Appendf(nil, "https://127.0.0.1:%d/", port), []byte(srv.URL + "/")}
	return &Emulator{Direct: direct, p: p, proxy: strings.TrimPrefix(srv.URL, "http://"), Key: key}
}

// Unconditional counts the replaces sent without If-Match; the store must never send one.
func (e *Emulator) Unconditional() int64 { return e.p.unconditional.Load() }

// Database creates a new database with the documents container, as the deployment does, and
// returns the store URL for it.
func (e *Emulator) Database(t *testing.T) string {
	t.Helper()
	name := fmt.Sprintf("docpipe%d", e.dbs.Add(1))
	if _, err := e.Direct.CreateDatabase(t.Context(), azcosmos.DatabaseProperties{ID: name}, nil); err != nil {
		t.Fatalf("create database: %v", err)
	}
	db, err := e.Direct.NewDatabase(name)
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.CreateContainer(t.Context(), azcosmos.ContainerProperties{
		ID:                     container,
		PartitionKeyDefinition: azcosmos.PartitionKeyDefinition{Paths: []string{"/owner"}},
	}, nil)
	if err != nil {
		t.Fatalf("create container: %v", err)
	}
	return e.URL(name)
}

// URL returns the store URL of database db, which need not exist.
func (e *Emulator) URL(db string) string {
	return "cosmos://" + e.proxy + "/" + db + "?protocol=http&key=" + url.QueryEscape(e.Key)
}

// etagProxy adds to cosmium the optimistic concurrency of the real service, which the store's
// claims and lease checks rest on: cosmium ignores If-Match, and replaces an item by deleting
// and creating it, so that a reader can find it missing in between. The proxy runs writes one
// at a time and reads between them, and answers a replace or delete whose If-Match is not the
// item's current _etag with 412 Precondition Failed, as Cosmos DB does.
type etagProxy struct {
	mu            sync.RWMutex
	unconditional atomic.Int64 // replaces sent without If-Match
	direct        *azcosmos.Client
	upstream      string
	rewrite       [2][]byte
}

func (p *etagProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	query := r.Header.Get("x-ms-documentdb-query") != "" || r.Header.Get("Content-Type") == "application/query+json"
	if r.Method == http.MethodGet || r.Method == http.MethodHead || query {
		p.mu.RLock()
		defer p.mu.RUnlock()
		p.forward(w, r)
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if r.Method == http.MethodPut && r.Header.Get("If-Match") == "" {
		p.unconditional.Add(1)
	}
	if match := r.Header.Get("If-Match"); match != "" && (r.Method == http.MethodPut || r.Method == http.MethodDelete) {
		if code := p.check(r, match); code != 0 {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(code)
			fmt.Fprintf(w, `{"code":%q,"message":"etag proxy: %s"}`, http.StatusText(code), http.StatusText(code))
			return
		}
	}
	p.forward(w, r)
}

// forward sends r to cosmium and its answer back, each read whole.
func (p *etagProxy) forward(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	out, err := http.NewRequestWithContext(r.Context(), r.Method, p.upstream+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	out.Header = r.Header.Clone()
	resp, err := http.DefaultTransport.RoundTrip(out)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if r.URL.Path == "/" {
		answer = bytes.ReplaceAll(answer, p.rewrite[0], p.rewrite[1])
	}
	for k, vs := range resp.Header {
		w.Header()[k] = vs
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(answer)))
	w.WriteHeader(resp.StatusCode)
	w.Write(answer)
}

// check compares the stored item's _etag with match: 0 when they agree, else the status the
// real service answers.
func (p *etagProxy) check(r *http.Request, match string) int {
	// dbs/DB/colls/COLL/docs/ID
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if len(parts) != 6 || parts[0] != "dbs" || parts[2] != "colls" || parts[4] != "docs" {
		return http.StatusBadRequest
	}
	id, err := url.PathUnescape(parts[5])
	if err != nil {
		return http.StatusBadRequest
	}
	c, err := p.direct.NewContainer(parts[1], parts[3])
	if err != nil {
		return http.StatusBadRequest
	}
	resp, err := c.ReadItem(r.Context(), azcosmos.NewPartitionKeyString(""), id, nil)
	var re *azcore.ResponseError
	if errors.As(err, &re) && re.StatusCode == http.StatusNotFound {
		return http.StatusNotFound
	}
	if err != nil {
		return http.StatusInternalServerError
	}
	var item struct {
		ETag string `json:"_etag"`
	}
	if err := json.Unmarshal(resp.Value, &item); err != nil || item.ETag != match {
		return http.StatusPreconditionFailed
	}
	return 0
}
