package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/docpipe/docpipe/internal/document"
	"github.com/docpipe/docpipe/internal/telemetry"
)

// Client calls docpipe's REST API v1 on behalf of a user.
type Client struct {
	BaseURL string       // e.g. http://docpipe-api:8080; empty with an in-process transport
	HTTP    *http.Client // http.DefaultClient if nil
}

// Problem is an API error answer (RFC 9457).
type Problem struct {
	Status int    `json:"status"`
	Title  string `json:"title"`
	Detail string `json:"detail"`
}

func (p *Problem) Error() string {
	if p.Detail != "" {
		return p.Detail
	}
	return p.Title
}

// ListPage is one page of the document list.
type ListPage struct {
	Documents  []document.Document `json:"documents"`
	NextCursor string              `json:"next_cursor"`
}

// SearchPage is one page of search results.
type SearchPage struct {
	Query      string      `json:"query"`
	Total      int         `json:"total"`
	Capped     bool        `json:"capped"`
	Hits       []SearchHit `json:"hits"`
	NextOffset int         `json:"next_offset"`
	Suggestion string      `json:"suggestion"`
}

// SearchHit is one document found, with the page of its best match.
type SearchHit struct {
	Document document.Document `json:"document"`
	Page     int               `json:"page"`
	Snippet  []Fragment        `json:"snippet"`
	Score    float64           `json:"score"`
}

// Fragment is a piece of a snippet; Match marks the words that match the query.
type Fragment struct {
	Text  string `json:"text"`
	Match bool   `json:"match,omitempty"`
}

// List lists the user's documents, newest first.
func (c *Client) List(ctx context.Context, token string, f ListQuery, cursor string, limit int) (ListPage, error) {
	q := url.Values{"limit": {strconv.Itoa(limit)}}
	for k, v := range map[string]string{"status": f.Status, "tag": f.Tag, "sort": f.Sort, "after": f.After, "before": f.Before} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	var p ListPage
	err := c.do(ctx, token, http.MethodGet, "/v1/documents?"+q.Encode(), nil, "", &p)
	return p, err
}

// ListQuery is what a list keeps and its order, as the API's list parameters; "" for any.
type ListQuery struct {
	Status, Tag, Sort, After, Before string
}

// Get returns one document.
// Languages returns the OCR languages the API's server has installed and its default.
func (c *Client) Languages(ctx context.Context, token string) (def string, installed []string, err error) {
	var res struct {
		Default   string   `json:"default"`
		Installed []string `json:"installed"`
	}
	err = c.do(ctx, token, http.MethodGet, "/v1/languages", nil, "", &res)
	return res.Default, res.Installed, err
}

func (c *Client) Get(ctx context.Context, token, id string) (document.Document, error) {
	var d document.Document
	err := c.do(ctx, token, http.MethodGet, "/v1/documents/"+url.PathEscape(id), nil, "", &d)
	return d, err
}

// Statuses returns the user's documents among ids, in the order asked, leaving out those that
// are gone. With known, the status the caller shows for each id, it returns once one of them
// has another status or is gone, or as they are when wait ends: one long poll of the api for
// them all (If-None-Match and Prefer: wait).
func (c *Client) Statuses(ctx context.Context, token string, ids []string, known []document.Status, wait time.Duration) ([]document.Document, error) {
	q := url.Values{"id": ids}
	path := "/v1/documents?" + q.Encode()
	req, err := c.request(ctx, token, http.MethodGet, path, nil)
	if err != nil {
		return nil, err
	}
	var page ListPage
	tag, err := c.send(req, &page)
	if err != nil || len(known) != len(ids) || wait <= 0 || tag == "" || changed(page.Documents, ids, known) {
		return page.Documents, err
	}
	if req, err = c.request(ctx, token, http.MethodGet, path, nil); err != nil {
		return page.Documents, err
	}
	req.Header.Set("If-None-Match", tag)
	req.Header.Set("Prefer", "wait="+strconv.Itoa(int(wait.Seconds())))
	next := ListPage{Documents: page.Documents}
	_, err = c.send(req, &next) // a 304 leaves next as it was
	return next.Documents, err
}

// changed reports whether docs, the documents found of ids, differ from the statuses known.
func changed(docs []document.Document, ids []string, known []document.Status) bool {
	status := make(map[string]document.Status, len(docs))
	for _, d := range docs {
		status[d.ID] = d.Status
	}
	for i, id := range ids {
		if s, ok := status[id]; !ok || s != known[i] {
			return true
		}
	}
	return false
}

