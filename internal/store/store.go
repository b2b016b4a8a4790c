// Package store is docpipe's document store: documents, their text, full-text search and the
// durable OCR job queue. Store holds the contract and does what every database does alike;
// it keeps the documents in a Backend, the way database/sql keeps them in a driver. Backends
// live in subpackages; storetest is the conformance suite every backend passes through a Store.
package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/docpipe/docpipe/internal/dates"
	"github.com/docpipe/docpipe/internal/document"
	"github.com/docpipe/docpipe/internal/search"
)

// Limits of the options and inputs a Store takes.
const (
	MaxListLimit   = 1000      // ListOptions.Limit is within 1..MaxListLimit
	MaxSearchLimit = 100       // SearchOptions.Limit is within 1..MaxSearchLimit
	MaxPage        = 1<<31 - 1 // page numbers are within 1..MaxPage
)

// Store is everything docpipe keeps about documents, in the database of its Backend. It holds
// the contract that storetest checks: it validates inputs, prepares documents, orders and
// cleans pages, pages through lists and cuts search snippets the same way for every backend.
// Every method that takes an owner only ever sees that owner's documents: another owner's
// document is document.ErrNotFound.
type Store struct {
	b     Backend
	now   func() time.Time
	order dates.Order
}

// A Clock is a backend that keeps time in this process rather than in its database server:
// the Store then reads the same time as the backend, so that a test can set it.
type Clock interface {
	Now() time.Time
}

// New returns the Store that keeps its documents in b.
func New(b Backend) *Store {
	s := &Store{b: b, now: time.Now}
	if c, ok := b.(Clock); ok {
		s.now = c.Now
	}
	return s
}

// SetDateOrder sets how Complete reads a numeric date with the year last, such as 3/2/2024,
// when it looks for a document's date in its text; dates.DayFirst unless set. Call it before
// s is used.
func (s *Store) SetDateOrder(o dates.Order) { s.order = o }

// Backend returns the backend s keeps its documents in.
func (s *Store) Backend() Backend { return s.b }

// wrap adds the backend's name and what failed to a non-nil err.
func (s *Store) wrap(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %s: %w", s.b.Name(), what, err)
}

// invalid is document.ErrInvalidInput with a reason.
func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{document.ErrInvalidInput}, args...)...)
}

// Create inserts a queued document and its OCR job in one transaction, filling in d as Prepare
// does. When the owner already has a document with d's SHA256 (not empty), Create returns a
// *document.DuplicateError that holds it and creates nothing.
func (s *Store) Create(ctx context.Context, d *document.Document) error {
	doc, err := Prepare(*d, s.now())
	if err == nil {
		err = s.b.Create(ctx, doc)
	}
	if err != nil {
		return s.wrap("create document", err)
	}
	*d = doc
	return nil
}

// Duplicate returns the owner's document whose bytes have the SHA-256 sum sha (hex), or
// document.ErrNotFound when there is none.
func (s *Store) Duplicate(ctx context.Context, owner, sha string) (document.Document, error) {
	if sha == "" {
		return document.Document{}, s.wrap("find duplicate", document.ErrNotFound)
	}
	d, err := s.b.Duplicate(ctx, owner, sha)
	return d, s.wrap("find duplicate", err)
}

// Update changes the labels of one of the owner's documents as ch says and returns it as it
// is then. A title is one line of at most document.MaxTitle bytes and notes at most
// document.MaxNotes; a date is a valid YYYY-MM-DD. Labels are searched: the name field of a
// query looks in the title and notes as in the file name.
func (s *Store) Update(ctx context.Context, owner, id string, ch document.Change) (document.Document, error) {
	ch, err := checkChange(ch)
	var d document.Document
	if err == nil {
		d, err = s.b.Update(ctx, owner, id, ch)
	}
	return d, s.wrap("update document", err)
}

// Changed returns d with the change ch made, for a backend's Update: found is the date found
// in d's text ("" for none), which d's Date goes back to when ch takes the owner's away, or
// failing that its upload day.
func Changed(d document.Document, ch document.Change, found string) document.Document {
	if ch.Title != nil {
		d.Title = *ch.Title
		if d.Title == "" {
			d.Title = document.DefaultTitle(d.Name)
		}
	}
	if ch.Notes != nil {
		d.Notes = *ch.Notes
	}
	switch {
	case ch.Date == nil:
	case *ch.Date != "":
		d.Date, d.DateSource = *ch.Date, document.DateUser
	case found != "":
		d.Date, d.DateSource = found, document.DateText
	default:
		d.Date, d.DateSource = document.Day(d.CreatedAt), document.DateUpload
	}
	return d
}

