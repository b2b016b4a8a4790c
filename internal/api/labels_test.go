package api

import (
	"archive/zip"
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/docpipe/docpipe/internal/document"
)

type uploaded struct {
	Documents  []document.Document `json:"documents"`
	Duplicates []struct {
		Name     string            `json:"name"`
		Document document.Document `json:"document"`
	} `json:"duplicates"`
}

// TestUploadDuplicates: a file the owner has already is not stored again, and the answer names
// the document that has it; another owner's copy is theirs.
func TestUploadDuplicates(t *testing.T) {
	e := newEnv(t, nil)
	scan := pngBytes(t, 40, 30)
	first := decode[uploaded](t, e.upload("", file{"scan.png", scan})).Documents[0]

	rec := e.upload("", file{"again.png", scan})
	if rec.Code != http.StatusOK {
		t.Fatalf("upload of the same file: %d %s, want 200", rec.Code, rec.Body)
	}
	got := decode[uploaded](t, rec)
	if len(got.Documents) != 0 || len(got.Duplicates) != 1 || got.Duplicates[0].Name != "again.png" || got.Duplicates[0].Document.ID != first.ID {
		t.Errorf("upload of the same file = %+v, want one duplicate of %s", got, first.ID)
	}
	if loc := rec.Header().Get("Location"); loc != "/v1/documents/"+first.ID {
		t.Errorf("Location = %q, want the existing document", loc)
	}

	rec = e.upload("", file{"new.png", pngBytes(t, 40, 30)}, file{"copy.png", scan})
	if rec.Code != http.StatusAccepted {
		t.Fatalf("upload of a new file and a known one: %d %s, want 202", rec.Code, rec.Body)
	}
	got = decode[uploaded](t, rec)
	if len(got.Documents) != 1 || got.Documents[0].Name != "new.png" || len(got.Duplicates) != 1 || got.Duplicates[0].Document.ID != first.ID {
		t.Errorf("mixed upload = %+v, want new.png created and copy.png a duplicate of %s", got, first.ID)
	}
	if n := len(decode[docs](t, e.get("/v1/documents", "")).Documents); n != 2 {
		t.Errorf("%d documents, want 2", n)
	}
	if entries, _ := os.ReadDir(filepath.Join(e.blobDir, "originals")); countBlobs(entries) != 2 {
		t.Errorf("%d originals stored, want 2", countBlobs(entries))
	}
	if rec := e.upload("bob", file{"scan.png", scan}); rec.Code != http.StatusAccepted {
		t.Errorf("another owner's upload of the same file: %d %s, want 202", rec.Code, rec.Body)
	}
}

func countBlobs(entries []os.DirEntry) int {
	n := 0
	for _, f := range entries {
		if !strings.HasSuffix(f.Name(), ".attrs") {
			n++
		}
	}
	return n
}

