package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/docpipe/docpipe/internal/blob"
	"github.com/docpipe/docpipe/internal/document"
	"github.com/docpipe/docpipe/internal/ocr"
	gcblob "gocloud.dev/blob"
)

// maxFiles bounds the files in one upload request.
const maxFiles = 100

var errUnreadable = errors.New("file cannot be read")

// upload is one file of an upload request.
type upload struct {
	name string
	data []byte
	info ocr.Info
}

// upload accepts one or more files, as multipart/form-data or as a raw body, checks every one of
// them, and only then stores them: a request with one bad file changes nothing.
func (s *Server) upload(w http.ResponseWriter, r *http.Request, owner string) {
	r.Body = http.MaxBytesReader(w, r.Body, s.MaxUpload)
	files, err := readUploads(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for i := range files {
		info, err := ocr.Inspect(r.Context(), files[i].data, s.Limits)
		if err != nil {
			if !errors.Is(err, ocr.ErrUnsupportedType) && !isLimit(err) {
				err = fmt.Errorf("%w: %s: %w", errUnreadable, files[i].name, err)
			}
			s.fail(w, r, fmt.Errorf("%s: %w", files[i].name, err))
			return
		}
		files[i].info = info
	}

	docs := make([]document.Document, 0, len(files))
	for _, f := range files {
		d, err := s.store(r.Context(), owner, f)
		if err != nil {
			s.unstore(r.Context(), owner, docs)
			s.fail(w, r, err)
			return
		}
		docs = append(docs, d)
	}
	s.OnEnqueue()
	w.Header().Set("Location", "/v1/documents/"+docs[0].ID)
	writeJSON(w, http.StatusAccepted, map[string]any{"documents": docs})
}

// store writes the original, then the document row together with its job. A crash between the
// two leaves an unreferenced blob and nothing visible.
func (s *Server) store(ctx context.Context, owner string, f upload) (document.Document, error) {
	now := time.Now().UTC()
	sum := sha256.Sum256(f.data)
	d := document.Document{
		ID:          document.NewID(now),
		Owner:       owner,
		Name:        f.name,
		ContentType: f.info.MediaType,
		Size:        int64(len(f.data)),
		SHA256:      hex.EncodeToString(sum[:]),
		Status:      document.StatusQueued,
		Pages:       f.info.Pages,
		CreatedAt:   now,
		UpdatedAt:   now,
	}
	d.BlobKey = blob.Key(d.ID)
	opts := &gcblob.WriterOptions{ContentType: d.ContentType}
	if err := s.Bucket.Upload(ctx, d.BlobKey, bytes.NewReader(f.data), opts); err != nil {
		return document.Document{}, fmt.Errorf("write original: %w", err)
	}
	if err := s.Store.Create(ctx, &d); err != nil {
		if derr := s.Bucket.Delete(context.WithoutCancel(ctx), d.BlobKey); derr != nil {
			s.log.WarnContext(ctx, "remove original of a document that was not created", "key", d.BlobKey, "err", derr)
		}
		return document.Document{}, fmt.Errorf("create document: %w", err)
	}
	s.Metrics.UploadBytes.Add(float64(d.Size))
	s.Metrics.UploadedDocs.Inc()
	return d, nil
}

// unstore removes the documents a request stored before one of its files failed to store (the
// disk filled up, say), so that the request changes nothing, as its answer says.
func (s *Server) unstore(ctx context.Context, owner string, docs []document.Document) {
	ctx = context.WithoutCancel(ctx)
	for _, d := range docs {
		if _, err := s.Store.Delete(ctx, owner, d.ID); err != nil {
			s.log.WarnContext(ctx, "remove a document of a failed upload", "id", d.ID, "err", err)
			continue
		}
		if err := s.Bucket.Delete(ctx, d.BlobKey); err != nil {
			s.log.WarnContext(ctx, "remove the original of a failed upload", "key", d.BlobKey, "err", err)
		}
	}
}

func isLimit(err error) bool {
	var l *ocr.LimitError
	return errors.As(err, &l)
}

// readUploads reads the files of a multipart/form-data request (every part with a file name),
// or the raw body of any other request, named by its Content-Disposition header.
func readUploads(r *http.Request) ([]upload, error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil && r.Header.Get("Content-Type") != "" {
		return nil, fmt.Errorf("%w: bad Content-Type header: %v", document.ErrInvalidInput, err)
	}
	if mt != "multipart/form-data" {
		data, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, fmt.Errorf("read body: %w", err)
		}
		if len(data) == 0 {
			return nil, fmt.Errorf("%w: empty body; send a file", document.ErrInvalidInput)
		}
		return []upload{{name: dispositionName(r.Header.Get("Content-Disposition")), data: data}}, nil
	}

	mr, err := r.MultipartReader()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", document.ErrInvalidInput, err)
	}
	var files []upload
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, multipartErr(err)
		}
		if p.FileName() == "" {
			_ = p.Close()
			continue
		}
		if len(files) == maxFiles {
			return nil, fmt.Errorf("%w: more than %d files in one request", document.ErrInvalidInput, maxFiles)
		}
		data, err := io.ReadAll(p)
		if err != nil {
			return nil, multipartErr(err)
		}
		if len(data) == 0 {
			return nil, fmt.Errorf("%w: %s is empty", document.ErrInvalidInput, cleanName(p.FileName()))
		}
		files = append(files, upload{name: cleanName(p.FileName()), data: data})
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%w: no file in the form; send files in parts with a filename", document.ErrInvalidInput)
	}
	return files, nil
}

func multipartErr(err error) error {
	var maxBytes *http.MaxBytesError
	if errors.As(err, &maxBytes) {
		return err
	}
	return fmt.Errorf("%w: malformed multipart body: %v", document.ErrInvalidInput, err)
}

// dispositionName is the cleaned file name of a Content-Disposition header.
func dispositionName(header string) string {
	_, params, err := mime.ParseMediaType(header)
	if err != nil {
		return cleanName("")
	}
	return cleanName(params["filename"])
}

// cleanName makes a user's file name safe to show and to put in a header: no directories, no
// control characters, no bidirectional controls (a right-to-left override shows
// "invoice\u202Efdp.exe" as "invoiceexe.pdf"), at most 255 bytes of valid UTF-8. It is only ever
// a label.
func cleanName(name string) string {
	name = strings.ToValidUTF8(name, "\uFFFD")
	name = path.Base(strings.ReplaceAll(name, `\`, "/"))
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if name == "" || name == "." || name == "/" || name == ".." {
		return "document"
	}
	for len(name) > 255 {
		_, size := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-size]
	}
	return name
}