// checkChange checks ch and returns it with its title and notes cleaned.
func checkChange(ch document.Change) (document.Change, error) {
	if ch.Title != nil {
		t := strings.Join(strings.Fields(CleanText(*ch.Title)), " ")
		if len(t) > document.MaxTitle {
			return ch, invalid("title is longer than %d bytes", document.MaxTitle)
		}
		ch.Title = &t
	}
	if ch.Notes != nil {
		n := strings.TrimSpace(CleanText(*ch.Notes))
		if len(n) > document.MaxNotes {
			return ch, invalid("notes are longer than %d bytes", document.MaxNotes)
		}
		ch.Notes = &n
	}
	if ch.Date != nil && *ch.Date != "" && !document.ValidDate(*ch.Date) {
		return ch, invalid("date %q, want a day as YYYY-MM-DD", *ch.Date)
	}
	return ch, nil
}

// Get returns one document.
func (s *Store) Get(ctx context.Context, owner, id string) (document.Document, error) {
	d, err := s.b.Get(ctx, owner, id)
	return d, s.wrap("get document", err)
}

// List returns the owner's documents, newest first; documents created in the same microsecond
// come in descending ID order.
func (s *Store) List(ctx context.Context, owner string, opt ListOptions) (ListResult, error) {
	docs, err := s.list(ctx, owner, opt)
	if err != nil {
		return ListResult{}, s.wrap("list documents", err)
	}
	res := ListResult{Documents: docs}
	if len(docs) > opt.Limit {
		res.Documents = docs[:opt.Limit]
		last := res.Documents[opt.Limit-1]
		c := Cursor{Created: last.CreatedAt, ID: last.ID}
		if opt.ByDate {
			c.Date = last.Date
		}
		res.Next = c.Encode()
	}
	return res, nil
}

// list checks opt and fetches one document more than its limit, to tell whether a page follows.
func (s *Store) list(ctx context.Context, owner string, opt ListOptions) ([]document.Document, error) {
	if opt.Limit < 1 || opt.Limit > MaxListLimit {
		return nil, invalid("limit %d is not within 1..%d", opt.Limit, MaxListLimit)
	}
	if opt.Status != "" && !opt.Status.Valid() {
		return nil, invalid("unknown status %q", opt.Status)
	}
	var after Cursor
	if opt.Cursor != "" {
		c, err := DecodeCursor(opt.Cursor)
		if err != nil {
			return nil, err
		}
		after = c
	}
	if opt.ByDate && opt.Cursor != "" && after.Date == "" {
		return nil, invalid("the cursor is not of a list by date")
	}
	for _, d := range []string{opt.After, opt.Before} {
		if d != "" && !document.ValidDate(d) {
			return nil, invalid("date %q, want a day as YYYY-MM-DD", d)
		}
	}
	tags, err := checkTagGroups(opt.Tags)
	if err != nil {
		return nil, err
	}
	f := ListFilter{Status: opt.Status, Tags: tags, ByDate: opt.ByDate, After: opt.After, Before: opt.Before}
	return s.b.List(ctx, owner, f, after, opt.Limit+1)
}

// ListFilter is what a backend's List keeps and how it orders it.
type ListFilter struct {
	Status document.Status // empty for any
	Tags   [][]string      // a tag of each group, as search.Query's Tags
	ByDate bool            // latest date first, then newest upload first; else newest upload first
	After  string          // dated on or after this day (YYYY-MM-DD), when set
	Before string          // dated before this day, when set
}

// Keeps reports whether f keeps d, for backends that filter in Go.
func (f ListFilter) Keeps(d document.Document) bool {
	return (f.Status == "" || d.Status == f.Status) && HasTags(d.Tags, f.Tags) &&
		(f.After == "" || d.Date >= f.After) && (f.Before == "" || d.Date < f.Before)
}

// Follows reports whether d comes after the cursor c in f's order, for backends that order in
// Go; every document does when c is zero.
func (f ListFilter) Follows(d document.Document, c Cursor) bool {
	if c == (Cursor{}) {
		return true
	}
	k := cmp.Compare(d.CreatedAt.UnixMicro(), c.Created.UnixMicro())
	if k == 0 {
		k = cmp.Compare(d.ID, c.ID)
	}
	if f.ByDate && d.Date != c.Date {
		return d.Date < c.Date
	}
	return k < 0
}