func (e *env) patch(id, user, contentType, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("PATCH", "/v1/documents/"+id, strings.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	if user != "" {
		req.Header.Set("X-Test-User", user)
	}
	return e.do(req)
}

// TestPatch: a merge patch changes a document's title, notes and date, which search then finds,
// and null takes them away.
func TestPatch(t *testing.T) {
	e := newEnv(t, nil)
	d := decode[uploaded](t, e.upload("", file{"scan-7.png", pngBytes(t, 40, 30)})).Documents[0]
	e.finish("Invoice of 02.03.2024")
	if got := decode[document.Document](t, e.get("/v1/documents/"+d.ID, "")); got.Date != "2024-03-02" || got.DateSource != document.DateText || got.Title != "scan-7" {
		t.Errorf("after OCR: title %q, date %s (%s); want scan-7 and 2024-03-02 from the text", got.Title, got.Date, got.DateSource)
	}

	rec := e.patch(d.ID, "", "application/merge-patch+json", `{"title": "Gas bill", "notes": "paid in cash", "date": "2024-04-01"}`)
	if rec.Code != http.StatusOK {
		t.Fatalf("PATCH: %d %s", rec.Code, rec.Body)
	}
	got := decode[document.Document](t, rec)
	if got.Title != "Gas bill" || got.Notes != "paid in cash" || got.Date != "2024-04-01" || got.DateSource != document.DateUser {
		t.Errorf("PATCH = %+v", got)
	}
	if rec.Header().Get("ETag") == "" || rec.Header().Get("ETag") == etag(d) {
		t.Errorf("ETag = %q, want a new one", rec.Header().Get("ETag"))
	}
	for _, q := range []string{"gas", "cash", "name%3Abill"} {
		if res := decode[struct{ Total int }](t, e.get("/v1/search?q="+q, "")); res.Total != 1 {
			t.Errorf("search %s: %d hits, want 1", q, res.Total)
		}
	}

	rec = e.patch(d.ID, "", "application/json", `{"title": null, "date": null}`)
	got = decode[document.Document](t, rec)
	if rec.Code != http.StatusOK || got.Title != "scan-7" || got.Notes != "paid in cash" || got.Date != "2024-03-02" {
		t.Errorf("PATCH of nulls: %d %+v; want the file's title, the notes kept and the text's date", rec.Code, got)
	}

	for _, tt := range []struct {
		name, contentType, body string
		status                  int
		detail                  string
	}{
		{"unknown member", "application/json", `{"name": "x.pdf"}`, http.StatusBadRequest, `"name" cannot be changed`},
		{"not an object", "application/json", `["title"]`, http.StatusBadRequest, "not a JSON object"},
		{"not a string", "application/json", `{"title": 7}`, http.StatusBadRequest, "title must be a string"},
		{"two values", "application/json", `{} {}`, http.StatusBadRequest, "more than one"},
		{"bad date", "application/json", `{"date": "2024-13-01"}`, http.StatusBadRequest, "YYYY-MM-DD"},
		{"long title", "application/json", `{"title": "` + strings.Repeat("x", document.MaxTitle+1) + `"}`, http.StatusBadRequest, "title is longer"},
		{"form", "application/x-www-form-urlencoded", `title=x`, http.StatusUnsupportedMediaType, "merge-patch"},
		{"too large", "application/json", `{"notes": "` + strings.Repeat("x", maxPatch) + `"}`, http.StatusRequestEntityTooLarge, "larger"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			wantProblem(t, e.patch(d.ID, "", tt.contentType, tt.body), tt.status, tt.detail)
		})
	}
	wantProblem(t, e.patch(d.ID, "bob", "application/json", `{"title": "mine"}`), http.StatusNotFound, "no such document")
	if got := decode[document.Document](t, e.get("/v1/documents/"+d.ID, "")); got.Title != "scan-7" || got.Notes != "paid in cash" {
		t.Errorf("after refused patches: %+v", got)
	}
}

func (e *env) send(method, path, user, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if user != "" {
		req.Header.Set("X-Test-User", user)
	}
	return e.do(req)
}

