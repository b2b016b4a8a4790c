package store

import (
	"encoding/base64"
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/docpipe/docpipe/internal/document"
)

// Cursor is the position after the last document of a List page: backends list newest first,
// ordered by creation time and then id. Its encoded form is opaque to clients.
type Cursor struct {
	Created time.Time
	ID      string
}

// Encode returns the cursor as URL-safe text.
func (c Cursor) Encode() string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(c.Created.UnixMicro(), 10) + "." + c.ID))
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
	created, id, ok := strings.Cut(string(b), ".")
	us, err := strconv.ParseInt(created, 10, 64)
	if !ok || err != nil || !document.ValidID(id) {
		return Cursor{}, invalid
	}
	return Cursor{Created: time.UnixMicro(us).UTC(), ID: id}, nil
}

// Migration is one schema change of a backend, from a file named NNNN_description.sql.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// LoadMigrations reads the *.sql files of dir in fsys in version order, refusing a name without
// a version number and versions that repeat.
func LoadMigrations(fsys fs.FS, dir string) ([]Migration, error) {
	names, err := fs.Glob(fsys, path.Join(dir, "*.sql"))
	if err != nil {
		return nil, err
	}
	var ms []Migration
	for _, name := range names {
		base := path.Base(name)
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: name does not start with a version number", base)
		}
		if len(ms) > 0 && ms[len(ms)-1].Version >= v {
			return nil, fmt.Errorf("migration %s: version %d is out of order", base, v)
		}
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		ms = append(ms, Migration{Version: v, Name: base, SQL: string(b)})
	}
	if len(ms) == 0 {
		return nil, fmt.Errorf("no migrations in %s", dir)
	}
	return ms, nil
}
