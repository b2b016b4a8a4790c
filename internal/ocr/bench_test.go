package ocr

import (
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/docpipe/docpipe/internal/ocr/ocrtest"
)

// benchPages returns the pages every way of reading them gets, one per
// font, as A4 PNGs at 300 dpi: "dense" pages are the corpus's clean pages,
// eight paragraphs each (about 2,400 characters), "sparse" pages hold two
// paragraphs (about 600 characters), as a letter or a form might.
func benchPages(b *testing.B, kind string) []ocrtest.Doc {
	c := testCorpus(b)
	fonts, err := ocrtest.LoadFonts(11)
	if err != nil {
		b.Fatal(err)
	}
	var docs []ocrtest.Doc
	for i, f := range fonts {
		if kind == "dense" {
			docs = append(docs, c.Doc("clean-"+f.Name))
			continue
		}
		img, text, err := ocrtest.TextPage(f, ocrtest.Paragraphs[2*i:2*i+2])
		if err != nil {
			b.Fatal(err)
		}
		data, err := ocrtest.PNG(img)
		if err != nil {
			b.Fatal(err)
		}
		path := filepath.Join(c.Dir, "sparse-"+f.Name+".png")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			b.Fatal(err)
		}
		docs = append(docs, ocrtest.Doc{Name: "sparse-" + f.Name, MediaType: TypePNG, Path: path, Data: data, Pages: []string{text}})
	}
	return docs
}

// A way is one way of reading pages, measured over the rounds of a benchmark.
type way struct {
	name    string
	workers int                                 // pages read at once
	read    func(d ocrtest.Doc) (string, error) // reads one page
	cpu     func() time.Duration                // CPU used so far by whatever reads

	pages   int
	elapsed time.Duration
	cpuUsed time.Duration
	texts   []string // the last text read for each doc
}

// round reads each doc passes times, workers pages at a time.
func (w *way) round(b *testing.B, docs []ocrtest.Doc, passes int) {
	if w.texts == nil {
		w.texts = make([]string, len(docs))
	}
	n := passes * len(docs)
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, w.workers)
	cpu0, start := w.cpu(), time.Now()
	for range w.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
				text, err := w.read(docs[i%len(docs)])
				if err != nil {
					errs <- err
					return
				}
				if i < len(docs) {
					w.texts[i] = text
				}
			}
		}()
	}
	wg.Wait()
	w.elapsed += time.Since(start)
	w.cpuUsed += w.cpu() - cpu0
	w.pages += n
	close(errs)
	if err := <-errs; err != nil {
		b.Fatalf("%s: %v", w.name, err)
	}
}

func (w *way) cer(docs []ocrtest.Doc) float64 {
	var sum float64
	for i, d := range docs {
		sum += ocrtest.CER(w.texts[i], d.Pages[0])
	}
	return sum / float64(len(docs))
}

func (w *way) rate() float64 { return float64(w.pages) / w.elapsed.Seconds() }

// BenchmarkOCRThroughput reads the same pages in four ways and checks they
// are equally accurate:
//
//   - pool: Pool.Recognize with runtime.NumCPU() engines, one page a call;
//   - engines: the same number of engines driven directly, no pool;
//   - cli: one tesseract process per page, runtime.NumCPU() at a time,
//     OMP_THREAD_LIMIT=1, the same page segmentation mode (3): the command
//     tuned as the pool is;
//   - cli-stock: one tesseract process per page, one after another, as
//     installed: Tesseract's OpenMP threads use every core for each page.
//
// Each of the b.N rounds gives every way the same eight pages in turn, the
// order rotating from round to round, so that load from outside the
// benchmark falls on all ways alike. It reports each way's pages per
// second and CPU seconds per page, the pool's speed relative to the others,
// and the mean CER. It runs on dense and on sparse pages (see benchPages).
// Run it with a round count, e.g. -benchtime 4x.
func BenchmarkOCRThroughput(b *testing.B) {
	for _, kind := range []string{"dense", "sparse"} {
		b.Run(kind, func(b *testing.B) {
			docs := benchPages(b, kind)
			ways := []*way{poolWay(b), engineWay(b), cliWay("cli", runtime.NumCPU(), true), cliWay("cli-stock", 1, false)}
			b.ResetTimer()
			for r := range b.N {
				for j := range ways {
					ways[(r+j)%len(ways)].round(b, docs, 2)
				}
			}
			b.StopTimer()
			for _, w := range ways {
				b.ReportMetric(w.rate(), w.name+"-pages/s")
				b.ReportMetric(w.cpuUsed.Seconds()/float64(w.pages), w.name+"-cpu-s/page")
			}
			pool, engines, cli, stock := ways[0], ways[1], ways[2], ways[3]
			b.ReportMetric(pool.rate()/cli.rate(), "pool/cli")
			b.ReportMetric(pool.rate()/stock.rate(), "pool/cli-stock")
			b.ReportMetric(pool.rate()/engines.rate(), "pool/engines")
			b.ReportMetric(100*pool.cer(docs), "CER%")
			b.ReportMetric(0, "ns/op")
			for _, w := range ways[1:] {
				if d := math.Abs(w.cer(docs) - pool.cer(docs)); d > 0.001 {
					b.Errorf("accuracy differs: CER %s %.3f%%, %s %.3f%%", pool.name, 100*pool.cer(docs), w.name, 100*w.cer(docs))
				}
			}
		})
	}
}

