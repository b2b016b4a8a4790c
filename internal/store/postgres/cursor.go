package postgres

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/docpipe/docpipe/internal/document"
)

// cursor is the position after the last document of a List page.
type cursor struct {
	created time.Time
	id      string
}

func (c cursor) encode() string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(c.created.UnixMicro(), 10) + "." + c.id))
}

func decodeCursor(s string) (cursor, error) {
	invalid := fmt.Errorf("%w: malformed cursor", document.ErrInvalidInput)
	if len(s) > 100 {
		return cursor{}, invalid
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return cursor{}, invalid
	}
	created, id, ok := strings.Cut(string(b), ".")
	us, err := strconv.ParseInt(created, 10, 64)
	if !ok || err != nil || !document.ValidID(id) {
		return cursor{}, invalid
	}
	return cursor{created: time.UnixMicro(us).UTC(), id: id}, nil
}
