package api

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/docpipe/docpipe/internal/document"
)

func FuzzCleanName(f *testing.F) {
	for _, s := range []string{"", "a.png", "../../etc/passwd", `C:\x\y.pdf`, "\x00\x1b[31m", "..", "/", strings.Repeat("é", 300), "\xff\xfe",
		"invoice\u202Efdp.exe", ".\u2066.", "\u200e\u200f\u061c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		got := cleanName(name)
		if got == "" || len(got) > 255 || !utf8.ValidString(got) || strings.ContainsAny(got, `/\`) || got == ".." {
			t.Fatalf("cleanName(%q) = %q", name, got)
		}
		for _, r := range got {
			if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) {
				t.Fatalf("cleanName(%q) = %q keeps control character %U", name, got, r)
			}
		}
	})
}

// FuzzReadUploads feeds arbitrary bodies to the upload parser: it must return files or an error
// a client can be told about (400 or 413), never panic, and never return an empty or unnamed file.
func FuzzReadUploads(f *testing.F) {
	body, ct := multipartBody(f, file{"a.png", pngBytes(f, 8, 8)}, file{"b.pdf", []byte("%PDF-1.4")})
	seed, _ := io.ReadAll(body)
	f.Add(seed, ct, "")
	f.Add(pngBytes(f, 4, 4), "image/png", `attachment; filename="../a.png"`)
	f.Add([]byte("--x\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a\"\r\n\r\nMZ\r\n--x--\r\n"), "multipart/form-data; boundary=x", "")
	f.Add([]byte{}, "multipart/form-data", "")
	f.Add([]byte("x"), "text/plain; charset=\"", "inline; filename*=UTF-8''%e2%82%ac")
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte, contentType, disposition string) {
		req := httptest.NewRequest("POST", "/v1/documents", bytes.NewReader(data))
		req.Header.Set("Content-Type", contentType)
		req.Header.Set("Content-Disposition", disposition)
		rec := httptest.NewRecorder()
		req.Body = http.MaxBytesReader(rec, req.Body, 4096)
		sp := &spool{dir: dir}
		defer func() {
			if err := sp.remove(); err != nil {
				t.Fatal(err)
			}
			if left, _ := os.ReadDir(dir); len(left) != 0 {
				t.Fatalf("%d temporary files left", len(left))
			}
		}()
		err := readUploads(req, sp)
		var maxBytes *http.MaxBytesError
		if err != nil {
			if !errors.Is(err, document.ErrInvalidInput) && !errors.As(err, &maxBytes) {
				t.Fatalf("error %v is neither invalid input nor too large", err)
			}
			return
		}
		if len(sp.files) == 0 || len(sp.files) > maxFiles {
			t.Fatalf("%d files", len(sp.files))
		}
		for _, f := range sp.files {
			fi, err := os.Stat(f.path)
			if err != nil || f.size == 0 || fi.Size() != f.size || f.name == "" || f.name != cleanName(f.name) {
				t.Fatalf("file %q with %d bytes: %v", f.name, f.size, err)
			}
		}
	})
}

// FuzzReadChange feeds arbitrary bodies to the PATCH parser: it must return a change or an
// invalid-input error, never panic, and set only members the body names.
func FuzzReadChange(f *testing.F) {
	for _, s := range []string{`{"title": "a", "notes": null, "date": "2024-01-02"}`, `{}`, `null`, `[]`, `{"title": 1}`, `{"x": ""}`, `{} {}`, `"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		ch, err := readChange(strings.NewReader(body))
		if err != nil {
			if !errors.Is(err, document.ErrInvalidInput) {
				t.Fatalf("readChange(%q): %v, want an invalid-input error", body, err)
			}
			return
		}
		for name, v := range map[string]*string{"title": ch.Title, "notes": ch.Notes, "date": ch.Date} {
			if v != nil && !strings.Contains(body, name) && !strings.Contains(body, `\u`) {
				t.Fatalf("readChange(%q) sets %s, which the body does not name", body, name)
			}
		}
	})
}
