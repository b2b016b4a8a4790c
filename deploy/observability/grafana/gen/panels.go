package main

import "github.com/grafana/grafana-foundation-sdk/go/dashboard"

// api selects the API routes the SLOs cover, on top of the variables' selector.
const api = `job=~"$job",instance=~"$instance",http_route=~"/v1/.*"`

// overview is the service overview: RED per route, the SLOs, saturation.
func overview() *dashboard.DashboardBuilder {
	return base("docpipe-overview", "docpipe / Service overview",
		"Requests, errors and latency per route, the API SLOs and process saturation of every docpipe role.").
		WithRow(dashboard.NewRowBuilder("Service level")).
		WithPanel(single("Availability (range)", "Share of API requests (/v1/…) in the time range that did not answer 5xx. SLO: 99.5%.",
			"percentunit", 6, 4, below(0.99, 0.995),
			q(`1 - ((sum(increase(http_server_request_duration_seconds_count{`+api+`,http_response_status_code=~"5.."}[$__range])) or vector(0)) / sum(increase(http_server_request_duration_seconds_count{`+api+`}[$__range])))`, "availability"))).
		WithPanel(single("Under 1 s (range)", "Share of API requests in the time range that finished in under 1 s. SLO: 95%.",
			"percentunit", 6, 4, below(0.9, 0.95),
			q(`sum(increase(http_server_request_duration_seconds_bucket{`+api+`,le="1"}[$__range])) / sum(increase(http_server_request_duration_seconds_count{`+api+`}[$__range]))`, "under 1 s"))).
		WithPanel(graph("Error budget burn", "5xx ratio of API requests divided by the budget (0.5%), over the alerting windows. 14.4 over 1 h pages.",
			"none", 6, 4,
			q(`job:docpipe_api_errors:ratio_rate5m{job=~"$job"} / 0.005`, "5m {{job}}"),
			q(`job:docpipe_api_errors:ratio_rate1h{job=~"$job"} / 0.005`, "1h {{job}}"))).
		WithPanel(graph("Latency budget burn", "Share of API requests taking 1 s or more divided by the budget (5%).",
			"none", 6, 4,
			q(`job:docpipe_api_slow:ratio_rate5m{job=~"$job"} / 0.05`, "5m {{job}}"),
			q(`job:docpipe_api_slow:ratio_rate1h{job=~"$job"} / 0.05`, "1h {{job}}"))).
		WithRow(dashboard.NewRowBuilder("Requests per route (RED)")).
		WithPanel(graph("Request rate", "Requests per second by route and method.", "reqps", 12, 8,
			q(`sum by (http_route, http_request_method) (rate(http_server_request_duration_seconds_count{SEL}[$__rate_interval]))`, "{{http_request_method}} {{http_route}}"))).
		WithPanel(graph("Responses by status", "Responses per second by status code.", "reqps", 12, 8,
			q(`sum by (http_response_status_code) (rate(http_server_request_duration_seconds_count{SEL}[$__rate_interval]))`, "{{http_response_status_code}}"))).
		WithPanel(graph("Server error ratio (5xx)", "Share of requests per route answered with 5xx.", "percentunit", 12, 8,
			q(`(sum by (http_route) (rate(http_server_request_duration_seconds_count{SEL,http_response_status_code=~"5.."}[$__rate_interval])) or sum by (http_route) (rate(http_server_request_duration_seconds_count{SEL}[$__rate_interval])) * 0) / sum by (http_route) (rate(http_server_request_duration_seconds_count{SEL}[$__rate_interval]))`, "{{http_route}}"))).
		WithPanel(graph("Client error ratio (4xx)", "Share of requests per route answered with 4xx: bad input, missing documents, rate limiting.", "percentunit", 12, 8,
			q(`(sum by (http_route) (rate(http_server_request_duration_seconds_count{SEL,http_response_status_code=~"4.."}[$__rate_interval])) or sum by (http_route) (rate(http_server_request_duration_seconds_count{SEL}[$__rate_interval])) * 0) / sum by (http_route) (rate(http_server_request_duration_seconds_count{SEL}[$__rate_interval]))`, "{{http_route}}"))).
		WithPanel(graph("Latency p50 by route", "Median request duration per route.", "s", 8, 8,
			q(`histogram_quantile(0.5, sum by (le, http_route) (rate(http_server_request_duration_seconds_bucket{SEL}[$__rate_interval])))`, "{{http_route}}"))).
		WithPanel(graph("Latency p95 by route", "95th percentile request duration per route.", "s", 8, 8,
			q(`histogram_quantile(0.95, sum by (le, http_route) (rate(http_server_request_duration_seconds_bucket{SEL}[$__rate_interval])))`, "{{http_route}}"))).
		WithPanel(graph("Latency p99 by route", "99th percentile request duration per route.", "s", 8, 8,
			q(`histogram_quantile(0.99, sum by (le, http_route) (rate(http_server_request_duration_seconds_bucket{SEL}[$__rate_interval])))`, "{{http_route}}"))).
		WithPanel(graph("Requests in flight", "HTTP requests being served, by method.", "short", 8, 8,
			q(`sum by (http_request_method) (http_server_active_requests{SEL})`, "{{http_request_method}}"))).
		WithPanel(graph("Request body size p95", "95th percentile request body size per route.", "bytes", 8, 8,
			q(`histogram_quantile(0.95, sum by (le, http_route) (rate(http_server_request_body_size_bytes_bucket{SEL}[$__rate_interval])))`, "{{http_route}}"))).
		WithPanel(graph("Response body size p95", "95th percentile response body size per route.", "bytes", 8, 8,
			q(`histogram_quantile(0.95, sum by (le, http_route) (rate(http_server_response_body_size_bytes_bucket{SEL}[$__rate_interval])))`, "{{http_route}}"))).
		WithRow(dashboard.NewRowBuilder("Saturation")).
		WithPanel(graph("CPU", "CPU seconds per second used by each process.", "percentunit", 8, 8,
			q(`rate(process_cpu_seconds_total{SEL}[$__rate_interval])`, "{{instance}}"))).
		WithPanel(graph("Memory", "Resident memory and Go heap in use.", "bytes", 8, 8,
			q(`process_resident_memory_bytes{SEL}`, "RSS {{instance}}"),
			q(`go_memstats_heap_inuse_bytes{SEL}`, "heap {{instance}}"))).
		WithPanel(graph("OCR engines busy", "Share of OCR engines busy: at 100% new jobs wait in the queue.", "percentunit", 8, 8,
			q(`sum by (instance) (docpipe_ocr_engines{SEL,state="busy"}) / sum by (instance) (docpipe_ocr_engines{SEL})`, "{{instance}}"))).
		WithPanel(graph("Goroutines", "Goroutines per process.", "short", 8, 8,
			q(`go_goroutines{SEL}`, "{{instance}}"))).
		WithPanel(graph("Open file descriptors", "Share of the descriptor limit in use.", "percentunit", 8, 8,
			q(`process_open_fds{SEL} / process_max_fds{SEL}`, "{{instance}}"))).
		WithPanel(graph("GC pause (max)", "Longest garbage-collection pause in the recent window.", "s", 8, 8,
			q(`go_gc_duration_seconds{SEL,quantile="1"}`, "{{instance}}"))).
		WithRow(dashboard.NewRowBuilder("Instances")).
		WithPanel(graph("Up", "1 when Prometheus scraped the instance successfully.", "short", 12, 6,
			q(`up{SEL}`, "{{job}} {{instance}}"))).
		WithPanel(graph("Builds running", "Instances by version and revision.", "short", 12, 6,
			q(`count by (version, revision, goversion) (docpipe_build_info{SEL})`, "{{version}} {{revision}} {{goversion}}")))
}

