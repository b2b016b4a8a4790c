package ocr

import (
	"context"
	"image"
	"image/draw"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/docpipe/docpipe/internal/document"
	"github.com/docpipe/docpipe/internal/ocr/ocrtest"
)

// withEngine runs f with a fresh engine on a locked OS thread.
func withEngine(t *testing.T, f func(e *engine)) {
	t.Helper()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	e, err := newEngine("eng", "")
	if err != nil {
		t.Fatalf("newEngine: %v", err)
	}
	defer e.close()
	f(e)
}

func decodeDoc(t *testing.T, d ocrtest.Doc) *pix {
	t.Helper()
	p, err := decodePix(d.Data, d.MediaType, 0)
	if err != nil {
		t.Fatalf("decode %s: %v", d.Name, err)
	}
	return p
}

// TestPageSegModeSticks checks that the page segmentation mode set for a
// page is the one Tesseract uses, starting with a fresh engine's first
// page. On a two-column page, PSM_SINGLE_BLOCK reads lines straight across
// both columns, while PSM_AUTO finds the columns and reads them in order.
func TestPageSegModeSticks(t *testing.T) {
	d := testCorpus(t).Doc("two-column")
	withEngine(t, func(e *engine) {
		img := decodeDoc(t, d)
		defer img.free()
		for i, psm := range []int{psmSingleBlock, psmAuto, psmSingleBlock, psmAuto} {
			r, err := e.recognize(context.Background(), img, img.resolution(), psm)
			if err != nil {
				t.Fatalf("recognition %d (psm %d): %v", i+1, psm, err)
			}
			cer := ocrtest.CER(r.text, d.Pages[0])
			t.Logf("recognition %d: psm %d, CER against column order %.1f%%", i+1, psm, 100*cer)
			if r.psm != psm {
				t.Errorf("recognition %d: Tesseract's mode = %d, want %d", i+1, r.psm, psm)
			}
			if psm == psmAuto && cer > 0.01 {
				t.Errorf("recognition %d: PSM_AUTO did not read the columns in order (CER %.1f%%)", i+1, 100*cer)
			}
			if psm == psmSingleBlock && cer < 0.2 {
				t.Errorf("recognition %d: PSM_SINGLE_BLOCK read the columns in order (CER %.1f%%): the mode was not applied", i+1, 100*cer)
			}
		}
	})
}

// TestOrientation checks that pages turned a half or three quarters are
// detected and turned back; a quarter turn Tesseract reads as it is.
func TestOrientation(t *testing.T) {
	c := testCorpus(t)
	tests := []struct {
		doc      string
		rotation int
	}{
		{"clean-go-regular", 0},
		{"rot90", 0},
		{"rot180", 2},
		{"rot270", 1},
	}
	withEngine(t, func(e *engine) {
		for _, tt := range tests {
			d := c.Doc(tt.doc)
			img := decodeDoc(t, d)
			r, err := e.recognize(context.Background(), img, img.resolution(), psmAuto)
			img.free()
			if err != nil {
				t.Fatalf("%s: %v", tt.doc, err)
			}
			cer := ocrtest.CER(r.text, d.Pages[0])
			if r.rotation != tt.rotation || cer > 0.01 {
				t.Errorf("%s: turned %d quarters with CER %.2f%%, want %d quarters and CER ≤ 1%%", tt.doc, r.rotation, 100*cer, tt.rotation)
			}
		}
	})
}

// TestOpenMPSingleThread checks that recognition uses one CPU: Tesseract's
// OpenMP threads only burn CPU when engines already run in parallel.
func TestOpenMPSingleThread(t *testing.T) {
	d := testCorpus(t).Doc("clean-dejavu-sans")
	p := newPool(t, Options{Size: 1})
	runtime.GC()
	cpu0, start := cpuTime(), time.Now()
	if _, err := p.Recognize(context.Background(), d.Data, d.MediaType, ""); err != nil {
		t.Fatal(err)
	}
	cpu, wall := cpuTime()-cpu0, time.Since(start)
	t.Logf("one page: %v CPU in %v", cpu, wall)
	if cpu > wall*13/10 {
		t.Errorf("one page on one engine used %v CPU in %v: more than one thread at work", cpu, wall)
	}
}

