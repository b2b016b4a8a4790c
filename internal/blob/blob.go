// Package blob opens the bucket that holds uploaded originals from a gocloud.dev/blob URL.
//
// Four schemes are registered:
//
//   - file:///abs/dir: a directory on local disk, created if missing.
//   - s3://bucket?region=R: an S3 bucket. For an S3-compatible endpoint such as moto or MinIO add
//     endpoint=http://host:port&use_path_style=true. Credentials always come from the AWS default
//     chain (environment, shared config, ECS task role, web identity), never from the URL.
//   - gs://bucket: a Cloud Storage bucket, with Application Default Credentials (the Cloud Run
//     service account). STORAGE_EMULATOR_HOST points it at an emulator.
//   - azblob://container?storage_account=A: an Azure Blob container, with the Azure default
//     credential chain (managed identity; AZURE_CLIENT_ID picks a user-assigned one). Azurite
//     needs protocol=http&domain=host:port&localemu=true and the emulator's shared key.
package blob

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strconv"

	"gocloud.dev/blob"
	_ "gocloud.dev/blob/azureblob" // azblob:// containers
	_ "gocloud.dev/blob/fileblob"  // file:// buckets
	_ "gocloud.dev/blob/gcsblob"   // gs:// buckets
	_ "gocloud.dev/blob/s3blob"    // s3:// buckets
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

// SearchableKey is the object key of a document's searchable PDF, which the worker makes with
// the OCR.
func SearchableKey(documentID string) string { return "searchable/" + documentID + ".pdf" }

// PicturePrefix is the prefix of every object derived from a document's original for viewing:
// its page pictures.
func PicturePrefix(documentID string) string { return "pictures/" + documentID + "/" }

// PictureKey is the object key of the picture of page n (1-based) of a document.
func PictureKey(documentID string, n int) string {
	return PicturePrefix(documentID) + strconv.Itoa(n) + ".png"
}

// ThumbnailKey is the object key of the small picture of a document's first page.
func ThumbnailKey(documentID string) string { return PicturePrefix(documentID) + "thumbnail.png" }

// PictureFailureKey is the object key of the reason page n of a document cannot be drawn.
func PictureFailureKey(documentID string, n int) string {
	return PicturePrefix(documentID) + strconv.Itoa(n) + ".failed"
}
