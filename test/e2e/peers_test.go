package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/docpipe/docpipe/internal/ocr/ocrtest"
)

// A peerPage is one page of the peer benchmark's corpus: a PNG file and the text on it.
type peerPage struct {
	class, path, text string
}

// peerCorpus writes realistic scanned pages to dir: upright pages in four typefaces and two-column
// pages, all lightly skewed, blurred and noisy as a desk scanner leaves them, and pages turned a
// quarter, a half and three quarters.
func peerCorpus(tb testing.TB, dir string) []peerPage {
	tb.Helper()
	fonts, err := ocrtest.LoadFonts(11)
	if err != nil {
		tb.Fatal(err)
	}
	scanned := func(img *image.Gray, seed uint64) *image.Gray {
		return ocrtest.Noise(ocrtest.Blur(ocrtest.Skew(img, 0.4), 0.6), 10, 0.0005, seed)
	}
	var pages []peerPage
	add := func(class string, img *image.Gray, text string) {
		path := filepath.Join(dir, fmt.Sprintf("%02d-%s.png", len(pages)+1, class))
		data, err := ocrtest.PNGAt(img, ocrtest.DPI)
		if err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			tb.Fatal(err)
		}
		pages = append(pages, peerPage{class, path, text})
	}
	n := len(ocrtest.Paragraphs)
	var upright []*image.Gray
	var texts []string
	for i, f := range fonts {
		paras := make([]string, 0, 5)
		for j := range 5 {
			paras = append(paras, ocrtest.Paragraphs[(2*i+j)%n])
		}
		img, text, err := ocrtest.TextPage(f, paras)
		if err != nil {
			tb.Fatal(err)
		}
		img = scanned(img, uint64(i+1))
		upright, texts = append(upright, img), append(texts, text)
		add("upright", img, text)
	}
	for i, f := range fonts[:2] {
		img, text, err := ocrtest.TwoColumnPage(f, ocrtest.Paragraphs[i:i+3], ocrtest.Paragraphs[i+3:i+6])
		if err != nil {
			tb.Fatal(err)
		}
		add("two-column", scanned(img, uint64(10+i)), text)
	}
	for q := 1; q <= 3; q++ {
		add("rotated", ocrtest.Rotate(upright[q], q), texts[q])
	}
	return pages
}

// A peerRun is what one way of reading the corpus cost and how well it read.
type peerRun struct {
	wall   time.Duration
	cpu    time.Duration
	maxRSS int64 // KiB, of the largest process
	texts  []string
}

// runProcs runs the commands, parallel at a time, and sums their CPU time (children included)
// and keeps the largest peak RSS.
func runProcs(ctx context.Context, cmds [][]string, parallel int) (peerRun, error) {
	var (
		mu   sync.Mutex
		r    peerRun
		errs []error
		wg   sync.WaitGroup
	)
	next := make(chan []string)
	start := time.Now()
	for range parallel {
		wg.Go(func() {
			for args := range next {
				cmd := exec.CommandContext(ctx, args[0], args[1:]...)
				cmd.Env = append(os.Environ(), "OMP_THREAD_LIMIT=1")
				out, err := cmd.CombinedOutput()
				mu.Lock()
				if err != nil {
					errs = append(errs, fmt.Errorf("%s: %v\n%s", strings.Join(args, " "), err, out))
				}
				if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
					r.cpu += time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
					r.maxRSS = max(r.maxRSS, ru.Maxrss)
				}
				mu.Unlock()
			}
		})
	}
	for _, c := range cmds {
		next <- c
	}
	close(next)
	wg.Wait()
	r.wall = time.Since(start)
	if len(errs) > 0 {
		return r, errs[0]
	}
	return r, nil
}

func readTexts(tb testing.TB, paths []string) []string {
	tb.Helper()
	texts := make([]string, len(paths))
	for i, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			tb.Fatal(err)
		}
		texts[i] = string(b)
	}
	return texts
}

