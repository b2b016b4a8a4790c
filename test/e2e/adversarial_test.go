package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/docpipe/docpipe/internal/ocr/ocrtest"
)

// TestAdversarial attacks a real `docpipe serve` on its embedded defaults with the files and
// clients of the [harden] findings, and checks that each costs the server bounded time and
// memory and that the next honest document still goes through. Memory is the server
// process's peak resident set (VmHWM); each attack gets a fresh server so peaks do not mix.
func TestAdversarial(t *testing.T) {
	t.Run("crafted JPEG", testCraftedJPEG)
	t.Run("crafted PDF", testCraftedPDF)
	t.Run("crafted PNG", testCraftedPNG)
	t.Run("cross-site requests", testCrossSite)
	t.Run("slow bodies", testSlowBodies)
	t.Run("parallel large uploads", testParallelUploads)
}

// serveUnderAttack starts serve with one OCR engine and a short job timeout.
func serveUnderAttack(t *testing.T, env ...string) *proc {
	t.Helper()
	return underAttack(t, "serve", env...)
}

// underAttack starts role on the embedded defaults, with one OCR engine, a short job timeout
// and a temporary directory of its own.
func underAttack(t *testing.T, role string, env ...string) *proc {
	t.Helper()
	tmp := t.TempDir()
	p := start(t, role, append([]string{"DOCPIPE_DATA_DIR=" + t.TempDir(), "DOCPIPE_OCR_ENGINES=1", "TMPDIR=" + tmp,
		"DOCPIPE_JOB_TIMEOUT=20s", "DOCPIPE_MAX_ATTEMPTS=1", "DOCPIPE_AUTH=none"}, env...)...)
	p.tmp = tmp
	return p
}

// peakRSS is the peak resident set of p so far, in MiB.
func peakRSS(t *testing.T, p *proc) int {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kib, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("peak RSS of the server: %d MiB", kib>>10)
			return kib >> 10
		}
	}
	t.Fatal("no VmHWM in /proc status")
	return 0
}

// resetPeakRSS starts p's peak resident set afresh from its current one.
func resetPeakRSS(t *testing.T, p *proc) {
	t.Helper()
	if err := os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", p.cmd.Process.Pid), []byte("5"), 0); err != nil {
		t.Fatal(err)
	}
}

// within fails the test if f takes longer than limit, and reports how long it took.
func within(t *testing.T, what string, limit time.Duration, f func()) {
	t.Helper()
	start := time.Now()
	f()
	took := time.Since(start)
	t.Logf("%s: %v", what, took.Round(10*time.Millisecond))
	if took > limit {
		t.Errorf("%s took %v, want at most %v", what, took, limit)
	}
}

// honestScanGoesThrough uploads a real scan and waits for its text.
func honestScanGoesThrough(t *testing.T, p *proc) {
	t.Helper()
	_, scanPNG := scan(t, paragraphs)
	d := p.waitStatus(p.upload("honest.png", scanPNG).ID, 90*time.Second, "done", "failed")
	if d.Status != "done" {
		t.Fatalf("an honest scan after the attack: %s (%s)", d.Status, d.Error)
	}
}

func post(t *testing.T, p *proc, name string, data []byte, header http.Header) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", p.url+"/v1/documents", bytes.NewReader(data))
	req.Header.Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", name))
	for k, v := range header {
		req.Header[k] = v
	}
	resp := p.do(req)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

// A 7745x7745 JPEG of 30,000 progressive scans kept an engine decoding for minutes. Its scans
// are counted from its headers at upload.
func testCraftedJPEG(t *testing.T) {
	p := serveUnderAttack(t)
	jpg, err := ocrtest.JPEG(image.NewGray(image.Rect(0, 0, 7745, 7745)), 50)
	if err != nil {
		t.Fatal(err)
	}
	bomb := ocrtest.WithScans(jpg, 30_000)
	within(t, "upload of the JPEG", 5*time.Second, func() {
		resp, body := post(t, p, "scans.jpg", bomb, nil)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "scans") {
			t.Errorf("upload = %s %s, want 422 naming the scans", resp.Status, body)
		}
	})
	within(t, "an honest scan after it", 90*time.Second, func() { honestScanGoesThrough(t, p) })
	if rss := peakRSS(t, p); rss > 400 {
		t.Errorf("peak RSS %d MiB, want at most 400", rss)
	}
}