// send sends req and decodes a 200 answer into out; it returns the ETag. A 304 leaves out
// alone.
func (c *Client) send(req *http.Request, out any) (string, error) {
	resp, err := c.client().Do(req)
	if err != nil {
		return "", fmt.Errorf("api %s %s: %w", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode >= 400:
		return "", problem(resp)
	case resp.StatusCode == http.StatusNotModified || out == nil:
		_, _ = io.Copy(io.Discard, resp.Body)
		return resp.Header.Get("ETag"), nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return "", fmt.Errorf("api %s %s: decode answer: %w", req.Method, req.URL.Path, err)
	}
	return resp.Header.Get("ETag"), nil
}

// Pages returns a done document's text, page by page.
func (c *Client) Pages(ctx context.Context, token, id string) ([]document.Page, error) {
	var body struct {
		Pages []document.Page `json:"pages"`
	}
	err := c.do(ctx, token, http.MethodGet, "/v1/documents/"+url.PathEscape(id)+"/text?format=json", nil, "", &body)
	return body.Pages, err
}

// Search runs a query, its hits in the order sort names ("" for the best first).
func (c *Client) Search(ctx context.Context, token, query, sort string, offset, limit int) (SearchPage, error) {
	q := url.Values{"q": {query}, "offset": {strconv.Itoa(offset)}, "limit": {strconv.Itoa(limit)}}
	if sort != "" {
		q.Set("sort", sort)
	}
	var p SearchPage
	err := c.do(ctx, token, http.MethodGet, "/v1/search?"+q.Encode(), nil, "", &p)
	return p, err
}

// PageMarks are the boxes of the words a query matches on a page, in the pixels of a
// Width×Height picture of it.
type PageMarks struct {
	Width   int            `json:"width"`
	Height  int            `json:"height"`
	Matches []document.Box `json:"matches"`
}

// Marks finds the words of page n of a document that query matches.
func (c *Client) Marks(ctx context.Context, token, id string, n int, query string) (PageMarks, error) {
	var m PageMarks
	path := "/v1/documents/" + url.PathEscape(id) + "/pages/" + strconv.Itoa(n) + "/words?" + url.Values{"q": {query}}.Encode()
	err := c.do(ctx, token, http.MethodGet, path, nil, "", &m)
	return m, err
}

// Delete deletes a document.
func (c *Client) Delete(ctx context.Context, token, id string) error {
	return c.do(ctx, token, http.MethodDelete, "/v1/documents/"+url.PathEscape(id), nil, "", nil)
}

// Reprocess queues a document for OCR again.
func (c *Client) Reprocess(ctx context.Context, token, id string) error {
	return c.do(ctx, token, http.MethodPost, "/v1/documents/"+url.PathEscape(id)+"/reprocess", nil, "", nil)
}

// Uploaded is the API's answer to an upload: the documents it created, and the files the user
// had already with the documents that have them.
type Uploaded struct {
	Documents  []document.Document `json:"documents"`
	Duplicates []Duplicate         `json:"duplicates"`
}

// A Duplicate is a file of an upload that the user had already, in Document.
type Duplicate struct {
	Name     string            `json:"name"`
	Document document.Document `json:"document"`
}

// Upload sends a multipart/form-data body of files as it is read.
func (c *Client) Upload(ctx context.Context, token, contentType string, body io.Reader) (Uploaded, error) {
	var res Uploaded
	err := c.do(ctx, token, http.MethodPost, "/v1/documents", body, contentType, &res)
	return res, err
}

// Tags returns the user's tags, with how many documents have each.
func (c *Client) Tags(ctx context.Context, token string) ([]document.Tag, error) {
	var res struct {
		Tags []document.Tag `json:"tags"`
	}
	err := c.do(ctx, token, http.MethodGet, "/v1/tags", nil, "", &res)
	return res.Tags, err
}

// TagDocuments adds and removes tags on documents.
func (c *Client) TagDocuments(ctx context.Context, token string, ids, add, remove []string) error {
	body, err := json.Marshal(map[string][]string{"ids": ids, "add": add, "remove": remove})
	if err != nil {
		return err
	}
	return c.do(ctx, token, http.MethodPost, "/v1/documents/tags", bytes.NewReader(body), "application/json", nil)
}

// Bulk deletes or reprocesses documents and returns how many it did.
func (c *Client) Bulk(ctx context.Context, token, action string, ids []string) (int, error) {
	body, err := json.Marshal(map[string]any{"action": action, "ids": ids})
	if err != nil {
		return 0, err
	}
	var res struct {
		Documents []string `json:"documents"`
	}
	err = c.do(ctx, token, http.MethodPost, "/v1/documents/bulk", bytes.NewReader(body), "application/json", &res)
	return len(res.Documents), err
}

// Zip opens a ZIP of the documents' originals, or their searchable PDFs when files is "pdf". The
// caller closes the body.
func (c *Client) Zip(ctx context.Context, token string, ids []string, files string) (*http.Response, error) {
	return c.stream(ctx, token, "/v1/documents/zip?"+url.Values{"id": ids, "files": {files}}.Encode(), nil)
}

// Rules returns the user's rules.
func (c *Client) Rules(ctx context.Context, token string) ([]document.Rule, error) {
	var res struct {
		Rules []document.Rule `json:"rules"`
	}
	err := c.do(ctx, token, http.MethodGet, "/v1/rules", nil, "", &res)
	return res.Rules, err
}

// CreateRule adds a rule.
func (c *Client) CreateRule(ctx context.Context, token string, r document.Rule) (document.Rule, error) {
	body, err := json.Marshal(r)
	if err != nil {
		return r, err
	}
	err = c.do(ctx, token, http.MethodPost, "/v1/rules", bytes.NewReader(body), "application/json", &r)
	return r, err
}

// DeleteRule removes a rule.
func (c *Client) DeleteRule(ctx context.Context, token, id string) error {
	return c.do(ctx, token, http.MethodDelete, "/v1/rules/"+url.PathEscape(id), nil, "", nil)
}

// ApplyRules runs a rule, or all of them when id is empty, over the user's documents and
// returns how many it tagged.
func (c *Client) ApplyRules(ctx context.Context, token, id string) (int, error) {
	path := "/v1/rules/apply"
	if id != "" {
		path = "/v1/rules/" + url.PathEscape(id) + "/apply"
	}
	var res struct {
		Tagged int `json:"tagged"`
	}
	err := c.do(ctx, token, http.MethodPost, path, nil, "", &res)
	return res.Tagged, err
}

// Update changes a document's labels as ch says and returns the document as it is then.
func (c *Client) Update(ctx context.Context, token, id string, ch document.Change) (document.Document, error) {
	patch := make(map[string]*string)
	for name, v := range map[string]*string{"title": ch.Title, "notes": ch.Notes, "date": ch.Date} {
		if v != nil {
			patch[name] = v
		}
	}
	body, err := json.Marshal(patch)
	if err != nil {
		return document.Document{}, err
	}
	var d document.Document
	err = c.do(ctx, token, http.MethodPatch, "/v1/documents/"+url.PathEscape(id), bytes.NewReader(body), "application/merge-patch+json", &d)
	return d, err
}

// Content opens a document's original. The caller closes the body. header carries the
// conditional and range headers to pass on.
func (c *Client) Content(ctx context.Context, token, id string, header http.Header) (*http.Response, error) {
	return c.stream(ctx, token, "/v1/documents/"+url.PathEscape(id)+"/content", header)
}

// SearchablePDF opens a document's searchable PDF, as Content does.
func (c *Client) SearchablePDF(ctx context.Context, token, id string, header http.Header) (*http.Response, error) {
	return c.stream(ctx, token, "/v1/documents/"+url.PathEscape(id)+"/pdf", header)
}

// PageImage opens a PNG picture of page n of a document, as Content does.
// Thumbnail opens the small picture of a document's first page, as Content does.
func (c *Client) Thumbnail(ctx context.Context, token, id string, header http.Header) (*http.Response, error) {
	return c.stream(ctx, token, "/v1/documents/"+url.PathEscape(id)+"/thumbnail", header)
}

func (c *Client) PageImage(ctx context.Context, token, id string, n int, header http.Header) (*http.Response, error) {
	return c.stream(ctx, token, "/v1/documents/"+url.PathEscape(id)+"/pages/"+strconv.Itoa(n)+"/image", header)
}

// stream GETs path and returns the open response, or the API's problem.
func (c *Client) stream(ctx context.Context, token, path string, header http.Header) (*http.Response, error) {
	req, err := c.request(ctx, token, http.MethodGet, path, nil)
	if err != nil {
		return nil, err
	}
	for _, h := range []string{"Range", "If-Range", "If-None-Match", "If-Modified-Since"} {
		if v := header.Get(h); v != "" {
			req.Header.Set(h, v)
		}
	}
	resp, err := c.client().Do(req)
	if err != nil {
		return nil, fmt.Errorf("api: %w", err)
	}
	if resp.StatusCode >= 400 {
		defer resp.Body.Close()
		return nil, problem(resp)
	}
	return resp, nil
}

func (c *Client) client() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return http.DefaultClient
}

func (c *Client) request(ctx context.Context, token, method, path string, body io.Reader) (*http.Request, error) {
	base := c.BaseURL
	if base == "" {
		base = "http://api.internal"
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(base, "/")+path, body)
	if err != nil {
		return nil, fmt.Errorf("api request: %w", err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	telemetry.Inject(ctx, req.Header)
	req.Header.Set("Accept", "application/json")
	return req, nil
}

func (c *Client) do(ctx context.Context, token, method, path string, body io.Reader, contentType string, out any) error {
	req, err := c.request(ctx, token, method, path, body)
	if err != nil {
		return err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	_, err = c.send(req, out)
	return err
}

// problem reads an error answer; one that is not problem+json still gets its status.
func problem(resp *http.Response) error {
	p := &Problem{Status: resp.StatusCode}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if json.Unmarshal(b, p) != nil || p.Status == 0 {
		p.Status = resp.StatusCode
	}
	if p.Title == "" {
		p.Title = http.StatusText(resp.StatusCode)
	}
	return p
}