// TestTags: tags put on many documents at once, listed with counts, renamed, filtered by in the
// list and search, and deleted; another owner's documents are answered missing and untouched.
func TestTags(t *testing.T) {
	e := newEnv(t, nil)
	a := decode[uploaded](t, e.upload("", file{"a.png", pngBytes(t, 40, 30)})).Documents[0]
	b := decode[uploaded](t, e.upload("", file{"b.png", pngBytes(t, 40, 30)})).Documents[0]
	bobs := decode[uploaded](t, e.upload("bob", file{"c.png", pngBytes(t, 40, 30)})).Documents[0]
	e.finish("kiwi")
	e.finish("kiwi")
	e.finish("kiwi")

	before := e.get("/v1/documents/"+a.ID, "").Header().Get("ETag")
	rec := e.send("POST", "/v1/documents/tags", "", `{"ids": ["`+a.ID+`", "`+b.ID+`", "`+bobs.ID+`"], "add": ["tax", "2024"]}`)
	if after := e.get("/v1/documents/"+a.ID, "").Header().Get("ETag"); after == before {
		t.Errorf("ETag %s did not change with the document's tags", after)
	}
	res := decode[struct{ Documents, Missing []string }](t, rec)
	if rec.Code != http.StatusOK || len(res.Documents) != 2 || len(res.Missing) != 1 || res.Missing[0] != bobs.ID {
		t.Fatalf("tag = %d %s, want a and b tagged and bob's document missing", rec.Code, rec.Body)
	}
	if got := decode[document.Document](t, e.get("/v1/documents/"+bobs.ID, "bob")); len(got.Tags) != 0 {
		t.Errorf("bob's document got tags %v", got.Tags)
	}
	e.send("POST", "/v1/documents/tags", "", `{"ids": ["`+b.ID+`"], "remove": ["2024"]}`)

	tags := decode[struct{ Tags []document.Tag }](t, e.get("/v1/tags", "")).Tags
	if len(tags) != 2 || tags[0].Name != "2024" || tags[0].Documents != 1 || tags[1].Name != "tax" || tags[1].Documents != 2 {
		t.Errorf("tags = %+v, want 2024 on one document and tax on two", tags)
	}
	if rec := e.send("PUT", "/v1/tags/tax", "", `{"name": "taxes", "color": "#aa0000"}`); rec.Code != http.StatusOK {
		t.Fatalf("rename: %d %s", rec.Code, rec.Body)
	}
	if got := decode[document.Document](t, e.get("/v1/documents/"+a.ID, "")); strings.Join(got.Tags, ",") != "2024,taxes" {
		t.Errorf("tags of a after rename = %v", got.Tags)
	}
	if n := len(decode[docs](t, e.get("/v1/documents?tag=taxes&tag=2024,none", "")).Documents); n != 1 {
		t.Errorf("list filtered by taxes and 2024 or none = %d documents, want 1", n)
	}
	if res := decode[struct{ Total int }](t, e.get("/v1/search?q=kiwi+tag%3Ataxes", "")); res.Total != 2 {
		t.Errorf("search kiwi tag:taxes = %d, want 2", res.Total)
	}

	wantProblem(t, e.send("PUT", "/v1/tags/taxes", "", `{"color": "red"}`), http.StatusBadRequest, "#rrggbb")
	wantProblem(t, e.send("PUT", "/v1/tags/taxes", "", `{"colour": "#aa0000"}`), http.StatusBadRequest, "unknown field")
	wantProblem(t, e.send("PUT", "/v1/tags/2024", "", `{"name": "taxes"}`), http.StatusConflict, "already")
	wantProblem(t, e.send("POST", "/v1/documents/tags", "", `{"ids": [], "add": ["x"]}`), http.StatusBadRequest, "name the documents")
	if res := decode[struct{ Documents []string }](t, e.send("POST", "/v1/documents/tags", "", `{"query": "kiwi", "add": ["fruit"]}`)); len(res.Documents) != 2 {
		t.Errorf("tag by query kiwi = %v, want both of alice's documents", res.Documents)
	}
	wantProblem(t, e.send("POST", "/v1/documents/tags", "", `{"ids": ["`+a.ID+`"], "add": ["a,b"]}`), http.StatusBadRequest, "comma")
	req := httptest.NewRequest("DELETE", "/v1/tags/taxes", nil)
	req.Header.Set("X-Test-User", "bob")
	wantProblem(t, e.do(req), http.StatusNotFound, "no such tag")
	if rec := e.do(httptest.NewRequest("DELETE", "/v1/tags/taxes", nil)); rec.Code != http.StatusNoContent {
		t.Errorf("delete: %d %s", rec.Code, rec.Body)
	}
	if got := decode[document.Document](t, e.get("/v1/documents/"+b.ID, "")); strings.Join(got.Tags, ",") != "fruit" {
		t.Errorf("tags of b after delete = %v, want fruit alone", got.Tags)
	}
}

