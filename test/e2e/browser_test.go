package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/docpipe/docpipe/internal/auth/authtest"
	"github.com/docpipe/docpipe/internal/testenv"
)

// TestBrowser drives headless Chromium through docpipe as a user does: sign in through the
// identity provider's login form, upload two scans, watch them reach done, search, open one,
// delete it and sign out; then the list on a phone-sized screen. The api, worker and web run
// as separate processes of the real binary with DOCPIPE_AUTH=oidc; the provider is authtest's,
// which speaks the OpenID Connect protocol over HTTP (discovery, login form, PKCE, JWKS, logout).
//
// Screenshots go to $DOCPIPE_SCREENSHOTS (docs/img to refresh the README's) or a temp dir.
func TestBrowser(t *testing.T) {
	chrome := testenv.Tool(t, "chromium", "install Debian's chromium (scripts/deps.sh --test)")
	shots := os.Getenv("DOCPIPE_SCREENSHOTS")
	if shots == "" {
		shots = t.TempDir()
	}

	provider := authtest.NewProvider(t)
	provider.AddUser("alice", "correct horse", "sub-alice", "alice@example.com")
	data := t.TempDir()
	oidc := []string{"DOCPIPE_AUTH=oidc", "DOCPIPE_OIDC_ISSUER=" + provider.URL, "DOCPIPE_OIDC_CLIENT_ID=docpipe-web"}
	shared := append([]string{"DOCPIPE_DATA_DIR=" + data}, oidc...)
	api := start(t, "api", shared...)
	start(t, "worker", "DOCPIPE_DATA_DIR="+data, "DOCPIPE_OCR_ENGINES=1")
	web := start(t, "web", append(oidc, "DOCPIPE_API_URL="+api.url)...)
	provider.AddClient("docpipe-web", "", web.url+"/auth/callback")

	dir := t.TempDir()
	_, invoice := scan(t, paragraphs)
	_, letter := scan(t, []string{"Dear neighbour, the garden party moves to Saturday.", "Bring lemonade and folding chairs."})
	long := filepath.Join(dir, "minutes-of-the-extraordinary-general-meeting-of-the-allotment-society-"+strings.Repeat("x", 80)+".png")
	files := []string{filepath.Join(dir, "invoice 2041.png"), long}
	for i, b := range [][]byte{invoice, letter} {
		if err := os.WriteFile(files[i], b, 0o600); err != nil {
			t.Fatal(err)
		}
	}

	ctx := browser(t, chrome)
	step := func(name string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		sctx, cancel := context.WithTimeout(ctx, 90*time.Second)
		defer cancel()
		if err := chromedp.Do(sctx, actions...); err != nil {
			shot(t, ctx, filepath.Join(t.TempDir(), "failed.png"))
			loc, _ := chromedp.Run(ctx, chromedp.Location())
			html, _ := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("body")))
			t.Fatalf("%s: %v\nat %s:\n%s", name, err, loc, html)
		}
	}
	// until waits for a condition on the page, across the reloads the page's script does.
	until := func(js string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tgt *chromedp.Target) error {
			for {
				ok, err := chromedp.Evaluate[bool](js)(ctx, tgt)
				if err == nil && ok {
					return nil
				}
				select {
				case <-ctx.Done():
					return fmt.Errorf("waiting for %s: %w (last error: %v)", js, ctx.Err(), err)
				case <-time.After(250 * time.Millisecond):
				}
			}
		})
	}

	step("open the sign-in page", chromedp.Navigate(web.url+"/"), chromedp.WaitVisible(chromedp.ID("signin")))
	step("sign in at the provider",
		chromedp.Click(chromedp.ID("signin")),
		chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), "alice"),
		chromedp.SendKeys(chromedp.ID("password"), "correct horse"),
		chromedp.Click(chromedp.ID("login")),
		chromedp.WaitVisible(chromedp.ID("empty")),
	)
	if got := text(t, ctx, ".user"); got != "alice@example.com" {
		t.Errorf("signed in as %q, want alice@example.com", got)
	}

	step("create a rule that tags what mentions the harbour",
		chromedp.Navigate(web.url+"/rules"),
		chromedp.WaitVisible(chromedp.ID("rule-pattern")),
		chromedp.SendKeys(chromedp.ID("rule-name"), "Port"),
		chromedp.SendKeys(chromedp.ID("rule-pattern"), "harbour"),
		chromedp.SendKeys(chromedp.ID("rule-tags"), "port"),
		chromedp.Submit(chromedp.ID("rule-tags")),
		chromedp.WaitVisible(chromedp.CSS("tr[data-rule]")),
		chromedp.Navigate(web.url+"/"),
		chromedp.WaitVisible(chromedp.ID("empty")),
	)
	step("upload two files with the picker",
		chromedp.SetUploadFiles(chromedp.ID("files"), files),
		until(`document.querySelectorAll("tr[data-id]").length === 2`),
		until(`[...document.querySelectorAll("tr[data-id] [data-status]")].every(e => e.textContent === "done")`),
	)
	step("the rule tagged the scan that mentions the harbour, and only it; each row shows its first page",
		chromedp.Reload(),
		until(`[...document.querySelectorAll("tr[data-id] img.thumb")].every(i => i.complete && i.naturalWidth > 100 && !i.currentSrc.endsWith(".svg"))`),
		until(`(() => {
			const rows = [...document.querySelectorAll("tr[data-id]")];
			const tags = r => [...r.querySelectorAll(".tag")].map(t => t.textContent);
			const inv = rows.find(r => r.textContent.includes("invoice 2041"));
			return rows.length === 2 && inv && tags(inv).join() === "port" && rows.filter(r => r !== inv).every(r => tags(r).length === 0);
		})()`),
	)
	shot(t, ctx, filepath.Join(shots, "documents.png"))

	step("search", chromedp.Navigate(web.url+"/search?q="+`harbour+crane`), chromedp.WaitVisible(chromedp.CSS(".hits mark")))
	if got := text(t, ctx, ".hits"); !strings.Contains(got, "invoice 2041") || strings.Contains(got, "allotment") {
		t.Errorf("search results = %q, want the invoice only", got)
	}
	if got := strings.ToLower(text(t, ctx, ".hits mark")); got != "harbour" && got != "crane" {
		t.Errorf("highlighted %q, want a query word", got)
	}
	shot(t, ctx, filepath.Join(shots, "search.png"))

	step("open the document", chromedp.Click(chromedp.CSS(".hits a.name")), chromedp.WaitVisible(chromedp.CSS(".page pre")))
	if got := strings.ToLower(text(t, ctx, ".page pre")); !strings.Contains(got, "thirty days") {
		t.Errorf("page text = %q, want the scan's words", got)
	}
	step("the page picture loads", until(`document.querySelector(".page .preview img").naturalWidth > 300`))
	step("the hit opened its page, with the search's words marked over the picture",
		until(`location.hash === "#page-1" && document.querySelectorAll(".page svg.marks rect").length >= 2`),
		until(`(() => {
			const img = document.querySelector(".page .preview img").getBoundingClientRect();
			const svg = document.querySelector(".page svg.marks").getBoundingClientRect();
			const inside = r => r.width > 2 && r.height > 2 && r.left >= img.left && r.right <= img.right && r.top >= img.top && r.bottom <= img.bottom;
			return Math.abs(img.width - svg.width) <= 3 && Math.abs(img.height - svg.height) <= 3 &&
				[...document.querySelectorAll(".page svg.marks rect")].every(r => inside(r.getBoundingClientRect()));
		})()`),
	)
	shot(t, ctx, filepath.Join(shots, "document.png"))

	step("delete it after confirming",
		chromedp.Click(chromedp.CSS("a.danger")),
		chromedp.WaitVisible(chromedp.ID("confirm-delete")),
		chromedp.Click(chromedp.ID("confirm-delete")),
		until(`location.pathname === "/" && document.querySelectorAll("tr[data-id]").length === 1`),
	)
	if got := text(t, ctx, "table.docs"); strings.Contains(got, "invoice 2041") {
		t.Errorf("the deleted document is still listed: %q", got)
	}

	step("phone-sized screen",
		chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile),
		chromedp.Reload(),
		chromedp.WaitVisible(chromedp.CSS("table.docs")),
		until(`document.documentElement.scrollWidth <= window.innerWidth`),
	)
	shot(t, ctx, filepath.Join(shots, "phone.png"))
	step("keyboard: the skip link and the picker are focusable",
		until(`(() => { const l = document.querySelector(".skip"); l.focus(); return document.activeElement === l; })()`),
		until(`(() => { const f = document.getElementById("files"); f.focus(); return document.activeElement === f; })()`),
	)

	step("sign out", chromedp.Click(chromedp.CSS("button.link")), chromedp.WaitVisible(chromedp.ID("signin")))
	if provider.Logouts() != 1 {
		t.Errorf("provider saw %d logouts, want 1", provider.Logouts())
	}
	step("signed out for real", chromedp.Navigate(web.url+"/search"), chromedp.WaitVisible(chromedp.ID("username")))
}

