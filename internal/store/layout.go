package store

import "github.com/docpipe/docpipe/internal/document"

// LayoutBytes is the stored form of a page's layout: nil when the page has none.
func LayoutBytes(l *document.Layout) ([]byte, error) {
	if l == nil {
		return nil, nil
	}
	return l.MarshalBinary()
}

// ParseLayout reads what LayoutBytes stored: nil for none.
func ParseLayout(b []byte) (*document.Layout, error) {
	if len(b) == 0 {
		return nil, nil
	}
	l := new(document.Layout)
	if err := l.UnmarshalBinary(b); err != nil {
		return nil, err
	}
	return l, nil
}