// MaxTagGroups is how many groups of tags a list or a search may ask documents to have.
const MaxTagGroups = 10

// checkTagGroups returns groups of tag names cleaned, sorted and without repeats, and without
// empty groups; at most MaxTagGroups of them.
func checkTagGroups(groups [][]string) ([][]string, error) {
	if len(groups) > MaxTagGroups {
		return nil, invalid("more than %d tag filters", MaxTagGroups)
	}
	var out [][]string
	for _, g := range groups {
		names, err := cleanTags(g)
		if err != nil {
			return nil, err
		}
		if len(names) > 0 {
			out = append(out, names)
		}
	}
	return out, nil
}

// cleanTags returns names cleaned (document.CleanTag), sorted and without repeats; at most
// document.MaxDocTags of them.
func cleanTags(names []string) ([]string, error) {
	if len(names) > document.MaxDocTags {
		return nil, invalid("more than %d tags", document.MaxDocTags)
	}
	out := make([]string, 0, len(names))
	for _, n := range names {
		c, err := document.CleanTag(n)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// MaxBulk is how many documents one call may change at once.
const MaxBulk = 1000

// Tags returns the owner's tags by name, each with how many of the owner's documents have it.
func (s *Store) Tags(ctx context.Context, owner string) ([]document.Tag, error) {
	tags, err := s.b.Tags(ctx, owner)
	if err != nil {
		return nil, s.wrap("tags", err)
	}
	slices.SortFunc(tags, func(a, b document.Tag) int { return CompareNames(a.Name, b.Name) })
	return tags, nil
}

// PutTag creates the owner's tag name, or changes it: t.Name, when set, renames it on every
// document that has it (a name another tag has is document.ErrConflict), and t.Color, when set,
// recolours it; a new tag without a colour gets document.DefaultColor. It returns the tag.
func (s *Store) PutTag(ctx context.Context, owner, name string, t document.Tag) (document.Tag, error) {
	var err error
	if name, err = document.CleanTag(name); err != nil {
		return t, s.wrap("put tag", err)
	}
	if t.Name == "" {
		t.Name = name
	} else if t.Name, err = document.CleanTag(t.Name); err != nil {
		return t, s.wrap("put tag", err)
	}
	if t.Color != "" && !document.ValidColor(t.Color) {
		return t, s.wrap("put tag", invalid("colour %q, want #rrggbb in lower-case hex", t.Color))
	}
	t.Documents = 0
	t, err = s.b.PutTag(ctx, owner, name, t)
	return t, s.wrap("put tag", err)
}

// DeleteTag removes the owner's tag name from the owner's tags and from every document that has
// it; a tag the owner does not have is document.ErrNotFound.
func (s *Store) DeleteTag(ctx context.Context, owner, name string) error {
	name, err := document.CleanTag(name)
	if err == nil {
		err = s.b.DeleteTag(ctx, owner, name)
	}
	return s.wrap("delete tag", err)
}

// TagDocuments adds the tags add to, then removes the tags remove from, each of the owner's
// documents ids (at most MaxBulk), creating the tags the owner does not have yet, and returns
// the IDs of the documents it found: ids of documents the owner does not have are left alone.
// A document may end with at most document.MaxDocTags tags, and an owner have at most
// document.MaxTags.
func (s *Store) TagDocuments(ctx context.Context, owner string, ids, add, remove []string) ([]string, error) {
	found, err := s.tagDocuments(ctx, owner, ids, add, remove)
	return found, s.wrap("tag documents", err)
}

func (s *Store) tagDocuments(ctx context.Context, owner string, ids, add, remove []string) ([]string, error) {
	if len(ids) > MaxBulk {
		return nil, invalid("more than %d documents", MaxBulk)
	}
	add, err := cleanTags(add)
	if err != nil {
		return nil, err
	}
	if remove, err = cleanTags(remove); err != nil {
		return nil, err
	}
	valid := make([]string, 0, len(ids))
	for _, id := range ids {
		if document.ValidID(id) && !slices.Contains(valid, id) {
			valid = append(valid, id)
		}
	}
	if len(valid) == 0 || len(add) == 0 && len(remove) == 0 {
		return s.b.TagDocuments(ctx, owner, valid, nil, nil)
	}
	return s.b.TagDocuments(ctx, owner, valid, add, remove)
}

// Retag returns tags with add added and remove removed, sorted, for a backend's TagDocuments:
// document.ErrInvalidInput when that makes more than document.MaxDocTags.
func Retag(tags, add, remove []string) ([]string, error) {
	out := slices.Concat(tags, add)
	out = slices.DeleteFunc(out, func(t string) bool { return slices.Contains(remove, t) })
	slices.Sort(out)
	out = slices.Compact(out)
	if len(out) > document.MaxDocTags {
		return nil, invalid("a document may have at most %d tags", document.MaxDocTags)
	}
	return out, nil
}

// HasTags reports whether tags has at least one tag of each group.
func HasTags(tags []string, groups [][]string) bool {
	for _, g := range groups {
		if !slices.ContainsFunc(g, func(t string) bool { return slices.Contains(tags, t) }) {
			return false
		}
	}
	return true
}

// Text returns the pages of a document that is done, in page order; a document that is not
// done is document.ErrConflict.
func (s *Store) Text(ctx context.Context, owner, id string) ([]document.Page, error) {
	d, pages, err := s.b.Text(ctx, owner, id)
	if err == nil && d.Status != document.StatusDone {
		err = fmt.Errorf("%w: document is %s", document.ErrConflict, d.Status)
	}
	if err != nil {
		return nil, s.wrap("text of document", err)
	}
	if pages == nil {
		pages = []document.Page{}
	}
	return pages, nil
}

// Page returns page n of a document that is done, with its layout when OCR read it. A document
// that is not done is document.ErrConflict; a page it does not have is document.ErrNotFound.
func (s *Store) Page(ctx context.Context, owner, id string, n int) (document.Page, error) {
	if n < 1 || n > MaxPage {
		return document.Page{}, s.wrap("page of document", fmt.Errorf("%w: page %d", document.ErrNotFound, n))
	}
	d, p, err := s.b.Page(ctx, owner, id, n)
	if err == nil && d.Status != document.StatusDone {
		err = fmt.Errorf("%w: document is %s", document.ErrConflict, d.Status)
	}
	if err != nil {
		return document.Page{}, s.wrap("page of document", err)
	}
	return p, nil
}

// Delete removes the document, its text, index entries and job, and returns what it removed so
// the caller can delete the blob.
func (s *Store) Delete(ctx context.Context, owner, id string) (document.Document, error) {
	d, err := s.b.Delete(ctx, owner, id)
	return d, s.wrap("delete document", err)
}

// Reprocess queues a done or failed document again. A document that is queued or processing
// is document.ErrConflict. Its text stays until the new run completes, but neither Text nor
// Search show it meanwhile.
func (s *Store) Reprocess(ctx context.Context, owner, id string) (document.Document, error) {
	d, err := s.b.Reprocess(ctx, owner, id)
	return d, s.wrap("reprocess document", err)
}

// Search runs a parsed query over the owner's done documents, in the order opt asks for. Each
// hit shows its page and a snippet of it around the first word the query matches, or the
// page's opening words when it matches none.
func (s *Store) Search(ctx context.Context, owner string, q search.Query, opt SearchOptions) (SearchResult, error) {
	q, err := checkSearch(q, opt)
	if err != nil {
		return SearchResult{}, s.wrap("search", err)
	}
	r, err := s.b.Search(ctx, owner, q, opt)
	if err != nil {
		return SearchResult{}, s.wrap("search", err)
	}
	res := SearchResult{Total: r.Total, Capped: r.Capped}
	if r.Total == 0 {
		res.Suggestion = s.suggest(ctx, owner, q, opt)
	}
	highlighters := make(map[string]Highlighter)
	for _, m := range r.Matches {
		h, ok := highlighters[m.Document.Lang]
		if !ok {
			h = NewHighlighter(q, m.Document.Lang)
			highlighters[m.Document.Lang] = h
		}
		hit := Hit{Document: m.Document, Score: m.Score}
		if len(m.Pages) > 0 {
			p := m.Pages[0]
			for _, c := range m.Pages {
				if h.First(c.Text) >= 0 {
					p = c
					break
				}
			}
			hit.Page, hit.Snippet = p.Number, h.Snippet(p.Text)
			if hit.Snippet == nil {
				hit.Snippet = Lead(p.Text)
			}
		}
		res.Hits = append(res.Hits, hit)
	}
	return res, nil
}

// maxSuggested is how many words of a query suggest looks up.
const maxSuggested = 8

// suggest returns q with each word that is a few typos from a word of owner's documents spelled
// as that word, when that query finds something; "" otherwise. Prefixes stay as they are.
func (s *Store) suggest(ctx context.Context, owner string, q search.Query, opt SearchOptions) string {
	looked, changed := 0, false
	fixed := q
	fixed.Root = q.Root.Map(func(c search.Clause) *search.Node {
		c.Words = slices.Clone(c.Words)
		for i, w := range c.Words {
			max := search.MaxTypos(w)
			if max == 0 || looked == maxSuggested || c.Prefix && i == len(c.Words)-1 {
				continue
			}
			looked++
			best, err := s.b.Closest(ctx, owner, w, max)
			if err != nil {
				slog.WarnContext(ctx, "store: spelling suggestion", "err", err)
				continue
			}
			if best != "" && best != w {
				c.Words[i], changed = best, true
			}
		}
		return search.Leaf(c)
	})
	if !changed {
		return ""
	}
	r, err := s.b.Search(ctx, owner, fixed, SearchOptions{Limit: 1, Sort: opt.Sort})
	if err != nil || r.Total == 0 {
		return ""
	}
	return fixed.String()
}

// checkSearch checks the options and that q has at most search.MaxClauses clauses, and returns
// q with each clause's words as search.Words finds them and the clauses left with none left
// out. What is left must ask for something.
func checkSearch(q search.Query, opt SearchOptions) (search.Query, error) {
	if opt.Limit < 1 || opt.Limit > MaxSearchLimit || opt.Offset < 0 {
		return q, invalid("limit %d and offset %d, want 1..%d and at least 0", opt.Limit, opt.Offset, MaxSearchLimit)
	}
	if !slices.Contains(Sorts, opt.Sort) {
		return q, invalid("sort %q, want relevance, newest, oldest, name, date or date-asc", opt.Sort)
	}
	n := 0
	for range q.Clauses() {
		n++
	}
	if n > search.MaxClauses {
		return q, invalid("query has more than %d terms", search.MaxClauses)
	}
	tags, err := checkTagGroups(q.Tags)
	if err != nil {
		return q, err
	}
	q.Tags = tags
	q.Root = q.Root.Map(func(c search.Clause) *search.Node {
		c.Words = ClauseWords(c)
		if len(c.Words) == 0 {
			return nil
		}
		return search.Leaf(c)
	})
	if q.Empty() {
		return q, invalid("query has no search terms")
	}
	return q, nil
}

// Claim leases the next ready job to a worker, marking its document processing. It returns
// document.ErrNoJob when none is ready. storetest describes which job is next.
func (s *Store) Claim(ctx context.Context, lease time.Duration) (document.Job, error) {
	if err := checkLease(lease); err != nil {
		return document.Job{}, s.wrap("claim job", err)
	}
	j, err := s.b.Claim(ctx, lease)
	if errors.Is(err, document.ErrNoJob) {
		return document.Job{}, err
	}
	return j, s.wrap("claim job", err)
}

// ClaimDocument leases the job of the document with the given id, as Claim does, for workers
// told about one document by an event. It returns document.ErrNotFound when there is no such
// document, document.ErrNoJob when the document has no job (it is done or failed), and a
// *document.NotReadyError when its job is leased or waits to be retried.
func (s *Store) ClaimDocument(ctx context.Context, id string, lease time.Duration) (document.Job, error) {
	err := checkLease(lease)
	var j document.Job
	if err == nil {
		j, err = s.b.ClaimDocument(ctx, id, lease)
	}
	return j, s.wrap("claim document "+id, err)
}

// Extend pushes a held lease forward; document.ErrLeaseLost if the lease is no longer held.
func (s *Store) Extend(ctx context.Context, job document.Job, lease time.Duration) (document.Job, error) {
	err := checkLease(lease)
	if err == nil {
		job, err = s.b.Extend(ctx, job, lease)
	}
	return job, s.wrap("extend job", err)
}

func checkLease(lease time.Duration) error {
	if lease <= 0 {
		return invalid("lease %v is not positive", lease)
	}
	return nil
}

// Complete stores the pages, indexes them, marks the document done and removes the job, all in
// one transaction, only if the job's lease is still held (else document.ErrLeaseLost). Page
// numbers must be unique and within 1..MaxPage; page text is stored as CleanText makes it.
//
// Complete also looks for the date the document is about in its text (dates.Finder, in the
// order SetDateOrder set and the job's languages): that date becomes the document's Date
// unless its owner gave one. Once the job is complete, the owner's rules tag the document.
func (s *Store) Complete(ctx context.Context, job document.Job, pages []document.Page) error {
	pages, err := sortPages(pages)
	if err == nil {
		err = s.b.Complete(ctx, job, pages, s.findDate(job.Lang, pages))
	}
	if err != nil {
		return s.wrap("complete job", err)
	}
	if err := s.tagByRules(ctx, job, pages); err != nil {
		slog.WarnContext(ctx, "store: tag a document by its owner's rules", "document", job.DocumentID, "err", err)
	}
	return nil
}

// tagByRules tags the document of a completed job as its owner's rules say. It runs after the
// job is complete: a rule that fails to tag costs the tag, not the OCR, and ApplyRules makes up
// for it.
func (s *Store) tagByRules(ctx context.Context, job document.Job, pages []document.Page) error {
	ms, err := s.matchers(ctx, job.Owner)
	if err != nil || len(ms) == 0 {
		return err
	}
	d, err := s.b.Get(ctx, job.Owner, job.DocumentID)
	if err != nil {
		return err
	}
	return s.applyRules(ctx, ms, d, pages)
}

// findDate returns the first date in pages as YYYY-MM-DD, or "" when there is none.
func (s *Store) findDate(lang string, pages []document.Page) string {
	f := dates.Finder{Order: s.order, Now: s.now()}
	langs := search.Langs(lang)
	for _, p := range pages {
		if t, ok := f.Find(p.Text, langs); ok {
			return document.Day(t)
		}
	}
	return ""
}

// sortPages returns a copy of pages in page order with their text cleaned, checking that the
// numbers are unique and within 1..MaxPage.
func sortPages(pages []document.Page) ([]document.Page, error) {
	pages = slices.Clone(pages)
	slices.SortFunc(pages, func(a, b document.Page) int { return cmp.Compare(a.Number, b.Number) })
	for i, p := range pages {
		if p.Number < 1 || p.Number > MaxPage {
			return nil, invalid("page number %d", p.Number)
		}
		if i > 0 && pages[i-1].Number == p.Number {
			return nil, invalid("page %d given twice", p.Number)
		}
		pages[i].Text = CleanText(p.Text)
		if p.Layout != nil {
			if _, err := p.Layout.MarshalBinary(); err != nil {
				return nil, invalid("page %d: %v", p.Number, err)
			}
		}
	}
	return pages, nil
}

// Fail records a failed attempt. With retryAt set the job is queued again for then; with a zero
// retryAt the document is failed for good with the reason and the job removed. The reason is
// stored as CleanText makes it.
func (s *Store) Fail(ctx context.Context, job document.Job, reason string, retryAt time.Time) error {
	return s.wrap("fail job", s.b.Fail(ctx, job, CleanText(reason), retryAt))
}

// Stats reports the queue for metrics.
func (s *Store) Stats(ctx context.Context) (Stats, error) {
	st, err := s.b.Stats(ctx)
	return st, s.wrap("stats", err)
}

// Ping checks that the store is reachable.
func (s *Store) Ping(ctx context.Context) error {
	return s.wrap("ping", s.b.Ping(ctx))
}

// Close releases the store's resources.
func (s *Store) Close() error {
	return s.b.Close()
}

// ListOptions selects a page of documents.
type ListOptions struct {
	Status document.Status // empty for all
	Tags   [][]string      // the documents have a tag of each group, as search.Query's Tags
	ByDate bool            // latest document date first (then newest upload); else newest upload first
	After  string          // dated on or after this day (YYYY-MM-DD), when set
	Before string          // dated before this day, when set
	Cursor string          // opaque, from a previous ListResult; empty for the first page
	Limit  int             // 1..MaxListLimit
}

// ListResult is a page of documents.
type ListResult struct {
	Documents []document.Document
	Next      string // cursor of the next page; empty on the last page
}

// SearchOptions selects a page of search hits and their order.
type SearchOptions struct {
	Limit  int // 1..MaxSearchLimit
	Offset int
	Sort   Sort
}

// Sort is an order of search hits.
type Sort string

// The orders of search hits. Ties go newest first.
const (
	SortRelevance Sort = ""       // best match first
	SortNewest    Sort = "newest" // latest upload first
	SortOldest    Sort = "oldest" // earliest upload first
	SortName      Sort = "name"   // by title, A to Z, ignoring case
	SortDate      Sort = "date"   // latest document date first
	SortDateAsc   Sort = "date-asc"
)

// Sorts are the orders there are.
var Sorts = []Sort{SortRelevance, SortNewest, SortOldest, SortName, SortDate, SortDateAsc}

// CompareNames orders document titles for SortName.
func CompareNames(a, b string) int {
	return cmp.Or(cmp.Compare(strings.ToLower(a), strings.ToLower(b)), cmp.Compare(a, b))
}

// SortBy orders s, newest first, by a key of each element: by titles (CompareNames) for
// SortName, by dates as YYYY-MM-DD for SortDate (latest first) and SortDateAsc. Elements of
// equal keys stay newest first.
func SortBy[T any](s []T, by Sort, key func(T) string) {
	switch by {
	case SortName:
		slices.SortStableFunc(s, func(a, b T) int { return CompareNames(key(a), key(b)) })
	case SortDate:
		slices.SortStableFunc(s, func(a, b T) int { return cmp.Compare(key(b), key(a)) })
	case SortDateAsc:
		slices.SortStableFunc(s, func(a, b T) int { return cmp.Compare(key(a), key(b)) })
	}
}

// SearchResult is a page of hits, best first.
type SearchResult struct {
	Hits   []Hit
	Total  int  // documents matching, across all pages
	Capped bool // more documents match than the backend ranks and counts: Total is its limit
	// Suggestion is, when nothing matches, the query with its typos fixed from the words of
	// the owner's documents, if that finds something.
	Suggestion string
}

// Hit is one matching document with the best-matching page.
type Hit struct {
	Document document.Document `json:"document"`
	Page     int               `json:"page"`
	Snippet  []Fragment        `json:"snippet"`
	Score    float64           `json:"score"` // higher is better; comparable only within one result
}

// Fragment is a piece of a snippet; Match marks the words that matched the query.
type Fragment struct {
	Text  string `json:"text"`
	Match bool   `json:"match,omitempty"`
}

// Stats describes the job queue.
type Stats struct {
	Queued     int           // jobs waiting, including those waiting to retry
	Processing int           // jobs under a live lease
	OldestAge  time.Duration // age of the oldest waiting job; zero when none
}

// Prepare returns the document Create stores for d, as storetest describes: an ID from
// document.NewID(now) when empty (a given ID must be valid), status queued with no error, pages
// or attempts, and CreatedAt (now unless given) kept to the microsecond in UTC, with UpdatedAt
// equal to it. Its labels are checked as Update checks them; a given Date keeps its DateSource
// when that is document.DateText and is the owner's otherwise, and without one the document is
// dated the day it was created. A document without an owner or with a malformed ID is
// document.ErrInvalidInput.
func Prepare(d document.Document, now time.Time) (document.Document, error) {
	if d.Owner == "" {
		return d, fmt.Errorf("%w: no owner", document.ErrInvalidInput)
	}
	if d.ID == "" {
		d.ID = document.NewID(now)
	} else if !document.ValidID(d.ID) {
		return d, fmt.Errorf("%w: malformed id %q", document.ErrInvalidInput, d.ID)
	}
	if d.Lang != "" && !document.ValidLang(d.Lang) {
		return d, fmt.Errorf("%w: malformed languages %q", document.ErrInvalidInput, d.Lang)
	}
	if d.CreatedAt.IsZero() {
		d.CreatedAt = now
	}
	d.CreatedAt = d.CreatedAt.Truncate(time.Microsecond).UTC()
	d.UpdatedAt = d.CreatedAt
	d.Status, d.Error, d.Pages, d.Attempts = document.StatusQueued, "", 0, 0
	title, date := d.OwnTitle(), d.Date
	ch, err := checkChange(document.Change{Title: &title, Notes: &d.Notes, Date: &date})
	if err != nil {
		return d, err
	}
	d.Notes = *ch.Notes
	if d.Tags, err = cleanTags(d.Tags); err != nil {
		return d, err
	}
	switch {
	case date == "":
		d.DateSource = ""
	case d.DateSource != document.DateText:
		d.DateSource = document.DateUser
	}
	d.Labels(*ch.Title, date, d.DateSource)
	return d, nil
}