// A small PDF that fills its page three million times kept pdftoppm busy for ten minutes, on
// every view of the page, and after the viewer had left.
func testCraftedPDF(t *testing.T) {
	p := serveUnderAttack(t)
	d := p.upload("fills.pdf", ocrtest.FillsPDF(3_000_000))
	within(t, "OCR of the PDF", 20*time.Second+15*time.Second, func() {
		if got := p.waitStatus(d.ID, time.Minute, "done", "failed"); got.Status != "failed" {
			t.Errorf("the PDF was %s, want failed within the job timeout", got.Status)
		}
	})
	within(t, "an honest scan after it", 90*time.Second, func() { honestScanGoesThrough(t, p) })

	image := p.url + "/v1/documents/" + d.ID + "/pages/1/image"
	ctx, leave := context.WithCancel(context.Background())
	left := make(chan error, 1)
	go func() {
		req, _ := http.NewRequestWithContext(ctx, "GET", image, nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		left <- err
	}()
	for deadline := time.Now().Add(10 * time.Second); children(t, p, "pdftoppm") == 0; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no pdftoppm drew the page for its viewer")
		}
	}
	leave()
	if err := <-left; !errors.Is(err, context.Canceled) {
		t.Fatalf("the viewer who left got %v, want its own cancellation", err)
	}
	noneLeft(t, p, "pdftoppm", "pdftoppm ending after its viewer left", 8*time.Second)
	within(t, "the first full view", 20*time.Second+10*time.Second, func() {
		resp, err := http.Get(image)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("first view = %s, want 422", resp.Status)
		}
	})
	noneLeft(t, p, "pdftoppm", "pdftoppm ending after the drawing ran out of time", 8*time.Second)
	within(t, "a second view", time.Second, func() {
		resp, err := http.Get(image)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("second view = %s, want 422 from the record", resp.Status)
		}
	})
	if rss := peakRSS(t, p); rss > 400 {
		t.Errorf("peak RSS %d MiB, want at most 400", rss)
	}
}

// noneLeft waits until no process named comm works on p's files, failing the test if one
// still does after limit.
func noneLeft(t *testing.T, p *proc, comm, what string, limit time.Duration) {
	t.Helper()
	start := time.Now()
	for children(t, p, comm) > 0 {
		if time.Since(start) > limit {
			t.Errorf("%s: a %s still runs after %v", what, comm, limit)
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("%s: %v", what, time.Since(start).Round(10*time.Millisecond))
}

// children counts the processes named comm that work on p's temporary files: p's own children
// and their children, and any of them left running when their parent died.
func children(t *testing.T, p *proc, comm string) int {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		name, err := os.ReadFile("/proc/" + e.Name() + "/comm")
		if err != nil || strings.TrimSpace(string(name)) != comm {
			continue
		}
		cmdline, err := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if err == nil && bytes.Contains(cmdline, []byte(p.tmp)) {
			n++
		}
	}
	return n
}

// A 466 KB 16-bit RGBA PNG of 7745x7745 pixels took the server from 225 MB to 2.45 GB when
// three clients viewed it at once, and an engine held it for minutes.
func testCraftedPNG(t *testing.T) {
	p := serveUnderAttack(t)
	d := p.upload("deep.png", ocrtest.DeepPNG(7745, 7745))
	within(t, "OCR of the PNG", 20*time.Second+15*time.Second, func() {
		p.waitStatus(d.ID, time.Minute, "done", "failed")
	})
	if rss := peakRSS(t, p); rss > 1000 {
		t.Errorf("peak RSS %d MiB with one engine, want at most 1000", rss)
	}
	resetPeakRSS(t, p)
	var wg sync.WaitGroup
	codes := make([]int, 3)
	within(t, "three views at once", 40*time.Second, func() {
		for i := range codes {
			wg.Go(func() {
				resp, err := http.Get(p.url + "/v1/documents/" + d.ID + "/pages/1/image")
				if err != nil {
					t.Error(err)
					return
				}
				resp.Body.Close()
				codes[i] = resp.StatusCode
			})
		}
		wg.Wait()
	})
	for i, c := range codes {
		if c != http.StatusOK && c != http.StatusServiceUnavailable {
			t.Errorf("view %d = %d, want 200 or 503", i+1, c)
		}
	}
	if rss := peakRSS(t, p); rss > 300 {
		t.Errorf("peak RSS %d MiB while the page was drawn, want at most 300: pages are drawn in a child process", rss)
	}
	within(t, "an honest scan after it", 90*time.Second, func() { honestScanGoesThrough(t, p) })
}

// A web page elsewhere must not drive a docpipe without sign-in through its visitors'
// browsers, nor reach it under a name of its own (DNS rebinding).
func testCrossSite(t *testing.T) {
	p := serveUnderAttack(t)
	tests := []struct {
		name   string
		header http.Header
		want   int
	}{
		{"cross-site fetch", http.Header{"Sec-Fetch-Site": {"cross-site"}, "Origin": {"https://evil.example"}}, http.StatusForbidden},
		{"other origin", http.Header{"Origin": {"https://evil.example"}}, http.StatusForbidden},
		{"same origin", http.Header{"Sec-Fetch-Site": {"same-origin"}, "Origin": {p.url}}, http.StatusAccepted},
		{"no browser", nil, http.StatusAccepted},
	}
	for _, tt := range tests {
		_, scanPNG := scan(t, []string{"A letter sent " + tt.name + "."}) // bytes of its own: the same twice is a duplicate
		if resp, body := post(t, p, "scan.png", scanPNG, tt.header); resp.StatusCode != tt.want {
			t.Errorf("%s: %s %s, want %d", tt.name, resp.Status, body, tt.want)
		}
	}
	req, _ := http.NewRequest("GET", p.url+"/v1/documents", nil)
	req.Host = "rebound.evil.example"
	resp := p.do(req)
	resp.Body.Close()
	if resp.StatusCode != http.StatusMisdirectedRequest {
		t.Errorf("Host of another name: %s, want 421", resp.Status)
	}
}

// 200 connections sending a byte every 4 s were still open after two minutes. Every one must
// be cut off within the body timeout (30 s) and a little.
func testSlowBodies(t *testing.T) {
	p := serveUnderAttack(t)
	addr := strings.TrimPrefix(p.url, "http://")
	const conns = 50
	var wg sync.WaitGroup
	cut := make(chan time.Duration, conns)
	begin := time.Now()
	for range conns {
		wg.Go(func() {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Error(err)
				return
			}
			defer c.Close()
			fmt.Fprintf(c, "POST /v1/documents HTTP/1.1\r\nHost: %s\r\nContent-Type: image/png\r\nContent-Length: 1000000\r\n\r\n", addr)
			for time.Since(begin) < 2*time.Minute {
				if _, err := c.Write([]byte{0}); err != nil {
					break
				}
				c.SetReadDeadline(time.Now().Add(4 * time.Second))
				if _, err := c.Read(make([]byte, 512)); err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
					break
				}
			}
			cut <- time.Since(begin)
		})
	}
	wg.Wait()
	close(cut)
	var last time.Duration
	for d := range cut {
		last = max(last, d)
	}
	t.Logf("last slow connection cut after %v", last.Round(time.Second))
	if last > 50*time.Second {
		t.Errorf("a slow body held its connection %v, want it cut within 50 s", last)
	}
	honestScanGoesThrough(t, p)
}

