package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/png"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/docpipe/docpipe/internal/ocr"
)

// uploadEnv is newEnv with its uploads spooled to a directory of their own, which it returns.
func uploadEnv(t *testing.T, tweak func(*Options)) (*env, string) {
	t.Helper()
	tmp := t.TempDir()
	e := newEnv(t, func(o *Options) {
		o.TempDir = tmp
		if tweak != nil {
			tweak(o)
		}
	})
	return e, tmp
}

// wantNoTempFiles fails unless dir is empty, waiting up to a few seconds for a request that
// is still ending (a client that went away) to clean up.
func wantNoTempFiles(t *testing.T, dir string) {
	t.Helper()
	var left []os.DirEntry
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if left, _ = os.ReadDir(dir); len(left) == 0 {
			return
		}
	}
	t.Errorf("%d temporary files left in %s, e.g. %s", len(left), dir, left[0].Name())
}

// bigPNG returns a valid grey PNG of about size bytes: stored, not compressed, so that its
// bytes are its pixels.
func bigPNG(t *testing.T, size int) []byte {
	t.Helper()
	side := 1
	for (side+1)*(side+2) <= size {
		side++
	}
	img := image.NewGray(image.Rect(0, 0, side, side))
	for i := range img.Pix {
		img.Pix[i] = byte(i*7 + i/side)
	}
	var buf bytes.Buffer
	buf.Grow(size + 1<<20)
	if err := (&png.Encoder{CompressionLevel: png.NoCompression}).Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// multipartStream is a multipart/form-data body holding data as one file, read from data in
// place rather than copied into a buffer.
func multipartStream(t *testing.T, name string, data []byte) (io.Reader, string) {
	t.Helper()
	var head bytes.Buffer
	mw := multipart.NewWriter(&head)
	if _, err := mw.CreateFormFile("file", name); err != nil {
		t.Fatal(err)
	}
	tail := "\r\n--" + mw.Boundary() + "--\r\n"
	return io.MultiReader(&head, bytes.NewReader(data), strings.NewReader(tail)), mw.FormDataContentType()
}

// TestLargeUploadStreams: a 40 MiB file is stored intact while the request allocates a small
// fraction of its size: it goes to disk, not to memory.
func TestLargeUploadStreams(t *testing.T) {
	const size = 40 << 20
	e, tmp := uploadEnv(t, func(o *Options) {
		o.MaxUpload = 64 << 20
		o.Limits = ocr.Limits{MaxPages: 10, MaxPixels: 50_000_000}
	})
	data := bigPNG(t, size)
	if len(data) < size {
		t.Fatalf("test PNG is %d bytes, want at least %d", len(data), size)
	}
	want := sha256.Sum256(data)
	body, ct := multipartStream(t, "big.png", data)
	req := httptest.NewRequest("POST", "/v1/documents", body)
	req.Header.Set("Content-Type", ct)

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	var peak atomic.Uint64
	done := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()
	rec := e.do(req)
	close(done)
	<-sampled
	runtime.ReadMemStats(&after)

	if rec.Code != http.StatusAccepted {
		t.Fatalf("upload of %d bytes: %d %s", len(data), rec.Code, rec.Body)
	}
	allocated := after.TotalAlloc - before.TotalAlloc
	grew := int64(peak.Load()) - int64(before.HeapInuse)
	t.Logf("upload of %d bytes: allocated %d bytes, heap in use grew by at most %d bytes", len(data), allocated, grew)
	if limit := uint64(len(data) / 4); allocated > limit {
		t.Errorf("the request allocated %d bytes for a %d-byte file, want under %d", allocated, len(data), limit)
	}
	if limit := int64(len(data) / 4); grew > limit {
		t.Errorf("heap in use grew by %d bytes during a %d-byte upload, want under %d", grew, len(data), limit)
	}

	d := decode[docs](t, rec).Documents[0]
	if d.Size != int64(len(data)) || d.SHA256 != hex.EncodeToString(want[:]) || d.ContentType != "image/png" {
		t.Errorf("document = size %d, sha256 %s, %s; want %d, %x, image/png", d.Size, d.SHA256, d.ContentType, len(data), want)
	}
	stored, err := os.ReadFile(filepath.Join(e.blobDir, "originals", d.ID))
	if err != nil {
		t.Fatal(err)
	}
	if got := sha256.Sum256(stored); got != want || len(stored) != len(data) {
		t.Errorf("stored original: %d bytes, sha256 %x; want %d, %x", len(stored), got, len(data), want)
	}
	wantNoTempFiles(t, tmp)
}

// TestUploadSlots: with every upload slot taken, one more upload waits UploadWait and is
// answered 503 with Retry-After; once the slot is free again uploads go through.
func TestUploadSlots(t *testing.T) {
	const wait = 200 * time.Millisecond
	e, tmp := uploadEnv(t, func(o *Options) {
		o.MaxConcurrentUploads = 1
		o.UploadWait = wait
	})
	img := pngBytes(t, 40, 30)

	pr, pw := io.Pipe()
	t.Cleanup(func() { pw.CloseWithError(io.ErrUnexpectedEOF) })
	first := httptest.NewRequest("POST", "/v1/documents", pr)
	firstDone := make(chan *httptest.ResponseRecorder, 1)
	go func() { firstDone <- e.do(first) }()
	if _, err := pw.Write(img[:10]); err != nil { // taken by the handler: it holds the slot
		t.Fatal(err)
	}

	start := time.Now()
	rec := e.do(httptest.NewRequest("POST", "/v1/documents", bytes.NewReader(img)))
	waited := time.Since(start)
	wantProblem(t, rec, http.StatusServiceUnavailable, "too many uploads")
	if got := rec.Header().Get("Retry-After"); got != "5" {
		t.Errorf("Retry-After = %q, want 5", got)
	}
	if waited < wait {
		t.Errorf("the second upload was refused after %v, want a wait of %v first", waited, wait)
	}

	if _, err := pw.Write(img[10:]); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	if rec := <-firstDone; rec.Code != http.StatusAccepted {
		t.Fatalf("first upload: %d %s", rec.Code, rec.Body)
	}
	if rec := e.do(httptest.NewRequest("POST", "/v1/documents", bytes.NewReader(pngBytes(t, 40, 30)))); rec.Code != http.StatusAccepted {
		t.Fatalf("third upload, after the first: %d %s", rec.Code, rec.Body)
	}
	if got := decode[docs](t, e.get("/v1/documents", "")); len(got.Documents) != 2 {
		t.Errorf("%d documents, want 2 (the first and the third upload)", len(got.Documents))
	}
	wantNoTempFiles(t, tmp)
}

// TestUploadTempFilesRemoved: the temporary files of a request are gone when it ends, whether it
// stored its files or refused them, and nothing of a refused request is kept.
func TestUploadTempFilesRemoved(t *testing.T) {
	img := pngBytes(t, 40, 30)
	exe := append([]byte("MZ\x90\x00\x03\x00\x00\x00"), bytes.Repeat([]byte{0}, 200)...)
	tests := []struct {
		name   string
		files  []file
		status int
	}{
		{"stored", []file{{"a.png", img}, {"b.png", pngBytes(t, 40, 30)}}, http.StatusAccepted},
		{"second file unsupported", []file{{"a.png", img}, {"x.pdf", exe}}, http.StatusUnsupportedMediaType},
		{"second file truncated", []file{{"a.png", img}, {"t.png", img[:len(img)/2]}}, http.StatusUnprocessableEntity},
		{"second file empty", []file{{"a.png", img}, {"e.png", nil}}, http.StatusBadRequest},
		{"too large", []file{{"a.png", img}, {"big.png", append(img, make([]byte, 2<<20)...)}}, http.StatusRequestEntityTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, tmp := uploadEnv(t, nil)
			rec := e.upload("", tt.files...)
			if rec.Code != tt.status {
				t.Fatalf("status = %d, want %d; body %s", rec.Code, tt.status, rec.Body)
			}
			wantDocs := 0
			if tt.status == http.StatusAccepted {
				wantDocs = len(tt.files)
			}
			if got := decode[docs](t, e.get("/v1/documents", "")); len(got.Documents) != wantDocs {
				t.Errorf("%d documents, want %d", len(got.Documents), wantDocs)
			}
			blobs := 0
			entries, _ := os.ReadDir(filepath.Join(e.blobDir, "originals"))
			for _, f := range entries {
				if !strings.HasSuffix(f.Name(), ".attrs") {
					blobs++
				}
			}
			if blobs != wantDocs {
				t.Errorf("%d blobs, want %d", blobs, wantDocs)
			}
			wantNoTempFiles(t, tmp)
		})
	}
}

