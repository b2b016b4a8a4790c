package store

import (
	"strings"
	"unicode"
)

// CollapseSpace replaces each run of white space in s with one space, keeping a leading or
// trailing one, so that snippet fragments still join with the spaces between them.
func CollapseSpace(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			if !space {
				b.WriteByte(' ')
			}
			space = true
			continue
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}
