package api

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"

	"github.com/docpipe/docpipe/internal/document"
)

func TestUploadLanguages(t *testing.T) {
	e := newEnv(t, func(o *Options) {
		o.Lang = "eng"
		o.Languages = func() ([]string, error) { return []string{"deu", "eng", "fra"}, nil }
	})
	upload := func(field, query string) *httptest.ResponseRecorder {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		w, _ := mw.CreateFormFile("file", "rechnung.png")
		_, _ = w.Write(pngBytes(t, 64, 48))
		if field != "" {
			_ = mw.WriteField("lang", field) // after the file: the form is read as it streams
		}
		_ = mw.Close()
		req := httptest.NewRequest("POST", "/v1/documents"+query, &buf)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		return e.do(req)
	}
	for _, tt := range []struct{ field, query, want string }{
		{"deu", "", "deu"},
		{"", "?lang=deu%2Beng", "deu+eng"},
		{"fra", "?lang=deu", "fra"},
		{"", "", ""},
	} {
		rec := upload(tt.field, tt.query)
		if rec.Code != http.StatusAccepted {
			t.Fatalf("upload with lang %q%s: %d %s", tt.field, tt.query, rec.Code, rec.Body)
		}
		d := decode[docs](t, rec).Documents[0]
		if got := decode[document.Document](t, e.get("/v1/documents/"+d.ID, "")); d.Lang != tt.want || got.Lang != tt.want {
			t.Errorf("upload with lang %q%s: lang %q, stored %q; want %q", tt.field, tt.query, d.Lang, got.Lang, tt.want)
		}
	}
	wantProblem(t, upload("deu+xyz", ""), http.StatusUnprocessableEntity, "no OCR language \"xyz\" is installed; installed are deu, eng, fra")
	wantProblem(t, upload("deu; rm -rf /", ""), http.StatusBadRequest, "malformed lang")
	wantProblem(t, upload(string(bytes.Repeat([]byte("a"), maxLangField+1)), ""), http.StatusBadRequest, "longer than")
	if n := len(decode[docs](t, e.get("/v1/documents", "")).Documents); n != 4 {
		t.Errorf("%d documents after the refused uploads, want the 4 taken", n)
	}

	got := decode[struct {
		Default   string
		Installed []string
	}](t, e.get("/v1/languages", ""))
	if got.Default != "eng" || !reflect.DeepEqual(got.Installed, []string{"deu", "eng", "fra"}) {
		t.Errorf("languages = %+v", got)
	}
}