// TestUploadClientGone: a client that goes away in the middle of its body leaves no temporary
// file and no document behind, and frees its upload slot.
func TestUploadClientGone(t *testing.T) {
	e, tmp := uploadEnv(t, func(o *Options) {
		o.MaxConcurrentUploads = 1
		o.UploadWait = 100 * time.Millisecond
	})
	srv := httptest.NewServer(e.srv)
	defer srv.Close()
	img := pngBytes(t, 400, 300)

	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /v1/documents HTTP/1.1\r\nHost: %s\r\nContent-Type: image/png\r\nContent-Length: %d\r\n\r\n",
		srv.Listener.Addr(), 10*len(img))
	if _, err := conn.Write(img); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if entries, _ := os.ReadDir(tmp); len(entries) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the upload was never spooled to a temporary file")
		}
	}
	conn.Close()

	wantNoTempFiles(t, tmp)
	if got := decode[docs](t, e.get("/v1/documents", "")); len(got.Documents) != 0 {
		t.Errorf("%d documents after a client went away mid-body", len(got.Documents))
	}
	resp, err := srv.Client().Post(srv.URL+"/v1/documents", "image/png", bytes.NewReader(img))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Errorf("upload after a client went away: %d, want 202 (its slot freed)", resp.StatusCode)
	}
	wantNoTempFiles(t, tmp)
}
