// Package blob opens the bucket that holds uploaded originals from a gocloud.dev/blob URL.
//
// Two schemes are registered:
//
//   - file:///abs/dir: a directory on local disk, created if missing.
//   - s3://bucket?region=R: an S3 bucket. For an S3-compatible endpoint such as moto or MinIO add
//     endpoint=http://host:port&use_path_style=true. Credentials always come from the AWS default
//     chain (environment, shared config, ECS task role, web identity), never from the URL.
package blob

import (
	"context"
	"fmt"
	"net/url"
	"os"

	"gocloud.dev/blob"
	_ "gocloud.dev/blob/fileblob" // file:// buckets
	_ "gocloud.dev/blob/s3blob"   // s3:// buckets
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
