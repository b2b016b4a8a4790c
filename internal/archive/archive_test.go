package archive_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"gocloud.dev/blob"

	"github.com/docpipe/docpipe/internal/archive"
	docblob "github.com/docpipe/docpipe/internal/blob"
	"github.com/docpipe/docpipe/internal/document"
	"github.com/docpipe/docpipe/internal/store"
	"github.com/docpipe/docpipe/internal/store/sqlite"
)

type place struct {
	st  *store.Store
	bkt *blob.Bucket
}

func newPlace(t *testing.T) place {
	t.Helper()
	dir := t.TempDir()
	st, err := sqlite.Open(t.Context(), filepath.Join(dir, "docpipe.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	bkt, err := docblob.Open(t.Context(), "file://"+filepath.Join(dir, "blobs")+"?no_tmp_dir=true")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bkt.Close() })
	return place{st, bkt}
}

// add stores a document with body as its original and, when pages are given, takes it to done.
func (p place) add(t *testing.T, owner, name string, body []byte, pages ...document.Page) document.Document {
	t.Helper()
	sum := sha256.Sum256(body)
	d := document.Document{Owner: owner, Name: name, ContentType: "application/pdf", Size: int64(len(body)), SHA256: hex.EncodeToString(sum[:])}
	d.ID = document.NewID(time.Now())
	d.BlobKey = docblob.Key(d.ID)
	if err := p.bkt.WriteAll(t.Context(), d.BlobKey, body, nil); err != nil {
		t.Fatal(err)
	}
	if err := p.st.Create(t.Context(), &d); err != nil {
		t.Fatal(err)
	}
	if len(pages) > 0 {
		j, err := p.st.ClaimDocument(t.Context(), d.ID, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if err := p.st.Complete(t.Context(), j, pages); err != nil {
			t.Fatal(err)
		}
		if err := p.bkt.WriteAll(t.Context(), docblob.SearchableKey(d.ID), append([]byte("%PDF-searchable "), body...), nil); err != nil {
			t.Fatal(err)
		}
	}
	got, err := p.st.Get(t.Context(), owner, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func export(t *testing.T, p place, owner string) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := archive.Write(t.Context(), &buf, p.st, p.bkt, owner, time.Now()); err != nil {
		t.Fatalf("Write: %v", err)
	}
	return buf.Bytes()
}

func read(t *testing.T, b []byte, p place, owner string) (archive.Report, error) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("the archive is not a ZIP: %v", err)
	}
	return archive.Read(t.Context(), zr, p.st, p.bkt, owner)
}

// snapshot is what an owner has, without what an import may change (IDs, times of change).
type snapshot struct {
	Docs  map[string]docState // by SHA-256
	Tags  []document.Tag
	Rules []document.Rule
}

type docState struct {
	Name, Title, Notes, Date, DateSource, Lang string
	Status                                     document.Status
	Tags                                       []string
	Created                                    time.Time
	Pages                                      []document.Page
	Original, Searchable                       string
}

func snap(t *testing.T, p place, owner string) snapshot {
	t.Helper()
	ctx := t.Context()
	res, err := p.st.List(ctx, owner, store.ListOptions{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	s := snapshot{Docs: map[string]docState{}}
	for _, d := range res.Documents {
		st := docState{Name: d.Name, Title: d.Title, Notes: d.Notes, Date: d.Date, DateSource: d.DateSource, Lang: d.Lang,
			Status: d.Status, Tags: d.Tags, Created: d.CreatedAt}
		for n := 1; n <= d.Pages; n++ {
			pg, err := p.st.Page(ctx, owner, d.ID, n)
			if err != nil {
				t.Fatal(err)
			}
			st.Pages = append(st.Pages, pg)
		}
		st.Original = readBlob(ctx, p.bkt, docblob.Key(d.ID))
		st.Searchable = readBlob(ctx, p.bkt, docblob.SearchableKey(d.ID))
		s.Docs[d.SHA256] = st
	}
	if s.Tags, err = p.st.Tags(ctx, owner); err != nil {
		t.Fatal(err)
	}
	if s.Rules, err = p.st.Rules(ctx, owner); err != nil {
		t.Fatal(err)
	}
	return s
}

func readBlob(ctx context.Context, bkt *blob.Bucket, key string) string {
	b, err := bkt.ReadAll(ctx, key)
	if err != nil {
		return ""
	}
	return string(b)
}

// TestRoundTrip exports an owner's documents and imports them into an empty docpipe: nothing is
// lost, and importing again adds nothing.
func TestRoundTrip(t *testing.T) {
	src := newPlace(t)
	layout := &document.Layout{Width: 100, Height: 50, DPI: 300, Lines: []document.Line{{Box: document.Box{1, 2, 60, 12},
		Words: []document.Word{{Text: "Invoice", Box: document.Box{1, 2, 30, 12}, Confidence: 93}, {Text: "2.3.2024", Box: document.Box{32, 2, 60, 12}, Confidence: 88}}}}}
	inv := src.add(t, "alice", "invoice.pdf", []byte("%PDF invoice"),
		document.Page{Number: 1, Text: "Invoice 2.3.2024", Confidence: 90, Source: document.SourceOCR, Layout: layout},
		document.Page{Number: 2, Text: "page two", Confidence: 100, Source: document.SourceTextLayer})
	queued := src.add(t, "alice", "later.pdf", []byte("%PDF later"))
	src.add(t, "bob", "bobs.pdf", []byte("%PDF bob"), document.Page{Number: 1, Text: "bob's", Source: document.SourceOCR})
	title, notes, date := "Gas bill", "paid\ntwice", "2024-04-01"
	if _, err := src.st.Update(t.Context(), "alice", inv.ID, document.Change{Title: &title, Notes: &notes, Date: &date}); err != nil {
		t.Fatal(err)
	}
	if _, err := src.st.TagDocuments(t.Context(), "alice", []string{inv.ID, queued.ID}, []string{"tax", "home office"}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := src.st.PutTag(t.Context(), "alice", "tax", document.Tag{Color: "#123456"}); err != nil {
		t.Fatal(err)
	}
	if _, err := src.st.PutTag(t.Context(), "alice", "unused", document.Tag{}); err != nil {
		t.Fatal(err)
	}
	if _, err := src.st.PutRule(t.Context(), "alice", document.Rule{Name: "Gas", Match: document.MatchAny, Pattern: "gas", Field: document.FieldName, Tags: []string{"energy"}}); err != nil {
		t.Fatal(err)
	}
	want := snap(t, src, "alice")

	b := export(t, src, "alice")
	dst := newPlace(t)
	rep, err := read(t, b, dst, "carol")
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	if rep != (archive.Report{Created: 2, Queued: 1}) {
		t.Errorf("Read = %+v, want 2 created, 1 of them queued", rep)
	}
	got := snap(t, dst, "carol")
	if !reflect.DeepEqual(got, want) {
		t.Errorf("after the round trip:\n got %+v\nwant %+v", got, want)
	}
	if _, ok := got.Docs[inv.SHA256]; !ok || len(got.Docs[inv.SHA256].Pages[0].Layout.Lines) != 1 {
		t.Errorf("the invoice's first page lost its layout")
	}

	if rep, err := read(t, b, dst, "carol"); err != nil || rep != (archive.Report{Duplicates: 2}) {
		t.Errorf("Read again = %+v, %v; want 2 duplicates and nothing else", rep, err)
	}
	if got := snap(t, dst, "carol"); !reflect.DeepEqual(got, want) {
		t.Errorf("a second import changed the documents")
	}
}

// rewrite returns the archive b with the files change returns for each name.
func rewrite(t *testing.T, b []byte, change func(name string, data []byte) []byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		r, _ := f.Open()
		data, _ := io.ReadAll(r)
		r.Close()
		w, _ := zw.Create(f.Name)
		w.Write(change(f.Name, data))
	}
	zw.Close()
	return out.Bytes()
}

// TestReadRefuses checks that a damaged or hostile archive is refused with a clear error.
func TestReadRefuses(t *testing.T) {
	src := newPlace(t)
	src.add(t, "alice", "a.pdf", []byte("%PDF a"), document.Page{Number: 1, Text: "a", Source: document.SourceOCR})
	b := export(t, src, "alice")
	tests := []struct {
		name   string
		change func(string, []byte) []byte
		want   string
	}{
		{"tampered original", func(n string, d []byte) []byte {
			if strings.HasSuffix(n, "/original") {
				return []byte("%PDF evil")
			}
			return d
		}, "do not match its SHA-256"},
		{"path outside", func(n string, d []byte) []byte {
			if n == "manifest.json" {
				return bytes.Replace(d, []byte(`"original": "documents/`), []byte(`"original": "../../documents/`), 1)
			}
			return d
		}, "archive path"},
		{"other version", func(n string, d []byte) []byte {
			if n == "manifest.json" {
				return bytes.Replace(d, []byte(`"version": 1`), []byte(`"version": 9`), 1)
			}
			return d
		}, "manifest version 9"},
		{"broken manifest", func(n string, d []byte) []byte {
			if n == "manifest.json" {
				return d[:len(d)/2]
			}
			return d
		}, "manifest.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dst := newPlace(t)
			_, err := read(t, rewrite(t, b, tt.change), dst, "alice")
			if !errors.Is(err, document.ErrInvalidInput) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Read = %v, want invalid input saying %q", err, tt.want)
			}
			if res, _ := dst.st.List(t.Context(), "alice", store.ListOptions{Limit: 10}); len(res.Documents) != 0 {
				t.Errorf("a refused document was kept")
			}
		})
	}
}
