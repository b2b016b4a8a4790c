package events

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"
)

// Function serves the invocations the Azure Functions host sends to a custom handler that runs
// with enableForwardingHttpRequest false: one POST per invocation to /FUNCTION_NAME, whose
// JSON body carries the trigger's data under Data.BINDING_NAME. It serves two functions:
//
//   - POST /ocr, an eventGridTrigger whose binding is named event: the Blob Storage event
//     (Event Grid or CloudEvents schema, as an object or as a string holding one) names a
//     document, which is processed before the answer.
//   - POST /sweep, a timerTrigger: the jobs that no event will announce (reprocessing, retries
//     that came due, leases of crashed instances) are drained.
//
// The answer is the custom handler response: 200 with Outputs, Logs and a null ReturnValue when
// the invocation is dealt with, including an event that is a duplicate or about another blob;
// 500 when it is not, which the host records as a failed invocation, so Event Grid delivers
// the event again per the subscription's retry policy and dead-letters it in the end. A
// malformed event fails too rather than vanish: it ends in the dead-letter container.
type Function struct {
	Processor *Processor
	// Drain processes every ready job and reports how many; pipeline.Worker.Drain does.
	Drain func(ctx context.Context) (int, error)
	Log   *slog.Logger
}

// invocation is the request body the host sends.
type invocation struct {
	Data     map[string]json.RawMessage `json:"Data"`
	Metadata json.RawMessage            `json:"Metadata"`
}

// invocationResult is the response body the host reads.
type invocationResult struct {
	Outputs     map[string]any `json:"Outputs"`
	Logs        []string       `json:"Logs"`
	ReturnValue any            `json:"ReturnValue"`
}

// Handler returns the routes the host calls.
func (f *Function) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /ocr", f.ocr)
	mux.HandleFunc("POST /sweep", f.sweep)
	return mux
}

func (f *Function) log() *slog.Logger {
	if f.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return f.Log
}

func (f *Function) ocr(w http.ResponseWriter, r *http.Request) {
	ctx := context.WithoutCancel(r.Context())
	event, err := readBinding(w, r, "event")
	if err != nil {
		f.fail(ctx, w, err)
		return
	}
	ids, err := EventGrid(event)
	if err != nil {
		f.fail(ctx, w, err)
		return
	}
	retry, err := f.Processor.ProcessAll(ctx, ids)
	if err != nil {
		f.fail(ctx, w, err)
		return
	}
	if !retry.IsZero() {
		f.fail(ctx, w, fmt.Errorf("documents %v are not ready to process before %s; deliver again",
			ids, retry.UTC().Format(time.RFC3339)))
		return
	}
	logs := []string{fmt.Sprintf("%d documents dealt with: %v", len(ids), ids)}
	f.reply(w, http.StatusOK, logs)
}

func (f *Function) sweep(w http.ResponseWriter, r *http.Request) {
	ctx := context.WithoutCancel(r.Context())
	if _, err := readBinding(w, r, "timer"); err != nil {
		f.fail(ctx, w, err)
		return
	}
	n, err := f.Drain(ctx)
	if err != nil {
		f.fail(ctx, w, fmt.Errorf("sweep after %d jobs: %w", n, err))
		return
	}
	if n > 0 {
		f.log().InfoContext(ctx, "swept the queue", "jobs", n)
	}
	f.reply(w, http.StatusOK, []string{fmt.Sprintf("%d jobs processed", n)})
}

// readBinding returns the data of the named binding of an invocation. The host sends the
// trigger data of some triggers as a JSON string holding the JSON value, so a string is
// unwrapped.
func readBinding(w http.ResponseWriter, r *http.Request, name string) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxPushBytes))
	if err != nil {
		return nil, fmt.Errorf("%w: read invocation: %v", ErrMalformed, err)
	}
	var inv invocation
	if err := decodeStrict(body, &inv); err != nil {
		return nil, fmt.Errorf("%w: invocation: %v", ErrMalformed, err)
	}
	data, ok := inv.Data[name]
	if !ok {
		return nil, fmt.Errorf("%w: invocation has no %q binding in Data", ErrMalformed, name)
	}
	var s string
	if json.Unmarshal(data, &s) == nil {
		data = []byte(s)
	}
	return data, nil
}

func (f *Function) fail(ctx context.Context, w http.ResponseWriter, err error) {
	level := slog.LevelError
	if errors.Is(err, ErrMalformed) {
		level = slog.LevelWarn
	}
	f.log().Log(ctx, level, "invocation failed", "err", err)
	f.reply(w, http.StatusInternalServerError, []string{err.Error()})
}

func (f *Function) reply(w http.ResponseWriter, status int, logs []string) {
	body, _ := json.Marshal(invocationResult{Outputs: map[string]any{}, Logs: logs})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}