// TestRules: a rule created over the API tags the next matching document after OCR and the
// earlier ones when applied; bad rules are 400, another owner's 404.
func TestRules(t *testing.T) {
	e := newEnv(t, nil)
	old := decode[uploaded](t, e.upload("", file{"old.png", pngBytes(t, 40, 30)})).Documents[0]
	e.finish("Gas bill for March")

	rec := e.send("POST", "/v1/rules", "", `{"name": "Gas", "match": "any", "pattern": "gas", "tags": ["energy"]}`)
	if rec.Code != http.StatusCreated {
		t.Fatalf("create rule: %d %s", rec.Code, rec.Body)
	}
	rule := decode[document.Rule](t, rec)
	if rec.Header().Get("Location") != "/v1/rules/"+rule.ID || rule.Field != "text" {
		t.Errorf("created rule %+v at %s", rule, rec.Header().Get("Location"))
	}
	fresh := decode[uploaded](t, e.upload("", file{"new.png", pngBytes(t, 40, 30)})).Documents[0]
	e.finish("gas again")
	if got := decode[document.Document](t, e.get("/v1/documents/"+fresh.ID, "")); strings.Join(got.Tags, ",") != "energy" {
		t.Errorf("tags of a document OCR'd after the rule = %v, want energy", got.Tags)
	}
	if got := decode[document.Document](t, e.get("/v1/documents/"+old.ID, "")); len(got.Tags) != 0 {
		t.Errorf("an earlier document was tagged before the rule was applied: %v", got.Tags)
	}
	res := decode[struct{ Tagged int }](t, e.send("POST", "/v1/rules/"+rule.ID+"/apply", "", ""))
	if got := decode[document.Document](t, e.get("/v1/documents/"+old.ID, "")); res.Tagged != 1 || strings.Join(got.Tags, ",") != "energy" {
		t.Errorf("apply = %d, tags of the earlier document %v; want 1 and energy", res.Tagged, got.Tags)
	}

	if rec := e.send("PUT", "/v1/rules/"+rule.ID, "", `{"match": "regexp", "pattern": "b[i]ll", "field": "text", "tags": ["bills"]}`); rec.Code != http.StatusOK {
		t.Errorf("replace rule: %d %s", rec.Code, rec.Body)
	}
	if res := decode[struct{ Tagged int }](t, e.send("POST", "/v1/rules/apply", "", "")); res.Tagged != 1 {
		t.Errorf("apply all = %d, want 1 (the bill)", res.Tagged)
	}
	rules := decode[struct{ Rules []document.Rule }](t, e.get("/v1/rules", "")).Rules
	if len(rules) != 1 || rules[0].Pattern != "b[i]ll" {
		t.Errorf("rules = %+v", rules)
	}
	wantProblem(t, e.send("POST", "/v1/rules", "", `{"match": "regexp", "pattern": "(", "tags": ["x"]}`), http.StatusBadRequest, "regular expression")
	wantProblem(t, e.send("POST", "/v1/rules", "", `{"match": "any", "pattern": "x", "tags": ["x"], "owner": "bob"}`), http.StatusBadRequest, "unknown field")
	wantProblem(t, e.send("PUT", "/v1/rules/"+rule.ID, "bob", `{"match": "any", "pattern": "x", "tags": ["x"]}`), http.StatusNotFound, "no such rule")
	wantProblem(t, e.send("POST", "/v1/rules/"+rule.ID+"/apply", "bob", ""), http.StatusNotFound, "no such rule")
	wantProblem(t, e.send("DELETE", "/v1/rules/"+rule.ID, "bob", ""), http.StatusNotFound, "no such rule")
	if rec := e.send("DELETE", "/v1/rules/"+rule.ID, "", ""); rec.Code != http.StatusNoContent {
		t.Errorf("delete rule: %d %s", rec.Code, rec.Body)
	}
}

