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

// Create inserts a queued document with its job.
func (s *backend) Create(ctx context.Context, doc document.Document) error {
	if _, err := s.findDoc(ctx, doc.ID); err == nil {
		return fmt.Errorf("%w: id %s exists", document.ErrConflict, doc.ID)
	} else if !errors.Is(err, document.ErrNotFound) {
		return err
	}
	created := micros(doc.CreatedAt)
	it := docItem{
		ID: doc.ID, Owner: doc.Owner, Type: typeDoc, Key: listKey(created, doc.ID),
		Name: doc.Name, ContentType: doc.ContentType, Size: doc.Size, SHA256: doc.SHA256, BlobKey: doc.BlobKey,
		Status: string(doc.Status), Lang: doc.Lang, Created: created, Updated: created,
	}
	it.enqueue(micros(s.now()))
	body, err := json.Marshal(it)
	if err != nil {
		return err
	}
	_, err = s.c.CreateItem(ctx, azcosmos.NewPartitionKeyString(doc.Owner), body, nil)
	if status(err) == http.StatusConflict {
		return fmt.Errorf("%w: id %s exists", document.ErrConflict, doc.ID)
	}
	return err
}

// Get returns one of owner's documents.
func (s *backend) Get(ctx context.Context, owner, id string) (document.Document, error) {
	it, err := s.readDoc(ctx, owner, id)
	if err != nil {
		return document.Document{}, err
	}
	return it.document(), nil
}

// List returns n of owner's documents after the cursor, newest first.
func (s *backend) List(ctx context.Context, owner string, status document.Status, after store.Cursor, n int) ([]document.Document, error) {
	q := `SELECT * FROM c WHERE c.type = @type AND c.owner = @owner`
	params := []azcosmos.QueryParameter{param("@type", typeDoc), param("@owner", owner)}
	if status != "" {
		q += ` AND c.status = @status`
		params = append(params, param("@status", string(status)))
	}
	if after != (store.Cursor{}) {
		q += ` AND c.key < @after`
		params = append(params, param("@after", listKey(micros(after.Created), after.ID)))
	}
	q += ` ORDER BY c.key DESC OFFSET 0 LIMIT ` + strconv.Itoa(n)
	its, err := query[docItem](ctx, s.c, azcosmos.NewPartitionKeyString(owner), q, params...)
	docs := make([]document.Document, len(its))
	for i, it := range its {
		docs[i] = it.document()
	}
	return docs, err
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
