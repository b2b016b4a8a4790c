package e2e

import (
	"context"
	"image"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/docpipe/docpipe/internal/ocr/ocrtest"
	"github.com/docpipe/docpipe/internal/store/postgres/pgtest"
)

var paragraphs = []string{
	"Quarterly invoice 2041 for the harbour crane maintenance contract.",
	"Payment is due within thirty days of receipt.",
}

func scan(t testing.TB, paras []string) (*image.Gray, []byte) {
	t.Helper()
	fonts, err := ocrtest.LoadFonts(12)
	if err != nil {
		t.Fatal(err)
	}
	img, _, err := ocrtest.TextPage(fonts[0], paras)
	if err != nil {
		t.Fatal(err)
	}
	png, err := ocrtest.PNG(img)
	if err != nil {
		t.Fatal(err)
	}
	return img, png
}

// A newcomer's path: start serve, upload a scan, watch it finish, read and search its text,
// download the original and the searchable PDF, delete it.
func TestServeUploadSearchDelete(t *testing.T) {
	p := start(t, "serve", "DOCPIPE_DATA_DIR="+t.TempDir())
	_, png := scan(t, paragraphs)
	d := p.upload("invoice 2041.png", png)
	if d.Status != "queued" {
		t.Errorf("new document is %q, want queued", d.Status)
	}
	d = p.waitStatus(d.ID, time.Minute, "done", "failed")
	if d.Status != "done" || d.Pages != 1 {
		t.Fatalf("document = %+v, want done with 1 page", d)
	}
	if text := p.getText("/v1/documents/" + d.ID + "/text"); !hasWords(text, "harbour", "crane", "thirty") {
		t.Errorf("text = %q, want the words of the scan", text)
	}
	if got := p.getText("/v1/documents/" + d.ID + "/content"); got != string(png) {
		t.Errorf("downloaded original differs from the upload (%d vs %d bytes)", len(got), len(png))
	}
	pdf := filepath.Join(t.TempDir(), "searchable.pdf")
	if err := os.WriteFile(pdf, []byte(p.getText("/v1/documents/"+d.ID+"/pdf")), 0o644); err != nil {
		t.Fatal(err)
	}
	if text, err := exec.Command("pdftotext", pdf, "-").Output(); err != nil || !hasWords(string(text), "harbour", "crane", "thirty") {
		t.Errorf("pdftotext of the searchable PDF = %q, %v; want the words of the scan", text, err)
	}
	var res struct {
		Total int
		Hits  []struct{ Document document }
	}
	p.getJSON("/v1/search?q="+url.QueryEscape(`"harbour crane" mainten*`), &res)
	if res.Total != 1 || res.Hits[0].Document.ID != d.ID {
		t.Errorf("search = %+v, want the document", res)
	}

	if code := p.delete("/v1/documents/" + d.ID); code != 204 {
		t.Fatalf("delete answered %d, want 204", code)
	}
	if code := p.getJSON("/v1/documents/"+d.ID, nil); code != 404 {
		t.Errorf("deleted document answers %d, want 404", code)
	}
	metrics := p.getText("/metrics")
	for _, want := range []string{
		`http_server_request_duration_seconds_count{http_request_method="POST",http_response_status_code="202",http_route="/v1/documents"}`,
		`docpipe_jobs_total{outcome="done",reason=""} 1`,
		`docpipe_ocr_engines{state="idle"}`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

// A German invoice uploaded in German: its text has its umlauts, a PDF reader finds its words in
// the searchable PDF, and the words endpoint's boxes cover the ink of the page.
func TestServeGermanInvoice(t *testing.T) {
	p := start(t, "serve", "DOCPIPE_DATA_DIR="+t.TempDir())
	img, png := scan(t, []string{
		"Rechnung Nr. 2024-117 über die Lieferung von Glühbirnen für das Büro in München.",
		"Zahlbar innerhalb von vierzehn Tagen ohne Abzug. Vielen Dank für Ihren Auftrag.",
	})
	d := p.uploadTo("/v1/documents?lang=deu", "rechnung.png", png)
	if d.Lang != "deu" {
		t.Errorf("uploaded document's lang = %q, want deu", d.Lang)
	}
	if d = p.waitStatus(d.ID, time.Minute, "done", "failed"); d.Status != "done" {
		t.Fatalf("document = %+v, want done", d)
	}
	want := []string{"Rechnung", "über", "Glühbirnen", "Büro", "München", "vierzehn"}
	if text := p.getText("/v1/documents/" + d.ID + "/text"); !hasWords(text, want...) {
		t.Errorf("text = %q, want %q", text, want)
	}
	pdf := filepath.Join(t.TempDir(), "rechnung.pdf")
	if err := os.WriteFile(pdf, []byte(p.getText("/v1/documents/"+d.ID+"/pdf")), 0o644); err != nil {
		t.Fatal(err)
	}
	if text, err := exec.Command("pdftotext", "-enc", "UTF-8", pdf, "-").Output(); err != nil || !hasWords(string(text), want...) {
		t.Errorf("pdftotext of the searchable PDF = %q, %v; want %q", text, err, want)
	}

	var words struct {
		Width, Height int
		Lines         []struct {
			Words []struct {
				Text string
				Box  [4]int
			}
		}
	}
	if code := p.getJSON("/v1/documents/"+d.ID+"/pages/1/words", &words); code != 200 {
		t.Fatalf("words of page 1: %d", code)
	}
	if b := img.Bounds(); words.Width != b.Dx() || words.Height != b.Dy() {
		t.Fatalf("words are in a %d×%d picture, the scan is %v", words.Width, words.Height, b)
	}
	// Painting every word's box white must leave the page blank, and every box must hold ink.
	covered := make([]bool, len(img.Pix))
	n := 0
	for _, l := range words.Lines {
		for _, w := range l.Words {
			n++
			ink := 0
			for y := max(w.Box[1], 0); y < min(w.Box[3], words.Height); y++ {
				for x := max(w.Box[0], 0); x < min(w.Box[2], words.Width); x++ {
					i := y*img.Stride + x
					covered[i] = true
					if img.Pix[i] < 128 {
						ink++
					}
				}
			}
			if ink == 0 {
				t.Errorf("the box of %q, %v, holds no ink", w.Text, w.Box)
			}
		}
	}
	outside := 0
	for i, v := range img.Pix {
		if v < 128 && !covered[i] {
			outside++
		}
	}
	if n < 20 || outside > 20 {
		t.Errorf("%d words; %d dark pixels outside every box", n, outside)
	}
}

// SIGTERM: readiness goes false at once, the job in flight finishes, then the process exits 0.
func TestGracefulShutdown(t *testing.T) {
	data := t.TempDir()
	p := start(t, "serve", "DOCPIPE_DATA_DIR="+data, "DOCPIPE_DRAIN_DELAY=1s", "DOCPIPE_OCR_ENGINES=1")
	img, _ := scan(t, paragraphs)
	pages := []*image.Gray{img, img, img, img}
	d := p.upload("four pages.tiff", ocrtest.TIFF(pages))
	p.waitStatus(d.ID, 30*time.Second, "processing")
	signal(t, p, syscall.SIGTERM)
	time.Sleep(300 * time.Millisecond)
	if code := p.getJSON("/readyz", nil); code != 503 {
		t.Errorf("readyz while draining = %d, want 503", code)
	}
	if err := p.wait(60 * time.Second); err != nil {
		t.Fatalf("exit after SIGTERM: %v\n%s", err, p.logs)
	}
	// The job finished before exit: a fresh server shows the document done without OCR running.
	q := start(t, "api", "DOCPIPE_DATA_DIR="+data, "DOCPIPE_AUTH=none")
	if got := q.waitStatus(d.ID, 5*time.Second, "done", "failed", "queued"); got.Status != "done" || got.Attempts != 1 {
		t.Errorf("after a graceful stop the document is %+v, want done after 1 attempt", got)
	}
}

func TestCommands(t *testing.T) {
	ctx := context.Background()
	t.Run("api refuses to start without DOCPIPE_AUTH", func(t *testing.T) {
		out, err := runCmd(ctx, []string{"DOCPIPE_DATA_DIR=" + t.TempDir()}, "api")
		if err == nil || !strings.Contains(out, "DOCPIPE_AUTH") {
			t.Errorf("err %v, output %q; want a failure naming DOCPIPE_AUTH", err, out)
		}
	})
	t.Run("bad setting is named", func(t *testing.T) {
		out, err := runCmd(ctx, []string{"DOCPIPE_MAX_PAGES=lots"}, "serve")
		if err == nil || !strings.Contains(out, "DOCPIPE_MAX_PAGES") {
			t.Errorf("err %v, output %q", err, out)
		}
	})
	for _, c := range []string{"serve", "api", "web", "worker", "function", "migrate", "ocr", "healthcheck", "version"} {
		t.Run(c+" --help", func(t *testing.T) {
			out, err := runCmd(ctx, nil, c, "--help")
			if err != nil || !strings.Contains(out, "Usage: docpipe "+c) {
				t.Errorf("err %v, output %q", err, out)
			}
		})
	}
	t.Run("migrate", func(t *testing.T) {
		for name, env := range map[string][]string{
			"sqlite":   {"DOCPIPE_DATA_DIR=" + t.TempDir()},
			"postgres": {"DOCPIPE_DATABASE_URL=" + pgtest.URL(t)},
		} {
			for run := range 2 {
				out, err := runCmd(ctx, env, "migrate")
				if err != nil || !strings.Contains(out, "schema is up to date") {
					t.Errorf("%s, run %d: err %v, output %q", name, run+1, err, out)
				}
			}
		}
		dir := t.TempDir()
		if _, err := runCmd(ctx, []string{"DOCPIPE_DATA_DIR=" + dir}, "migrate"); err != nil {
			t.Fatal(err)
		}
		p := start(t, "api", "DOCPIPE_DATA_DIR="+dir, "DOCPIPE_AUTH=none")
		if code := p.getJSON("/v1/documents", nil); code != 200 {
			t.Errorf("api on a migrated database: GET /v1/documents = %d", code)
		}
		if out, err := runCmd(ctx, []string{"DOCPIPE_DATABASE_URL=postgres://nobody@127.0.0.1:1/none?connect_timeout=2"}, "migrate"); err == nil {
			t.Errorf("migrate against no server succeeded: %q", out)
		}
	})
	t.Run("version", func(t *testing.T) {
		out, err := runCmd(ctx, nil, "version")
		if err != nil || !strings.HasPrefix(out, "docpipe ") {
			t.Errorf("err %v, output %q", err, out)
		}
	})
	t.Run("ocr prints text", func(t *testing.T) {
		_, png := scan(t, paragraphs)
		f := filepath.Join(t.TempDir(), "scan.png")
		if err := os.WriteFile(f, png, 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := runCmd(ctx, nil, "ocr", f)
		if err != nil || !hasWords(out, "invoice", "2041", "harbour") {
			t.Errorf("err %v, output %q", err, out)
		}
	})
	t.Run("ocr reads files at once and keeps their order", func(t *testing.T) {
		dir, pdfs := t.TempDir(), t.TempDir()
		words := []string{"alpha", "bravo", "charlie", "delta"}
		var files []string
		for _, w := range words {
			_, png := scan(t, []string{"The word on this page is " + w + "."})
			f := filepath.Join(dir, w+".png")
			if err := os.WriteFile(f, png, 0o600); err != nil {
				t.Fatal(err)
			}
			files = append(files, f)
		}
		out, err := runCmd(ctx, []string{"DOCPIPE_OCR_ENGINES=2"}, append([]string{"ocr", "-pdf", pdfs}, files...)...)
		pages := strings.Split(out, "\f")
		if err != nil || len(pages) != len(words) {
			t.Fatalf("err %v, %d pages: %q", err, len(pages), out)
		}
		for i, w := range words {
			if !hasWords(pages[i], w) {
				t.Errorf("page %d = %q, want the text of %s.png", i+1, pages[i], w)
			}
			text, err := exec.Command("pdftotext", filepath.Join(pdfs, w+".pdf"), "-").Output()
			if err != nil || !hasWords(string(text), w) {
				t.Errorf("searchable PDF of %s.png: %q, %v", w, text, err)
			}
		}
	})
	t.Run("ocr refuses a non-image", func(t *testing.T) {
		f := filepath.Join(t.TempDir(), "x.pdf")
		_ = os.WriteFile(f, []byte("MZ this is not a pdf"), 0o600)
		out, err := runCmd(ctx, nil, "ocr", f)
		if err == nil || !strings.Contains(out, "x.pdf") {
			t.Errorf("err %v, output %q", err, out)
		}
	})
	t.Run("healthcheck", func(t *testing.T) {
		p := start(t, "serve", "DOCPIPE_DATA_DIR="+t.TempDir())
		addr := strings.TrimPrefix(p.url, "http://")
		if out, err := runCmd(ctx, []string{"DOCPIPE_ADDR=" + addr}, "healthcheck"); err != nil {
			t.Errorf("healthcheck of a running server: %v %s", err, out)
		}
		if _, err := runCmd(ctx, []string{"DOCPIPE_ADDR=" + freeAddr(t)}, "healthcheck"); err == nil {
			t.Errorf("healthcheck with no server succeeded")
		}
	})
}
