package api

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/docpipe/docpipe/internal/document"
)

func (e *env) waitFor(id, tag string, wait int) *httptest.ResponseRecorder {
	return e.poll("/v1/documents/"+id, tag, wait)
}

// poll GETs path with If-None-Match: tag and, when wait is positive, Prefer: wait.
func (e *env) poll(path, tag string, wait int) *httptest.ResponseRecorder {
	req := httptest.NewRequest("GET", path, nil)
	req.Header.Set("If-None-Match", tag)
	if wait > 0 {
		req.Header.Set("Prefer", "wait="+strconv.Itoa(wait))
	}
	return e.do(req)
}

func TestLongPollAndNotifications(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.Notifiers = []string{"function-identity"} })
	d := decode[docs](t, e.upload("", file{"a.png", pngBytes(t, 20, 20)})).Documents[0]
	first := e.get("/v1/documents/"+d.ID, "")
	tag := first.Header().Get("ETag")
	if tag == "" || first.Header().Get("Cache-Control") != "no-cache" {
		t.Fatalf("GET answers ETag %q and Cache-Control %q, want an ETag and no-cache", tag, first.Header().Get("Cache-Control"))
	}
	if rec := e.waitFor(d.ID, tag, 0); rec.Code != http.StatusNotModified {
		t.Errorf("If-None-Match of the current state = %d, want 304", rec.Code)
	}

	start := time.Now()
	rec := e.waitFor(d.ID, tag, 1)
	if rec.Code != http.StatusNotModified || time.Since(start) < time.Second || rec.Header().Get("Preference-Applied") != "wait=1" {
		t.Errorf("wait=1 on an unchanged document = %d after %v (Preference-Applied %q), want 304 after a second",
			rec.Code, time.Since(start), rec.Header().Get("Preference-Applied"))
	}

	done := make(chan *httptest.ResponseRecorder)
	go func() { done <- e.waitFor(d.ID, tag, 20) }()
	for e.srv.changes.Watching(d.ID) == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	e.finish("hello")
	notify := func(subject, body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("POST", "/v1/notifications", strings.NewReader(body))
		req.Header.Set("X-Test-User", subject)
		req.Header.Set("Content-Type", "application/json")
		return e.do(req)
	}
	if rec := notify("alice", `{"documents":["`+d.ID+`"]}`); rec.Code != http.StatusForbidden {
		t.Errorf("a user's notification = %d, want 403", rec.Code)
	}
	start = time.Now()
	if rec := notify("function-identity", `{"documents":["`+d.ID+`"]}`); rec.Code != http.StatusAccepted {
		t.Fatalf("the notifier's notification = %d %s, want 202", rec.Code, rec.Body)
	}
	select {
	case rec := <-done:
		got := decode[document.Document](t, rec)
		if rec.Code != http.StatusOK || got.Status != document.StatusDone || rec.Header().Get("ETag") == tag {
			t.Errorf("woken wait = %d %+v ETag %q, want 200, done and a new ETag", rec.Code, got, rec.Header().Get("ETag"))
		}
	case <-time.After(time.Second):
		t.Fatalf("the notification did not wake the waiting request within a second (recheck is every %v)", recheckEvery)
	}
	if time.Since(start) > recheckEvery {
		t.Errorf("woken after %v, want at once", time.Since(start))
	}

	for _, tt := range []struct {
		body string
		want int
	}{
		{`{"documents":[]}`, http.StatusUnprocessableEntity},
		{`{"documents":["../etc"]}`, http.StatusUnprocessableEntity},
		{`{"documents":[` + strings.Repeat(`"`+d.ID+`",`, 100) + `"` + d.ID + `"]}`, http.StatusUnprocessableEntity},
		{`{"documents":`, http.StatusBadRequest},
	} {
		if rec := notify("function-identity", tt.body); rec.Code != tt.want {
			t.Errorf("notification %.40s… = %d, want %d", tt.body, rec.Code, tt.want)
		}
	}
}

func TestPreferWait(t *testing.T) {
	tests := []struct {
		header []string
		want   time.Duration
	}{
		{nil, 0},
		{[]string{"wait=5"}, 5 * time.Second},
		{[]string{"respond-async, Wait = 7"}, 7 * time.Second},
		{[]string{"handling=lenient", "wait=\"3\""}, 3 * time.Second},
		{[]string{"wait=3600"}, maxWait},
		{[]string{"wait=-1"}, 0},
		{[]string{"wait=soon"}, 0},
		{[]string{"waitress=5"}, 0},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", "/", nil)
		for _, h := range tt.header {
			r.Header.Add("Prefer", h)
		}
		if got := preferWait(r); got != tt.want {
			t.Errorf("Prefer %q: wait %v, want %v", tt.header, got, tt.want)
		}
	}
}

func TestDrainingEndsLongPolls(t *testing.T) {
	e := newEnv(t, nil)
	d := decode[docs](t, e.upload("", file{"a.png", pngBytes(t, 20, 20)})).Documents[0]
	tag := e.get("/v1/documents/"+d.ID, "").Header().Get("ETag")
	done := make(chan int)
	go func() { done <- e.waitFor(d.ID, tag, 20).Code }()
	for e.srv.changes.Watching(d.ID) == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	e.srv.SetReady(false)
	select {
	case code := <-done:
		if code != http.StatusNotModified {
			t.Errorf("a long poll ended by draining = %d, want 304", code)
		}
	case <-time.After(time.Second):
		t.Fatal("draining did not end the long poll")
	}
}

