package api

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"gocloud.dev/blob"
	"gocloud.dev/gcerrors"

	docblob "github.com/docpipe/docpipe/internal/blob"
	"github.com/docpipe/docpipe/internal/document"
)

// Defaults of the bounds on page pictures.
const (
	defaultRenders       = 2
	defaultRenderTimeout = 20 * time.Second
	defaultRenderWait    = 10 * time.Second
)

var (
	errRenderBusy = errors.New("every renderer is busy")
	errTooComplex = errors.New("the page is too complex to draw")
)

// pageImage serves a picture of one page of the original, for the web's document page. A page
// is drawn once, on its first request, by at most Renders requests at a time and within
// RenderTimeout; the picture is kept in the bucket beside the original and served from there
// after. A page that could not be drawn is remembered too, so it costs nothing the next time.
// Pictures never change for a document, so they are cached privately and revalidated by ETag.
func (s *Server) pageImage(w http.ResponseWriter, r *http.Request, owner string) {
	d, err := s.document(r, owner)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 1 || n > max(d.Pages, 1) {
		writeProblem(w, r, http.StatusNotFound, "the document has no page "+r.PathValue("n"))
		return
	}
	etag := fmt.Sprintf(`"%s-%d"`, d.SHA256, n)
	if noneMatch(r.Header, etag) {
		w.Header().Set("ETag", etag)
		w.WriteHeader(http.StatusNotModified)
		return
	}
	ctx := r.Context()
	key := docblob.PictureKey(d.ID, n)
	rd, err := s.opt.Bucket.NewReader(ctx, key, nil)
	switch {
	case err == nil:
		defer rd.Close()
		writePicture(w, etag, rd.Size(), rd)
		return
	case gcerrors.Code(err) != gcerrors.NotFound:
		s.fail(w, r, fmt.Errorf("read picture %s: %w", key, err))
		return
	}
	if reason, ok := s.failedPicture(ctx, d.ID, n); ok {
		writeProblem(w, r, http.StatusUnprocessableEntity, reason)
		return
	}
	img, err := s.render(ctx, d, n)
	switch {
	case err == nil:
		writePicture(w, etag, int64(len(img)), bytes.NewReader(img))
	case errors.Is(err, errRenderBusy):
		w.Header().Set("Retry-After", "10")
		writeProblem(w, r, http.StatusServiceUnavailable, "every page renderer is busy; try again shortly")
	case errors.Is(err, document.ErrNotFound) && ctx.Err() == nil:
		writeProblem(w, r, http.StatusNotFound, fmt.Sprintf("the document has no page %d", n))
	case errors.Is(err, errTooComplex), errors.Is(err, document.ErrInvalidInput):
		writeProblem(w, r, http.StatusUnprocessableEntity, "the page cannot be shown: "+err.Error())
	default:
		s.fail(w, r, fmt.Errorf("page %d of %s: %w", n, d.ID, err))
	}
}

func writePicture(w http.ResponseWriter, etag string, size int64, body io.Reader) {
	h := w.Header()
	h.Set("ETag", etag)
	h.Set("Cache-Control", "private, max-age=86400")
	h.Set("Content-Type", "image/png")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Length", strconv.FormatInt(size, 10))
	_, _ = io.Copy(w, body)
}

