package telemetry

import (
	"context"
	"runtime"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Build describes the running binary; it is exported as docpipe_build_info.
type Build struct {
	Version  string
	Revision string
}

// Metrics are docpipe's Prometheus metrics. HTTP metrics follow the OpenTelemetry semantic
// conventions in their Prometheus form; pipeline metrics are prefixed docpipe_.
type Metrics struct {
	Registry *prometheus.Registry

	RequestDuration *prometheus.HistogramVec
	RequestSize     *prometheus.HistogramVec
	ResponseSize    *prometheus.HistogramVec
	ActiveRequests  *prometheus.GaugeVec

	Jobs         *prometheus.CounterVec
	OCRDuration  prometheus.Histogram
	OCRPages     prometheus.Histogram
	UploadBytes  prometheus.Counter
	UploadedDocs prometheus.Counter
}

var sizeBuckets = prometheus.ExponentialBuckets(256, 4, 10) // 256 B … 64 MiB

// NewMetrics registers docpipe's metrics, the Go and process collectors and build info.
func NewMetrics(b Build) *Metrics {
	httpLabels := []string{"http_request_method", "http_route", "http_response_status_code"}
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		RequestDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "http_server_request_duration_seconds",
			Help:    "Duration of HTTP server requests.",
			Buckets: []float64{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10},
		}, httpLabels),
		RequestSize: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "http_server_request_body_size_bytes",
			Help:    "Size of HTTP server request bodies.",
			Buckets: sizeBuckets,
		}, httpLabels),
		ResponseSize: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "http_server_response_body_size_bytes",
			Help:    "Size of HTTP server response bodies.",
			Buckets: sizeBuckets,
		}, httpLabels),
		ActiveRequests: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "http_server_active_requests",
			Help: "Number of HTTP server requests in flight.",
		}, []string{"http_request_method"}),
		Jobs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "docpipe_jobs_total",
			Help: "OCR job attempts by outcome (done, retry, failed, lease_lost) and failure reason.",
		}, []string{"outcome", "reason"}),
		OCRDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "docpipe_ocr_duration_seconds",
			Help:    "Time to OCR one document.",
			Buckets: prometheus.ExponentialBuckets(0.1, 2, 12), // 0.1 s … 3.4 min
		}),
		OCRPages: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "docpipe_ocr_pages",
			Help:    "Pages per OCR'd document.",
			Buckets: []float64{1, 2, 5, 10, 20, 50, 100, 200, 500},
		}),
		UploadBytes: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "docpipe_upload_bytes_total",
			Help: "Bytes of accepted uploads.",
		}),
		UploadedDocs: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "docpipe_uploaded_documents_total",
			Help: "Documents accepted for OCR.",
		}),
	}
	// Start every known outcome at 0 so that rate() sees a job's first failure, not a series
	// that appears at 1.
	for _, o := range [][2]string{{"done", ""}, {"lease_lost", ""}, {"retry", "error"},
		{"failed", "invalid_input"}, {"failed", "timeout"}, {"failed", "error"}, {"failed", "attempts"}} {
		m.Jobs.WithLabelValues(o[0], o[1])
	}
	info := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "docpipe_build_info",
		Help:        "Build of the running docpipe; always 1.",
		ConstLabels: prometheus.Labels{"version": b.Version, "revision": b.Revision, "goversion": runtime.Version()},
	})
	info.Set(1)
	m.Registry.MustRegister(
		m.RequestDuration, m.RequestSize, m.ResponseSize, m.ActiveRequests,
		m.Jobs, m.OCRDuration, m.OCRPages, m.UploadBytes, m.UploadedDocs, info,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return m
}

// QueueStats is what the queue gauges report.
type QueueStats struct {
	Queued, Processing int
	OldestAge          time.Duration
}

// WatchQueue exports queue depth and the age of the oldest waiting job, read from stats at
// every scrape.
func (m *Metrics) WatchQueue(stats func(context.Context) (QueueStats, error)) {
	m.Registry.MustRegister(&queueCollector{stats: stats})
}

// WatchPool exports how many OCR engines are busy and idle, read at every scrape.
func (m *Metrics) WatchPool(stats func() (busy, size int)) {
	m.Registry.MustRegister(&poolCollector{stats: stats})
}

var (
	queueJobsDesc = prometheus.NewDesc("docpipe_queue_jobs", "OCR jobs in the queue by state.", []string{"state"}, nil)
	queueAgeDesc  = prometheus.NewDesc("docpipe_queue_oldest_job_age_seconds", "Age of the oldest waiting OCR job; 0 when none.", nil, nil)
	queueUpDesc   = prometheus.NewDesc("docpipe_queue_stats_up", "1 if the queue statistics could be read at this scrape.", nil, nil)
	poolDesc      = prometheus.NewDesc("docpipe_ocr_engines", "OCR engines by state.", []string{"state"}, nil)
)

type queueCollector struct {
	stats func(context.Context) (QueueStats, error)
}

func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- queueJobsDesc
	ch <- queueAgeDesc
	ch <- queueUpDesc
}

func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	s, err := c.stats(ctx)
	if err != nil {
		ch <- prometheus.MustNewConstMetric(queueUpDesc, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(queueUpDesc, prometheus.GaugeValue, 1)
	ch <- prometheus.MustNewConstMetric(queueJobsDesc, prometheus.GaugeValue, float64(s.Queued), "queued")
	ch <- prometheus.MustNewConstMetric(queueJobsDesc, prometheus.GaugeValue, float64(s.Processing), "processing")
	ch <- prometheus.MustNewConstMetric(queueAgeDesc, prometheus.GaugeValue, s.OldestAge.Seconds())
}

type poolCollector struct {
	stats func() (busy, size int)
}

func (c *poolCollector) Describe(ch chan<- *prometheus.Desc) { ch <- poolDesc }

func (c *poolCollector) Collect(ch chan<- prometheus.Metric) {
	busy, size := c.stats()
	ch <- prometheus.MustNewConstMetric(poolDesc, prometheus.GaugeValue, float64(busy), "busy")
	ch <- prometheus.MustNewConstMetric(poolDesc, prometheus.GaugeValue, float64(size-busy), "idle")
}

// ObserveOCR records one document's OCR time and page count. A nil *Metrics records nothing.
func (m *Metrics) ObserveOCR(d time.Duration, pages int) {
	if m == nil {
		return
	}
	m.OCRDuration.Observe(d.Seconds())
	m.OCRPages.Observe(float64(pages))
}

// CountJob counts one job attempt's outcome. A nil *Metrics records nothing.
func (m *Metrics) CountJob(outcome, reason string) {
	if m == nil {
		return
	}
	m.Jobs.WithLabelValues(outcome, reason).Inc()
}
