// Package cosmos is docpipe's document store for Azure Cosmos DB for NoSQL.
//
// Everything lives in one container, documents, partitioned by /owner and created by the
// deployment (deploy/azure): Open checks that the database and the container exist and never
// creates them. Items are told apart by their type field:
//
//   - a document item (id = the document's ID) holds the document and, while it has one, its OCR
//     job: the job's id, lease token, attempt and due time live in the same item, so that every
//     change of a document's state is one conditional replace of one item (If-Match on its
//     _etag). That is what makes claims atomic: of two workers that read the same job, one
//     replace wins and the other gets 412 and moves on. No transactional batch is needed.
//   - a page item holds one page's text and its distinct words (as search.Words finds them),
//     keyed by document, generation and page number. A generation is the lease token of the job
//     that wrote it: Complete writes the pages first, then flips the document to done naming
//     its generation, only if the lease is still held, and then removes older generations.
//     Readers only ever look at the generation the document names, so a crash or a lost lease
//     between the steps leaves pages nobody reads, never a mix.
//   - a turn item (one per owner, its id a hash of the owner's name) holds when a job of the
//     owner's was last claimed, which Claim orders owners by; it is upserted after each claim
//     and outlives the owner's documents (it holds nothing of them).
//
// Claim looks for ready jobs with a cross-partition query and orders them in Go: azcosmos
// (v1.4) only runs cross-partition queries the gateway can serve, which excludes ORDER BY and
// TOP. Leases are timed by the replicas' clocks, in microseconds since the epoch. A document ID
// is unique across owners: Create looks for it in every partition first (IDs come from
// document.NewID, so two creators racing with the same given ID is not a case to design for).
//
// Search has no full-text index to lean on (FullTextContains and FullTextScore need a full-text
// policy on the container and the emulator has neither), so it selects candidate pages of the
// owner with parameterised queries over their word lists, checks every clause, phrases and
// exclusions in Go and ranks pages with BM25 in Go. It ranks and counts at most
// maxMatches documents (SearchResult.Capped past that).
//
// URLs:
//
//	cosmos://ACCOUNT.documents.azure.com/DATABASE
//
// connects to https://ACCOUNT.documents.azure.com:443/ with azidentity's default credential
// (a managed identity in Azure; AZURE_CLIENT_ID picks a user-assigned one).
//
//	cosmos://127.0.0.1:8081/DATABASE?protocol=http&key=BASE64KEY
//
// is for emulators only: an account key, optionally over plain http. Open refuses a key or
// plain http for the host of an account in Azure (*.documents.azure.com, or .us and .cn in the
// sovereign clouds), where docpipe's accounts have keys disabled, and never puts the key in an
// error.
package cosmos

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/data/azcosmos"

	"github.com/docpipe/docpipe/internal/store"
)

// Container is the container Open uses in the database the URL names.
const Container = "documents"

// maxMatches is the most documents one search ranks and counts.
const maxMatches = 200

// backend keeps a store.Store's documents in a Cosmos DB container.
type backend struct {
	c          *azcosmos.ContainerClient
	now        func() time.Time
	maxMatches int
}

var _ store.Backend = (*backend)(nil)

// Now is the time the backend runs on: its now field, which tests may set.
func (s *backend) Now() time.Time { return s.now() }

// Open connects to the database the URL names (see the package doc) and checks that it and its
// documents container exist.
func Open(ctx context.Context, rawURL string) (*store.Store, error) {
	b, err := openDB(ctx, rawURL)
	if err != nil {
		return nil, err
	}
	return store.New(b), nil
}

func openDB(ctx context.Context, rawURL string) (*backend, error) {
	cfg, err := parseURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("cosmos: open: %w", err)
	}
	var client *azcosmos.Client
	if cfg.key != "" {
		cred, err := azcosmos.NewKeyCredential(cfg.key)
		if err != nil {
			return nil, fmt.Errorf("cosmos: open: account key: %w", err)
		}
		client, err = azcosmos.NewClientWithKey(cfg.endpoint, cred, nil)
		if err != nil {
			return nil, fmt.Errorf("cosmos: open: %w", err)
		}
	} else {
		cred, err := azidentity.NewDefaultAzureCredential(nil)
		if err != nil {
			return nil, fmt.Errorf("cosmos: open: credential: %w", err)
		}
		client, err = azcosmos.NewClient(cfg.endpoint, cred, nil)
		if err != nil {
			return nil, fmt.Errorf("cosmos: open: %w", err)
		}
	}
	db, err := client.NewDatabase(cfg.database)
	if err != nil {
		return nil, fmt.Errorf("cosmos: open: %w", err)
	}
	if _, err := db.Read(ctx, nil); err != nil {
		if status(err) == http.StatusNotFound {
			return nil, fmt.Errorf("cosmos: open: database %q not found at %s (the deployment creates it)", cfg.database, cfg.endpoint)
		}
		return nil, fmt.Errorf("cosmos: open: read database %q: %w", cfg.database, err)
	}
	c, err := db.NewContainer(Container)
	if err != nil {
		return nil, fmt.Errorf("cosmos: open: %w", err)
	}
	if _, err := c.Read(ctx, nil); err != nil {
		if status(err) == http.StatusNotFound {
			return nil, fmt.Errorf("cosmos: open: container %q not found in database %q (the deployment creates it)", Container, cfg.database)
		}
		return nil, fmt.Errorf("cosmos: open: read container %q: %w", Container, err)
	}
	return &backend{c: c, now: time.Now, maxMatches: maxMatches}, nil
}

