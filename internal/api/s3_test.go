package api

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/docpipe/docpipe/internal/blob"
	"github.com/docpipe/docpipe/internal/blob/blobtest"
	gcblob "gocloud.dev/blob"
	"gocloud.dev/gcerrors"
)

// TestContentOverS3 uploads an original into an s3:// bucket on a real moto_server and downloads
// it again through the API, whole and by range, then deletes it.
func TestContentOverS3(t *testing.T) {
	moto := blobtest.StartMoto(t)
	bucket, err := blob.Open(t.Context(), moto.NewBucket(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bucket.Close() })
	e := newEnv(t, func(o *Options) { o.Bucket = bucket })

	data := pngBytes(t, 64, 48)
	rec := e.upload("", file{"scan.png", data})
	if rec.Code != http.StatusAccepted {
		t.Fatalf("upload: %d %s", rec.Code, rec.Body)
	}
	id := decode[docs](t, rec).Documents[0].ID
	key := blob.Key(id)
	if stored, err := bucket.ReadAll(t.Context(), key); err != nil || !bytes.Equal(stored, data) {
		t.Fatalf("object %s in S3: %d bytes, %v; want the %d uploaded", key, len(stored), err, len(data))
	}
	attrs, err := bucket.Attributes(t.Context(), key)
	if err != nil {
		t.Fatal(err)
	}
	if attrs.ContentType != "image/png" {
		t.Errorf("object content type %q, want image/png", attrs.ContentType)
	}

	tests := []struct {
		rangeHeader string
		status      int
		want        []byte
	}{
		{"", http.StatusOK, data},
		{"bytes=8-15", http.StatusPartialContent, data[8:16]},
		{"bytes=-4", http.StatusPartialContent, data[len(data)-4:]},
	}
	for _, tt := range tests {
		req := httptest.NewRequest(http.MethodGet, "/v1/documents/"+id+"/content", nil)
		if tt.rangeHeader != "" {
			req.Header.Set("Range", tt.rangeHeader)
		}
		rec := e.do(req)
		if rec.Code != tt.status || !bytes.Equal(rec.Body.Bytes(), tt.want) {
			t.Errorf("content with Range %q: %d, %d bytes; want %d, %d bytes",
				tt.rangeHeader, rec.Code, rec.Body.Len(), tt.status, len(tt.want))
		}
		if ct := rec.Header().Get("Content-Type"); ct != "image/png" {
			t.Errorf("content with Range %q: Content-Type %q, want image/png", tt.rangeHeader, ct)
		}
	}

	if rec := e.do(httptest.NewRequest(http.MethodDelete, "/v1/documents/"+id, nil)); rec.Code != http.StatusNoContent {
		t.Fatalf("delete: %d %s", rec.Code, rec.Body)
	}
	if _, err := bucket.Attributes(t.Context(), key); gcerrors.Code(err) != gcerrors.NotFound {
		t.Errorf("object %s after delete: %v, want NotFound", key, err)
	}
	wantProblem(t, e.get("/v1/documents/"+id+"/content", ""), http.StatusNotFound, "")
}

// A gocloud bucket of any driver is what the API is given.
var _ Bucket = (*gcblob.Bucket)(nil)
