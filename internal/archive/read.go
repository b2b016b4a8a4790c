package archive

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"time"

	"gocloud.dev/blob"

	docblob "github.com/docpipe/docpipe/internal/blob"
	"github.com/docpipe/docpipe/internal/document"
)

// Limits of what Read takes from an archive.
const (
	maxManifest = 64 << 20 // bytes of manifest.json
	maxPages    = 64 << 20 // bytes of one pages.json
	maxOriginal = 1 << 30  // bytes of one original
)

// Dest is where Read puts documents.
type Dest interface {
	Create(ctx context.Context, d *document.Document) error
	Duplicate(ctx context.Context, owner, sha string) (document.Document, error)
	ClaimDocument(ctx context.Context, id string, lease time.Duration) (document.Job, error)
	Complete(ctx context.Context, job document.Job, pages []document.Page) error
	Get(ctx context.Context, owner, id string) (document.Document, error)
	TagDocuments(ctx context.Context, owner string, ids, add, remove []string) ([]string, error)
	PutTag(ctx context.Context, owner, name string, t document.Tag) (document.Tag, error)
	PutRule(ctx context.Context, owner string, r document.Rule) (document.Rule, error)
}

// DestBucket is where Read puts originals and searchable PDFs.
type DestBucket interface {
	Upload(ctx context.Context, key string, r io.Reader, opts *blob.WriterOptions) error
	Delete(ctx context.Context, key string) error
}

// Report says what Read did.
type Report struct {
	Created    int // documents created
	Duplicates int // documents the owner had already (the same bytes), left as they were
	Queued     int // documents created without their pages, queued for OCR
}

// Read adds the documents, tags and rules of the archive zr to owner's in dst and bkt. A
// document whose bytes the owner has already is skipped, so reading an archive twice adds
// nothing the second time. Documents get new IDs (an archive's IDs may be taken here); done
// ones come back done, with their pages and layouts, others are queued for OCR. Every original
// is checked against its SHA-256 sum before it is stored.
func Read(ctx context.Context, zr *zip.Reader, dst Dest, bkt DestBucket, owner string) (Report, error) {
	var rep Report
	var m Manifest
	if err := readJSON(zr, "manifest.json", maxManifest, &m); err != nil {
		return rep, err
	}
	if m.Version != Version {
		return rep, fmt.Errorf("%w: manifest version %d, this docpipe reads %d", document.ErrInvalidInput, m.Version, Version)
	}
	for _, t := range m.Tags {
		if _, err := dst.PutTag(ctx, owner, t.Name, document.Tag{Name: t.Name, Color: t.Color}); err != nil {
			return rep, fmt.Errorf("tag %q: %w", t.Name, err)
		}
	}
	for _, ad := range m.Documents {
		created, done, err := readDocument(ctx, zr, dst, bkt, owner, ad)
		switch {
		case errors.Is(err, document.ErrDuplicate):
			rep.Duplicates++
		case err != nil:
			return rep, fmt.Errorf("document %s (%s): %w", ad.ID, ad.Name, err)
		case created && !done:
			rep.Created++
			rep.Queued++
		case created:
			rep.Created++
		}
	}
	// Rules come last, so that they do not tag the documents as they are restored.
	for _, r := range m.Rules {
		if _, err := dst.PutRule(ctx, owner, r); err != nil {
			return rep, fmt.Errorf("rule %s: %w", r.ID, err)
		}
	}
	return rep, nil
}

