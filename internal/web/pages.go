package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/docpipe/docpipe/internal/document"
)

const (
	pageSize   = 25
	searchSize = 10
)

// listPage is the data of the document list.
type listPage struct {
	Documents []document.Document
	Colors    map[string]string // of the user's tags, by name
	Status    string
	Tag       string // the tag the list is filtered by; "" for none
	Sort      string // "" (newest upload first) or "date"
	From, To  string // the range of dates kept, YYYY-MM-DD, both included; "" for open
	Statuses  []string
	Next      string
	Filtered  bool
	MaxUpload int64
	Langs     []langChoice // OCR language choices for uploads; none when they cannot be listed
}

// A langChoice is a value an upload's lang may take and its label.
type langChoice struct{ Value, Label string }

// langNames names the languages docpipe installs; other packs are shown by code.
var langNames = map[string]string{
	"eng": "English", "deu": "German", "fra": "French", "spa": "Spanish",
	"ita": "Italian", "por": "Portuguese", "nld": "Dutch",
}

func langLabel(code string) string {
	if n, ok := langNames[code]; ok {
		return n
	}
	return code
}

// langChoices offers the server's default, each installed language alone and, for the others,
// each with English after it, for documents that mix the two.
func langChoices(def string, installed []string) []langChoice {
	out := []langChoice{{"", "Default (" + strings.Join(mapLabels(strings.Split(def, "+")), " + ") + ")"}}
	for _, code := range installed {
		out = append(out, langChoice{code, langLabel(code)})
	}
	if slices.Contains(installed, "eng") {
		for _, code := range installed {
			if code != "eng" {
				out = append(out, langChoice{code + "+eng", langLabel(code) + " + English"})
			}
		}
	}
	return out
}

func mapLabels(codes []string) []string {
	for i, c := range codes {
		codes[i] = langLabel(c)
	}
	return codes
}

func (s *Server) list(w http.ResponseWriter, r *http.Request, u request) {
	q := r.URL.Query()
	status := q.Get("status")
	if status != "" && !document.Status(status).Valid() {
		status = ""
	}
	tag := strings.TrimSpace(q.Get("tag"))
	lq := ListQuery{Status: status, Tag: tag, After: q.Get("from")}
	if q.Get("sort") == "date" {
		lq.Sort = "date"
	}
	if to, err := time.Parse(time.DateOnly, q.Get("to")); err == nil {
		lq.Before = to.AddDate(0, 0, 1).Format(time.DateOnly)
	}
	p, err := s.opt.API.List(r.Context(), u.token, lq, q.Get("cursor"), pageSize)
	if err != nil {
		s.apiError(w, r, u, err)
		return
	}
	page := listPage{
		Documents: p.Documents, Status: status, Tag: tag, Sort: lq.Sort, From: q.Get("from"), To: q.Get("to"), Next: p.NextCursor,
		Statuses: []string{"queued", "processing", "done", "failed"},
		Filtered: status != "" || tag != "" || lq.After != "" || lq.Before != "" || q.Get("cursor") != "", MaxUpload: s.opt.MaxUpload,
	}
	_, page.Colors = s.tags(r.Context(), u.token)
	if def, installed, err := s.opt.API.Languages(r.Context(), u.token); err != nil {
		s.log.WarnContext(r.Context(), "list OCR languages", "err", err)
	} else {
		page.Langs = langChoices(def, installed)
	}
	s.render(w, r, http.StatusOK, "list", u.session, page)
}

