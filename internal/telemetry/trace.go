package telemetry

import (
	"context"
	"fmt"
	"net/http"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
)

// Tracer is docpipe's tracer. Until StartTracing installs an exporter its spans cost next to
// nothing and go nowhere.
var Tracer = otel.Tracer("github.com/docpipe/docpipe")

// StartTracing installs the global tracer provider for exporter: "none" installs nothing,
// "otlp" exports over OTLP/HTTP to the endpoint the standard OTEL_EXPORTER_OTLP_* variables name
// (http://localhost:4318 by default), sampled as OTEL_TRACES_SAMPLER says (parent-based, always
// on, by default). W3C trace context is read from requests and written to outgoing ones either
// way. The returned function flushes and stops the exporter.
func StartTracing(ctx context.Context, exporter, service string, build Build) (shutdown func(context.Context) error, err error) {
	otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}))
	if exporter != "otlp" {
		return func(context.Context) error { return nil }, nil
	}
	exp, err := otlptracehttp.New(ctx)
	if err != nil {
		return nil, fmt.Errorf("otlp trace exporter: %w", err)
	}
	res, err := resource.Merge(resource.Default(), resource.NewSchemaless(
		semconv.ServiceName(service),
		semconv.ServiceVersion(build.Version),
	))
	if err != nil {
		return nil, fmt.Errorf("trace resource: %w", err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res))
	otel.SetTracerProvider(tp)
	return tp.Shutdown, nil
}

// startServerSpan starts the span of an incoming request, continuing the caller's trace. Its name
// is set once the route is known.
func startServerSpan(r *http.Request) (context.Context, trace.Span) {
	ctx := otel.GetTextMapPropagator().Extract(r.Context(), propagation.HeaderCarrier(r.Header))
	return Tracer.Start(ctx, r.Method, trace.WithSpanKind(trace.SpanKindServer),
		trace.WithAttributes(
			semconv.HTTPRequestMethodKey.String(r.Method),
			semconv.URLPath(r.URL.Path),
		))
}

// endServerSpan names the span after the route template and records the status.
func endServerSpan(span trace.Span, method, route string, status int) {
	span.SetName(method + " " + route)
	span.SetAttributes(semconv.HTTPRoute(route), semconv.HTTPResponseStatusCode(status))
	if status >= 500 {
		span.SetStatus(codes.Error, http.StatusText(status))
	}
	span.End()
}

// Inject writes the trace context of ctx into h, for a request to another docpipe role.
func Inject(ctx context.Context, h http.Header) {
	otel.GetTextMapPropagator().Inject(ctx, propagation.HeaderCarrier(h))
}

// DocumentID is the span attribute naming the document a span works on.
func DocumentID(id string) attribute.KeyValue { return attribute.String("docpipe.document.id", id) }
