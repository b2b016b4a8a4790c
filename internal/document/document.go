// Package document defines docpipe's domain types and errors. It does no I/O.
package document

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/binary"
	"errors"
	"strings"
	"time"
)

// Status is where a document is in the OCR pipeline.
type Status string

// The statuses a document moves through: queued → processing → done, or failed.
const (
	StatusQueued     Status = "queued"
	StatusProcessing Status = "processing"
	StatusDone       Status = "done"
	StatusFailed     Status = "failed"
)

// Valid reports whether s is one of the known statuses.
func (s Status) Valid() bool {
	switch s {
	case StatusQueued, StatusProcessing, StatusDone, StatusFailed:
		return true
	}
	return false
}

// Document is an uploaded file and what the pipeline knows about it.
type Document struct {
	ID          string `json:"id"`
	Owner       string `json:"-"`
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
	BlobKey     string `json:"-"`
	Status      Status `json:"status"`
	Error       string `json:"error,omitempty"`
	Pages       int    `json:"pages,omitempty"` // 0 until the pipeline has counted them
	Lang        string `json:"lang,omitempty"`  // OCR languages, Tesseract codes joined by '+'; empty for the server's default
	// Title is what the document is called: the one its owner gave, else its name without
	// the extension (DefaultTitle).
	Title string `json:"title"`
	Notes string `json:"notes,omitempty"` // its owner's free text about it
	// Date is the day the document is about, as YYYY-MM-DD: the one its owner gave, else the
	// first found in its text, else the day it was uploaded (UTC). DateSource says which.
	Date       string    `json:"date"`
	DateSource string    `json:"date_source"`
	Tags       []string  `json:"tags"` // names of its owner's tags, sorted; never nil from a store
	Attempts   int       `json:"attempts"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// Where a document's Date comes from.
const (
	DateUser   = "user"   // its owner gave it
	DateText   = "text"   // found in its text
	DateUpload = "upload" // the day it was uploaded
)

// Bounds of the labels an owner gives a document.
const (
	MaxTitle = 500      // bytes of a title
	MaxNotes = 32 << 10 // bytes of notes
)

// DefaultTitle is the title of a document named name that its owner has not titled: the name
// without its extension ("report.pdf" gives "report"; ".profile" stays as it is).
func DefaultTitle(name string) string {
	if ext := strings.LastIndexByte(name, '.'); ext > 0 {
		return name[:ext]
	}
	return name
}

// Labels fills in what a backend keeps of d's labels as d shows them: title is the owner's
// title ("" for none); date and source are the effective date and its source as stored ("" in
// a record older than dates). It makes nil Tags empty.
func (d *Document) Labels(title, date, source string) {
	if d.Tags == nil {
		d.Tags = []string{}
	}
	d.Title = title
	if d.Title == "" {
		d.Title = DefaultTitle(d.Name)
	}
	d.Date, d.DateSource = date, source
	if d.Date == "" {
		d.Date, d.DateSource = Day(d.CreatedAt), DateUpload
	}
}

// OwnTitle returns the title d's owner gave it: "" when its Title is the default one.
func (d Document) OwnTitle() string {
	if d.Title == DefaultTitle(d.Name) {
		return ""
	}
	return d.Title
}

// FoundDate is the Date of d when it was found in its text, "" otherwise.
func (d Document) FoundDate() string {
	if d.DateSource == DateText {
		return d.Date
	}
	return ""
}

// Day returns the day of t in UTC as YYYY-MM-DD.
func Day(t time.Time) string {
	return t.UTC().Format(DateLayout)
}

// DateLayout is the layout of a document's Date for time.Parse.
const DateLayout = "2006-01-02"

// ValidDate reports whether s is a day as YYYY-MM-DD with a year from 1000 to 9999.
func ValidDate(s string) bool {
	t, err := time.Parse(DateLayout, s)
	return err == nil && t.Year() >= 1000
}

// A Change edits a document's labels: each field that is not nil replaces what the document has.
type Change struct {
	Title *string // "" gives the document its default title back
	Notes *string
	Date  *string // YYYY-MM-DD; "" gives the document back the date found in its text or its upload day
}

// Page is the text of one page of a document.
type Page struct {
	Number     int     `json:"number"` // 1-based
	Text       string  `json:"text"`
	Confidence float64 `json:"confidence"` // 0..100; 100 for a born-digital text layer
	Source     string  `json:"source"`     // SourceOCR or SourceTextLayer
	// Layout is where OCR found each word, nil for a page read from a text layer or one whose
	// layout was not kept. Stores keep it apart from the text (see Store.Layout).
	Layout *Layout `json:"-"`
}

// Where a page's text came from.
const (
	SourceOCR       = "ocr"
	SourceTextLayer = "text-layer"
)

// Bounds of a document's OCR languages.
const (
	MaxLangs    = 8  // codes joined by '+'
	MaxLangCode = 32 // bytes in one code
)

// ValidLang reports whether s is one or more Tesseract language codes joined by '+': each of
// lower-case letters, digits and '_', such as "deu", "chi_sim" or "deu+eng".
func ValidLang(s string) bool {
	codes := strings.Split(s, "+")
	if len(codes) > MaxLangs {
		return false
	}
	for _, c := range codes {
		if c == "" || len(c) > MaxLangCode {
			return false
		}
		for _, r := range c {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
				return false
			}
		}
	}
	return true
}

// Job is a leased unit of OCR work for one document.
type Job struct {
	ID         string
	DocumentID string
	Owner      string
	BlobKey    string
	MediaType  string
	Lang       string    // the document's OCR languages; empty for the server's default
	Attempt    int       // 1 for the first try
	Token      string    // fencing token: only the current lease holder can complete or fail the job
	LeaseUntil time.Time // the job may be reclaimed after this
	EnqueuedAt time.Time
}

// Errors shared across the seams. Backends wrap these so callers can use errors.Is.
var (
	// ErrNotFound means the document does not exist or belongs to someone else.
	ErrNotFound = errors.New("not found")
	// ErrConflict means the request clashes with the document's current state.
	ErrConflict = errors.New("conflict")
	// ErrNoJob means no job is ready to be claimed.
	ErrNoJob = errors.New("no job ready")
	// ErrLeaseLost means the job's lease expired and another worker may own it now.
	ErrLeaseLost = errors.New("job lease lost")
	// ErrInvalidInput marks input that can never be processed: retrying will not help.
	ErrInvalidInput = errors.New("invalid input")
	// ErrStorageFull means the store or the bucket has no room to write: the request may succeed
	// once space is freed.
	ErrStorageFull = errors.New("storage full")
	// ErrDuplicate means the owner already has a document with the same bytes. Backends
	// return it as a *DuplicateError.
	ErrDuplicate = errors.New("duplicate")
	// ErrNotReady means a document's job exists but cannot be claimed yet: another worker
	// holds its lease or it waits to be retried. Backends return it as a *NotReadyError.
	ErrNotReady = errors.New("job not ready")
)

// DuplicateError is the error of creating a document whose bytes its owner already has in
// Existing.
type DuplicateError struct {
	Existing Document
}

func (e *DuplicateError) Error() string {
	return "the same file is document " + e.Existing.ID
}

// Is makes errors.Is(err, ErrDuplicate) hold.
func (e *DuplicateError) Is(target error) bool { return target == ErrDuplicate }

// NotReadyError is the error of claiming a job that is not ready; Due is when it will be.
type NotReadyError struct {
	Due time.Time
}

func (e *NotReadyError) Error() string {
	return "job not ready until " + e.Due.UTC().Format(time.RFC3339Nano)
}

// Is makes errors.Is(err, ErrNotReady) hold.
func (e *NotReadyError) Is(target error) bool { return target == ErrNotReady }

var idEncoding = base32.NewEncoding("0123456789abcdefghjkmnpqrstvwxyz").WithPadding(base32.NoPadding)

// NewID returns a 26-character identifier that sorts by creation time
// (48-bit milliseconds, then 80 random bits), safe to use in URLs and object keys.
func NewID(now time.Time) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(now.UnixMilli())<<16)
	if _, err := rand.Read(b[6:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return idEncoding.EncodeToString(b[:])
}

// ValidID reports whether s has the shape of an ID made by NewID.
func ValidID(s string) bool {
	if len(s) != 26 {
		return false
	}
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z') || c == 'i' || c == 'l' || c == 'o' || c == 'u' {
			return false
		}
	}
	return true
}