// upload passes a multipart upload on to the API as it streams in. The page's script sends each
// file in its own request, for a progress bar and an error per file, and wants JSON back.
func (s *Server) upload(w http.ResponseWriter, r *http.Request, u request) {
	ct := r.Header.Get("Content-Type")
	if mt, _, _ := mime.ParseMediaType(ct); mt != "multipart/form-data" {
		s.showError(w, r, u, &Problem{Status: http.StatusBadRequest, Title: "Bad Request", Detail: "send the files as multipart/form-data"})
		return
	}
	up, err := s.opt.API.Upload(r.Context(), u.token, ct, r.Body)
	if err != nil {
		s.apiError(w, r, u, err)
		return
	}
	if wantsJSON(r) {
		status := http.StatusAccepted
		if len(up.Documents) == 0 {
			status = http.StatusOK
		}
		writeJSON(w, status, up)
		return
	}
	if len(up.Documents) == 0 && len(up.Duplicates) > 0 {
		http.Redirect(w, r, "/documents/"+url.PathEscape(up.Duplicates[0].Document.ID), http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// rulesPage is the data of the rules page.
type rulesPage struct {
	Rules   []document.Rule
	Colors  map[string]string
	Message string // what the last action did
}

// rules shows the user's rules, a form for a new one, and what the last action did.
func (s *Server) rules(w http.ResponseWriter, r *http.Request, u request) {
	rules, err := s.opt.API.Rules(r.Context(), u.token)
	if err != nil {
		s.apiError(w, r, u, err)
		return
	}
	data := rulesPage{Rules: rules}
	_, data.Colors = s.tags(r.Context(), u.token)
	if n := r.URL.Query().Get("tagged"); n != "" {
		if k, err := strconv.Atoi(n); err == nil {
			data.Message = fmt.Sprintf("Tagged %d document%s.", k, map[bool]string{true: "", false: "s"}[k == 1])
		}
	}
	s.render(w, r, http.StatusOK, "rules", u.session, data)
}

// createRule adds the rule of the rules page's form; tags are separated by commas.
func (s *Server) createRule(w http.ResponseWriter, r *http.Request, u request) {
	if !s.parseForm(w, r, u) {
		return
	}
	f := r.PostForm
	rule := document.Rule{Name: f.Get("name"), Match: f.Get("match"), Pattern: f.Get("pattern"), Field: f.Get("field")}
	for t := range strings.SplitSeq(f.Get("tags"), ",") {
		if t = strings.TrimSpace(t); t != "" {
			rule.Tags = append(rule.Tags, t)
		}
	}
	if _, err := s.opt.API.CreateRule(r.Context(), u.token, rule); err != nil {
		s.apiError(w, r, u, err)
		return
	}
	http.Redirect(w, r, "/rules", http.StatusSeeOther)
}

// deleteRule removes a rule from the rules page.
func (s *Server) deleteRule(w http.ResponseWriter, r *http.Request, u request) {
	if err := s.opt.API.DeleteRule(r.Context(), u.token, r.PathValue("id")); err != nil {
		s.apiError(w, r, u, err)
		return
	}
	http.Redirect(w, r, "/rules", http.StatusSeeOther)
}

// applyRules runs one rule, or all of them, over the user's documents from the rules page.
func (s *Server) applyRules(w http.ResponseWriter, r *http.Request, u request) {
	n, err := s.opt.API.ApplyRules(r.Context(), u.token, r.PathValue("id"))
	if err != nil {
		s.apiError(w, r, u, err)
		return
	}
	http.Redirect(w, r, "/rules?tagged="+strconv.Itoa(n), http.StatusSeeOther)
}

// tags returns the user's tags and their colours by name. A page shows tags without colours
// when they cannot be listed: colours are a help, not the page.
func (s *Server) tags(ctx context.Context, token string) ([]document.Tag, map[string]string) {
	tags, err := s.opt.API.Tags(ctx, token)
	if err != nil {
		s.log.WarnContext(ctx, "web: list tags", "err", err)
	}
	colors := make(map[string]string, len(tags))
	for _, t := range tags {
		colors[t.Name] = t.Color
	}
	return tags, colors
}

// tag adds the tag named by the form of a document's page to it, or removes the one named by
// remove.
func (s *Server) tag(w http.ResponseWriter, r *http.Request, u request) {
	id := r.PathValue("id")
	if !s.parseForm(w, r, u) {
		return
	}
	var add, remove []string
	if t := strings.TrimSpace(r.PostForm.Get("add")); t != "" {
		add = []string{t}
	}
	if t := r.PostForm.Get("remove"); t != "" {
		remove = []string{t}
	}
	if err := s.opt.API.TagDocuments(r.Context(), u.token, []string{id}, add, remove); err != nil {
		s.apiError(w, r, u, err)
		return
	}
	http.Redirect(w, r, "/documents/"+url.PathEscape(id), http.StatusSeeOther)
}

// parseForm reads a posted form, or shows why it cannot and reports false.
func (s *Server) parseForm(w http.ResponseWriter, r *http.Request, u request) bool {
	if err := r.ParseForm(); err != nil {
		s.showError(w, r, u, &Problem{Status: http.StatusBadRequest, Title: "Bad Request", Detail: "the form cannot be read"})
		return false
	}
	return true
}

// labels changes a document's title, notes and date from the form of its page.
func (s *Server) labels(w http.ResponseWriter, r *http.Request, u request) {
	id := r.PathValue("id")
	if !s.parseForm(w, r, u) {
		return
	}
	title, notes, date := r.PostForm.Get("title"), r.PostForm.Get("notes"), r.PostForm.Get("date")
	if _, err := s.opt.API.Update(r.Context(), u.token, id, document.Change{Title: &title, Notes: &notes, Date: &date}); err != nil {
		s.apiError(w, r, u, err)
		return
	}
	http.Redirect(w, r, "/documents/"+url.PathEscape(id), http.StatusSeeOther)
}

// status answers the statuses of the documents named by id parameters, for live updates.
// With wait=1 and a known status per id (the ones the page shows), it answers only the
// documents whose status changed, waiting up to statusWait for a change: a long poll that
// the api ends as soon as the worker reports the change.
func (s *Server) status(w http.ResponseWriter, r *http.Request, u request) {
	q := r.URL.Query()
	ids, known := q["id"], q["known"]
	if len(ids) > pageSize {
		ids = ids[:pageSize]
	}
	// A session cookie set on the way here (a token refresh, a resealed session) must reach
	// the browser now, not at the end of a long wait, while other tabs use the old one.
	waiting := q.Get("wait") == "1" && len(known) >= len(ids) && len(w.Header().Values("Set-Cookie")) == 0
	type state struct {
		ID     string `json:"id"`
		Status string `json:"status"`
		Error  string `json:"error,omitempty"`
		Pages  int    `json:"pages"`
	}
	news := make(map[string]state)
	var ask []string
	var statuses []document.Status
	for i, id := range ids {
		if !document.ValidID(id) {
			news[id] = state{ID: id, Status: "deleted"}
			continue
		}
		ask = append(ask, id)
		if waiting {
			statuses = append(statuses, document.Status(known[i]))
		}
	}
	if len(ask) > 0 {
		wait := time.Duration(0)
		if waiting && len(news) == 0 {
			wait = statusWait - apiWaitMargin
		}
		ctx, cancel := context.WithTimeout(r.Context(), statusWait)
		defer cancel()
		docs, err := s.opt.API.Statuses(ctx, u.token, ask, statuses, wait)
		switch {
		case err != nil && waiting && ctx.Err() != nil:
			docs, ask = nil, nil // the wait ended: nothing changed
		case err != nil:
			s.apiError(w, r, u, err)
			return
		}
		found := make(map[string]document.Document, len(docs))
		for _, d := range docs {
			found[d.ID] = d
		}
		for i, id := range ask {
			d, ok := found[id]
			switch {
			case !ok:
				news[id] = state{ID: id, Status: "deleted"}
			case !waiting || d.Status != statuses[i]:
				news[id] = state{ID: d.ID, Status: string(d.Status), Error: d.Error, Pages: d.Pages}
			}
		}
	}
	out := []state{}
	for _, id := range ids {
		if st, ok := news[id]; ok {
			out = append(out, st)
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, out)
}

// A waiting /status holds at most statusWait, in one long poll of the api for all its
// documents. The api is asked to wait apiWaitMargin less, so that its 304 arrives before our
// deadline.
const (
	statusWait    = 25 * time.Second
	apiWaitMargin = 5 * time.Second
)

// searchPage is the data of the search page.
type searchPage struct {
	Query    string // what the user typed
	Type     string // "", "pdf" or "image"
	From, To string // dates, YYYY-MM-DD, both included; "" for open
	Sort     string // "" (relevance) or one of searchSorts
	Full     string // the query with the filters, as the API reads it
	Result   *SearchPage
	Colors   map[string]string // of the user's tags, by name
	Offset   int
	Prev     int
	Error    string
}

// searchSorts are the orders the search page offers, by their API names.
var searchSorts = []struct{ Value, Label string }{
	{"", "Best match"}, {"newest", "Newest upload"}, {"oldest", "Oldest upload"}, {"name", "Title"},
	{"date", "Latest date"}, {"date-asc", "Earliest date"},
}

func (s *Server) search(w http.ResponseWriter, r *http.Request, u request) {
	form := r.URL.Query()
	offset, _ := strconv.Atoi(form.Get("offset"))
	offset = max(0, min(offset, 10_000))
	data := searchPage{
		Query: strings.TrimSpace(form.Get("q")), Type: form.Get("type"), From: form.Get("from"), To: form.Get("to"),
		Sort: form.Get("sort"), Offset: offset, Prev: max(0, offset-searchSize),
	}
	data.Full, data.Error = fullQuery(data)
	if data.Full != "" && data.Error == "" {
		res, err := s.opt.API.Search(r.Context(), u.token, data.Full, data.Sort, offset, searchSize)
		var p *Problem
		switch {
		case errors.As(err, &p) && p.Status == http.StatusBadRequest:
			data.Error = p.Error()
		case err != nil:
			s.apiError(w, r, u, err)
			return
		default:
			data.Result = &res
		}
	}
	if data.Result != nil {
		_, data.Colors = s.tags(r.Context(), u.token)
	}
	s.render(w, r, http.StatusOK, "search", u.session, data)
}

// fullQuery adds the search form's filters to its query in the API's syntax, or says what is
// wrong with them. The form's "to" date is included; the API's before: is not.
func fullQuery(p searchPage) (string, string) {
	parts := []string{p.Query}
	switch p.Type {
	case "":
	case "pdf", "image":
		parts = append(parts, "type:"+p.Type)
	default:
		return "", "Choose PDF, image or any type."
	}
	if p.From != "" {
		if _, err := time.Parse(time.DateOnly, p.From); err != nil {
			return "", "The first date is not a date."
		}
		parts = append(parts, "after:"+p.From)
	}
	if p.To != "" {
		to, err := time.Parse(time.DateOnly, p.To)
		if err != nil {
			return "", "The last date is not a date."
		}
		parts = append(parts, "before:"+to.AddDate(0, 0, 1).Format(time.DateOnly))
	}
	if !slices.ContainsFunc(searchSorts, func(o struct{ Value, Label string }) bool { return o.Value == p.Sort }) {
		return "", "Choose an order from the list."
	}
	return strings.TrimSpace(strings.Join(parts, " ")), ""
}

// documentPage is the data of one document's page.
type documentPage struct {
	Doc     document.Document
	Tags    []document.Tag    // the user's tags, to offer
	Colors  map[string]string // of the user's tags, by name
	Pages   []viewPage
	Preview bool   // the original is an image a browser shows
	Query   string // the search that led here, whose words are marked on the pages
}

// viewPage is a page of a document with the words a search matches on its picture.
type viewPage struct {
	document.Page
	Marks *PageMarks
}

// maxMarkedPages is how many pages of a document the marks of a search are looked up for.
const maxMarkedPages = 50

func (s *Server) document(w http.ResponseWriter, r *http.Request, u request) {
	id := r.PathValue("id")
	d, err := s.opt.API.Get(r.Context(), u.token, id)
	if err != nil {
		s.apiError(w, r, u, err)
		return
	}
	data := documentPage{Doc: d, Preview: previewable(d.ContentType), Query: strings.TrimSpace(r.URL.Query().Get("q"))}
	data.Tags, data.Colors = s.tags(r.Context(), u.token)
	if d.Status == document.StatusDone {
		pages, err := s.opt.API.Pages(r.Context(), u.token, id)
		if err != nil {
			s.apiError(w, r, u, err)
			return
		}
		for _, p := range pages {
			data.Pages = append(data.Pages, viewPage{Page: p})
		}
		if data.Query != "" {
			s.mark(r.Context(), u.token, id, data.Query, data.Pages)
		}
	}
	s.render(w, r, http.StatusOK, "document", u.session, data)
}

// mark looks up the words query matches on each OCR page's picture. A page it cannot mark is
// shown without marks: they are a help, not the page.
func (s *Server) mark(ctx context.Context, token, id, query string, pages []viewPage) {
	for i := range pages[:min(len(pages), maxMarkedPages)] {
		p := &pages[i]
		if p.Source != document.SourceOCR {
			continue
		}
		m, err := s.opt.API.Marks(ctx, token, id, p.Number, query)
		if err != nil {
			s.opt.Log.WarnContext(ctx, "web: marks of a page", "document", id, "page", p.Number, "err", err)
			return
		}
		if len(m.Matches) > 0 && m.Width > 0 && m.Height > 0 {
			p.Marks = &m
		}
	}
}

// previewable reports whether browsers display the type inline.
func previewable(contentType string) bool {
	return contentType == "image/png" || contentType == "image/jpeg"
}

// original streams the document's original: as a download, or inline for the preview of images
// browsers display. The API's sandboxing Content-Security-Policy and nosniff come along.
func (s *Server) original(w http.ResponseWriter, r *http.Request, u request) {
	resp, err := s.opt.API.Content(r.Context(), u.token, r.PathValue("id"), r.Header)
	if err != nil {
		s.apiError(w, r, u, err)
		return
	}
	inline := r.URL.Query().Get("inline") == "1" && previewable(resp.Header.Get("Content-Type"))
	s.relay(w, resp, inline)
}

// searchablePDF streams the document's searchable PDF as a download.
func (s *Server) searchablePDF(w http.ResponseWriter, r *http.Request, u request) {
	resp, err := s.opt.API.SearchablePDF(r.Context(), u.token, r.PathValue("id"), r.Header)
	if err != nil {
		s.apiError(w, r, u, err)
		return
	}
	s.relay(w, resp, false)
}

// pageImage relays the API's picture of one page, shown beside the page's text.
func (s *Server) pageImage(w http.ResponseWriter, r *http.Request, u request) {
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 1 {
		s.notFound(w, r)
		return
	}
	resp, err := s.opt.API.PageImage(r.Context(), u.token, r.PathValue("id"), n, r.Header)
	if err != nil {
		s.apiError(w, r, u, err)
		return
	}
	s.relay(w, resp, true)
}

// thumbnail relays a document's thumbnail, or sends the browser to a placeholder when it has
// none (yet), so that lists never show a broken picture.
func (s *Server) thumbnail(w http.ResponseWriter, r *http.Request, u request) {
	resp, err := s.opt.API.Thumbnail(r.Context(), u.token, r.PathValue("id"), r.Header)
	var p *Problem
	if errors.As(err, &p) && p.Status == http.StatusNotFound {
		http.Redirect(w, r, "/static/page.svg", http.StatusFound)
		return
	}
	if err != nil {
		s.apiError(w, r, u, err)
		return
	}
	s.relay(w, resp, true)
}

// relay copies an API response for a file to w, inline or as a download, with the API's
// sandboxing Content-Security-Policy.
func (s *Server) relay(w http.ResponseWriter, resp *http.Response, inline bool) {
	defer resp.Body.Close()
	h := w.Header()
	for _, k := range []string{"Content-Type", "Content-Length", "Content-Range", "Accept-Ranges", "ETag", "Last-Modified", "Cache-Control", "Content-Disposition"} {
		if v := resp.Header.Get(k); v != "" {
			h.Set(k, v)
		}
	}
	if inline {
		h.Set("Content-Disposition", "inline")
	}
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox; frame-ancestors 'none'")
	w.WriteHeader(resp.StatusCode)
	_, _ = io.Copy(w, resp.Body)
}

// bulkPage is the data of the page that confirms deleting many documents.
type bulkPage struct {
	IDs []string
}

// bulk acts on the documents ticked in the list: add or remove a tag, reprocess, download as a
// ZIP, or delete once a confirmation page has been answered.
func (s *Server) bulk(w http.ResponseWriter, r *http.Request, u request) {
	if !s.parseForm(w, r, u) {
		return
	}
	ids := r.PostForm["id"]
	if len(ids) == 0 {
		s.showError(w, r, u, &Problem{Status: http.StatusBadRequest, Title: "Nothing selected", Detail: "tick the documents to act on first"})
		return
	}
	var err error
	tag := strings.TrimSpace(r.PostForm.Get("tag"))
	switch action := r.PostForm.Get("action"); action {
	case "tag", "untag":
		if tag == "" {
			s.showError(w, r, u, &Problem{Status: http.StatusBadRequest, Title: "No tag", Detail: "write the tag to add or remove"})
			return
		}
		if action == "tag" {
			err = s.opt.API.TagDocuments(r.Context(), u.token, ids, []string{tag}, nil)
		} else {
			err = s.opt.API.TagDocuments(r.Context(), u.token, ids, nil, []string{tag})
		}
	case "reprocess":
		_, err = s.opt.API.Bulk(r.Context(), u.token, action, ids)
	case "delete":
		if r.PostForm.Get("confirm") != "yes" {
			s.render(w, r, http.StatusOK, "bulkdelete", u.session, bulkPage{IDs: ids})
			return
		}
		_, err = s.opt.API.Bulk(r.Context(), u.token, action, ids)
	case "zip", "zip-pdf":
		files := "originals"
		if action == "zip-pdf" {
			files = "pdf"
		}
		resp, err := s.opt.API.Zip(r.Context(), u.token, ids, files)
		if err != nil {
			s.apiError(w, r, u, err)
			return
		}
		s.relay(w, resp, false)
		return
	default:
		s.showError(w, r, u, &Problem{Status: http.StatusBadRequest, Title: "Bad Request", Detail: "unknown action"})
		return
	}
	if err != nil {
		s.apiError(w, r, u, err)
		return
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (s *Server) confirmDelete(w http.ResponseWriter, r *http.Request, u request) {
	d, err := s.opt.API.Get(r.Context(), u.token, r.PathValue("id"))
	if err != nil {
		s.apiError(w, r, u, err)
		return
	}
	s.render(w, r, http.StatusOK, "delete", u.session, d)
}

func (s *Server) delete(w http.ResponseWriter, r *http.Request, u request) {
	if err := s.opt.API.Delete(r.Context(), u.token, r.PathValue("id")); err != nil {
		s.apiError(w, r, u, err)
		return
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (s *Server) reprocess(w http.ResponseWriter, r *http.Request, u request) {
	id := r.PathValue("id")
	if err := s.opt.API.Reprocess(r.Context(), u.token, id); err != nil {
		s.apiError(w, r, u, err)
		return
	}
	http.Redirect(w, r, "/documents/"+url.PathEscape(id), http.StatusSeeOther)
}

// errorPage is the data of the error page.
type errorPage struct {
	Title   string
	Message string
	SignIn  bool
}

// apiError shows what went wrong with an API call: the API's own words for the user's mistakes,
// a generic message for the rest.
func (s *Server) apiError(w http.ResponseWriter, r *http.Request, u request, err error) {
	var p *Problem
	if !errors.As(err, &p) {
		s.log.ErrorContext(r.Context(), "api call failed", "err", err)
		p = &Problem{Status: http.StatusBadGateway, Title: "Bad Gateway", Detail: "docpipe's API cannot be reached; try again in a moment"}
	}
	if p.Status == http.StatusUnauthorized && s.opt.OIDC != nil {
		s.sessions.end(w, u.session)
		s.toSignIn(w, r)
		return
	}
	if p.Status >= 500 {
		s.log.ErrorContext(r.Context(), "api error", "status", p.Status, "detail", p.Detail)
	}
	s.showError(w, r, u, p)
}

func (s *Server) showError(w http.ResponseWriter, r *http.Request, u request, p *Problem) {
	if wantsJSON(r) {
		writeJSON(w, p.Status, p)
		return
	}
	title := p.Title
	if p.Status == http.StatusNotFound {
		title = "No such document"
	}
	s.render(w, r, p.Status, "error", u.session, errorPage{Title: title, Message: p.Error()})
}

// view is what every template gets.
type view struct {
	Page     string
	Session  session
	SignIn   bool // sign-in is on
	Data     any
	CSRF     string
	UserName string
}

func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, page string, ss session, data any) {
	t, ok := s.pages[page]
	if !ok {
		http.Error(w, "no template "+page, http.StatusInternalServerError)
		return
	}
	v := view{Page: page, Session: ss, SignIn: s.opt.OIDC != nil, Data: data, CSRF: ss.CSRF, UserName: ss.Name}
	if s.opt.OIDC == nil {
		v.UserName = "local user"
	}
	var b strings.Builder
	if err := t.ExecuteTemplate(&b, "layout", v); err != nil {
		s.log.ErrorContext(r.Context(), "render", "page", page, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, b.String())
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

var funcs = template.FuncMap{
	"bytes": func(n int64) string {
		switch {
		case n >= 1<<20:
			return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
		case n >= 1<<10:
			return fmt.Sprintf("%.0f kB", float64(n)/(1<<10))
		}
		return fmt.Sprintf("%d B", n)
	},
	"when": func(t time.Time) string { return t.UTC().Format("2 Jan 2006 15:04 UTC") },
	"iso":  func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"day": func(date string) string {
		t, err := time.Parse(document.DateLayout, date)
		if err != nil {
			return date
		}
		return t.Format("2 Jan 2006")
	},
	"live": func(s document.Status) bool {
		return s == document.StatusQueued || s == document.StatusProcessing
	},
	"add":   func(a, b int) int { return a + b },
	"sorts": func() any { return searchSorts },
	"sub":   func(a, b int) int { return a - b },
	"dict": func(kv ...any) map[string]any {
		m := make(map[string]any, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	},
}

func parseTemplates() (map[string]*template.Template, error) {
	pages := map[string]*template.Template{}
	for _, p := range []string{"list", "search", "document", "delete", "error", "signin", "rules", "bulkdelete"} {
		t, err := template.New(p).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/"+p+".html")
		if err != nil {
			return nil, fmt.Errorf("web: template %s: %w", p, err)
		}
		pages[p] = t
	}
	return pages, nil
}