func TestNoneMatch(t *testing.T) {
	const tag = `"abc-done"`
	tests := []struct {
		fields []string
		want   bool
	}{
		{nil, false},
		{[]string{tag}, true},
		{[]string{"W/" + tag}, true},
		{[]string{`"x", ` + tag}, true},
		{[]string{`"x",W/"y" ,` + tag + `,`}, true},
		{[]string{`"x"`, tag}, true},
		{[]string{"*"}, true},
		{[]string{`"abc"`}, false},
		{[]string{`"abc-done`}, false},
		{[]string{`abc-done`}, false},
		{[]string{`"a,b", "abc-don"`}, false},
		{[]string{`W/`}, false},
		{[]string{`""`}, false},
	}
	for _, tt := range tests {
		h := http.Header{}
		for _, f := range tt.fields {
			h.Add("If-None-Match", f)
		}
		if got := noneMatch(h, tag); got != tt.want {
			t.Errorf("noneMatch(%q, %s) = %v, want %v", tt.fields, tag, got, tt.want)
		}
	}
}

// TestListIDs asks for documents by id: the caller's, each once, in the order asked, with one
// ETag for them all that a long poll waits on.
func TestListIDs(t *testing.T) {
	e := newEnv(t, nil)
	up := decode[docs](t, e.upload("", file{"a.png", pngBytes(t, 20, 20)}, file{"b.png", pngBytes(t, 20, 20)})).Documents
	a, b := up[0].ID, up[1].ID
	bobs := decode[docs](t, e.upload("bob", file{"c.png", pngBytes(t, 20, 20)})).Documents[0].ID
	gone := document.NewID(time.Now())
	path := "/v1/documents?id=" + b + "&id=" + gone + "&id=" + a + "&id=" + b + "&id=" + bobs
	rec := e.get(path, "")
	got := decode[docs](t, rec).Documents
	if rec.Code != http.StatusOK || len(got) != 2 || got[0].ID != b || got[1].ID != a {
		t.Fatalf("GET %s = %d %+v, want b then a", path, rec.Code, got)
	}
	tag := rec.Header().Get("ETag")
	if rec := e.poll(path, tag, 0); rec.Code != http.StatusNotModified {
		t.Errorf("If-None-Match of the current states = %d, want 304", rec.Code)
	}
	if other := e.get("/v1/documents?id="+a, "").Header().Get("ETag"); other == tag || other == "" {
		t.Errorf("another set of ids has ETag %q, want its own", other)
	}

	done := make(chan *httptest.ResponseRecorder)
	go func() { done <- e.poll(path, tag, 20) }()
	for e.srv.changes.Watching(bobs) == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	if _, err := e.store.Delete(t.Context(), "alice", a); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	e.srv.Changed(a)
	select {
	case rec := <-done:
		got := decode[docs](t, rec).Documents
		if rec.Code != http.StatusOK || len(got) != 1 || got[0].ID != b || rec.Header().Get("ETag") == tag {
			t.Errorf("woken long poll = %d %+v ETag %q, want 200, b alone and a new ETag", rec.Code, got, rec.Header().Get("ETag"))
		}
	case <-time.After(time.Second):
		t.Fatal("Changed did not wake the long poll of the ids within a second")
	}
	if time.Since(start) > recheckEvery {
		t.Errorf("woken after %v, want at once", time.Since(start))
	}
	if n := e.srv.changes.Watching(b) + e.srv.changes.Watching(bobs); n != 0 {
		t.Errorf("%d watchers left after the long poll", n)
	}

	for _, tt := range []struct {
		query, detail string
	}{
		{"id=" + a + "&status=done", "cannot be combined with status"},
		{"id=" + a + "&limit=5", "cannot be combined with limit"},
		{"id=../etc", "is not a document id"},
		{"id=" + strings.Repeat(a+"&id=", 100) + a, "at most 100 ids"},
	} {
		wantProblem(t, e.get("/v1/documents?"+tt.query, ""), http.StatusBadRequest, tt.detail)
	}
}

// FuzzNoneMatch feeds arbitrary If-None-Match fields: noneMatch never panics, "*" and a list
// that holds the tag match, and a field without the tag's quoted text matches only through "*".
func FuzzNoneMatch(f *testing.F) {
	for _, s := range []string{`"a-done"`, `W/"a-done", "b"`, `*`, `"x`, `W/`, `,,"a-done"`, `"a,b"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, field string) {
		const tag = `"a-done"`
		got := noneMatch(http.Header{"If-None-Match": {field}}, tag)
		if !strings.Contains(field, tag) && !strings.Contains(field, "*") && got {
			t.Fatalf("noneMatch(%q) matched %s", field, tag)
		}
		if !noneMatch(http.Header{"If-None-Match": {tag + ", " + field}}, tag) {
			t.Fatalf("a list starting with the tag, then %q, does not match", field)
		}
	})
}
