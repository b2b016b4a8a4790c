package vision

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/docpipe/docpipe/internal/document"
)

// The status values of a read operation.
const (
	statusNotStarted = "notStarted"
	statusRunning    = "running"
	statusFailed     = "failed"
	statusSucceeded  = "succeeded"
)

// operation is the part of a Get Read Result response that docpipe uses.
type operation struct {
	Status        string `json:"status"`
	AnalyzeResult *struct {
		ReadResults []readResult `json:"readResults"`
	} `json:"analyzeResult"`
}

type readResult struct {
	Page  int `json:"page"`
	Lines []struct {
		Text  string `json:"text"`
		Words []struct {
			Confidence float64 `json:"confidence"`
		} `json:"words"`
	} `json:"lines"`
}

// decodeOperation decodes a Get Read Result response body.
func decodeOperation(body []byte) (operation, error) {
	var op operation
	if err := json.Unmarshal(body, &op); err != nil {
		return operation{}, fmt.Errorf("decode read result: %w", err)
	}
	switch op.Status {
	case statusNotStarted, statusRunning, statusFailed:
	case statusSucceeded:
		if op.AnalyzeResult == nil {
			return operation{}, fmt.Errorf("decode read result: status %q without analyzeResult", op.Status)
		}
	default:
		return operation{}, fmt.Errorf("decode read result: unknown status %q", op.Status)
	}
	return op, nil
}

// pages returns the text of a succeeded operation's pages, one per page of
// the document, in order: a page's lines joined by newlines, and its mean
// word confidence scaled to 0..100. want is the document's page count.
func (op operation) pages(want int) ([]document.Page, error) {
	results := op.AnalyzeResult.ReadResults
	if len(results) != want {
		return nil, fmt.Errorf("read result has %d pages, the document %d", len(results), want)
	}
	pages := make([]document.Page, 0, want)
	for _, r := range results {
		if r.Page < 1 || r.Page > want {
			return nil, fmt.Errorf("read result has page %d of a %d-page document", r.Page, want)
		}
		lines := make([]string, len(r.Lines))
		var sum float64
		var words int
		for i, l := range r.Lines {
			lines[i] = l.Text
			for _, w := range l.Words {
				sum += min(max(w.Confidence, 0), 1)
				words++
			}
		}
		p := document.Page{Number: r.Page, Text: strings.Join(lines, "\n"), Source: document.SourceOCR}
		if words > 0 {
			p.Confidence = 100 * sum / float64(words)
		}
		pages = append(pages, p)
	}
	slices.SortFunc(pages, func(a, b document.Page) int { return a.Number - b.Number })
	for i, p := range pages {
		if p.Number != i+1 {
			return nil, fmt.Errorf("read result has page %d twice", p.Number)
		}
	}
	return pages, nil
}

// A ResponseError is an error answer of the service. It wraps
// document.ErrInvalidInput when the service refuses the document itself:
// statuses 413 and 415, and 400 unless its code blames the request's
// parameters (which docpipe's settings fix, not the document).
type ResponseError struct {
	StatusCode int
	Code       string // the error code, or the inner error's code when there is one
	Message    string
}

func (e *ResponseError) Error() string {
	msg := e.Message
	if msg == "" {
		msg = http.StatusText(e.StatusCode)
	}
	if e.Code != "" {
		return fmt.Sprintf("Azure AI Vision answered %d %s: %s", e.StatusCode, e.Code, msg)
	}
	return fmt.Sprintf("Azure AI Vision answered %d: %s", e.StatusCode, msg)
}

// Unwrap returns document.ErrInvalidInput if the error blames the document, else nil.
func (e *ResponseError) Unwrap() error {
	if e.InvalidInput() {
		return document.ErrInvalidInput
	}
	return nil
}

// InvalidInput reports whether the service refused the document itself.
func (e *ResponseError) InvalidInput() bool {
	switch e.StatusCode {
	case http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType:
		return true
	case http.StatusBadRequest:
		return !parameterCodes[e.Code]
	}
	return false
}

// parameterCodes are the error codes of a 400 answer that blame a query
// parameter or the request's shape rather than the document.
var parameterCodes = map[string]bool{
	"BadArgument":               true,
	"InvalidDetails":            true,
	"InvalidModel":              true,
	"InvalidPageRange":          true,
	"InvalidReadingOrder":       true,
	"NotSupportedFeature":       true,
	"NotSupportedLanguage":      true,
	"NotSupportedVisualFeature": true,
}

// apiError is the body of an error answer. The service wraps it in
// {"error": ...} with an optional innererror; the v3.2 Read specification
// describes it unwrapped. Both are accepted.
type apiError struct {
	Code       string `json:"code"`
	Message    string `json:"message"`
	InnerError *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"innererror"`
}

// decodeError turns an error answer into a *ResponseError; a body that is
// not JSON becomes its message.
func decodeError(status int, body []byte) *ResponseError {
	e := &ResponseError{StatusCode: status}
	var wrapped struct {
		Error *apiError `json:"error"`
	}
	var flat apiError
	a := &flat
	if err := json.Unmarshal(body, &wrapped); err == nil && wrapped.Error != nil {
		a = wrapped.Error
	} else if err := json.Unmarshal(body, &flat); err != nil || flat.Code == "" && flat.Message == "" {
		e.Message = strings.TrimSpace(string(body[:min(len(body), 512)]))
		return e
	}
	e.Code, e.Message = a.Code, a.Message
	if in := a.InnerError; in != nil && in.Code != "" {
		e.Code = in.Code
		if in.Message != "" {
			e.Message = in.Message
		}
	}
	return e
}

// responseError reads an error answer and closes its body.
func responseError(resp *http.Response) *ResponseError {
	body, _ := readBody(resp, maxErrorBytes)
	return decodeError(resp.StatusCode, body)
}