// render draws page n of d once a renderer is free, and keeps the picture, or the reason it
// cannot be drawn, in the bucket. It gives up when the client leaves.
func (s *Server) render(ctx context.Context, d document.Document, n int) ([]byte, error) {
	wait := time.NewTimer(s.renderWait)
	defer wait.Stop()
	select {
	case s.renders <- struct{}{}:
		defer func() { <-s.renders }()
	case <-wait.C:
		return nil, errRenderBusy
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	rd, err := s.original(ctx, d)
	if err != nil {
		return nil, err
	}
	data, err := io.ReadAll(rd)
	rd.Close()
	if err != nil {
		return nil, fmt.Errorf("read original: %w", err)
	}
	rctx, cancel := context.WithTimeout(ctx, s.opt.RenderTimeout)
	defer cancel()
	img, err := s.opt.Preview(rctx, data, n)
	keep := context.WithoutCancel(ctx)
	switch {
	case ctx.Err() != nil:
		return nil, ctx.Err()
	case errors.Is(err, context.DeadlineExceeded):
		err = fmt.Errorf("%w within %v", errTooComplex, s.opt.RenderTimeout)
		s.rememberFailure(keep, d.ID, n, err)
		return nil, err
	case errors.Is(err, document.ErrInvalidInput):
		s.rememberFailure(keep, d.ID, n, err)
		return nil, err
	case err != nil:
		return nil, err
	}
	key := docblob.PictureKey(d.ID, n)
	if err := s.opt.Bucket.Upload(keep, key, bytes.NewReader(img), &blob.WriterOptions{ContentType: "image/png"}); err != nil {
		s.log.WarnContext(ctx, "page picture drawn but not kept", "key", key, "err", err)
	}
	return img, nil
}

// rememberFailure keeps why page n of a document cannot be drawn, so that asking again costs
// nothing.
func (s *Server) rememberFailure(ctx context.Context, id string, n int, reason error) {
	key := docblob.PictureFailureKey(id, n)
	if err := s.opt.Bucket.Upload(ctx, key, bytes.NewReader([]byte(reason.Error())), &blob.WriterOptions{ContentType: "text/plain"}); err != nil {
		s.log.WarnContext(ctx, "page cannot be drawn, and that was not kept", "key", key, "err", err)
	}
}

// failedPicture reports the reason page n of a document could not be drawn, if it was tried.
func (s *Server) failedPicture(ctx context.Context, id string, n int) (string, bool) {
	rd, err := s.opt.Bucket.NewReader(ctx, docblob.PictureFailureKey(id, n), nil)
	if err != nil {
		return "", false
	}
	defer rd.Close()
	reason, err := io.ReadAll(io.LimitReader(rd, 4<<10))
	if err != nil {
		return "", false
	}
	return "the page cannot be shown: " + string(reason), true
}

// removePictures deletes every picture of a document, and the record of those that could not
// be drawn.
func (s *Server) removePictures(ctx context.Context, id string) error {
	it := s.opt.Bucket.List(&blob.ListOptions{Prefix: docblob.PicturePrefix(id)})
	var errs []error
	for {
		obj, err := it.Next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return errors.Join(append(errs, fmt.Errorf("list pictures of %s: %w", id, err))...)
		}
		if err := s.opt.Bucket.Delete(ctx, obj.Key); err != nil && gcerrors.Code(err) != gcerrors.NotFound {
			errs = append(errs, fmt.Errorf("delete %s: %w", obj.Key, err))
		}
	}
	return errors.Join(errs...)
}

// thumbnail serves the small picture of a document's first page that the worker drew after OCR.
// A document without one (not read yet, drawn by an older docpipe, or undrawable) is 404.
func (s *Server) thumbnail(w http.ResponseWriter, r *http.Request, owner string) {
	d, err := s.document(r, owner)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	etag := fmt.Sprintf(`"%s-thumbnail"`, d.SHA256)
	if noneMatch(r.Header, etag) {
		w.Header().Set("ETag", etag)
		w.WriteHeader(http.StatusNotModified)
		return
	}
	rd, err := s.opt.Bucket.NewReader(r.Context(), docblob.ThumbnailKey(d.ID), nil)
	if gcerrors.Code(err) == gcerrors.NotFound {
		writeProblem(w, r, http.StatusNotFound, "the document has no thumbnail; one is drawn when it is read")
		return
	}
	if err != nil {
		s.fail(w, r, fmt.Errorf("read thumbnail: %w", err))
		return
	}
	defer rd.Close()
	writePicture(w, etag, rd.Size(), rd)
}
