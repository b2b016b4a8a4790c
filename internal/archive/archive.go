// Package archive writes an owner's documents to a ZIP file and reads them back, so that no one
// is locked in: originals, searchable PDFs, the text and layout of every page, and a manifest of
// titles, notes, dates, tags and rules.
//
// The ZIP holds manifest.json and, for each document, documents/ID/original (the uploaded
// bytes), documents/ID/pages.json (its pages with their layouts, when it is done) and
// documents/ID/searchable.pdf (when the worker made one). Files are stored, not compressed:
// scans and PDFs are compressed already, and the archive streams as it is written.
package archive

import (
	"archive/zip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"gocloud.dev/blob"
	"gocloud.dev/gcerrors"

	docblob "github.com/docpipe/docpipe/internal/blob"
	"github.com/docpipe/docpipe/internal/document"
	"github.com/docpipe/docpipe/internal/store"
)

// Version is the manifest's format version.
const Version = 1

// Manifest describes an archive.
type Manifest struct {
	Version   int             `json:"version"`
	Exported  time.Time       `json:"exported"`
	Documents []Document      `json:"documents"`
	Tags      []document.Tag  `json:"tags"`
	Rules     []document.Rule `json:"rules"`
}

// Document is a document as the manifest records it, with the files the archive holds for it.
type Document struct {
	document.Document
	Original   string `json:"original"`             // path of the uploaded bytes
	Pages      string `json:"pages,omitempty"`      // path of pages.json, when it is done
	Searchable string `json:"searchable,omitempty"` // path of its searchable PDF, when there is one
}

// Page is a page as pages.json holds it: document.Page with its layout.
type Page struct {
	Number     int              `json:"number"`
	Text       string           `json:"text"`
	Confidence float64          `json:"confidence"`
	Source     string           `json:"source"`
	Layout     *document.Layout `json:"layout,omitempty"`
}

// Source is where Write reads an owner's documents.
type Source interface {
	List(ctx context.Context, owner string, opt store.ListOptions) (store.ListResult, error)
	Page(ctx context.Context, owner, id string, n int) (document.Page, error)
	Tags(ctx context.Context, owner string) ([]document.Tag, error)
	Rules(ctx context.Context, owner string) ([]document.Rule, error)
}

// Bucket holds originals and searchable PDFs.
type Bucket interface {
	NewReader(ctx context.Context, key string, opts *blob.ReaderOptions) (*blob.Reader, error)
}

// Write writes every document of owner's in src and bkt to w as a ZIP archive. It streams: an
// error part-way leaves w holding an archive without its central directory, which no reader
// takes for whole.
func Write(ctx context.Context, w io.Writer, src Source, bkt Bucket, owner string, now time.Time) error {
	zw := zip.NewWriter(w)
	m := Manifest{Version: Version, Exported: now.UTC(), Documents: []Document{}}
	var err error
	if m.Tags, err = src.Tags(ctx, owner); err != nil {
		return err
	}
	if m.Rules, err = src.Rules(ctx, owner); err != nil {
		return err
	}
	cursor := ""
	for {
		res, err := src.List(ctx, owner, store.ListOptions{Cursor: cursor, Limit: store.MaxListLimit})
		if err != nil {
			return err
		}
		for _, d := range res.Documents {
			ad, err := writeDocument(ctx, zw, src, bkt, d)
			if errors.Is(err, errNoBlob) {
				continue // deleted while the archive was written
			}
			if err != nil {
				return fmt.Errorf("document %s: %w", d.ID, err)
			}
			m.Documents = append(m.Documents, ad)
		}
		if res.Next == "" {
			break
		}
		cursor = res.Next
	}
	f, err := create(zw, "manifest.json", now)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(f)
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil {
		return err
	}
	return zw.Close()
}

func create(zw *zip.Writer, name string, modified time.Time) (io.Writer, error) {
	return zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store, Modified: modified})
}

// writeDocument writes the files of d and returns its manifest entry.
func writeDocument(ctx context.Context, zw *zip.Writer, src Source, bkt Bucket, d document.Document) (Document, error) {
	dir := "documents/" + d.ID + "/"
	ad := Document{Document: d, Original: dir + "original"}
	if err := copyBlob(ctx, zw, bkt, docblob.Key(d.ID), ad.Original, d.CreatedAt); err != nil {
		return ad, fmt.Errorf("original: %w", err)
	}
	if d.Status != document.StatusDone {
		return ad, nil
	}
	pages := make([]Page, 0, d.Pages)
	for n := 1; n <= d.Pages; n++ {
		p, err := src.Page(ctx, d.Owner, d.ID, n)
		if errors.Is(err, document.ErrNotFound) {
			continue
		}
		if errors.Is(err, document.ErrConflict) {
			ad.Status = document.StatusQueued // reprocessed while the archive was written
			return ad, nil
		}
		if err != nil {
			return ad, fmt.Errorf("page %d: %w", n, err)
		}
		pages = append(pages, Page{Number: p.Number, Text: p.Text, Confidence: p.Confidence, Source: p.Source, Layout: p.Layout})
	}
	ad.Pages = dir + "pages.json"
	f, err := create(zw, ad.Pages, d.UpdatedAt)
	if err != nil {
		return ad, err
	}
	if err := json.NewEncoder(f).Encode(pages); err != nil {
		return ad, err
	}
	err = copyBlob(ctx, zw, bkt, docblob.SearchableKey(d.ID), dir+"searchable.pdf", d.UpdatedAt)
	switch {
	case err == nil:
		ad.Searchable = dir + "searchable.pdf"
	case !errors.Is(err, errNoBlob):
		return ad, fmt.Errorf("searchable PDF: %w", err)
	}
	return ad, nil
}

var errNoBlob = errors.New("no such object")

// copyBlob copies the object key into the archive as name; errNoBlob when there is none.
func copyBlob(ctx context.Context, zw *zip.Writer, bkt Bucket, key, name string, modified time.Time) error {
	r, err := bkt.NewReader(ctx, key, nil)
	if gcerrors.Code(err) == gcerrors.NotFound {
		return errNoBlob
	}
	if err != nil {
		return err
	}
	defer r.Close()
	f, err := create(zw, name, modified)
	if err != nil {
		return err
	}
	_, err = io.Copy(f, r)
	return err
}