// browser starts headless Chromium with a fresh profile, closed when the test ends.
func browser(t *testing.T, path string) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.WindowSize(1280, 900),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

func text(t *testing.T, ctx context.Context, css string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(css)))
	if err != nil {
		t.Fatalf("text of %s: %v", css, err)
	}
	return strings.TrimSpace(s)
}

func shot(t *testing.T, ctx context.Context, path string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	b, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err == nil {
		err = os.WriteFile(path, b, 0o644)
	}
	if err != nil {
		t.Errorf("screenshot %s: %v", path, err)
	}
}

// TestServeHasTheWebUI checks that `docpipe serve` puts the pages and the API on one port, the
// pages reaching the API in process.
func TestServeHasTheWebUI(t *testing.T) {
	p := start(t, "serve", "DOCPIPE_DATA_DIR="+t.TempDir(), "DOCPIPE_OCR_ENGINES=1")
	page := func() (string, http.Header) {
		resp, err := http.Get(p.url + "/")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("GET / = %s %s", resp.Status, resp.Header.Get("Content-Type"))
		}
		return string(b), resp.Header
	}
	body, h := page()
	if !strings.Contains(body, "No documents yet") {
		t.Errorf("a new install's home page lacks the empty state:\n%s", body)
	}
	if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("CSP = %q", csp)
	}
	_, png := scan(t, paragraphs)
	d := p.upload("through the api.png", png)
	if body, _ := page(); !strings.Contains(body, "through the api.png") || !strings.Contains(body, d.ID) {
		t.Errorf("the page does not list the document uploaded through the API:\n%s", body)
	}
	var health map[string]string
	if code := p.getJSON("/healthz", &health); code != http.StatusOK || health["status"] != "ok" {
		t.Errorf("/healthz = %d %v", code, health)
	}
}
