package e2e

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/docpipe/docpipe/internal/testenv"
)

// The Prometheus settings of the live test; Grafana's $__interval is never below the scrape interval.
const (
	scrapeInterval = time.Second
	maxDataPoints  = 1000
)

var observability = filepath.Join("..", "..", "deploy", "observability")

func needTool(t *testing.T, name string) string {
	return testenv.Tool(t, name, "install the prometheus package (scripts/deps.sh --test)")
}

// TestObservabilityLive runs docpipe serve and a real Prometheus scraping it with the project's
// rules, drives uploads, OCR, a failure, searches and client errors, then runs every dashboard
// panel query and every rule expression and requires each to return data.
func TestObservabilityLive(t *testing.T) {
	promBin := needTool(t, "prometheus")
	promtool := needTool(t, "promtool")

	p := start(t, "serve", "DOCPIPE_DATA_DIR="+t.TempDir(), "DOCPIPE_OCR_ENGINES=1",
		"DOCPIPE_MAX_ATTEMPTS=2", "DOCPIPE_RETRY_BACKOFF=100ms")
	prom := startPrometheus(t, promBin, strings.TrimPrefix(p.url, "http://"))
	begin := time.Now()
	// Counters must be scraped at 0 before traffic, or rate() misses the first increments.
	prom.waitFor(t, `docpipe_jobs_total{job="docpipe-serve"}`, 30*time.Second)

	ids := driveUploads(t, p)
	driveReads(t, p, ids[0])
	// A series born between two scrapes keeps a rate of 0 until it changes, and the SLO ratios
	// over it stay 0/0. Reading again after Prometheus has seen every route makes them move.
	prom.waitFor(t, `http_server_request_duration_seconds_count{http_route="/v1/search"}`, 30*time.Second)
	driveReads(t, p, ids[0])

	t.Run("promtool check metrics", func(t *testing.T) {
		cmd := exec.Command(promtool, "check", "metrics")
		cmd.Stdin = strings.NewReader(p.getText("/metrics"))
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("promtool check metrics: %v\n%s", err, out)
		}
	})

	// Wait until Prometheus has scraped the failure and evaluated the rules over it, then
	// one more rate window so the last activity is inside every panel's window.
	prom.waitFor(t, `docpipe_jobs_total{outcome="failed"}`, 30*time.Second)
	prom.waitFor(t, `job:docpipe_ocr_failures:ratio_rate15m > 0`, 30*time.Second)
	// The API's series are born with the traffic: rate() has data for them only after two
	// scrapes, and the SLO rules only after an evaluation on top of that.
	// The bound is generous: under the full test run's load a scrape or an evaluation can lag.
	prom.waitFor(t, `job:docpipe_api_errors:ratio_rate5m`, 90*time.Second)
	prom.waitFor(t, `job:docpipe_api_slow:ratio_rate5m`, 90*time.Second)
	time.Sleep(4 * scrapeInterval)
	end := time.Now()

	t.Run("dashboards", func(t *testing.T) {
		files, _ := filepath.Glob(filepath.Join(observability, "grafana", "dashboards", "*.json"))
		if len(files) == 0 {
			t.Fatal("no dashboards")
		}
		g := newGrafanaVars(begin, end)
		for _, f := range files {
			panels, variables := readDashboard(t, f)
			for _, v := range variables {
				expr, err := labelValuesQuery(g.expand(v))
				if err != nil {
					t.Errorf("%s: variable: %v", filepath.Base(f), err)
					continue
				}
				if n := prom.rangeSeries(t, expr, begin, end, g.interval); n == 0 {
					t.Errorf("%s: variable query %s returned no data", filepath.Base(f), v)
				}
			}
			for _, pq := range panels {
				name := fmt.Sprintf("%s/%s/%s", strings.TrimSuffix(filepath.Base(f), ".json"), pq.panel, pq.refID)
				t.Run(name, func(t *testing.T) {
					expr := g.expand(pq.expr)
					if n := prom.rangeSeries(t, expr, begin, end, g.interval); n == 0 {
						t.Errorf("no data for %s", expr)
					}
				})
			}
		}
	})

	t.Run("rules", func(t *testing.T) {
		groups := prom.rules(t)
		files, _ := filepath.Glob(filepath.Join(observability, "prometheus", "rules", "*.yml"))
		loaded := map[string]bool{}
		for _, g := range groups {
			loaded[filepath.Base(g.File)] = true
		}
		for _, f := range files {
			if !loaded[filepath.Base(f)] {
				t.Errorf("Prometheus did not load %s", f)
			}
		}
		for _, g := range groups {
			for _, r := range g.Rules {
				t.Run(g.Name+"/"+r.Name, func(t *testing.T) {
					if r.Health != "ok" {
						t.Errorf("health %q: %s", r.Health, r.LastError)
					}
					expr := r.Query
					if r.Type == "alerting" {
						expr = comparisonsToBool(expr)
					}
					if n := prom.instantSeries(t, expr, end); n == 0 {
						t.Errorf("no data for %s", expr)
					}
					if r.Type == "recording" {
						if n := prom.instantSeries(t, r.Name, end); n == 0 {
							t.Errorf("recorded series %s is empty", r.Name)
						}
					}
				})
			}
		}
		// One failure in three finished jobs is over the 10% threshold: the alert is pending.
		if got := alertState(groups, "DocpipeOCRFailureRatioHigh"); got != "pending" && got != "firing" {
			t.Errorf("DocpipeOCRFailureRatioHigh is %q, want pending or firing", got)
		}
	})
}