// TestExport: GET /v1/export answers a ZIP of the caller's documents only.
func TestExport(t *testing.T) {
	e := newEnv(t, nil)
	mine := decode[uploaded](t, e.upload("", file{"mine.png", pngBytes(t, 40, 30)})).Documents[0]
	e.upload("bob", file{"theirs.png", pngBytes(t, 40, 30)})
	rec := e.get("/v1/export", "")
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/zip" || !strings.HasPrefix(rec.Header().Get("Content-Disposition"), "attachment") {
		t.Fatalf("export = %d %q %q", rec.Code, rec.Header().Get("Content-Type"), rec.Header().Get("Content-Disposition"))
	}
	zr, err := zip.NewReader(bytes.NewReader(rec.Body.Bytes()), int64(rec.Body.Len()))
	if err != nil {
		t.Fatalf("export is not a ZIP: %v", err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	if want := []string{"documents/" + mine.ID + "/original", "manifest.json"}; !reflect.DeepEqual(names, want) {
		t.Errorf("export holds %v, want %v", names, want)
	}
}

// TestBulk: many documents deleted, reprocessed and downloaded at once, by ids or by a search;
// another owner's ids are answered missing and never touched.
func TestBulk(t *testing.T) {
	e := newEnv(t, nil)
	var ids []string
	for _, name := range []string{"a.png", "b.png", "c.png"} {
		ids = append(ids, decode[uploaded](t, e.upload("", file{name, pngBytes(t, 40, 30)})).Documents[0].ID)
	}
	bobs := decode[uploaded](t, e.upload("bob", file{"a.png", pngBytes(t, 40, 30)})).Documents[0].ID
	for _, text := range []string{"kiwi one", "kiwi two", "plum", "kiwi bob"} {
		e.finish(text)
	}

	rec := e.get("/v1/documents/zip?id="+ids[0]+"&id="+ids[1]+"&id="+bobs, "")
	zr, err := zip.NewReader(bytes.NewReader(rec.Body.Bytes()), int64(rec.Body.Len()))
	if rec.Code != http.StatusOK || err != nil {
		t.Fatalf("zip = %d, %v", rec.Code, err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	if len(names) != 2 || !slices.Contains(names, "a.png") || !slices.Contains(names, "b.png") {
		t.Errorf("zip holds %v, want alice's a.png and b.png", names)
	}
	if rec := e.get("/v1/documents/zip?q=kiwi&files=pdf", ""); rec.Code != http.StatusOK {
		t.Errorf("zip of searchable PDFs by query = %d", rec.Code)
	}
	wantProblem(t, e.get("/v1/documents/zip?files=docx&id="+ids[0], ""), http.StatusBadRequest, "originals or pdf")
	wantProblem(t, e.get("/v1/documents/zip", ""), http.StatusBadRequest, "name the documents")

	type result struct {
		Documents, Missing []string
		Skipped            []struct{ ID, Reason string }
	}
	res := decode[result](t, e.send("POST", "/v1/documents/bulk", "", `{"action": "reprocess", "query": "kiwi"}`))
	if len(res.Documents) != 2 || len(res.Missing) != 0 {
		t.Errorf("reprocess by query = %+v, want alice's two kiwi documents", res)
	}
	res = decode[result](t, e.send("POST", "/v1/documents/bulk", "", `{"action": "reprocess", "ids": ["`+ids[0]+`"]}`))
	if len(res.Skipped) != 1 || !strings.Contains(res.Skipped[0].Reason, "being read") {
		t.Errorf("reprocess of a queued document = %+v, want it skipped with the reason", res)
	}
	res = decode[result](t, e.send("POST", "/v1/documents/bulk", "", `{"action": "delete", "ids": ["`+ids[0]+`", "`+ids[2]+`", "`+bobs+`", "nonsense"]}`))
	if !slices.Equal(res.Documents, []string{ids[0], ids[2]}) || !slices.Equal(res.Missing, []string{bobs, "nonsense"}) {
		t.Errorf("delete = %+v, want alice's two deleted and bob's and the nonsense missing", res)
	}
	if n := len(decode[docs](t, e.get("/v1/documents", "")).Documents); n != 1 {
		t.Errorf("alice has %d documents after the delete, want 1", n)
	}
	if n := len(decode[docs](t, e.get("/v1/documents", "bob")).Documents); n != 1 {
		t.Errorf("bob has %d documents, want his 1 untouched", n)
	}
	wantProblem(t, e.send("POST", "/v1/documents/bulk", "", `{"action": "shred", "ids": ["`+ids[1]+`"]}`), http.StatusBadRequest, "delete or reprocess")
	wantProblem(t, e.send("POST", "/v1/documents/bulk", "", `{"action": "delete", "ids": ["`+ids[1]+`"], "query": "kiwi"}`), http.StatusBadRequest, "not both")
}

// TestListByDate: the list sorts by the documents' dates and keeps a range of them.
func TestListByDate(t *testing.T) {
	e := newEnv(t, nil)
	var ids []string
	for _, date := range []string{"2024-05-01", "2022-01-01", "2024-01-01"} {
		d := decode[uploaded](t, e.upload("", file{date + ".png", pngBytes(t, 40, 30)})).Documents[0]
		e.patch(d.ID, "", "application/json", `{"date": "`+date+`"}`)
		ids = append(ids, d.ID)
	}
	got := decode[docs](t, e.get("/v1/documents?sort=date&limit=2", ""))
	if len(got.Documents) != 2 || got.Documents[0].ID != ids[0] || got.Documents[1].ID != ids[2] || got.NextCursor == "" {
		t.Fatalf("first page by date = %+v", got)
	}
	more := decode[docs](t, e.get("/v1/documents?sort=date&limit=2&cursor="+got.NextCursor, ""))
	if len(more.Documents) != 1 || more.Documents[0].ID != ids[1] {
		t.Errorf("second page by date = %+v", more)
	}
	if in := decode[docs](t, e.get("/v1/documents?after=2023-01-01&before=2024-05-01", "")); len(in.Documents) != 1 || in.Documents[0].ID != ids[2] {
		t.Errorf("dated 2023-01-01 to 2024-04-30 = %+v", in.Documents)
	}
	wantProblem(t, e.get("/v1/documents?sort=size", ""), http.StatusBadRequest, "newest or date")
	wantProblem(t, e.get("/v1/documents?after=yesterday", ""), http.StatusBadRequest, "YYYY-MM-DD")
}