// ocrPipeline is the OCR pipeline: throughput, queue, OCR time, failures and engine pool.
func ocrPipeline() *dashboard.DashboardBuilder {
	return base("docpipe-ocr", "docpipe / OCR pipeline",
		"Uploads, OCR jobs by outcome, queue depth and lag, OCR time per page and the engine pool.").
		WithRow(dashboard.NewRowBuilder("Now")).
		WithPanel(single("Queued jobs", "Jobs waiting for a worker.", "short", 6, 4, above(100, 1000),
			q(`max(docpipe_queue_jobs{SEL,state="queued"})`, "queued"))).
		WithPanel(single("Oldest queued job", "Age of the oldest job waiting; alert at 10 minutes.", "s", 6, 4, above(120, 600),
			q(`max(docpipe_queue_oldest_job_age_seconds{SEL})`, "oldest"))).
		WithPanel(single("OCR failure ratio (15m)", "Share of finished jobs that failed for good over 15 minutes; alert at 10%.", "percentunit", 6, 4, above(0.05, 0.1),
			q(`max(job:docpipe_ocr_failures:ratio_rate15m{job=~"$job"})`, "failed"))).
		WithPanel(single("Engines busy", "Share of OCR engines busy across the selected instances.", "percentunit", 6, 4, above(0.8, 0.95),
			q(`sum(docpipe_ocr_engines{SEL,state="busy"}) / sum(docpipe_ocr_engines{SEL})`, "busy"))).
		WithRow(dashboard.NewRowBuilder("Throughput")).
		WithPanel(graph("Job outcomes", "OCR job attempts per second by outcome: done, retry, failed, lease_lost.", "ops", 12, 8,
			q(`sum by (outcome) (rate(docpipe_jobs_total{SEL}[$__rate_interval]))`, "{{outcome}}"))).
		WithPanel(graph("Uploads", "Documents accepted per second and upload bandwidth.", "ops", 12, 8,
			q(`sum(rate(docpipe_uploaded_documents_total{SEL}[$__rate_interval]))`, "documents/s"),
			q(`sum(rate(docpipe_upload_bytes_total{SEL}[$__rate_interval]))`, "bytes/s"))).
		WithPanel(graph("Pages OCR'd", "Pages recognised per second.", "ops", 12, 8,
			q(`sum(rate(docpipe_ocr_pages_sum{SEL}[$__rate_interval]))`, "pages/s"))).
		WithPanel(graph("Failures by reason", "Failed and retried attempts per second by reason.", "ops", 12, 8,
			q(`sum by (outcome, reason) (rate(docpipe_jobs_total{SEL,outcome=~"failed|retry"}[$__rate_interval]))`, "{{outcome}} {{reason}}"))).
		WithRow(dashboard.NewRowBuilder("Queue")).
		WithPanel(graph("Queue depth", "Jobs queued and being processed.", "short", 12, 8,
			q(`max by (state) (docpipe_queue_jobs{SEL})`, "{{state}}"))).
		WithPanel(graph("Queue lag", "Age of the oldest queued job, and whether the queue could be read.", "s", 12, 8,
			q(`max(docpipe_queue_oldest_job_age_seconds{SEL})`, "oldest job"),
			q(`min by (instance) (docpipe_queue_stats_up{SEL})`, "stats up {{instance}}"))).
		WithRow(dashboard.NewRowBuilder("OCR time")).
		WithPanel(graph("OCR time per page", "Seconds of OCR per page: total OCR time over pages recognised.", "s", 8, 8,
			q(`sum(rate(docpipe_ocr_duration_seconds_sum{SEL}[$__rate_interval])) / sum(rate(docpipe_ocr_pages_sum{SEL}[$__rate_interval]))`, "per page"))).
		WithPanel(graph("OCR time per document", "Quantiles of the time to OCR one document.", "s", 8, 8,
			q(`histogram_quantile(0.5, sum by (le) (rate(docpipe_ocr_duration_seconds_bucket{SEL}[$__rate_interval])))`, "p50"),
			q(`histogram_quantile(0.95, sum by (le) (rate(docpipe_ocr_duration_seconds_bucket{SEL}[$__rate_interval])))`, "p95"),
			q(`histogram_quantile(0.99, sum by (le) (rate(docpipe_ocr_duration_seconds_bucket{SEL}[$__rate_interval])))`, "p99"))).
		WithPanel(graph("Pages per document", "Median and 95th percentile pages per OCR'd document.", "short", 8, 8,
			q(`histogram_quantile(0.5, sum by (le) (rate(docpipe_ocr_pages_bucket{SEL}[$__rate_interval])))`, "p50"),
			q(`histogram_quantile(0.95, sum by (le) (rate(docpipe_ocr_pages_bucket{SEL}[$__rate_interval])))`, "p95"))).
		WithRow(dashboard.NewRowBuilder("Engine pool")).
		WithPanel(graph("Engines by state", "OCR engines busy and idle per instance.", "short", 12, 8,
			q(`sum by (instance, state) (docpipe_ocr_engines{SEL})`, "{{state}} {{instance}}"))).
		WithPanel(graph("Engine utilisation", "Share of engines busy per instance.", "percentunit", 12, 8,
			q(`sum by (instance) (docpipe_ocr_engines{SEL,state="busy"}) / sum by (instance) (docpipe_ocr_engines{SEL})`, "{{instance}}")))
}
