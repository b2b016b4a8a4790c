// Package blobtest checks that a gocloud.dev/blob bucket behaves the way docpipe relies on, and
// starts a real S3 stand-in (moto) for tests.
//
// Run is the conformance suite: the API writes originals with Upload, serves them with
// NewReader and http.ServeContent (so range requests need a seekable reader) and deletes them;
// the pipeline reads them with ReadAll. Every driver docpipe can be configured with must pass it.
package blobtest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	docblob "github.com/docpipe/docpipe/internal/blob"
	"gocloud.dev/blob"
	"gocloud.dev/gcerrors"
)

// Run runs the conformance suite. open is called once per subtest and must return an empty bucket;
// it should register any cleanup with t.Cleanup. Run closes the bucket it is given.
func Run(t *testing.T, open func(t *testing.T) *blob.Bucket) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(t *testing.T, b *blob.Bucket)
	}{
		{"WriteRead", testWriteRead},
		{"ReadAll", testReadAll},
		{"RangeReader", testRangeReader},
		{"ServeContentRange", testServeContentRange},
		{"MissingKey", testMissingKey},
		{"Delete", testDelete},
		{"Overwrite", testOverwrite},
		{"OriginalKeys", testOriginalKeys},
		{"Large", testLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := open(t)
			t.Cleanup(func() {
				if err := b.Close(); err != nil {
					t.Errorf("close bucket: %v", err)
				}
			})
			tt.fn(t, b)
		})
	}
}

// pattern returns n bytes that differ at every offset modulo 251, so a read from the wrong
// offset is detected.
func pattern(n int) []byte {
	p := make([]byte, n)
	for i := range p {
		p[i] = byte(i % 251)
	}
	return p
}

func upload(t *testing.T, b *blob.Bucket, key string, data []byte, contentType string) {
	t.Helper()
	opts := &blob.WriterOptions{ContentType: contentType}
	if err := b.Upload(t.Context(), key, bytes.NewReader(data), opts); err != nil {
		t.Fatalf("Upload(%q): %v", key, err)
	}
}

func readAll(t *testing.T, b *blob.Bucket, key string) []byte {
	t.Helper()
	got, err := b.ReadAll(t.Context(), key)
	if err != nil {
		t.Fatalf("ReadAll(%q): %v", key, err)
	}
	return got
}

func testWriteRead(t *testing.T, b *blob.Bucket) {
	tests := []struct {
		key, contentType string
		data             []byte
	}{
		{"doc.pdf", "application/pdf", []byte("%PDF-1.7 not really")},
		{"image.png", "image/png", pattern(1000)},
		{"empty.txt", "text/plain; charset=utf-8", nil},
	}
	for _, tt := range tests {
		upload(t, b, tt.key, tt.data, tt.contentType)
		r, err := b.NewReader(t.Context(), tt.key, nil)
		if err != nil {
			t.Fatalf("NewReader(%q): %v", tt.key, err)
		}
		got, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			t.Fatalf("read %q: %v", tt.key, err)
		}
		if !bytes.Equal(got, tt.data) {
			t.Errorf("%q: read %d bytes, want the %d written", tt.key, len(got), len(tt.data))
		}
		if r.ContentType() != tt.contentType {
			t.Errorf("%q: reader content type %q, want %q", tt.key, r.ContentType(), tt.contentType)
		}
		if r.Size() != int64(len(tt.data)) {
			t.Errorf("%q: reader size %d, want %d", tt.key, r.Size(), len(tt.data))
		}
		attrs, err := b.Attributes(t.Context(), tt.key)
		if err != nil {
			t.Fatalf("Attributes(%q): %v", tt.key, err)
		}
		if attrs.ContentType != tt.contentType || attrs.Size != int64(len(tt.data)) {
			t.Errorf("%q: attributes (%q, %d), want (%q, %d)",
				tt.key, attrs.ContentType, attrs.Size, tt.contentType, len(tt.data))
		}
	}
}