// readDocument adds one document of the archive.
func readDocument(ctx context.Context, zr *zip.Reader, dst Dest, bkt DestBucket, owner string, ad Document) (created, done bool, err error) {
	original, err := open(zr, ad.Original)
	if err != nil {
		return false, false, err
	}
	body, err := io.ReadAll(io.LimitReader(original, maxOriginal+1))
	original.Close()
	if err != nil {
		return false, false, fmt.Errorf("original: %w", err)
	}
	if len(body) > maxOriginal {
		return false, false, fmt.Errorf("%w: the original is larger than %d bytes", document.ErrInvalidInput, maxOriginal)
	}
	sum := sha256.Sum256(body)
	if hex.EncodeToString(sum[:]) != ad.SHA256 {
		return false, false, fmt.Errorf("%w: the original's bytes do not match its SHA-256 sum", document.ErrInvalidInput)
	}
	if _, err := dst.Duplicate(ctx, owner, ad.SHA256); err == nil {
		return false, false, document.ErrDuplicate
	} else if !errors.Is(err, document.ErrNotFound) {
		return false, false, err
	}
	d := document.Document{
		ID: document.NewID(time.Now()), Owner: owner, Name: ad.Name, ContentType: ad.ContentType, Size: int64(len(body)),
		SHA256: ad.SHA256, Lang: ad.Lang, Title: ad.Title, Notes: ad.Notes, Date: ad.Date, DateSource: ad.DateSource,
		Tags: ad.Tags, CreatedAt: ad.CreatedAt,
	}
	if ad.DateSource == document.DateUpload {
		d.Date, d.DateSource = "", ""
	}
	d.BlobKey = docblob.Key(d.ID)
	if err := bkt.Upload(ctx, d.BlobKey, bytes.NewReader(body), &blob.WriterOptions{ContentType: d.ContentType}); err != nil {
		return false, false, fmt.Errorf("store the original: %w", err)
	}
	if err := dst.Create(ctx, &d); err != nil {
		_ = bkt.Delete(context.WithoutCancel(ctx), d.BlobKey)
		return false, false, err
	}
	if ad.Status != document.StatusDone || ad.Pages == "" {
		return true, false, nil
	}
	job, err := dst.ClaimDocument(ctx, d.ID, time.Minute)
	if err != nil {
		// A worker took the job first: it reads the document again, which loses nothing.
		return true, false, nil
	}
	var pages []Page
	if err := readJSON(zr, ad.Pages, maxPages, &pages); err != nil {
		return true, false, err
	}
	if ad.Searchable != "" {
		if err := copyFile(ctx, zr, ad.Searchable, bkt, docblob.SearchableKey(d.ID), "application/pdf"); err != nil {
			return true, false, fmt.Errorf("searchable PDF: %w", err)
		}
	}
	ps := make([]document.Page, len(pages))
	for i, p := range pages {
		ps[i] = document.Page{Number: p.Number, Text: p.Text, Confidence: p.Confidence, Source: p.Source, Layout: p.Layout}
	}
	if err := dst.Complete(ctx, job, ps); err != nil {
		return true, false, fmt.Errorf("restore its pages: %w", err)
	}
	// Completing runs the rules the owner has here, which may add tags the archive's lacked.
	got, err := dst.Get(ctx, owner, d.ID)
	if err != nil {
		return true, true, err
	}
	extra := slices.DeleteFunc(slices.Clone(got.Tags), func(t string) bool { return slices.Contains(d.Tags, t) })
	if len(extra) > 0 {
		if _, err := dst.TagDocuments(ctx, owner, []string{d.ID}, nil, extra); err != nil {
			return true, true, err
		}
	}
	return true, true, nil
}

// copyFile stores the archive's file name, of at most maxOriginal bytes, as the object key.
func copyFile(ctx context.Context, zr *zip.Reader, name string, bkt DestBucket, key, contentType string) error {
	f, err := open(zr, name)
	if err != nil {
		return err
	}
	defer f.Close()
	if info, err := f.Stat(); err != nil || info.Size() > maxOriginal {
		return fmt.Errorf("%w: %s is larger than %d bytes", document.ErrInvalidInput, name, maxOriginal)
	}
	return bkt.Upload(ctx, key, f, &blob.WriterOptions{ContentType: contentType})
}

// open opens the archive's file name, which must be one of its documents' files or the manifest.
func open(zr *zip.Reader, name string) (fs.File, error) {
	if !fs.ValidPath(name) || name == "." {
		return nil, fmt.Errorf("%w: archive path %q", document.ErrInvalidInput, name)
	}
	f, err := zr.Open(name)
	if err != nil {
		return nil, fmt.Errorf("%w: the archive lacks %s", document.ErrInvalidInput, name)
	}
	return f, nil
}

// readJSON decodes the archive's file name, of at most max bytes, into v.
func readJSON(zr *zip.Reader, name string, max int64, v any) error {
	f, err := open(zr, name)
	if err != nil {
		return err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if int64(len(b)) > max {
		return fmt.Errorf("%w: %s is larger than %d bytes", document.ErrInvalidInput, name, max)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%w: %s: %v", document.ErrInvalidInput, name, err)
	}
	return nil
}
