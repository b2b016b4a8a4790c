package api

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"os"
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

// errBusy is the answer to an upload that found every upload slot taken for UploadWait.
var errBusy = errors.New("too many uploads in progress; try again shortly")

// upload is one file of an upload request, kept in a temporary file while it is checked and
// stored.
type upload struct {
	name string
	path string
	size int64
	sum  [sha256.Size]byte
	info ocr.Info
}

// upload accepts one or more files, as multipart/form-data or as a raw body, checks every one of
// them, and only then stores them: a request with one bad file changes nothing. The files go to
// temporary files, hashed on the way, so that memory per upload is small whatever their size;
// they are removed when the request ends.
func (s *Server) upload(w http.ResponseWriter, r *http.Request, owner string) {
	release, err := s.uploadSlot(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer release()
	r.Body = http.MaxBytesReader(w, r.Body, s.opt.MaxUpload)
	sp := &spool{dir: s.opt.TempDir}
	defer func() {
		if err := sp.remove(); err != nil {
			s.log.WarnContext(r.Context(), "remove the temporary files of an upload", "err", err)
		}
	}()
	if err := readUploads(r, sp); err != nil {
		s.fail(w, r, err)
		return
	}
	lang := sp.lang
	if lang == "" {
		lang = strings.TrimSpace(r.URL.Query().Get("lang"))
	}
	if err := s.checkLang(lang); err != nil {
		s.fail(w, r, err)
		return
	}
	files := sp.files
	for i := range files {
		info, err := ocr.InspectFile(r.Context(), files[i].path, s.opt.Limits)
		if err != nil {
			switch {
			case !errors.Is(err, document.ErrInvalidInput):
				err = fmt.Errorf("check: %w", err) // the server's failure (a read, a tool), not the file's
			case !errors.Is(err, ocr.ErrUnsupportedType) && !isLimit(err):
				err = fmt.Errorf("%w: %s: %w", errUnreadable, files[i].name, err)
			}
			s.fail(w, r, fmt.Errorf("%s: %w", files[i].name, err))
			return
		}
		files[i].info = info
	}

	docs := make([]document.Document, 0, len(files))
	dups := []duplicate{}
	for _, f := range files {
		d, err := s.store(r.Context(), owner, f, lang)
		var dup *document.DuplicateError
		if errors.As(err, &dup) {
			dups = append(dups, duplicate{Name: f.name, Document: dup.Existing})
			continue
		}
		if err != nil {
			s.unstore(r.Context(), owner, docs)
			s.fail(w, r, err)
			return
		}
		docs = append(docs, d)
	}
	if len(docs) == 0 {
		w.Header().Set("Location", "/v1/documents/"+dups[0].Document.ID)
		writeJSON(w, http.StatusOK, map[string]any{"documents": docs, "duplicates": dups})
		return
	}
	s.opt.OnEnqueue()
	w.Header().Set("Location", "/v1/documents/"+docs[0].ID)
	writeJSON(w, http.StatusAccepted, map[string]any{"documents": docs, "duplicates": dups})
}

// A duplicate is a file of an upload that its owner has already: it names the document that
// has the same bytes, and nothing is stored.
type duplicate struct {
	Name     string            `json:"name"`
	Document document.Document `json:"document"`
}

// uploadSlot waits up to UploadWait for one of the MaxConcurrentUploads slots and returns the
// function that gives it back. It returns errBusy if none came free in time, or ctx's error.
func (s *Server) uploadSlot(ctx context.Context) (release func(), err error) {
	release = func() { <-s.uploads }
	select {
	case s.uploads <- struct{}{}:
		return release, nil
	default:
	}
	t := time.NewTimer(s.opt.UploadWait)
	defer t.Stop()
	select {
	case s.uploads <- struct{}{}:
		return release, nil
	case <-t.C:
		return nil, errBusy
	case <-ctx.Done():
		return nil, fmt.Errorf("wait for an upload slot: %w", ctx.Err())
	}
}

// store writes the original, then the document row together with its job. A crash between the
// two leaves an unreferenced blob and nothing visible. A file the owner has already is a
// *document.DuplicateError, found before its bytes are written when it can be.
func (s *Server) store(ctx context.Context, owner string, f upload, lang string) (document.Document, error) {
	sum := hex.EncodeToString(f.sum[:])
	if dup, err := s.opt.Store.Duplicate(ctx, owner, sum); err == nil {
		return document.Document{}, &document.DuplicateError{Existing: dup}
	} else if !errors.Is(err, document.ErrNotFound) {
		return document.Document{}, fmt.Errorf("look for a duplicate: %w", err)
	}
	now := time.Now().UTC()
	d := document.Document{
		ID:          document.NewID(now),
		Owner:       owner,
		Name:        f.name,
		ContentType: f.info.MediaType,
		Size:        f.size,
		SHA256:      sum,
		Status:      document.StatusQueued,
		Pages:       f.info.Pages,
		Lang:        lang,
		CreatedAt:   now,
		UpdatedAt:   now,
	}
	d.BlobKey = blob.Key(d.ID)
	file, err := os.Open(f.path)
	if err != nil {
		return document.Document{}, fmt.Errorf("reopen %s: %w", f.name, err)
	}
	defer file.Close()
	opts := &gcblob.WriterOptions{ContentType: d.ContentType}
	if err := s.opt.Bucket.Upload(ctx, d.BlobKey, file, opts); err != nil {
		return document.Document{}, fmt.Errorf("write original: %w", err)
	}
	if err := s.opt.Store.Create(ctx, &d); err != nil {
		if derr := s.opt.Bucket.Delete(context.WithoutCancel(ctx), d.BlobKey); derr != nil {
			s.log.WarnContext(ctx, "remove original of a document that was not created", "key", d.BlobKey, "err", derr)
		}
		return document.Document{}, fmt.Errorf("create document: %w", err)
	}
	s.opt.Metrics.UploadBytes.Add(float64(d.Size))
	s.opt.Metrics.UploadedDocs.Inc()
	return d, nil
}

// unstore removes the documents a request stored before one of its files failed to store (the
// disk filled up, say), so that the request changes nothing, as its answer says.
func (s *Server) unstore(ctx context.Context, owner string, docs []document.Document) {
	ctx = context.WithoutCancel(ctx)
	for _, d := range docs {
		if _, err := s.opt.Store.Delete(ctx, owner, d.ID); err != nil {
			s.log.WarnContext(ctx, "remove a document of a failed upload", "id", d.ID, "err", err)
			continue
		}
		if err := s.opt.Bucket.Delete(ctx, d.BlobKey); err != nil {
			s.log.WarnContext(ctx, "remove the original of a failed upload", "key", d.BlobKey, "err", err)
		}
	}
}

func isLimit(err error) bool {
	var l *ocr.LimitError
	return errors.As(err, &l)
}

// A spool holds the files of one upload request in temporary files in dir (os.TempDir if
// empty), until remove.
type spool struct {
	dir   string
	files []upload
	w     *bufio.Writer
	lang  string // the form's lang field
}

// add copies body to a new temporary file named for name, hashing it on the way. A failure to
// read body is passed through bodyErr; a failure to write the file (ENOSPC, say) is returned
// wrapped.
func (sp *spool) add(name string, body io.Reader, bodyErr func(error) error) error {
	f, err := os.CreateTemp(sp.dir, "docpipe-upload-*")
	if err != nil {
		return fmt.Errorf("spool %s: %w", name, err)
	}
	sp.files = append(sp.files, upload{name: name, path: f.Name()})
	if sp.w == nil {
		sp.w = bufio.NewWriterSize(nil, 64<<10)
	}
	fw := &errWriter{w: f}
	sp.w.Reset(fw)
	h := sha256.New()
	n, err := sp.w.ReadFrom(io.TeeReader(body, h))
	if err == nil {
		err = sp.w.Flush()
	}
	if cerr := f.Close(); fw.err == nil && err == nil && cerr != nil {
		fw.err = cerr
	}
	switch {
	case fw.err != nil:
		return fmt.Errorf("spool %s: %w", name, fw.err)
	case err != nil:
		return bodyErr(err)
	}
	u := &sp.files[len(sp.files)-1]
	u.size = n
	h.Sum(u.sum[:0])
	return nil
}

// remove deletes the spool's files.
func (sp *spool) remove() error {
	var errs []error
	for _, f := range sp.files {
		if err := os.Remove(f.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	sp.files = nil
	return errors.Join(errs...)
}

// errWriter remembers the first error of writes to w.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	n, err := e.w.Write(p)
	if err != nil && e.err == nil {
		e.err = err
	}
	return n, err
}

// readUploads spools the files of a multipart/form-data request (every part with a file name),
// or the raw body of any other request, named by its Content-Disposition header.
func readUploads(r *http.Request, sp *spool) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil && r.Header.Get("Content-Type") != "" {
		return fmt.Errorf("%w: bad Content-Type header: %v", document.ErrInvalidInput, err)
	}
	if mt != "multipart/form-data" {
		err := sp.add(dispositionName(r.Header.Get("Content-Disposition")), r.Body, bodyErr)
		if err != nil {
			return err
		}
		if sp.files[0].size == 0 {
			return fmt.Errorf("%w: empty body; send a file", document.ErrInvalidInput)
		}
		return nil
	}

	mr, err := r.MultipartReader()
	if err != nil {
		return fmt.Errorf("%w: %v", document.ErrInvalidInput, err)
	}
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return multipartErr(err)
		}
		if p.FileName() == "" {
			if p.FormName() == "lang" {
				b, err := io.ReadAll(io.LimitReader(p, maxLangField+1))
				if err != nil {
					return multipartErr(err)
				}
				if len(b) > maxLangField {
					return fmt.Errorf("%w: the lang field is longer than %d bytes", document.ErrInvalidInput, maxLangField)
				}
				sp.lang = strings.TrimSpace(string(b))
			}
			_ = p.Close()
			continue
		}
		if len(sp.files) == maxFiles {
			return fmt.Errorf("%w: more than %d files in one request", document.ErrInvalidInput, maxFiles)
		}
		name := cleanName(p.FileName())
		if err := sp.add(name, p, multipartErr); err != nil {
			return err
		}
		if sp.files[len(sp.files)-1].size == 0 {
			return fmt.Errorf("%w: %s is empty", document.ErrInvalidInput, name)
		}
	}
	if len(sp.files) == 0 {
		return fmt.Errorf("%w: no file in the form; send files in parts with a filename", document.ErrInvalidInput)
	}
	return nil
}

// bodyErr is the error for a raw body that could not be read: too large, or cut short.
func bodyErr(err error) error {
	var maxBytes *http.MaxBytesError
	if errors.As(err, &maxBytes) {
		return err
	}
	return fmt.Errorf("%w: read body: %v", document.ErrInvalidInput, err)
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
