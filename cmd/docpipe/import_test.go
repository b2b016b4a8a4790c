package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/docpipe/docpipe/internal/archive"
	"github.com/docpipe/docpipe/internal/blob"
	"github.com/docpipe/docpipe/internal/document"
	"github.com/docpipe/docpipe/internal/store"
	"github.com/docpipe/docpipe/internal/store/sqlite"
)

// TestImport exports one document from one data directory and imports it into another with
// `docpipe import`, twice.
func TestImport(t *testing.T) {
	src := t.TempDir()
	st, err := sqlite.Open(t.Context(), filepath.Join(src, "docpipe.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	bkt, err := blob.Open(t.Context(), "file://"+filepath.Join(src, "blobs")+"?no_tmp_dir=true")
	if err != nil {
		t.Fatal(err)
	}
	defer bkt.Close()
	body := []byte("%PDF-1.4 a letter")
	sum := sha256.Sum256(body)
	d := document.Document{ID: document.NewID(time.Now()), Owner: "alice", Name: "letter.pdf", ContentType: "application/pdf",
		Size: int64(len(body)), SHA256: hex.EncodeToString(sum[:]), Title: "A letter"}
	d.BlobKey = blob.Key(d.ID)
	if err := bkt.WriteAll(t.Context(), d.BlobKey, body, nil); err != nil {
		t.Fatal(err)
	}
	if err := st.Create(t.Context(), &d); err != nil {
		t.Fatal(err)
	}
	var zipped bytes.Buffer
	if err := archive.Write(t.Context(), &zipped, st, bkt, "alice", time.Now()); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "export.zip")
	if err := os.WriteFile(path, zipped.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}

	dst := t.TempDir()
	t.Setenv("DOCPIPE_DATA_DIR", dst)
	var out bytes.Buffer
	if err := runImport(t.Context(), []string{"-owner", "carol", path}, &out); err != nil {
		t.Fatalf("import: %v", err)
	}
	if !strings.Contains(out.String(), "1 documents imported for carol (1 queued for OCR), 0 already there") {
		t.Errorf("import said %q", out.String())
	}
	out.Reset()
	if err := runImport(t.Context(), []string{"-owner", "carol", path}, &out); err != nil || !strings.Contains(out.String(), "0 documents imported for carol (0 queued for OCR), 1 already there") {
		t.Errorf("import again = %v, said %q", err, out.String())
	}
	imported, err := sqlite.Open(t.Context(), filepath.Join(dst, "docpipe.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer imported.Close()
	res, err := imported.List(t.Context(), "carol", store.ListOptions{Limit: 10})
	if err != nil || len(res.Documents) != 1 || res.Documents[0].Title != "A letter" {
		t.Errorf("carol's documents after import = %+v, %v", res.Documents, err)
	}
	if err := runImport(t.Context(), nil, &out); err == nil {
		t.Error("import without archives succeeded")
	}
}
