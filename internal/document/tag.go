package document

import (
	"fmt"
	"hash/fnv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A Tag is a name an owner puts on documents, with a colour to show it in.
type Tag struct {
	Name      string `json:"name"`
	Color     string `json:"color"`               // #rrggbb
	Documents int    `json:"documents,omitempty"` // how many of the owner's documents have it, when counted
}

// Bounds of tags.
const (
	MaxTagName = 64  // bytes of a tag's name
	MaxDocTags = 50  // tags on one document
	MaxTags    = 500 // tags of one owner
)

// CleanTag returns name as a tag is named: trimmed and with runs of white space made one space.
// A name that is empty then, longer than MaxTagName, or holds a control character, a comma or
// a double quote (which the query language uses around and between tags) is an
// ErrInvalidInput.
func CleanTag(name string) (string, error) {
	n := strings.Join(strings.Fields(name), " ")
	switch {
	case n == "":
		return "", fmt.Errorf("%w: a tag needs a name", ErrInvalidInput)
	case len(n) > MaxTagName:
		return "", fmt.Errorf("%w: tag %.20q… is longer than %d bytes", ErrInvalidInput, n, MaxTagName)
	case !utf8.ValidString(n) || strings.ContainsAny(n, `,"`) || strings.ContainsFunc(n, unicode.IsControl):
		return "", fmt.Errorf("%w: tag %q holds a comma, a double quote or a control character", ErrInvalidInput, n)
	}
	return n, nil
}

// ValidColor reports whether c is a colour as #rrggbb in lower-case hex.
func ValidColor(c string) bool {
	if len(c) != 7 || c[0] != '#' {
		return false
	}
	for _, r := range c[1:] {
		if !('0' <= r && r <= '9' || 'a' <= r && r <= 'f') {
			return false
		}
	}
	return true
}

// tagColors are the colours tags get until their owners choose: dark enough for white text.
var tagColors = []string{"#1f6feb", "#8250df", "#bf3989", "#cf222e", "#bc4c00", "#4d7c0f", "#0e7490", "#57606a"}

// DefaultColor is the colour of a new tag named name.
func DefaultColor(name string) string {
	h := fnv.New32a()
	h.Write([]byte(name))
	return tagColors[h.Sum32()%uint32(len(tagColors))]
}