// TestOpenMPLimitedOnEveryEngine checks the OpenMP limit on each engine's
// thread: the OpenMP runtime keeps it per thread.
func TestOpenMPLimitedOnEveryEngine(t *testing.T) {
	const size = 3
	p := newPool(t, Options{Size: size})
	var arrived sync.WaitGroup
	arrived.Add(size)
	levels := make(chan int, size)
	for range size {
		// Each task waits for the others, so each runs on its own engine.
		p.tasks <- func(*engine) {
			arrived.Done()
			arrived.Wait()
			levels <- openMPMaxActiveLevels()
		}
	}
	want := 0
	if ompThreadLimit != "" {
		want = 1
	}
	for range size {
		if got := <-levels; min(got, 1) != want {
			t.Errorf("engine thread: OpenMP max active levels = %d, want %d (OMP_THREAD_LIMIT at start: %q)", got, want, ompThreadLimit)
		}
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestWordBoxes checks that the boxes of recognised words land on the words: each word the
// generator set is found with its text in a box that covers where it was drawn, on the page as
// given whichever way it is turned, and painting every box white leaves the page nearly blank.
func TestWordBoxes(t *testing.T) {
	fonts, err := ocrtest.LoadFonts(12)
	if err != nil {
		t.Fatal(err)
	}
	page := ocrtest.NewPage()
	_, placed, err := ocrtest.DrawWords(page, fonts[1], image.Rect(300, 300, ocrtest.PageWidth-300, 1500), []string{
		"Invoice 2024-117 for the delivery of forty-two crates of apples to Dubrovnik harbour.",
		"Payment is due within thirty days; please quote the invoice number with your transfer.",
	})
	if err != nil {
		t.Fatal(err)
	}
	turns := []int{0, 1, 2, 3}
	if testing.Short() {
		turns = []int{0, 3}
	}
	withEngine(t, func(e *engine) {
		for _, quarters := range turns {
			img := ocrtest.Rotate(page, quarters)
			w, h := img.Bounds().Dx(), img.Bounds().Dy()
			data, err := ocrtest.PNGAt(img, ocrtest.DPI)
			if err != nil {
				t.Fatal(err)
			}
			p, err := decodePix(data, TypePNG, 0)
			if err != nil {
				t.Fatal(err)
			}
			r, err := e.recognize(context.Background(), p, ocrtest.DPI, psmAuto)
			p.free()
			if err != nil {
				t.Fatalf("turned %d: %v", quarters, err)
			}
			var got []document.Word
			for _, l := range r.lines {
				got = append(got, l.Words...)
			}
			missed := 0
			for _, pw := range placed {
				b := pw.Box
				want := document.Box{b.Min.X, b.Min.Y, b.Max.X, b.Max.Y}.Turn(quarters, ocrtest.PageWidth, ocrtest.PageHeight)
				if !foundAt(got, pw.Text, want) {
					missed++
					t.Logf("turned %d: %q drawn at %v not found there", quarters, pw.Text, want)
				}
			}
			if want := (4 - quarters) % 4; r.upright != want {
				t.Errorf("turned %d: text upright after %d turns, want %d", quarters, r.upright, want)
			}
			if missed > len(placed)/20 {
				t.Errorf("turned %d: %d of %d words not found at their place", quarters, missed, len(placed))
			}
			if ink := inkOutside(img, got); ink > 50 {
				t.Errorf("turned %d (%d×%d): %d dark pixels outside every word box", quarters, w, h, ink)
			}
		}
	})
}

// foundAt reports whether a word of words reads text (ignoring punctuation around it) in a box
// within a few pixels of want.
func foundAt(words []document.Word, text string, want document.Box) bool {
	const slack = 6
	trim := func(s string) string { return strings.Trim(s, ".,;:") }
	for _, w := range words {
		if trim(w.Text) != trim(text) {
			continue
		}
		ok := true
		for i := range want {
			if d := w.Box[i] - want[i]; d < -slack || d > slack {
				ok = false
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// inkOutside counts the dark pixels of img that no box in words covers.
func inkOutside(img *image.Gray, words []document.Word) int {
	covered := image.NewGray(img.Bounds())
	for _, w := range words {
		draw.Draw(covered, image.Rect(w.Box[0], w.Box[1], w.Box[2], w.Box[3]), image.White, image.Point{}, draw.Src)
	}
	n := 0
	for i, v := range img.Pix {
		if v < 128 && covered.Pix[i] == 0 {
			n++
		}
	}
	return n
}
