package blob_test

import (
	"net/url"
	"path/filepath"
	"testing"

	docblob "github.com/docpipe/docpipe/internal/blob"
	"github.com/docpipe/docpipe/internal/blob/blobtest"
	"gocloud.dev/blob"
)

func open(t *testing.T, rawURL string) *blob.Bucket {
	t.Helper()
	b, err := docblob.Open(t.Context(), rawURL)
	if err != nil {
		t.Fatalf("Open(%q): %v", rawURL, err)
	}
	return b
}

func TestFile(t *testing.T) {
	blobtest.Run(t, func(t *testing.T) *blob.Bucket {
		// A directory that does not exist yet: Open creates it.
		dir := filepath.Join(t.TempDir(), "blobs")
		return open(t, (&url.URL{Scheme: "file", Path: dir}).String())
	})
}

func TestS3(t *testing.T) {
	moto := blobtest.StartMoto(t)
	blobtest.Run(t, func(t *testing.T) *blob.Bucket {
		return open(t, moto.NewBucket(t))
	})
}

func TestGCS(t *testing.T) {
	gcs := blobtest.StartFakeGCS(t)
	blobtest.Run(t, func(t *testing.T) *blob.Bucket {
		return open(t, gcs.NewBucket(t))
	})
}

func TestAzure(t *testing.T) {
	azurite := blobtest.StartAzurite(t)
	blobtest.Run(t, func(t *testing.T) *blob.Bucket {
		return open(t, azurite.NewBucket(t))
	})
}

func TestOpenErrors(t *testing.T) {
	tests := []struct {
		name, url string
	}{
		{"unregistered scheme", "ftp://bucket"},
		{"unknown gs parameter", "gs://bucket?secret=x"},
		{"unknown s3 parameter", "s3://bucket?region=us-east-1&secret=x"},
		{"bad use_path_style", "s3://bucket?region=us-east-1&use_path_style=maybe"},
		{"not a url", "s3://bucket\x7f"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := docblob.Open(t.Context(), tt.url)
			if err == nil {
				b.Close()
				t.Fatalf("Open(%q) succeeded, want an error", tt.url)
			}
		})
	}
}

func TestKey(t *testing.T) {
	if got, want := docblob.Key("01JD8Q6ZC3X9V2K4M7N8P0R5ST"), "originals/01JD8Q6ZC3X9V2K4M7N8P0R5ST"; got != want {
		t.Errorf("Key = %q, want %q", got, want)
	}
}
