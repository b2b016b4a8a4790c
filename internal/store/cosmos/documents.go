package cosmos

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/data/azcosmos"

	"github.com/docpipe/docpipe/internal/document"
	"github.com/docpipe/docpipe/internal/search"
	"github.com/docpipe/docpipe/internal/store"
)

// Create inserts a queued document with its job, unless the owner has its bytes already.
func (s *backend) Create(ctx context.Context, doc document.Document) error {
	if _, err := s.findDoc(ctx, doc.ID); err == nil {
		return fmt.Errorf("%w: id %s exists", document.ErrConflict, doc.ID)
	} else if !errors.Is(err, document.ErrNotFound) {
		return err
	}
	if err := s.ensureTags(ctx, doc.Owner, doc.Tags); err != nil {
		return err
	}
	if doc.SHA256 != "" {
		if err := s.claimSHA(ctx, doc); err != nil {
			return err
		}
	}
	created := micros(doc.CreatedAt)
	it := docItem{
		ID: doc.ID, Owner: doc.Owner, Type: typeDoc, Key: listKey(created, doc.ID),
		Name: doc.Name, ContentType: doc.ContentType, Size: doc.Size, SHA256: doc.SHA256, BlobKey: doc.BlobKey,
		Status: string(doc.Status), Lang: doc.Lang, Created: created, Updated: created,
		Title: doc.OwnTitle(), Notes: doc.Notes, Date: doc.Date, DateSource: doc.DateSource, FoundDate: doc.FoundDate(),
		Tags: doc.Tags,
	}
	it.enqueue(micros(s.now()))
	body, err := json.Marshal(it)
	if err != nil {
		return err
	}
	_, err = s.c.CreateItem(ctx, azcosmos.NewPartitionKeyString(doc.Owner), body, nil)
	if err != nil && doc.SHA256 != "" {
		s.releaseSHA(context.WithoutCancel(ctx), doc.Owner, doc.SHA256, doc.ID)
	}
	if status(err) == http.StatusConflict {
		return fmt.Errorf("%w: id %s exists", document.ErrConflict, doc.ID)
	}
	return err
}

// shaPending is how long a shaItem whose document does not exist may be an upload still
// creating it; after that it is left over from a crash, and another upload may take it.
const shaPending = time.Minute

