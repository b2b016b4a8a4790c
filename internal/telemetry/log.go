// Package telemetry holds docpipe's metrics, tracing and structured logging.
package telemetry

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"strings"

	"go.opentelemetry.io/otel/trace"
)

type ctxKey struct{}

// WithAttrs returns a context whose log records carry attrs (request id, document id, …). An
// attribute replaces one of the same key that ctx carries already, so that a record never holds a
// key twice.
func WithAttrs(ctx context.Context, attrs ...slog.Attr) context.Context {
	prev, _ := ctx.Value(ctxKey{}).([]slog.Attr)
	all := make([]slog.Attr, 0, len(prev)+len(attrs))
	all = append(all, prev...)
	for _, a := range attrs {
		i := slices.IndexFunc(all, func(b slog.Attr) bool { return b.Key == a.Key })
		if i < 0 {
			all = append(all, a)
			continue
		}
		all[i] = a
	}
	return context.WithValue(ctx, ctxKey{}, all)
}

// attr returns the value of the attribute key that ctx carries for log records, if any.
func attr(ctx context.Context, key string) (slog.Value, bool) {
	attrs, _ := ctx.Value(ctxKey{}).([]slog.Attr)
	for _, a := range attrs {
		if a.Key == key {
			return a.Value, true
		}
	}
	return slog.Value{}, false
}

// NewLogger returns a logger writing format ("json" or "text") at level to w. Records logged with
// a context carry the attributes added to it by WithAttrs, and the trace and span ids of a
// sampled span in it.
func NewLogger(w io.Writer, level, format string) *slog.Logger {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(strings.ToUpper(level))); err != nil {
		lv = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: lv}
	var h slog.Handler = slog.NewJSONHandler(w, opts)
	if format == "text" {
		h = slog.NewTextHandler(w, opts)
	}
	return slog.New(contextHandler{h})
}

type contextHandler struct{ slog.Handler }

func (h contextHandler) Handle(ctx context.Context, r slog.Record) error {
	if attrs, ok := ctx.Value(ctxKey{}).([]slog.Attr); ok {
		r.AddAttrs(attrs...)
	}
	if sc := trace.SpanContextFromContext(ctx); sc.IsSampled() {
		r.AddAttrs(slog.String("trace_id", sc.TraceID().String()), slog.String("span_id", sc.SpanID().String()))
	}
	return h.Handler.Handle(ctx, r)
}

func (h contextHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return contextHandler{h.Handler.WithAttrs(attrs)}
}

func (h contextHandler) WithGroup(name string) slog.Handler {
	return contextHandler{h.Handler.WithGroup(name)}
}
