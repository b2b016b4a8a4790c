// Package blob opens the bucket that holds uploaded originals from a gocloud.dev/blob URL.
package blob

import (
	"context"
	"fmt"
	"net/url"
	"os"

	"gocloud.dev/blob"
	_ "gocloud.dev/blob/fileblob" // file:// buckets
)

// Open opens the bucket at rawURL. A file:// bucket's directory is created if missing.
func Open(ctx context.Context, rawURL string) (*blob.Bucket, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("blob url: %w", err)
	}
	if u.Scheme == "file" {
		if err := os.MkdirAll(u.Path, 0o750); err != nil {
			return nil, fmt.Errorf("blob dir: %w", err)
		}
	}
	b, err := blob.OpenBucket(ctx, rawURL)
	if err != nil {
		return nil, fmt.Errorf("open bucket %s: %w", u.Redacted(), err)
	}
	return b, nil
}

// Key is the object key of a document's original. It is derived from the document id alone:
// user-supplied names never become keys or paths.
func Key(documentID string) string { return "originals/" + documentID }