// claimSHA makes doc the holder of its bytes' shaItem, or returns a *document.DuplicateError
// with the owner's document that has them.
func (s *backend) claimSHA(ctx context.Context, doc document.Document) error {
	pk := azcosmos.NewPartitionKeyString(doc.Owner)
	for range 5 {
		if dup, err := s.Duplicate(ctx, doc.Owner, doc.SHA256); err == nil {
			return &document.DuplicateError{Existing: dup}
		} else if !errors.Is(err, document.ErrNotFound) {
			return err
		}
		claim := shaItem{ID: shaID(doc.Owner, doc.SHA256), Owner: doc.Owner, Type: typeSHA, Doc: doc.ID}
		body, err := json.Marshal(claim)
		if err != nil {
			return err
		}
		_, err = s.c.CreateItem(ctx, pk, body, nil)
		if status(err) != http.StatusConflict {
			return err
		}
		cur, err := s.readSHA(ctx, doc.Owner, doc.SHA256)
		if errors.Is(err, document.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		if held, err := s.readDoc(ctx, doc.Owner, cur.Doc); err == nil {
			return &document.DuplicateError{Existing: held.document()}
		} else if !errors.Is(err, document.ErrNotFound) {
			return err
		}
		if s.now().Sub(time.Unix(cur.TS, 0)) < shaPending {
			return fmt.Errorf("%w: the same file is being uploaded", document.ErrConflict)
		}
		_, err = s.c.ReplaceItem(ctx, pk, claim.ID, body, &azcosmos.ItemOptions{IfMatchEtag: &cur.ETag})
		if status(err) != http.StatusPreconditionFailed && status(err) != http.StatusNotFound {
			return err
		}
	}
	return fmt.Errorf("%w: the same file is being uploaded", document.ErrConflict)
}

// readSHA reads owner's shaItem for sum.
func (s *backend) readSHA(ctx context.Context, owner, sum string) (shaItem, error) {
	resp, err := s.c.ReadItem(ctx, azcosmos.NewPartitionKeyString(owner), shaID(owner, sum), nil)
	if status(err) == http.StatusNotFound {
		return shaItem{}, document.ErrNotFound
	}
	if err != nil {
		return shaItem{}, err
	}
	var it shaItem
	if err := json.Unmarshal(resp.Value, &it); err != nil {
		return shaItem{}, fmt.Errorf("decode %s: %w", it.ID, err)
	}
	return it, nil
}

// releaseSHA removes owner's shaItem for sum if the document id holds it. It is cleanup: a
// shaItem left behind is taken over once shaPending has passed, so failures are only logged.
func (s *backend) releaseSHA(ctx context.Context, owner, sum, id string) {
	cur, err := s.readSHA(ctx, owner, sum)
	if err != nil || cur.Doc != id {
		return
	}
	_, err = s.c.DeleteItem(ctx, azcosmos.NewPartitionKeyString(owner), cur.ID, &azcosmos.ItemOptions{IfMatchEtag: &cur.ETag})
	if err != nil && status(err) != http.StatusNotFound && status(err) != http.StatusPreconditionFailed {
		slog.WarnContext(ctx, "cosmos: release the record of a file's sum", "document", id, "err", err)
	}
}

// Duplicate returns the owner's oldest document with the SHA-256 sum sha.
func (s *backend) Duplicate(ctx context.Context, owner, sha string) (document.Document, error) {
	its, err := query[docItem](ctx, s.c, azcosmos.NewPartitionKeyString(owner),
		`SELECT * FROM c WHERE c.type = @type AND c.owner = @owner AND c.sha256 = @sha`,
		param("@type", typeDoc), param("@owner", owner), param("@sha", sha))
	if err != nil {
		return document.Document{}, err
	}
	if len(its) == 0 {
		return document.Document{}, document.ErrNotFound
	}
	first := slices.MinFunc(its, func(a, b docItem) int { return cmp.Compare(a.Key, b.Key) })
	return first.document(), nil
}

// Update changes the labels of one of owner's documents with a conditional replace, and the
// words a done one's labels are searched by.
func (s *backend) Update(ctx context.Context, owner, id string, ch document.Change) (document.Document, error) {
	it, err := s.update(ctx, owner, id, func(it *docItem) error {
		next := store.Changed(it.document(), ch, it.FoundDate)
		it.Title, it.Notes, it.Date, it.DateSource = next.OwnTitle(), next.Notes, next.Date, next.DateSource
		it.Updated = max(micros(s.now()), it.Updated)
		if it.Status == string(document.StatusDone) {
			it.NameWords = search.LabelWords(it.Lang, it.Name, it.Title, it.Notes)
		}
		return nil
	})
	if err != nil {
		return document.Document{}, err
	}
	return it.document(), nil
}

// Get returns one of owner's documents.
func (s *backend) Get(ctx context.Context, owner, id string) (document.Document, error) {
	it, err := s.readDoc(ctx, owner, id)
	if err != nil {
		return document.Document{}, err
	}
	return it.document(), nil
}

// List returns n of owner's documents after the cursor, newest first, or by date. A list by
// tag or date is filtered and ordered in Go over the owner's documents: the emulator fails
// ARRAY_CONTAINS with a parameter, and old items have no date to sort on.
func (s *backend) List(ctx context.Context, owner string, f store.ListFilter, after store.Cursor, n int) ([]document.Document, error) {
	q := `SELECT * FROM c WHERE c.type = @type AND c.owner = @owner`
	params := []azcosmos.QueryParameter{param("@type", typeDoc), param("@owner", owner)}
	if f.Status != "" {
		q += ` AND c.status = @status`
		params = append(params, param("@status", string(f.Status)))
	}
	inGo := f.ByDate || len(f.Tags) > 0 || f.After != "" || f.Before != ""
	if after != (store.Cursor{}) && !f.ByDate {
		q += ` AND c.key < @after`
		params = append(params, param("@after", listKey(micros(after.Created), after.ID)))
	}
	q += ` ORDER BY c.key DESC`
	if !inGo {
		q += ` OFFSET 0 LIMIT ` + strconv.Itoa(n)
	}
	its, err := query[docItem](ctx, s.c, azcosmos.NewPartitionKeyString(owner), q, params...)
	docs := make([]document.Document, 0, len(its))
	for _, it := range its {
		if d := it.document(); !inGo || f.Keeps(d) && f.Follows(d, after) {
			docs = append(docs, d)
		}
	}
	if f.ByDate {
		slices.SortStableFunc(docs, func(a, b document.Document) int { return cmp.Compare(b.Date, a.Date) })
	}
	return docs[:min(len(docs), n)], err
}

// Text returns one of owner's documents and, when it is done, its pages.
func (s *backend) Text(ctx context.Context, owner, id string) (document.Document, []document.Page, error) {
	it, err := s.readDoc(ctx, owner, id)
	if err != nil || it.Status != string(document.StatusDone) {
		return it.document(), nil, err
	}
	ps, err := s.pages(ctx, owner, []string{id})
	if err != nil {
		return document.Document{}, nil, err
	}
	var out []document.Page
	for _, p := range ps {
		if p.Gen == it.Gen {
			out = append(out, document.Page{Number: p.Number, Text: p.Text, Confidence: p.Confidence, Source: p.Source})
		}
	}
	slices.SortFunc(out, func(a, b document.Page) int { return cmp.Compare(a.Number, b.Number) })
	return it.document(), out, nil
}

// Page returns one of owner's documents and, when it is done, its page n.
func (s *backend) Page(ctx context.Context, owner, id string, n int) (document.Document, document.Page, error) {
	it, err := s.readDoc(ctx, owner, id)
	if err != nil || it.Status != string(document.StatusDone) {
		return it.document(), document.Page{}, err
	}
	resp, err := s.c.ReadItem(ctx, azcosmos.NewPartitionKeyString(owner), pageID(id, it.Gen, n), nil)
	if err != nil {
		if status(err) == http.StatusNotFound {
			err = fmt.Errorf("%w: page %d", document.ErrNotFound, n)
		}
		return document.Document{}, document.Page{}, err
	}
	var p pageItem
	if err := json.Unmarshal(resp.Value, &p); err != nil {
		return document.Document{}, document.Page{}, fmt.Errorf("page %d: %w", n, err)
	}
	layout, err := store.ParseLayout(p.Layout)
	if err != nil {
		return document.Document{}, document.Page{}, fmt.Errorf("page %d: %w", n, err)
	}
	return it.document(), document.Page{Number: p.Number, Text: p.Text, Confidence: p.Confidence, Source: p.Source, Layout: layout}, nil
}

// pages reads the page items of every generation of owner's documents ids.
func (s *backend) pages(ctx context.Context, owner string, ids []string) ([]pageItem, error) {
	q := `SELECT * FROM c WHERE c.type = @type AND c.owner = @owner AND c.doc IN (`
	params := []azcosmos.QueryParameter{param("@type", typePage), param("@owner", owner)}
	for i, id := range ids {
		name := "@d" + strconv.Itoa(i)
		if i > 0 {
			q += ", "
		}
		q += name
		params = append(params, param(name, id))
	}
	return query[pageItem](ctx, s.c, azcosmos.NewPartitionKeyString(owner), q+")", params...)
}

// dropPages removes the pages of owner's document id whose generation is not keep. It is
// cleanup: pages of another generation are never read, so failures are only logged.
func (s *backend) dropPages(ctx context.Context, owner, id, keep string) {
	ps, err := s.pages(ctx, owner, []string{id})
	if err != nil {
		slog.WarnContext(ctx, "cosmos: list stale pages", "document", id, "err", err)
		return
	}
	for _, p := range ps {
		if p.Gen == keep {
			continue
		}
		_, err := s.c.DeleteItem(ctx, azcosmos.NewPartitionKeyString(owner), p.ID, nil)
		if err != nil && status(err) != http.StatusNotFound {
			slog.WarnContext(ctx, "cosmos: delete stale page", "document", id, "page", p.ID, "err", err)
		}
	}
}

// Delete removes one of owner's documents with its job, then its pages.
func (s *backend) Delete(ctx context.Context, owner, id string) (document.Document, error) {
	it, err := s.readDoc(ctx, owner, id)
	if err != nil {
		return document.Document{}, err
	}
	_, err = s.c.DeleteItem(ctx, azcosmos.NewPartitionKeyString(owner), id, nil)
	if status(err) == http.StatusNotFound {
		return document.Document{}, document.ErrNotFound
	}
	if err != nil {
		return document.Document{}, err
	}
	s.dropPages(ctx, owner, id, "")
	if it.SHA256 != "" {
		s.releaseSHA(ctx, owner, it.SHA256, id)
	}
	return it.document(), nil
}

// Reprocess queues one of owner's documents again with a conditional replace.
func (s *backend) Reprocess(ctx context.Context, owner, id string) (document.Document, error) {
	it, err := s.update(ctx, owner, id, func(it *docItem) error {
		if err := store.Reprocessable(it.document()); err != nil {
			return err
		}
		now := micros(s.now())
		it.Status, it.Error, it.Attempts, it.Updated = string(document.StatusQueued), "", 0, now
		it.enqueue(now)
		return nil
	})
	if err != nil {
		return document.Document{}, err
	}
	return it.document(), nil
}
