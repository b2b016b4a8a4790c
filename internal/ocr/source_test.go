package ocr

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/docpipe/docpipe/internal/document"
)

// TestInspectFile: a file on disk is judged exactly as the same bytes in memory, the sound ones
// and the hostile ones alike.
func TestInspectFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	for _, d := range testCorpus(t).Docs {
		want, err := Inspect(context.Background(), d.Data, testLimits)
		if err != nil {
			t.Fatalf("Inspect(%s): %v", d.Name, err)
		}
		got, err := InspectFile(context.Background(), write(d.Name, d.Data), testLimits)
		if err != nil || got != want {
			t.Errorf("InspectFile(%s) = %+v, %v; want %+v", d.Name, got, err, want)
		}
		if got.Pages != len(d.Pages) || got.MediaType != d.MediaType {
			t.Errorf("InspectFile(%s) = %+v, want %d pages of %s", d.Name, got, len(d.Pages), d.MediaType)
		}
	}
	for i, tt := range hostile(t) {
		_, memErr := Inspect(context.Background(), tt.data, testLimits)
		info, err := InspectFile(context.Background(), write("hostile"+string(rune('a'+i)), tt.data), testLimits)
		if (err == nil) != (memErr == nil) {
			t.Errorf("InspectFile(%s) = %+v, %v; in memory the error is %v", tt.name, info, err, memErr)
			continue
		}
		if err != nil && (!errors.Is(err, document.ErrInvalidInput) || !tt.check(err)) {
			t.Errorf("InspectFile(%s) error = %v", tt.name, err)
		}
	}
	if _, err := InspectFile(context.Background(), filepath.Join(dir, "missing"), testLimits); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("InspectFile(missing) error = %v, want not exist", err)
	}
}

// failingReaderAt fails every read that reaches past its first good bytes, as a bad disk does.
type failingReaderAt struct {
	data []byte
	good int64
}

var errDisk = errors.New("input/output error")

func (r failingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if off+int64(len(p)) > r.good {
		return 0, errDisk
	}
	return copy(p, r.data[off:]), nil
}

// TestInspectReadError: a file that cannot be read is a failure of the server, not a bad
// upload, whichever check meets it.
func TestInspectReadError(t *testing.T) {
	c := testCorpus(t)
	for _, name := range []string{"clean-go-regular", "jpeg", "tiff-multipage", "pdf-text"} {
		data := c.Doc(name).Data
		for _, good := range []int64{0, 100, int64(len(data)) - 1} {
			src := readerSource(failingReaderAt{data, good}, int64(len(data)), 64)
			_, err := inspectSource(context.Background(), src, "-", nil, testLimits)
			if !errors.Is(err, errDisk) || errors.Is(err, document.ErrInvalidInput) {
				t.Errorf("inspect %s failing after %d bytes: error = %v, want the read error and not invalid input", name, good, err)
			}
		}
	}
}

func TestSourceAt(t *testing.T) {
	data := []byte("0123456789abcdef")
	tests := []struct {
		off  int64
		n    int
		want string
		ok   bool
	}{
		{0, 4, "0123", true},
		{2, 4, "2345", true},
		{12, 4, "cdef", true},
		{16, 0, "", true},
		{0, 16, "0123456789abcdef", true},
		{13, 4, "", false},
		{17, 0, "", false},
		{-1, 2, "", false},
		{3, -1, "", false},
	}
	for _, kind := range sourceKinds {
		src := kind.open(data)
		for _, tt := range tests {
			got, ok := src.at(tt.off, tt.n)
			if string(got) != tt.want || ok != tt.ok {
				t.Errorf("%s: at(%d, %d) = %q, %v; want %q, %v", kind.name, tt.off, tt.n, got, ok, tt.want, tt.ok)
			}
		}
	}
}

// TestSourceScan: the pieces start at the offset, each next one on the last byte of the one
// before, so that every pair of bytes, split between two windows or not, is counted once.
func TestSourceScan(t *testing.T) {
	data := []byte("\xff\xda..\xff\xda.\xff\xd9\xff\xff\xda")
	for _, kind := range append(sourceKinds, struct {
		name string
		open func([]byte) *source
	}{"window 2", func(d []byte) *source { return readerSource(bytes.NewReader(d), int64(len(d)), 2) }}) {
		for _, off := range []int64{0, 1, 4, int64(len(data))} {
			var (
				joined []byte
				pairs  int
			)
			ok := kind.open(data).scan(off, func(p []byte, start int64) {
				pairs += bytes.Count(p, []byte{0xFF, 0xDA})
				want := off
				if joined != nil {
					want, p = off+int64(len(joined))-1, p[1:]
				}
				if start != want {
					t.Errorf("%s, off %d: piece starts at %d, want %d", kind.name, off, start, want)
				}
				joined = append(joined, p...)
			})
			if !ok || !bytes.Equal(joined, data[off:]) {
				t.Errorf("%s, off %d: scan = %v, pieces join to %q; want %q", kind.name, off, ok, joined, data[off:])
			}
			if want := bytes.Count(data[off:], []byte{0xFF, 0xDA}); pairs != want {
				t.Errorf("%s, off %d: %d FF DA pairs in the pieces, want %d", kind.name, off, pairs, want)
			}
		}
	}
	src := readerSource(failingReaderAt{data, 4}, int64(len(data)), 2)
	if src.scan(0, func([]byte, int64) {}) || !errors.Is(src.err, errDisk) {
		t.Errorf("scan of a failing reader: err = %v, want the read error", src.err)
	}
}
