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

	"github.com/Azure/azure-sdk-for-go/sdk/data/azcosmos"

	"github.com/docpipe/docpipe/internal/document"
	"github.com/docpipe/docpipe/internal/store"
)

// Create inserts a queued document with its job, filling in d's ID when empty, its status,
// counters and times, as storetest describes.
func (s *Store) Create(ctx context.Context, d *document.Document) error {
	now := s.now()
	doc, err := store.Prepare(*d, now)
	if err != nil {
		return fmt.Errorf("cosmos: create document: %w", err)
	}

	if _, err := s.findDoc(ctx, doc.ID); err == nil {
		return fmt.Errorf("cosmos: create document: %w: id %s exists", document.ErrConflict, doc.ID)
	} else if !errors.Is(err, document.ErrNotFound) {
		return fmt.Errorf("cosmos: create document: %w", err)
	}
	created := micros(doc.CreatedAt)
	it := docItem{
		ID: doc.ID, Owner: doc.Owner, Type: typeDoc, Key: listKey(created, doc.ID),
		Name: doc.Name, ContentType: doc.ContentType, Size: doc.Size, SHA256: doc.SHA256, BlobKey: doc.BlobKey,
		Status: string(doc.Status), Created: created, Updated: created,
	}
	it.enqueue(micros(now))
	body, err := json.Marshal(it)
	if err != nil {
		return fmt.Errorf("cosmos: create document: %w", err)
	}
	_, err = s.c.CreateItem(ctx, azcosmos.NewPartitionKeyString(doc.Owner), body, nil)
	if status(err) == http.StatusConflict {
		return fmt.Errorf("cosmos: create document: %w: id %s exists", document.ErrConflict, doc.ID)
	}
	if err != nil {
		return fmt.Errorf("cosmos: create document: %w", err)
	}
	*d = doc
	return nil
}

// Get returns one of owner's documents.
func (s *Store) Get(ctx context.Context, owner, id string) (document.Document, error) {
	it, err := s.readDoc(ctx, owner, id)
	if err != nil {
		return document.Document{}, fmt.Errorf("cosmos: get document: %w", err)
	}
	return it.document(), nil
}

// List returns a page of owner's documents, newest first; documents created in the same
// microsecond come in descending ID order.
func (s *Store) List(ctx context.Context, owner string, opt store.ListOptions) (store.ListResult, error) {
	if opt.Limit < 1 || opt.Limit > 1000 {
		return store.ListResult{}, fmt.Errorf("cosmos: list documents: %w: limit %d is not within 1..1000", document.ErrInvalidInput, opt.Limit)
	}
	if opt.Status != "" && !opt.Status.Valid() {
		return store.ListResult{}, fmt.Errorf("cosmos: list documents: %w: unknown status %q", document.ErrInvalidInput, opt.Status)
	}
	q := `SELECT * FROM c WHERE c.type = @type AND c.owner = @owner`
	params := []azcosmos.QueryParameter{param("@type", typeDoc), param("@owner", owner)}
	if opt.Status != "" {
		q += ` AND c.status = @status`
		params = append(params, param("@status", string(opt.Status)))
	}
	if opt.Cursor != "" {
		c, err := store.DecodeCursor(opt.Cursor)
		if err != nil {
			return store.ListResult{}, fmt.Errorf("cosmos: list documents: %w", err)
		}
		q += ` AND c.key < @after`
		params = append(params, param("@after", listKey(micros(c.Created), c.ID)))
	}
	q += ` ORDER BY c.key DESC OFFSET 0 LIMIT ` + strconv.Itoa(opt.Limit+1)
	its, err := query[docItem](ctx, s.c, azcosmos.NewPartitionKeyString(owner), q, params...)
	if err != nil {
		return store.ListResult{}, fmt.Errorf("cosmos: list documents: %w", err)
	}
	var res store.ListResult
	for _, it := range its {
		res.Documents = append(res.Documents, it.document())
	}
	if len(res.Documents) > opt.Limit {
		res.Documents = res.Documents[:opt.Limit]
		last := res.Documents[opt.Limit-1]
		res.Next = store.Cursor{Created: last.CreatedAt, ID: last.ID}.Encode()
	}
	return res, nil
}

// Text returns the pages of one of owner's documents that is done.
func (s *Store) Text(ctx context.Context, owner, id string) ([]document.Page, error) {
	it, err := s.readDoc(ctx, owner, id)
	if err != nil {
		return nil, fmt.Errorf("cosmos: text of document: %w", err)
	}
	if it.Status != string(document.StatusDone) {
		return nil, fmt.Errorf("cosmos: text of document: %w: document is %s", document.ErrConflict, it.Status)
	}
	ps, err := s.pages(ctx, owner, []string{id})
	if err != nil {
		return nil, fmt.Errorf("cosmos: text of document: %w", err)
	}
	var out []document.Page
	for _, p := range ps {
		if p.Gen == it.Gen {
			out = append(out, document.Page{Number: p.Number, Text: p.Text, Confidence: p.Confidence, Source: p.Source})
		}
	}
	slices.SortFunc(out, func(a, b document.Page) int { return cmp.Compare(a.Number, b.Number) })
	return out, nil
}

// pages reads the page items of every generation of owner's documents ids.
func (s *Store) pages(ctx context.Context, owner string, ids []string) ([]pageItem, error) {
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
func (s *Store) dropPages(ctx context.Context, owner, id, keep string) {
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
func (s *Store) Delete(ctx context.Context, owner, id string) (document.Document, error) {
	it, err := s.readDoc(ctx, owner, id)
	if err != nil {
		return document.Document{}, fmt.Errorf("cosmos: delete document: %w", err)
	}
	_, err = s.c.DeleteItem(ctx, azcosmos.NewPartitionKeyString(owner), id, nil)
	if status(err) == http.StatusNotFound {
		return document.Document{}, fmt.Errorf("cosmos: delete document: %w", document.ErrNotFound)
	}
	if err != nil {
		return document.Document{}, fmt.Errorf("cosmos: delete document: %w", err)
	}
	s.dropPages(ctx, owner, id, "")
	return it.document(), nil
}

// Reprocess queues one of owner's done or failed documents again. Its pages stay until the new
// run completes, but neither Text nor Search show them meanwhile.
func (s *Store) Reprocess(ctx context.Context, owner, id string) (document.Document, error) {
	it, err := s.update(ctx, owner, id, func(it *docItem) error {
		if it.Status != string(document.StatusDone) && it.Status != string(document.StatusFailed) {
			return fmt.Errorf("%w: document is %s", document.ErrConflict, it.Status)
		}
		now := micros(s.now())
		it.Status, it.Error, it.Attempts, it.Updated = string(document.StatusQueued), "", 0, now
		it.enqueue(now)
		return nil
	})
	if err != nil {
		return document.Document{}, fmt.Errorf("cosmos: reprocess document: %w", err)
	}
	return it.document(), nil
}
