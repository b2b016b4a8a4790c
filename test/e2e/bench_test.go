package e2e

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/docpipe/docpipe/internal/ocr"
)

// BenchmarkUploadToSearchable measures, on a running `docpipe serve`, the time from the start of
// an upload of a one-page scan until a search finds it, and the raw OCR time of the same page in
// an engine pool, so the pipeline's overhead can be read off the difference.
func BenchmarkUploadToSearchable(b *testing.B) {
	p := start(b, "serve", "DOCPIPE_DATA_DIR="+b.TempDir(), "DOCPIPE_LOG_LEVEL=warn", "DOCPIPE_RATE_LIMIT=0")

	var lat []time.Duration
	for i := 0; b.Loop(); i++ {
		word := "quokka" + letters(i)
		_, png := scan(b, []string{"Receipt for " + word + " delivered to the harbour office."})
		t0 := time.Now()
		p.upload("r.png", png)
		for {
			var res struct{ Total int }
			p.getJSON("/v1/search?q="+url.QueryEscape(word), &res)
			if res.Total == 1 {
				break
			}
			if time.Since(t0) > time.Minute {
				b.Fatalf("%s never became searchable", word)
			}
			time.Sleep(5 * time.Millisecond)
		}
		lat = append(lat, time.Since(t0))
	}
	b.ReportMetric(percentile(lat, 50), "p50-ms")
	b.ReportMetric(percentile(lat, 95), "p95-ms")

	pool, err := ocr.New(ocr.Options{Size: 1})
	if err != nil {
		b.Fatal(err)
	}
	defer pool.Close()
	_, png := scan(b, []string{"Receipt for quokkab delivered to the harbour office."})
	if _, err := pool.Recognize(context.Background(), png, "image/png", ""); err != nil { // warm the engine
		b.Fatal(err)
	}
	var raw []time.Duration
	for range 10 {
		t0 := time.Now()
		if _, err := pool.Recognize(context.Background(), png, "image/png", ""); err != nil {
			b.Fatal(err)
		}
		raw = append(raw, time.Since(t0))
	}
	b.ReportMetric(percentile(raw, 50), "raw-ocr-p50-ms")
}

// BenchmarkIdleRSS reports the resident memory of `docpipe serve` after it has started and sat
// idle, engines loaded.
func BenchmarkIdleRSS(b *testing.B) {
	for b.Loop() {
		p := start(b, "serve", "DOCPIPE_DATA_DIR="+b.TempDir(), "DOCPIPE_LOG_LEVEL=warn")
		time.Sleep(3 * time.Second)
		rss, err := rssKiB(p.cmd.Process.Pid)
		_ = p.cmd.Process.Kill() // the cleanup start registered reaps it
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(rss)/1024, "idle-rss-MiB")
	}
}

// letters spells n in base 26 with a–z, so OCR cannot confuse a digit with a letter.
func letters(n int) string {
	s := string(rune('a' + n%26))
	for n /= 26; n > 0; n /= 26 {
		s = string(rune('a'+n%26)) + s
	}
	return s
}

func rssKiB(pid int) (int, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			return strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
		}
	}
	return 0, fmt.Errorf("no VmRSS for %d", pid)
}

func percentile(ds []time.Duration, p int) float64 {
	s := slices.Clone(ds)
	slices.Sort(s)
	i := (len(s)*p + 99) / 100
	i = min(max(i-1, 0), len(s)-1)
	return float64(s[i].Microseconds()) / 1000
}