// BenchmarkPeers reads one corpus of scanned pages three ways, side by side: `docpipe ocr -pdf`
// (one process, its engines, searchable PDFs written), OCRmyPDF with --rotate-pages (two files at a
// time, --jobs 1) and the tesseract command with --psm 1 (two at a time), all with
// OMP_THREAD_LIMIT=1. It reports for each pages per second, CPU seconds per page, the peak RSS of
// its largest process and the character error rate of each class of page. The ways take turns
// going first from round to round, so that outside load falls on all alike.
func BenchmarkPeers(b *testing.B) {
	for _, tool := range []string{"ocrmypdf", "tesseract"} {
		if _, err := exec.LookPath(tool); err != nil {
			b.Fatalf("%s is not installed: scripts/deps.sh --bench installs it", tool)
		}
	}
	dir := b.TempDir()
	pages := peerCorpus(b, dir)
	files := make([]string, len(pages))
	for i, p := range pages {
		files[i] = p.path
	}
	ctx := context.Background()
	ways := []struct {
		name string
		run  func(out string) (peerRun, error)
	}{
		{"docpipe", func(out string) (peerRun, error) {
			args := append([]string{bin, "ocr", "-json", "-pdf", out}, files...)
			cmd := exec.CommandContext(ctx, args[0], args[1:]...)
			cmd.Env = append(os.Environ(), "OMP_THREAD_LIMIT=1", "DOCPIPE_OCR_ENGINES=2")
			start := time.Now()
			stdout, err := cmd.Output()
			r := peerRun{wall: time.Since(start)}
			if err != nil {
				return r, fmt.Errorf("docpipe ocr: %w", err)
			}
			ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
			r.cpu, r.maxRSS = time.Duration(ru.Utime.Nano()+ru.Stime.Nano()), ru.Maxrss
			dec := json.NewDecoder(strings.NewReader(string(stdout)))
			for range files {
				var f struct{ Pages []struct{ Text string } }
				if err := dec.Decode(&f); err != nil {
					return r, err
				}
				r.texts = append(r.texts, f.Pages[0].Text)
			}
			return r, nil
		}},
		{"ocrmypdf", func(out string) (peerRun, error) {
			var cmds [][]string
			var sidecars []string
			for _, f := range files {
				base := filepath.Join(out, strings.TrimSuffix(filepath.Base(f), ".png"))
				cmds = append(cmds, []string{"ocrmypdf", "--rotate-pages", "--jobs", "1", "--output-type", "pdf",
					"--sidecar", base + ".txt", f, base + ".pdf"})
				sidecars = append(sidecars, base+".txt")
			}
			r, err := runProcs(ctx, cmds, 2)
			if err == nil {
				r.texts = readTexts(b, sidecars)
			}
			return r, err
		}},
		{"tesseract", func(out string) (peerRun, error) {
			var cmds [][]string
			var txts []string
			for _, f := range files {
				base := filepath.Join(out, strings.TrimSuffix(filepath.Base(f), ".png"))
				cmds = append(cmds, []string{"tesseract", f, base, "--psm", "1"})
				txts = append(txts, base+".txt")
			}
			r, err := runProcs(ctx, cmds, 2)
			if err == nil {
				r.texts = readTexts(b, txts)
			}
			return r, err
		}},
	}

	total := map[string]*peerRun{}
	cer := map[string]map[string][]float64{}
	round := 0
	for b.Loop() {
		for k := range ways {
			w := ways[(k+round)%len(ways)]
			out := filepath.Join(b.TempDir(), w.name)
			if err := os.MkdirAll(out, 0o755); err != nil {
				b.Fatal(err)
			}
			r, err := w.run(out)
			if err != nil {
				b.Fatalf("%s: %v", w.name, err)
			}
			t := total[w.name]
			if t == nil {
				t = &peerRun{}
				total[w.name], cer[w.name] = t, map[string][]float64{}
			}
			t.wall += r.wall
			t.cpu += r.cpu
			t.maxRSS = max(t.maxRSS, r.maxRSS)
			for i, p := range pages {
				cer[w.name][p.class] = append(cer[w.name][p.class], ocrtest.CER(r.texts[i], p.text))
			}
		}
		round++
	}
	n := float64(round * len(pages))
	rate := map[string]float64{}
	for _, w := range ways {
		t := total[w.name]
		rate[w.name] = n / t.wall.Seconds()
		b.ReportMetric(rate[w.name], w.name+"-pages/s")
		b.ReportMetric(t.cpu.Seconds()/n, w.name+"-cpu-s/page")
		b.ReportMetric(float64(t.maxRSS)/1024, w.name+"-rss-MiB")
		for class, cs := range cer[w.name] {
			sum := 0.0
			for _, c := range cs {
				sum += c
			}
			b.ReportMetric(100*sum/float64(len(cs)), w.name+"-cer-"+class+"-%")
		}
	}
	b.ReportMetric(rate["docpipe"]/rate["ocrmypdf"], "docpipe/ocrmypdf")
	b.ReportMetric(rate["docpipe"]/rate["tesseract"], "docpipe/tesseract")
}