// 16 uploads of 49 MiB at once took the server from 571 MB to 2.14 GB: each was held whole in
// memory. Uploads stream to disk, a few at a time. The api role alone takes them, so that no
// OCR of the noise adds to the memory measured.
func testParallelUploads(t *testing.T) {
	p := underAttack(t, "api", "DOCPIPE_MAX_UPLOAD_BYTES="+strconv.Itoa(50<<20))
	big := noisePNG(t, 7000, 7000)
	t.Logf("each upload is %d MiB", len(big)>>20)
	before := peakRSS(t, p)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var wg sync.WaitGroup
	var mu sync.Mutex
	codes := map[int]int{}
	within(t, "16 parallel uploads", 90*time.Second, func() {
		for i := range 16 {
			wg.Go(func() {
				req, _ := http.NewRequestWithContext(ctx, "POST", p.url+"/v1/documents", bytes.NewReader(big))
				req.Header.Set("Content-Disposition", fmt.Sprintf("attachment; filename=\"noise-%d.png\"", i))
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				mu.Lock()
				codes[resp.StatusCode]++
				mu.Unlock()
			})
		}
		wg.Wait()
	})
	t.Logf("answers: %v", codes)
	if codes[http.StatusAccepted] != 1 || codes[http.StatusAccepted]+codes[http.StatusOK]+codes[http.StatusServiceUnavailable] != 16 {
		t.Errorf("answers %v, want one 202 and 200 (the same file again) or 503 (busy) for the rest", codes)
	}
	after := peakRSS(t, p)
	t.Logf("peak RSS %d MiB before the uploads, %d MiB after", before, after)
	if grew := after - before; grew > 200 {
		t.Errorf("16 uploads of %d MiB grew the peak RSS by %d MiB, want at most 200", len(big)>>20, grew)
	}
}

// noisePNG is an uncompressible greyscale PNG of width x height: tens of megabytes on disk.
func noisePNG(t *testing.T, width, height int) []byte {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, width, height))
	r := rand.New(rand.NewPCG(1, 2))
	for i := range img.Pix {
		img.Pix[i] = byte(r.Uint32())
	}
	var buf bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.NoCompression}).Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