func poolWay(b *testing.B) *way {
	p := newPool(b, Options{Size: runtime.NumCPU()})
	return &way{name: "pool", workers: 2 * runtime.NumCPU(), cpu: cpuTime, read: func(d ocrtest.Doc) (string, error) {
		pages, err := p.Recognize(context.Background(), d.Data, d.MediaType, "")
		if err != nil {
			return "", err
		}
		return pages[0].Text, nil
	}}
}

// engineWay drives runtime.NumCPU() engines, each on its own locked
// thread, with nothing between a caller and an engine but a channel.
func engineWay(b *testing.B) *way {
	n := runtime.NumCPU()
	jobs := make(chan func(*engine))
	ready := make(chan error, n)
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			e, err := newEngine("eng", "")
			ready <- err
			if err != nil {
				return
			}
			defer e.close()
			for job := range jobs {
				job(e)
			}
		}()
	}
	b.Cleanup(func() {
		close(jobs)
		wg.Wait()
	})
	for range n {
		if err := <-ready; err != nil {
			b.Fatal(err)
		}
	}
	return &way{name: "engines", workers: n, cpu: cpuTime, read: func(d ocrtest.Doc) (string, error) {
		var r result
		var err error
		done := make(chan struct{})
		jobs <- func(e *engine) {
			defer close(done)
			var img *pix
			if img, err = decodePix(d.Data, d.MediaType, 0); err != nil {
				return
			}
			defer img.free()
			r, err = e.recognize(context.Background(), img, img.resolution(), psmAuto)
		}
		<-done
		return trimText(r.text), err
	}}
}

// cliWay runs the tesseract command once per page, workers at a time; its
// CPU time is that of the tesseract processes. With tuned set, each process
// gets OMP_THREAD_LIMIT=1 as the engines do; without it, the command runs
// as installed, its OpenMP threads on every core.
func cliWay(name string, workers int, tuned bool) *way {
	var children atomic.Int64
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, "OMP_") })
	if tuned {
		env = append(env, "OMP_THREAD_LIMIT=1")
	}
	return &way{
		name:    name,
		workers: workers,
		cpu:     func() time.Duration { return time.Duration(children.Load()) },
		read: func(d ocrtest.Doc) (string, error) {
			cmd := exec.Command("tesseract", d.Path, "stdout", "--psm", strconv.Itoa(psmAuto))
			cmd.Env = env
			out, err := cmd.Output()
			if cmd.ProcessState != nil {
				children.Add(int64(cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()))
			}
			return string(out), err
		},
	}
}

// BenchmarkBlankPages reads a PDF of 20 blank A4 pages on one engine: as docpipe does, finding
// each page blank and skipping Tesseract, and as docpipe did before, giving Tesseract every page.
// Both rasterize every page. cpu-s/op counts this process and its children (pdftoppm).
func BenchmarkBlankPages(b *testing.B) {
	data, err := ocrtest.PDF(make([]ocrtest.PDFPage, 20))
	if err != nil {
		b.Fatal(err)
	}
	p := newPool(b, Options{Size: 1})
	ctx := context.Background()
	measure := func(b *testing.B, read func() error) {
		start := cpuWithChildren()
		for b.Loop() {
			if err := read(); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric((cpuWithChildren()-start).Seconds()/float64(b.N), "cpu-s/op")
	}
	b.Run("docpipe", func(b *testing.B) {
		measure(b, func() error {
			pages, err := p.Recognize(ctx, data, TypePDF, "")
			if err == nil && len(pages) != 20 {
				err = fmt.Errorf("%d pages, want 20", len(pages))
			}
			return err
		})
	})
	b.Run("every page to Tesseract", func(b *testing.B) {
		in, cleanup, err := p.open(ctx, data, TypePDF)
		if err != nil {
			b.Fatal(err)
		}
		defer cleanup()
		measure(b, func() error {
			for i, spec := range in.pages {
				raster, err := rasterize(ctx, in.pdfPath, i+1, spec)
				if err != nil {
					return err
				}
				img, err := decodePix(raster, "image/x-portable-graymap", 0)
				if err != nil {
					return err
				}
				dpi, err := img.prepare(spec.dpi)
				if err == nil {
					err = onEngine(p, func(e *engine) error {
						_, err := e.recognize(ctx, img, dpi, psmAuto)
						return err
					})
				}
				img.free()
				if err != nil {
					return err
				}
			}
			return nil
		})
	})
}

// onEngine runs f on one of p's engines and returns its error.
func onEngine(p *Pool, f func(*engine) error) error {
	done := make(chan error, 1)
	p.tasks <- func(e *engine) { done <- f(e) }
	return <-done
}

// cpuWithChildren is the CPU time of this process and of its children that have ended.
func cpuWithChildren() time.Duration {
	var self, children syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	syscall.Getrusage(syscall.RUSAGE_CHILDREN, &children)
	tv := func(t syscall.Timeval) time.Duration { return time.Duration(t.Nano()) }
	return tv(self.Utime) + tv(self.Stime) + tv(children.Utime) + tv(children.Stime)
}