// driveUploads uploads two scans that OCR to done and one that fails OCR, waits for all three
// and returns the ids of the two done.
func driveUploads(t *testing.T, p *proc) []string {
	t.Helper()
	_, png := scan(t, paragraphs)
	_, png2 := scan(t, []string{"Minutes of the harbour board meeting on crane safety."})
	var ids []string
	for i, data := range [][]byte{png, png2} {
		ids = append(ids, p.upload(fmt.Sprintf("scan %d.png", i), data).ID)
	}
	broken := p.upload("broken.png", scrambleIDAT(png))
	for _, id := range ids {
		if d := p.waitStatus(id, time.Minute, "done", "failed"); d.Status != "done" {
			t.Fatalf("document %s is %+v, want done", id, d)
		}
	}
	if d := p.waitStatus(broken.ID, time.Minute, "done", "failed"); d.Status != "failed" {
		t.Fatalf("broken upload is %+v, want failed", d)
	}
	return ids
}

// driveReads makes the other requests the dashboards show: searches, reads of document id, a 404
// on a route, an unmatched path and a 415.
func driveReads(t *testing.T, p *proc, id string) {
	t.Helper()
	for range 3 {
		p.getJSON("/v1/search?q="+url.QueryEscape("harbour crane"), nil)
		p.getJSON("/v1/documents", nil)
		p.getText("/v1/documents/" + id + "/text")
	}
	for _, c := range []struct {
		method, path string
		body         []byte
		want         int
	}{
		{"GET", "/v1/documents/does-not-exist", nil, 404},
		{"GET", "/no/such/route", nil, 404},
		{"POST", "/v1/documents", []byte("plain text is not a scan"), 415},
	} {
		req, _ := http.NewRequest(c.method, p.url+c.path, bytes.NewReader(c.body))
		if c.body != nil {
			req.Header.Set("Content-Disposition", `attachment; filename="notes.txt"`)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.want {
			t.Errorf("%s %s = %d, want %d", c.method, c.path, resp.StatusCode, c.want)
		}
	}
}

// scrambleIDAT returns a copy of a PNG whose chunk structure is intact but whose compressed
// image data is garbage: it passes the upload's checks, which read only the chunks, and fails OCR.
func scrambleIDAT(png []byte) []byte {
	b := bytes.Clone(png)
	for off := 8; off+12 <= len(b); {
		n := int(binary.BigEndian.Uint32(b[off:]))
		if string(b[off+4:off+8]) == "IDAT" {
			for i := off + 8; i < off+8+n; i++ {
				b[i] ^= 0x5a
			}
		}
		off += 12 + n
	}
	return b
}

// prometheus is a running Prometheus server.
type prometheus struct {
	url string
}

// startPrometheus runs Prometheus in the foreground on 127.0.0.1 with a temporary TSDB,
// scraping target as job docpipe-serve every second and evaluating the project's rules every
// second. It is stopped by its PID when the test ends.
func startPrometheus(t *testing.T, bin, target string) *prometheus {
	t.Helper()
	rules, err := filepath.Abs(filepath.Join(observability, "prometheus", "rules", "*.yml"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	config := fmt.Sprintf(`global:
  scrape_interval: %[1]s
  evaluation_interval: %[1]s
rule_files:
  - %[2]q
scrape_configs:
  - job_name: docpipe-serve
    static_configs:
      - targets: [%[3]q]
`, scrapeInterval, rules, target)
	configFile := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(configFile, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	cmd := exec.Command(bin, "--config.file="+configFile, "--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+addr, "--log.level=warn")
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = syscall.Kill(cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = syscall.Kill(cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
		if t.Failed() {
			t.Logf("prometheus logs:\n%s", logs.String())
		}
	})
	prom := &prometheus{url: "http://" + addr}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(prom.url + "/-/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return prom
			}
		}
		select {
		case err := <-done:
			done <- err
			t.Fatalf("prometheus exited at start: %v\n%s", err, logs.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("prometheus did not become ready:\n%s", logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// series is one series of a query result: an instant vector's value or a matrix's values.
type series struct {
	Metric map[string]string `json:"metric"`
	Value  []any             `json:"value"`
	Values [][]any           `json:"values"`
}

func (p *prometheus) api(t *testing.T, path string, form url.Values, v any) {
	t.Helper()
	var resp *http.Response
	var err error
	if form == nil {
		resp, err = http.Get(p.url + path)
	} else {
		resp, err = http.PostForm(p.url+path, form)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Status string          `json:"status"`
		Error  string          `json:"error"`
		Data   json.RawMessage `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if body.Status != "success" {
		t.Fatalf("%s %v: %s", path, form, body.Error)
	}
	if err := json.Unmarshal(body.Data, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// instantSeries runs expr at time at and counts the series with a number that is not NaN.
func (p *prometheus) instantSeries(t *testing.T, expr string, at time.Time) int {
	t.Helper()
	var data struct{ Result []series }
	p.api(t, "/api/v1/query", url.Values{"query": {expr}, "time": {unix(at)}}, &data)
	n := 0
	for _, s := range data.Result {
		if len(s.Value) == 2 && isNumber(s.Value[1]) {
			n++
		}
	}
	return n
}

// rangeSeries runs expr from start to end as Grafana runs a panel's query and counts the series
// with at least one number that is not NaN.
func (p *prometheus) rangeSeries(t *testing.T, expr string, start, end time.Time, step time.Duration) int {
	t.Helper()
	var data struct{ Result []series }
	p.api(t, "/api/v1/query_range", url.Values{"query": {expr}, "start": {unix(start)}, "end": {unix(end)},
		"step": {strconv.FormatFloat(step.Seconds(), 'f', -1, 64)}}, &data)
	n := 0
	for _, s := range data.Result {
		for _, v := range s.Values {
			if len(v) == 2 && isNumber(v[1]) {
				n++
				break
			}
		}
	}
	return n
}

// waitFor polls expr until it returns data.
func (p *prometheus) waitFor(t *testing.T, expr string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for p.instantSeries(t, expr, time.Now()) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%s returned no data within %v", expr, timeout)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

type ruleGroup struct {
	Name  string
	File  string
	Rules []struct {
		Name      string
		Query     string
		Type      string
		Health    string
		LastError string
		State     string
	}
}

func (p *prometheus) rules(t *testing.T) []ruleGroup {
	t.Helper()
	var data struct{ Groups []ruleGroup }
	p.api(t, "/api/v1/rules", nil, &data)
	if len(data.Groups) == 0 {
		t.Fatal("Prometheus loaded no rules")
	}
	return data.Groups
}

func alertState(groups []ruleGroup, name string) string {
	for _, g := range groups {
		for _, r := range g.Rules {
			if r.Type == "alerting" && r.Name == name {
				return r.State
			}
		}
	}
	return "missing"
}

func unix(t time.Time) string {
	return strconv.FormatFloat(float64(t.UnixMilli())/1000, 'f', 3, 64)
}

func isNumber(v any) bool {
	s, ok := v.(string)
	if !ok {
		return false
	}
	f, err := strconv.ParseFloat(s, 64)
	return err == nil && !math.IsNaN(f)
}

var comparison = regexp.MustCompile(`\s(==|!=|>=|<=|>|<)\s`)

// comparisonsToBool turns an alert's filtering comparisons (x > 0.1) into bool comparisons
// (x > bool 0.1), so the expression returns its series whether or not the alert would fire:
// the test then proves the data behind the alert exists.
func comparisonsToBool(expr string) string {
	return comparison.ReplaceAllString(expr, " $1 bool ")
}

// panelQuery is one target of a dashboard panel.
type panelQuery struct {
	panel, refID, expr string
}

// readDashboard returns every panel target and every query variable's query in a dashboard.
func readDashboard(t *testing.T, path string) ([]panelQuery, []string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	type panel struct {
		Title   string
		Type    string
		Panels  json.RawMessage
		Targets []struct {
			RefID string `json:"refId"`
			Expr  string `json:"expr"`
		}
	}
	var d struct {
		Panels     []panel
		Templating struct {
			List []struct {
				Type  string
				Query any
			}
		}
	}
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var qs []panelQuery
	var walk func([]panel)
	walk = func(ps []panel) {
		for _, p := range ps {
			if p.Type == "row" {
				var nested []panel
				if len(p.Panels) > 0 {
					_ = json.Unmarshal(p.Panels, &nested)
				}
				walk(nested)
				continue
			}
			if len(p.Targets) == 0 {
				t.Errorf("%s: panel %q has no query", path, p.Title)
			}
			for _, tg := range p.Targets {
				if tg.Expr == "" {
					t.Errorf("%s: panel %q target %s has no expr", path, p.Title, tg.RefID)
					continue
				}
				qs = append(qs, panelQuery{p.Title, tg.RefID, tg.Expr})
			}
		}
	}
	walk(d.Panels)
	var vars []string
	for _, v := range d.Templating.List {
		if s, ok := v.Query.(string); ok && v.Type == "query" {
			vars = append(vars, s)
		}
	}
	return qs, vars
}

// grafanaVars substitutes Grafana's templating the way Grafana does for a dashboard showing
// begin to end: $__interval is the range over the panel's data points, never below the scrape
// interval; $__rate_interval is max($__interval + scrape interval, 4 × scrape interval);
// variables set to All take their allValue, ".*".
type grafanaVars struct {
	interval time.Duration
	replacer *strings.Replacer
}

func newGrafanaVars(begin, end time.Time) grafanaVars {
	rng := end.Sub(begin).Round(time.Second)
	interval := max(scrapeInterval, (rng / maxDataPoints).Round(time.Millisecond))
	rate := max(interval+scrapeInterval, 4*scrapeInterval)
	return grafanaVars{
		interval: interval,
		replacer: strings.NewReplacer(
			"$__rate_interval", promDuration(rate),
			"$__interval", promDuration(interval),
			"$__range", promDuration(rng),
			"$job", ".*",
			"$instance", ".*",
		),
	}
}

func (g grafanaVars) expand(expr string) string { return g.replacer.Replace(expr) }

func promDuration(d time.Duration) string {
	return strconv.FormatInt(d.Milliseconds(), 10) + "ms"
}

var labelValues = regexp.MustCompile(`^label_values\((.*),\s*(\w+)\)$`)

// labelValuesQuery turns Grafana's label_values(selector, label) into the PromQL that lists
// the same values.
func labelValuesQuery(q string) (string, error) {
	m := labelValues.FindStringSubmatch(strings.TrimSpace(q))
	if m == nil {
		return "", fmt.Errorf("unsupported variable query %q", q)
	}
	return fmt.Sprintf("group by (%s) (%s)", m[2], m[1]), nil
}

func TestComparisonsToBool(t *testing.T) {
	for in, want := range map[string]string{
		`x > 0.1`:                             `x > bool 0.1`,
		`up{job=~"a.*",x!="y"} == 0`:          `up{job=~"a.*",x!="y"} == bool 0`,
		"a > (14.4 * 0.005)\nand\nb >= 1":     "a > bool (14.4 * 0.005)\nand\nb >= bool 1",
		`sum by (job) (rate(x[5m])) / sum(y)`: `sum by (job) (rate(x[5m])) / sum(y)`,
	} {
		if got := comparisonsToBool(in); got != want {
			t.Errorf("comparisonsToBool(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestGrafanaVars(t *testing.T) {
	begin := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	g := newGrafanaVars(begin, begin.Add(time.Hour))
	got := g.expand(`rate(x{job=~"$job",instance=~"$instance"}[$__rate_interval]) + increase(x[$__range]) + y[$__interval]`)
	want := `rate(x{job=~".*",instance=~".*"}[4600ms]) + increase(x[3600000ms]) + y[3600ms]`
	if got != want {
		t.Errorf("expand = %s, want %s", got, want)
	}
	q, err := labelValuesQuery(`label_values(docpipe_build_info{job=~".*"}, instance)`)
	if want := `group by (instance) (docpipe_build_info{job=~".*"})`; err != nil || q != want {
		t.Errorf("labelValuesQuery = %q, %v; want %q", q, err, want)
	}
}