func testReadAll(t *testing.T, b *blob.Bucket) {
	data := pattern(64 << 10)
	upload(t, b, "readall", data, "application/octet-stream")
	if got := readAll(t, b, "readall"); !bytes.Equal(got, data) {
		t.Errorf("ReadAll returned %d bytes that differ from the %d written", len(got), len(data))
	}
}

func testRangeReader(t *testing.T, b *blob.Bucket) {
	data := pattern(10000)
	upload(t, b, "range", data, "application/octet-stream")
	tests := []struct {
		name           string
		offset, length int64
		want           []byte
	}{
		{"head", 0, 10, data[:10]},
		{"middle", 4000, 1234, data[4000:5234]},
		{"tail", 9990, -1, data[9990:]},
		{"past end", 9990, 100, data[9990:]},
		{"zero length", 5, 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := b.NewRangeReader(t.Context(), "range", tt.offset, tt.length, nil)
			if err != nil {
				t.Fatalf("NewRangeReader(%d, %d): %v", tt.offset, tt.length, err)
			}
			defer r.Close()
			got, err := io.ReadAll(r)
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			if !bytes.Equal(got, tt.want) {
				t.Errorf("NewRangeReader(%d, %d) read %d bytes, want %d matching",
					tt.offset, tt.length, len(got), len(tt.want))
			}
		})
	}
}

// testServeContentRange serves a reader the way the API's content handler does.
func testServeContentRange(t *testing.T, b *blob.Bucket) {
	data := pattern(10000)
	upload(t, b, "originals/served", data, "application/pdf")
	tests := []struct {
		rangeHeader string
		status      int
		want        []byte
	}{
		{"", http.StatusOK, data},
		{"bytes=0-99", http.StatusPartialContent, data[:100]},
		{"bytes=5000-5999", http.StatusPartialContent, data[5000:6000]},
		{"bytes=-10", http.StatusPartialContent, data[9990:]},
		{"bytes=9000-", http.StatusPartialContent, data[9000:]},
		{"bytes=20000-", http.StatusRequestedRangeNotSatisfiable, nil},
	}
	for _, tt := range tests {
		t.Run(tt.rangeHeader, func(t *testing.T) {
			r, err := b.NewReader(t.Context(), "originals/served", nil)
			if err != nil {
				t.Fatalf("NewReader: %v", err)
			}
			defer r.Close()
			req := httptest.NewRequest(http.MethodGet, "/content", nil)
			if tt.rangeHeader != "" {
				req.Header.Set("Range", tt.rangeHeader)
			}
			rec := httptest.NewRecorder()
			rec.Header().Set("Content-Type", r.ContentType())
			http.ServeContent(rec, req, "", time.Time{}, r)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d; body %q", rec.Code, tt.status, truncate(rec.Body.Bytes()))
			}
			if tt.want == nil {
				return
			}
			if got := rec.Body.Bytes(); !bytes.Equal(got, tt.want) {
				t.Errorf("body is %d bytes, want %d matching", len(got), len(tt.want))
			}
			if got, want := rec.Header().Get("Content-Length"), fmt.Sprint(len(tt.want)); got != want {
				t.Errorf("Content-Length %s, want %s", got, want)
			}
		})
	}
}

func truncate(p []byte) []byte {
	if len(p) > 80 {
		return p[:80]
	}
	return p
}

func wantNotFound(t *testing.T, op string, err error) {
	t.Helper()
	if gcerrors.Code(err) != gcerrors.NotFound {
		t.Errorf("%s: error %v (code %v), want NotFound", op, err, gcerrors.Code(err))
	}
}

func testMissingKey(t *testing.T, b *blob.Bucket) {
	ctx := t.Context()
	const key = "originals/missing"
	_, err := b.NewReader(ctx, key, nil)
	wantNotFound(t, "NewReader", err)
	_, err = b.NewRangeReader(ctx, key, 10, 10, nil)
	wantNotFound(t, "NewRangeReader", err)
	_, err = b.ReadAll(ctx, key)
	wantNotFound(t, "ReadAll", err)
	_, err = b.Attributes(ctx, key)
	wantNotFound(t, "Attributes", err)
	ok, err := b.Exists(ctx, key)
	if ok || err != nil {
		t.Errorf("Exists = %v, %v; want false, nil", ok, err)
	}
}

