package e2e

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"syscall"
	"testing"
	"time"

	coltrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"
)

// otlpReceiver accepts OTLP/HTTP protobuf trace exports, as a collector does on :4318.
type otlpReceiver struct {
	mu       sync.Mutex
	spans    []*tracepb.Span
	services []string
}

func (o *otlpReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v1/traces" || r.Header.Get("Content-Type") != "application/x-protobuf" {
		http.Error(w, "want POST /v1/traces application/x-protobuf", http.StatusBadRequest)
		return
	}
	body, err := io.ReadAll(r.Body)
	var req coltrace.ExportTraceServiceRequest
	if err == nil {
		err = proto.Unmarshal(body, &req)
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	o.mu.Lock()
	for _, rs := range req.ResourceSpans {
		for _, a := range rs.GetResource().GetAttributes() {
			if a.Key == "service.name" {
				o.services = append(o.services, a.GetValue().GetStringValue())
			}
		}
		for _, ss := range rs.ScopeSpans {
			o.spans = append(o.spans, ss.Spans...)
		}
	}
	o.mu.Unlock()
	out, _ := proto.Marshal(&coltrace.ExportTraceServiceResponse{})
	w.Header().Set("Content-Type", "application/x-protobuf")
	_, _ = w.Write(out)
}

func (o *otlpReceiver) find(name string) *tracepb.Span {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, s := range o.spans {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// attr returns the string value of a span attribute.
func attr(s *tracepb.Span, key string) string {
	for _, a := range s.Attributes {
		if a.Key == key {
			return a.Value.GetStringValue()
		}
	}
	return ""
}

// TestTracingOTLP runs serve with the OTLP exporter on: the upload's server span continues the
// caller's W3C trace, is named after its route, and its trace id is in the request's log line;
// the OCR job and its recognize step are spans too.
func TestTracingOTLP(t *testing.T) {
	rcv := &otlpReceiver{}
	collector := httptest.NewServer(rcv)
	defer collector.Close()

	p := start(t, "serve", "DOCPIPE_DATA_DIR="+t.TempDir(), "DOCPIPE_TRACE_EXPORTER=otlp",
		"OTEL_EXPORTER_OTLP_ENDPOINT="+collector.URL, "OTEL_BSP_SCHEDULE_DELAY=100")
	_, png := scan(t, paragraphs)

	const traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
	req, _ := http.NewRequest("POST", p.url+"/v1/documents", bytes.NewReader(png))
	req.Header.Set("Content-Disposition", `attachment; filename="traced.png"`)
	req.Header.Set("Traceparent", "00-"+traceID+"-00f067aa0ba902b7-01")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var body struct{ Documents []document }
	err = json.NewDecoder(resp.Body).Decode(&body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusAccepted {
		t.Fatalf("upload: %s %v", resp.Status, err)
	}
	id := body.Documents[0].ID
	p.waitStatus(id, time.Minute, "done")
	signal(t, p, syscall.SIGTERM)
	if err := p.wait(30 * time.Second); err != nil {
		t.Fatalf("exit after SIGTERM: %v", err)
	}

	upload := rcv.find("POST /v1/documents")
	if upload == nil {
		t.Fatalf("no span POST /v1/documents among %d exported", len(rcv.spans))
	}
	if got := hex.EncodeToString(upload.TraceId); got != traceID {
		t.Errorf("upload span trace id = %s, want the caller's %s", got, traceID)
	}
	if got := hex.EncodeToString(upload.ParentSpanId); got != "00f067aa0ba902b7" {
		t.Errorf("upload span parent = %s, want the caller's span", got)
	}
	if upload.Kind != tracepb.Span_SPAN_KIND_SERVER || attr(upload, "http.route") != "/v1/documents" {
		t.Errorf("upload span kind %v route %q, want server /v1/documents", upload.Kind, attr(upload, "http.route"))
	}
	job, ocr := rcv.find("ocr job"), rcv.find("ocr recognize")
	if job == nil || ocr == nil {
		t.Fatalf("ocr spans missing: job %v recognize %v", job != nil, ocr != nil)
	}
	if attr(job, "docpipe.document.id") != id || attr(job, "docpipe.job.outcome") != "done" {
		t.Errorf("job span attributes %v, want document %s done", job.Attributes, id)
	}
	if !bytes.Equal(ocr.ParentSpanId, job.SpanId) {
		t.Error("recognize span is not a child of the job span")
	}
	rcv.mu.Lock()
	services := rcv.services
	rcv.mu.Unlock()
	if len(services) == 0 || services[0] != "docpipe-serve" {
		t.Errorf("service.name = %v, want docpipe-serve", services)
	}

	var logged bool
	sc := bufio.NewScanner(bytes.NewReader(p.logs.Bytes()))
	for sc.Scan() {
		var rec struct {
			Msg, Route, Method string
			TraceID            string `json:"trace_id"`
		}
		if json.Unmarshal(sc.Bytes(), &rec) == nil && rec.Msg == "request" && rec.Method == "POST" && rec.Route == "/v1/documents" {
			logged = true
			if rec.TraceID != traceID {
				t.Errorf("upload log line trace_id = %q, want %s", rec.TraceID, traceID)
			}
		}
	}
	if !logged {
		t.Errorf("no log line for the upload:\n%s", p.logs)
	}
}
