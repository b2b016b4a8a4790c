package store

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/docpipe/docpipe/internal/document"
)

// Cursor is the position after the last document of a List page: backends list newest first,
// ordered by creation time and then id, or, by date, by the document's date first. Its encoded
// form is opaque to clients.
type Cursor struct {
	Created time.Time
	ID      string
	Date    string // the document's date, for a list by date; "" otherwise
}

// Encode returns the cursor as URL-safe text.
func (c Cursor) Encode() string {
	s := strconv.FormatInt(c.Created.UnixMicro(), 10) + "." + c.ID
	if c.Date != "" {
		s += "." + c.Date
	}
	return base64.RawURLEncoding.EncodeToString([]byte(s))
}

// DecodeCursor parses a cursor made by Encode; anything else is document.ErrInvalidInput.
func DecodeCursor(s string) (Cursor, error) {
	invalid := fmt.Errorf("%w: malformed cursor", document.ErrInvalidInput)
	if len(s) > 100 {
		return Cursor{}, invalid
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return Cursor{}, invalid
	}
	created, rest, ok := strings.Cut(string(b), ".")
	id, date, dated := strings.Cut(rest, ".")
	us, err := strconv.ParseInt(created, 10, 64)
	if !ok || err != nil || !document.ValidID(id) || dated && !document.ValidDate(date) {
		return Cursor{}, invalid
	}
	return Cursor{Created: time.UnixMicro(us).UTC(), ID: id, Date: date}, nil
}