func testDelete(t *testing.T, b *blob.Bucket) {
	ctx := t.Context()
	upload(t, b, "originals/gone", []byte("soon gone"), "text/plain")
	if err := b.Delete(ctx, "originals/gone"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	_, err := b.NewReader(ctx, "originals/gone", nil)
	wantNotFound(t, "NewReader after Delete", err)
	_, err = b.ReadAll(ctx, "originals/gone")
	wantNotFound(t, "ReadAll after Delete", err)
}

func testOverwrite(t *testing.T, b *blob.Bucket) {
	upload(t, b, "originals/over", pattern(5000), "application/pdf")
	second := []byte("shorter replacement")
	upload(t, b, "originals/over", second, "text/plain")
	if got := readAll(t, b, "originals/over"); !bytes.Equal(got, second) {
		t.Errorf("after overwrite read %q, want %q", truncate(got), second)
	}
	attrs, err := b.Attributes(t.Context(), "originals/over")
	if err != nil {
		t.Fatalf("Attributes: %v", err)
	}
	if attrs.ContentType != "text/plain" || attrs.Size != int64(len(second)) {
		t.Errorf("after overwrite attributes (%q, %d), want (%q, %d)",
			attrs.ContentType, attrs.Size, "text/plain", len(second))
	}
}

// testOriginalKeys stores objects under the keys docpipe derives from document ids and checks
// that they do not collide and are listed under the originals/ prefix.
func testOriginalKeys(t *testing.T, b *blob.Bucket) {
	ids := []string{
		"01JD8Q6ZC3X9V2K4M7N8P0R5ST",
		"0b7f6c1e-5a3d-4c2b-9e8f-1a2b3c4d5e6f",
		"a",
	}
	for _, id := range ids {
		upload(t, b, docblob.Key(id), []byte("original of "+id), "application/pdf")
	}
	for _, id := range ids {
		if got, want := string(readAll(t, b, docblob.Key(id))), "original of "+id; got != want {
			t.Errorf("%s: read %q, want %q", docblob.Key(id), got, want)
		}
	}
	var listed []string
	it := b.List(&blob.ListOptions{Prefix: "originals/"})
	for {
		obj, err := it.Next(t.Context())
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("List: %v", err)
		}
		listed = append(listed, obj.Key)
	}
	if len(listed) != len(ids) {
		t.Errorf("listed %q under originals/, want %d keys", listed, len(ids))
	}
	for _, key := range listed {
		if !strings.HasPrefix(key, "originals/") {
			t.Errorf("listed key %q lacks the originals/ prefix", key)
		}
	}
}

// testLarge writes an object big enough to take the drivers' multipart upload path.
func testLarge(t *testing.T, b *blob.Bucket) {
	const size = 5<<20 + 12345
	data := pattern(size)
	w, err := b.NewWriter(t.Context(), "originals/large", &blob.WriterOptions{
		ContentType: "application/pdf",
		BufferSize:  5 << 20, // the smallest S3 part: 2 parts
	})
	if err != nil {
		t.Fatalf("NewWriter: %v", err)
	}
	if _, err := io.Copy(w, bytes.NewReader(data)); err != nil {
		w.Close()
		t.Fatalf("write: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("close writer: %v", err)
	}
	if got := readAll(t, b, "originals/large"); !bytes.Equal(got, data) {
		t.Fatalf("read %d bytes that differ from the %d written", len(got), len(data))
	}
	r, err := b.NewRangeReader(t.Context(), "originals/large", size-100, 100, nil)
	if err != nil {
		t.Fatalf("NewRangeReader: %v", err)
	}
	defer r.Close()
	tail, err := io.ReadAll(r)
	if err != nil || !bytes.Equal(tail, data[size-100:]) {
		t.Errorf("tail range: %d bytes, %v; want the last 100 written", len(tail), err)
	}
}