// config is what a cosmos:// URL says.
type config struct {
	endpoint string // https://host:port/
	database string
	key      string // base64 account key; empty for the default Azure credential
}

// parseURL reads a cosmos:// URL. Its errors never quote the URL, which may hold a key.
func parseURL(raw string) (config, error) {
	u, err := url.Parse(raw)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return config{}, fmt.Errorf("malformed database URL: %v", err)
	}
	if u.Scheme != "cosmos" {
		return config{}, fmt.Errorf("database URL scheme is %q, want cosmos", u.Scheme)
	}
	if u.User != nil {
		return config{}, errors.New("database URL must not hold user information")
	}
	host := u.Hostname()
	if host == "" {
		return config{}, errors.New("database URL has no host: want cosmos://ACCOUNT.documents.azure.com/DATABASE")
	}
	if u.Opaque != "" || u.Fragment != "" {
		return config{}, errors.New("malformed database URL: want cosmos://HOST/DATABASE")
	}
	database := strings.TrimPrefix(u.Path, "/")
	if database == "" || strings.ContainsAny(database, `/\?#`) || strings.TrimSpace(database) != database {
		return config{}, fmt.Errorf("database URL path must name one database: want cosmos://%s/DATABASE", host)
	}
	cfg := config{database: database}
	protocol := "https"
	for name, vs := range u.Query() {
		if len(vs) != 1 {
			return config{}, fmt.Errorf("database URL parameter %s is given %d times", name, len(vs))
		}
		switch v := vs[0]; name {
		case "protocol":
			if v != "http" && v != "https" {
				return config{}, fmt.Errorf("database URL parameter protocol is %q, want http or https", v)
			}
			protocol = v
		case "key":
			if _, err := base64.StdEncoding.DecodeString(v); err != nil || v == "" {
				return config{}, errors.New("database URL parameter key is not base64")
			}
			cfg.key = v
		default:
			return config{}, fmt.Errorf("database URL has unknown parameter %q (want protocol or key)", name)
		}
	}
	azure := slices.ContainsFunc(azureSuffixes, func(suffix string) bool {
		return strings.HasSuffix(strings.ToLower(host), suffix)
	})
	if azure && cfg.key != "" {
		return config{}, errors.New("database URL has a key for an Azure account: keys are disabled there, docpipe uses its managed identity")
	}
	if azure && protocol == "http" {
		return config{}, errors.New("database URL asks for plain http to an Azure account")
	}
	port := u.Port()
	if port == "" {
		port = "443"
	}
	cfg.endpoint = protocol + "://" + net.JoinHostPort(host, port) + "/"
	return cfg, nil
}

// azureSuffixes end the hosts of Cosmos DB accounts in Azure's public, US Government and China
// clouds.
var azureSuffixes = []string{".documents.azure.com", ".documents.azure.us", ".documents.azure.cn"}

// Name is "cosmos".
func (s *backend) Name() string { return "cosmos" }

// Ping checks that the container can be read.
func (s *backend) Ping(ctx context.Context) error {
	_, err := s.c.Read(ctx, nil)
	return err
}

// Close releases nothing: the client holds no connections that outlive a request.
func (s *backend) Close() error { return nil }

// status is the HTTP status of a Cosmos DB error, or 0.
func status(err error) int {
	var re *azcore.ResponseError
	if errors.As(err, &re) {
		return re.StatusCode
	}
	return 0
}

// errChanged means a conditional write lost to another writer: read again and retry.
var errChanged = errors.New("item changed meanwhile")

// micros is t in microseconds since the epoch, the form times take in items.
func micros(t time.Time) int64 { return t.UnixMicro() }

// fromMicros is the UTC time of us microseconds since the epoch.
func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }
