package api

import (
	"context"
	"net/http"
	"net/url"
	"reflect"
	"testing"
	"time"

	"github.com/docpipe/docpipe/internal/document"
)

func TestPageWords(t *testing.T) {
	e := newEnv(t, nil)
	id := decode[docs](t, e.upload("", file{"scan.png", pngBytes(t, 64, 48)})).Documents[0].ID
	path := "/v1/documents/" + id + "/pages/"
	wantProblem(t, e.get(path+"1/words", ""), http.StatusConflict, "queued")

	layout := &document.Layout{Width: 2480, Height: 3508, DPI: 300, Rotation: 1, Lines: []document.Line{
		{Box: document.Box{300, 300, 900, 350}, Words: []document.Word{
			{Text: "Rechnung", Box: document.Box{300, 300, 620, 350}, Confidence: 96},
			{Text: "2024-117", Box: document.Box{650, 302, 900, 349}, Confidence: 88},
		}},
	}}
	job, err := e.store.Claim(context.Background(), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.Complete(context.Background(), job, []document.Page{
		{Number: 1, Text: "Rechnung 2024-117", Confidence: 92, Source: document.SourceOCR, Layout: layout},
		{Number: 2, Text: "Typed text", Confidence: 100, Source: document.SourceTextLayer},
	}); err != nil {
		t.Fatal(err)
	}

	got := decode[pageWords](t, e.get(path+"1/words", ""))
	if want := (pageWords{Page: 1, Source: document.SourceOCR, Layout: *layout}); !reflect.DeepEqual(got, want) {
		t.Errorf("page 1 words =\n%+v, want\n%+v", got, want)
	}
	rec := e.get(path+"2/words", "")
	if body, want := rec.Body.String(), `{"page":2,"source":"text-layer","width":0,"height":0,"dpi":0,"rotation":0,"lines":[]}`+"\n"; rec.Code != http.StatusOK || body != want {
		t.Errorf("page 2 words: %d %s, want 200 %s", rec.Code, body, want)
	}
	for _, n := range []string{"0", "3", "x", "99999999999999999999"} {
		wantProblem(t, e.get(path+n+"/words", ""), http.StatusNotFound, "no page "+n)
	}
	wantProblem(t, e.get(path+"1/words", "mallory"), http.StatusNotFound, "no such document")

	for _, tt := range []struct {
		q    string
		want []document.Box
	}{
		{"rechnungs", []document.Box{{300, 300, 620, 350}}},
		{"2024", []document.Box{{650, 302, 900, 349}}},
		{`"rechnung 2024" OR nothing`, []document.Box{{300, 300, 620, 350}, {650, 302, 900, 349}}},
		{"-rechnung", nil},
		{"typed", nil},
	} {
		got := decode[pageWords](t, e.get(path+"1/words?q="+url.QueryEscape(tt.q), ""))
		if !reflect.DeepEqual(got.Matches, tt.want) {
			t.Errorf("page 1 words for %q match %v, want %v", tt.q, got.Matches, tt.want)
		}
	}
	wantProblem(t, e.get(path+"1/words?q=", ""), http.StatusBadRequest, "q")
}
