package storetest

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/docpipe/docpipe/internal/document"
	"github.com/docpipe/docpipe/internal/search"
	"github.com/docpipe/docpipe/internal/store"
)

// filler returns n words of text that match none of the words the tests search for.
func filler(n int) string {
	words := strings.Fields("lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore magna aliqua")
	out := make([]string, n)
	for i := range out {
		out[i] = words[(i*7)%len(words)]
	}
	return strings.Join(out, " ")
}

func testSearchRanking(t *testing.T, s *store.Store) {
	docs := addDone(t, s,
		textDoc{"alice", "many.pdf", []string{"zebra crossing near the zebra zoo with a zebra"}},
		textDoc{"alice", "short.pdf", []string{"one zebra here"}},
		textDoc{"alice", "long.pdf", []string{filler(150) + " zebra " + filler(150)}},
		textDoc{"alice", "none.pdf", []string{"horse stable"}},
	)
	res := find(t, s, "alice", "zebra")
	got := names(res.Hits)
	if len(got) != 3 || got[2] != "long.pdf" || !sameSet(got[:2], []string{"many.pdf", "short.pdf"}) {
		t.Fatalf("Search(zebra) = %v, want many.pdf and short.pdf above long.pdf", got)
	}
	if res.Total != 3 {
		t.Errorf("Total = %d, want 3", res.Total)
	}
	if !(res.Hits[0].Score >= res.Hits[1].Score && res.Hits[1].Score > res.Hits[2].Score) {
		t.Errorf("scores %v, %v, %v are not best first", res.Hits[0].Score, res.Hits[1].Score, res.Hits[2].Score)
	}
	h := res.Hits[0]
	if diff := diffDoc(h.Document, docs[h.Document.Name]); diff != "" {
		t.Errorf("hit document: %s", diff)
	}
	if h.Page != 1 {
		t.Errorf("hit page = %d, want 1", h.Page)
	}
}

func testSearchBestPage(t *testing.T, s *store.Store) {
	addDone(t, s, textDoc{"alice", "report.pdf", []string{
		"introduction " + filler(40),
		"methods " + filler(40),
		filler(20) + " the platypus results " + filler(20),
		"appendix " + filler(40),
	}})
	res := find(t, s, "alice", "platypus")
	if len(res.Hits) != 1 || res.Hits[0].Page != 3 {
		t.Fatalf("Search(platypus) = %+v, want report.pdf on page 3", res.Hits)
	}
}

func testSearchSyntax(t *testing.T, s *store.Store) {
	addDone(t, s,
		textDoc{"alice", "quick.pdf", []string{"the quick brown fox"}},
		textDoc{"alice", "brown.pdf", []string{"a brown quick fox"}},
		textDoc{"alice", "red.pdf", []string{"the red fox"}},
		textDoc{"alice", "invoice.pdf", []string{"invoice 17"}},
		textDoc{"alice", "invoices.pdf", []string{"all invoices"}},
		textDoc{"alice", "invoicing.pdf", []string{"Invoicing run"}},
		textDoc{"alice", "inventory.pdf", []string{"inventory list"}},
	)
	tests := []struct {
		query string
		want  []string
	}{
		{"fox", []string{"quick.pdf", "brown.pdf", "red.pdf"}},
		{"FOX", []string{"quick.pdf", "brown.pdf", "red.pdf"}},
		{"quick fox", []string{"quick.pdf", "brown.pdf"}},
		{`"quick brown"`, []string{"quick.pdf"}},
		{`"brown quick"`, []string{"brown.pdf"}},
		{`"quick bro*"`, []string{"quick.pdf"}},
		{"invoic*", []string{"invoice.pdf", "invoices.pdf", "invoicing.pdf"}},
		{"invo*", []string{"invoice.pdf", "invoices.pdf", "invoicing.pdf"}},
		{"inve*", []string{"inventory.pdf"}},
		{"inven", nil},
		{"invoices", []string{"invoice.pdf", "invoices.pdf", "invoicing.pdf"}},
		{"fox -brown", []string{"red.pdf"}},
		{`fox -"quick brown"`, []string{"brown.pdf", "red.pdf"}},
		{"fox -qui*", []string{"red.pdf"}},
		{`invo* -"invoices" -run`, []string{"invoice.pdf"}},
		{"invo* -invoices", nil},
		{"fox nothere", nil},
	}
	for _, tt := range tests {
		wantFound(t, s, "alice", tt.query, tt.want)
	}
}

func testSearchDocumentLevel(t *testing.T, s *store.Store) {
	addDone(t, s,
		textDoc{"alice", "split.pdf", []string{"alpha " + filler(10), filler(10) + " bravo"}},
		textDoc{"alice", "single.pdf", []string{"alpha charlie"}},
	)
	tests := []struct {
		query string
		want  []string
	}{
		{"alpha bravo", []string{"split.pdf"}},
		{"alpha -bravo", []string{"single.pdf"}},
		{"bravo -charlie", []string{"split.pdf"}},
	}
	for _, tt := range tests {
		if got := findNames(t, s, "alice", tt.query); !sameSet(got, tt.want) {
			t.Errorf("Search(%s) = %v, want %v", tt.query, got, tt.want)
		}
	}
}

// testSearchStems checks that a bare word finds the other forms of its word in the document's
// language, without regard to case or diacritics, and that a quoted word or phrase finds only
// itself.
func testSearchStems(t *testing.T, s *store.Store) {
	addDoneIn(t, s, "eng",
		textDoc{"alice", "a.pdf", []string{"The Invoice for March"}},
		textDoc{"alice", "b.pdf", []string{"The fox jumped over the fence"}},
		textDoc{"alice", "d.pdf", []string{"nothing relevant here"}},
	)
	addDoneIn(t, s, "deu+eng", textDoc{"alice", "c.pdf", []string{"Die Übersetzung der Rechnungen"}})
	addDoneIn(t, s, "eng", textDoc{"bob", "e.pdf", []string{"jumping invoices"}})
	tests := []struct {
		query string
		want  []string
	}{
		{"invoices", []string{"a.pdf"}},
		{"INVOICING", []string{"a.pdf"}},
		{"jump", []string{"b.pdf"}},
		{"jumps fence", []string{"b.pdf"}},
		{"Ubersetzung", []string{"c.pdf"}},
		{"übersetzungen", []string{"c.pdf"}},
		{"Rechnung", []string{"c.pdf"}},
		{`"invoices"`, nil},
		{`"Invoice"`, []string{"a.pdf"}},
		{`"fox jumped"`, []string{"b.pdf"}},
		{`"fox jump"`, nil},
		{"invoices -march", nil},
		{`jump -"jumps"`, []string{"b.pdf"}},
		{"jum*", []string{"b.pdf"}},
	}
	for _, tt := range tests {
		wantFound(t, s, "alice", tt.query, tt.want)
	}
	res := find(t, s, "alice", "invoices")
	if len(res.Hits) != 1 || !slices.ContainsFunc(res.Hits[0].Snippet, func(f store.Fragment) bool { return f.Match && f.Text == "Invoice" }) {
		t.Errorf("Search(invoices) snippet = %+v, want Invoice marked", res.Hits)
	}
}

// testSearchNames checks that file names, without their extension, are searched like text and
// weigh more than it.
func testSearchNames(t *testing.T, s *store.Store) {
	addDone(t, s,
		textDoc{"alice", "Quarterly_Report-2024.pdf", []string{"lorem ipsum"}},
		textDoc{"alice", "eurotext.png", []string{"The quick brown fox"}},
		textDoc{"alice", "notes.pdf", []string{"see the quarterly report of last year " + filler(5)}},
		textDoc{"bob", "eurotext.pdf", []string{"the quarterly report"}},
	)
	tests := []struct {
		query string
		want  []string
	}{
		{"eurotext", []string{"eurotext.png"}},
		{"eurotext fox", []string{"eurotext.png"}},
		{"eurotext -fox", nil},
		{"fox -eurotext", nil},
		{"euro*", []string{"eurotext.png"}},
		{`"quarterly report"`, []string{"Quarterly_Report-2024.pdf", "notes.pdf"}},
		{"reports 2024", []string{"Quarterly_Report-2024.pdf"}},
		{"png", nil},
	}
	for _, tt := range tests {
		res := find(t, s, "alice", tt.query)
		if got := names(res.Hits); !sameSet(got, tt.want) {
			t.Errorf("Search(%s) = %v, want %v", tt.query, got, tt.want)
		}
	}
	res := find(t, s, "alice", "quarterly")
	if got := names(res.Hits); len(got) != 2 || got[0] != "Quarterly_Report-2024.pdf" {
		t.Errorf("Search(quarterly) = %v, want Quarterly_Report-2024.pdf first, then notes.pdf", got)
	}
}

// testSearchOperators checks OR, groups, exclusions alone, the name field and the filters.
func testSearchOperators(t *testing.T, s *store.Store) {
	docs := addDone(t, s,
		textDoc{"alice", "fox.pdf", []string{"the quick brown fox"}},
		textDoc{"alice", "dog.pdf", []string{"the lazy dog"}},
		textDoc{"alice", "both.pdf", []string{"fox and dog together"}},
		textDoc{"alice", "none.pdf", []string{"nothing here"}},
		textDoc{"alice", "report.png", []string{"fox report"}},
		textDoc{"bob", "bob.pdf", []string{"fox dog nothing"}},
	)
	day := docs["fox.pdf"].CreatedAt.UTC().Format(time.DateOnly)
	next := docs["fox.pdf"].CreatedAt.UTC().AddDate(0, 0, 1).Format(time.DateOnly)
	tests := []struct {
		query string
		want  []string
	}{
		{"fox OR dog", []string{"fox.pdf", "dog.pdf", "both.pdf", "report.png"}},
		{"fox -dog", []string{"fox.pdf", "report.png"}},
		{"-fox", []string{"dog.pdf", "none.pdf"}},
		{"-fox -dog", []string{"none.pdf"}},
		{"NOT (fox OR dog)", []string{"none.pdf"}},
		{"(fox OR dog) -together", []string{"fox.pdf", "dog.pdf", "report.png"}},
		{"quick OR lazy OR nothing", []string{"fox.pdf", "dog.pdf", "none.pdf"}},
		{"(quick fox) OR (lazy dog)", []string{"fox.pdf", "dog.pdf"}},
		{"fox type:pdf", []string{"fox.pdf", "both.pdf"}},
		{"type:image", []string{"report.png"}},
		{"type:png -fox", nil},
		{"name:fox", []string{"fox.pdf"}},
		{"name:fox OR name:dog", []string{"fox.pdf", "dog.pdf"}},
		{"fox -name:fox", []string{"both.pdf", "report.png"}},
		{"name:quick", nil},
		{"fox after:" + day, []string{"fox.pdf", "both.pdf", "report.png"}},
		{"fox before:" + day, nil},
		{"fox before:" + next, []string{"fox.pdf", "both.pdf", "report.png"}},
		{"after:" + next, nil},
	}
	for _, tt := range tests {
		wantFound(t, s, "alice", tt.query, tt.want)
	}
	res := find(t, s, "alice", "fox OR nothing")
	if got := names(res.Hits); len(got) != 4 || got[len(got)-1] == "fox.pdf" {
		t.Errorf("Search(fox OR nothing) = %v, want 4 hits", got)
	}
}

// testSearchSort checks each order of hits.
func testSearchSort(t *testing.T, s *store.Store) {
	for _, td := range []textDoc{
		{"alice", "b.pdf", []string{"kiwi " + filler(20)}},
		{"alice", "A.pdf", []string{"kiwi kiwi kiwi"}},
		{"alice", "c.pdf", []string{"kiwi " + filler(50)}},
	} {
		addDone(t, s, td)
	}
	tests := []struct {
		sort store.Sort
		want []string
	}{
		{store.SortRelevance, []string{"A.pdf", "b.pdf", "c.pdf"}},
		{store.SortNewest, []string{"c.pdf", "A.pdf", "b.pdf"}},
		{store.SortOldest, []string{"b.pdf", "A.pdf", "c.pdf"}},
		{store.SortName, []string{"A.pdf", "b.pdf", "c.pdf"}},
	}
	for _, tt := range tests {
		for _, text := range []string{"kiwi", "-nothere"} {
			if tt.sort == store.SortRelevance && text != "kiwi" {
				continue
			}
			res, err := s.Search(t.Context(), "alice", query(t, text), store.SearchOptions{Limit: 10, Sort: tt.sort})
			if err != nil {
				t.Fatalf("Search(%s, sort %q): %v", text, tt.sort, err)
			}
			if got := names(res.Hits); !slices.Equal(got, tt.want) {
				t.Errorf("Search(%s, sort %q) = %v, want %v", text, tt.sort, got, tt.want)
			}
		}
		res, err := s.Search(t.Context(), "alice", query(t, "kiwi"), store.SearchOptions{Limit: 1, Offset: 1, Sort: tt.sort})
		if err != nil || len(res.Hits) != 1 || res.Hits[0].Document.Name != tt.want[1] || res.Total != 3 {
			t.Errorf("Search(kiwi, sort %q, offset 1) = %v, %v; want %s of 3", tt.sort, names(res.Hits), err, tt.want[1])
		}
	}
}

// testSearchSuggest checks that a search that finds nothing suggests the query with its typos
// fixed from the owner's own words, never another owner's.
func testSearchSuggest(t *testing.T, s *store.Store) {
	addDone(t, s,
		textDoc{"alice", "trip.pdf", []string{"Dubrovnik harbour at dawn"}},
		textDoc{"alice", "Quarterly.pdf", []string{"numbers"}},
		textDoc{"bob", "bob.pdf", []string{"zagrebx secret dubrovnix dubrovnix"}},
	)
	tests := []struct {
		query, want string
	}{
		{"dubrovnk", "dubrovnik"},
		{"Dubrovnk harbor", "dubrovnik harbour"},
		{`"dubrovnk harbour"`, `"dubrovnik harbour"`},
		{"quartrly", "quarterly"},
		{"dubrovnk -dawn", ""},
		{"zagreb", ""},
		{"secrt", ""},
		{"dubr*", ""},
		{"xyz", ""},
		{"harbour", ""},
	}
	for _, tt := range tests {
		res := find(t, s, "alice", tt.query)
		if res.Suggestion != tt.want {
			t.Errorf("Search(%s) suggests %q, want %q", tt.query, res.Suggestion, tt.want)
		}
		if tt.want != "" && res.Total != 0 {
			t.Errorf("Search(%s) found %d and suggests %q", tt.query, res.Total, res.Suggestion)
		}
	}
}

func testSearchSnippets(t *testing.T, s *store.Store) {
	page := filler(60) + " The invoice total was 420 euros, due in March. " + filler(60)
	addDone(t, s, textDoc{"alice", "bill.pdf", []string{page}})
	tests := []struct {
		query string
		match func(string) bool
	}{
		{"invoice", func(m string) bool { return strings.EqualFold(m, "invoice") }},
		{"invo*", func(m string) bool { return strings.HasPrefix(strings.ToLower(m), "invo") }},
		{`"total was"`, func(m string) bool { return strings.Contains("total was", strings.ToLower(m)) }},
		{"euros march", func(m string) bool { return strings.EqualFold(m, "euros") || strings.EqualFold(m, "march") }},
	}
	for _, tt := range tests {
		res := find(t, s, "alice", tt.query)
		if len(res.Hits) != 1 {
			t.Fatalf("Search(%s) = %v, want bill.pdf", tt.query, names(res.Hits))
		}
		frags := res.Hits[0].Snippet
		var text strings.Builder
		matches := 0
		for _, f := range frags {
			text.WriteString(f.Text)
			if !f.Match {
				continue
			}
			matches++
			if !tt.match(f.Text) {
				t.Errorf("Search(%s): fragment %q marked as a match", tt.query, f.Text)
			}
		}
		if matches == 0 {
			t.Errorf("Search(%s): snippet %+v has no match", tt.query, frags)
		}
		if len(frags) < 3 || frags[0].Match || frags[len(frags)-1].Match {
			t.Errorf("Search(%s): snippet %+v lacks text around the match", tt.query, frags)
		}
		got := strings.Join(strings.Fields(strings.Trim(text.String(), ".… ")), " ")
		if !strings.Contains(strings.Join(strings.Fields(page), " "), got) {
			t.Errorf("Search(%s): snippet %q is not from the page", tt.query, got)
		}
		if len(got) > len(page)/2 {
			t.Errorf("Search(%s): snippet is %d bytes of a %d-byte page, want an excerpt", tt.query, len(got), len(page))
		}
	}
}

func testSearchPaging(t *testing.T, s *store.Store) {
	var docs []textDoc
	for i := range 25 {
		docs = append(docs, textDoc{"alice", "doc" + string(rune('a'+i)) + ".pdf",
			[]string{strings.Repeat("kiwi ", i%5+1) + filler(i+3)}})
	}
	docs = append(docs, textDoc{"bob", "bob.pdf", []string{"kiwi kiwi"}})
	addDone(t, s, docs...)

	var all []string
	for _, off := range []int{0, 10, 20, 30} {
		res, err := s.Search(t.Context(), "alice", query(t, "kiwi"), store.SearchOptions{Limit: 10, Offset: off})
		if err != nil {
			t.Fatalf("Search(offset %d): %v", off, err)
		}
		if want := min(10, max(0, 25-off)); len(res.Hits) != want {
			t.Errorf("Search(offset %d) = %d hits, want %d", off, len(res.Hits), want)
		}
		if res.Total != 25 || res.Capped {
			t.Errorf("Search(offset %d) total = %d, capped %v; want 25, not capped", off, res.Total, res.Capped)
		}
		all = append(all, names(res.Hits)...)
	}
	var want []string
	for _, d := range docs[:25] {
		want = append(want, d.name)
	}
	if !sameSet(all, want) {
		t.Errorf("pages together = %v, want each of %v once", all, want)
	}
}

func query(t *testing.T, s string) search.Query {
	t.Helper()
	q, err := search.Parse(s)
	if err != nil {
		t.Fatalf("Parse(%q): %v", s, err)
	}
	return q
}

// testSearchLiteral feeds full-text syntax of several backends through the search box: none of
// it may fail or act as an operator. decoy.pdf is what an operator would match; literal.pdf holds
// the operators as words.
func testSearchLiteral(t *testing.T, s *store.Store) {
	addDone(t, s,
		textDoc{"alice", "decoy.pdf", []string{"zulu yankee xray"}},
		textDoc{"alice", "literal.pdf", []string{"zulu or nothere and not near yankee col body text tsv"}},
	)
	both := []string{"decoy.pdf", "literal.pdf"}
	literal := []string{"literal.pdf"}
	tests := []struct {
		query string
		want  []string
	}{
		{`zulu OR nothere`, both},
		{`zulu or nothere`, literal},
		{`zulu | nothere`, literal},
		{`zulu AND OR NOT yankee`, both},
		{`zulu and or not yankee`, literal},
		{`zulu NOT nothere`, []string{"decoy.pdf"}},
		{`!nothere & zulu`, literal},
		{`zulu & !nothere`, literal},
		{`NEAR(zulu yankee)`, literal},
		{`NEAR(zulu yankee, 5)`, nil},
		{`zulu <-> yankee`, both},
		{`col:zulu`, literal},
		{`body:zulu`, literal},
		{`text:zulu`, literal},
		{`tsv:zulu`, literal},
		{`{body}: zulu`, literal},
		{`zulu | xray`, []string{"decoy.pdf"}},
		{`zul:*`, nil},
		{`zul:* | zulu`, nil},
		{`"zulu`, both},
		{`zulu"`, both},
		{`"zulu" "`, both},
		{`zulu"yankee`, both},
		{`^zulu`, both},
		{`zulu^2`, nil},
		{`'zulu'`, both},
		{`''zulu''`, both},
		{`zulu\`, both},
		{`\"zulu\"`, both},
		{`zulu;`, both},
		{`zulu'); DROP TABLE documents; --`, nil},
		{`(zulu)`, both},
		{`((zulu`, both},
		{`zulu + yankee`, both},
		{`zulu*`, both},
		{`zulu**`, both},
		{`* zulu`, both},
		{`zulu -xray`, literal},
		{`zulu -"yankee xray"`, literal},
		{`zulu & -xray`, literal},
		{"zulu\x00yankee", both},
		{"zulu\u200byankee", both},
	}
	for _, tt := range tests {
		res := find(t, s, "alice", tt.query)
		if got := names(res.Hits); !sameSet(got, tt.want) {
			t.Errorf("Search(%s) = %v, want %v", tt.query, got, tt.want)
		}
	}
}

// testSearchRawWords searches for clauses that Parse would never make: a backend must still treat
// every word as data. It may reject a query that is left with nothing to search for.
func testSearchRawWords(t *testing.T, s *store.Store) {
	addDone(t, s, textDoc{"alice", "decoy.pdf", []string{"zulu yankee xray"}})
	raw := []string{
		`"`, `""`, `*`, `NEAR(zulu yankee)`, `zulu OR nothere`, `zulu AND`, `NOT`, `col:zulu`,
		`^zulu`, `'`, `\`, `:*`, `&|!`, `zulu"`, `(`, `)`, `-zulu`, "zulu\x00", "\x00", "",
		"zulu\nyankee", `zulu:* | nothere`, `{body}:nothere`, `' OR '1'='1`,
	}
	leaf := func(c search.Clause) *search.Node { return search.Leaf(c) }
	zulu := leaf(search.Clause{Words: []string{"zulu"}})
	for _, w := range raw {
		positive := []search.Query{
			{Root: leaf(search.Clause{Words: []string{w}})},
			{Root: leaf(search.Clause{Words: []string{w}, Prefix: true})},
			{Root: leaf(search.Clause{Words: []string{w}, Exact: true})},
			{Root: leaf(search.Clause{Words: []string{"zulu", w}})},
			{Root: leaf(search.Clause{Words: []string{w}, Field: search.FieldName})},
		}
		other := []search.Query{
			{Root: search.And(zulu, search.Not(leaf(search.Clause{Words: []string{w}})))},
			{Root: search.Or(zulu, leaf(search.Clause{Words: []string{w}}))},
			{Root: search.Not(leaf(search.Clause{Words: []string{w}}))},
		}
		for i, q := range append(positive, other...) {
			res, err := s.Search(t.Context(), "alice", q, store.SearchOptions{Limit: 10})
			if err != nil && !errors.Is(err, document.ErrInvalidInput) {
				t.Errorf("Search(%s): %v", q.Root.Clause.Words, err)
			}
			if strings.Contains(w, "nothere") && slices.Contains(names(res.Hits), "decoy.pdf") && i < len(positive) {
				t.Errorf("Search(%q) found decoy.pdf, which lacks the word nothere", q.Root.Clause.Words)
			}
		}
	}
}

func testSearchInvalid(t *testing.T, s *store.Store) {
	addDone(t, s, textDoc{"alice", "a.pdf", []string{"some words"}})
	words := query(t, "words")
	tests := []struct {
		name string
		q    search.Query
		opt  store.SearchOptions
	}{
		{"empty query", search.Query{}, store.SearchOptions{Limit: 10}},
		{"only punctuation", search.Query{Root: search.Not(search.Leaf(search.Clause{Words: []string{"&|!"}}))}, store.SearchOptions{Limit: 10}},
		{"zero limit", words, store.SearchOptions{}},
		{"limit over 100", words, store.SearchOptions{Limit: 101}},
		{"negative offset", words, store.SearchOptions{Limit: 10, Offset: -1}},
		{"unknown sort", words, store.SearchOptions{Limit: 10, Sort: "size"}},
	}
	for _, tt := range tests {
		_, err := s.Search(t.Context(), "alice", tt.q, tt.opt)
		wantErr(t, "Search with "+tt.name, err, document.ErrInvalidInput)
	}
}

// SearchSuggest runs the suggestion cases of Run on s, for a backend to check another way it
// has of finding suggestions.
func SearchSuggest(t *testing.T, s *store.Store) {
	testSearchSuggest(t, s)
}

// SearchMigrated checks a store migrated from schema version 3 that held one done document of
// alice's, d1, named Quarterly_Report.pdf, in deu+eng, whose one page reads "Die Rechnungen were
// jumping", uploaded 2024-05-06 at noon UTC: the migration must have indexed its stems, name
// and words, and dated it the day it was uploaded.
func SearchMigrated(t *testing.T, s *store.Store) {
	t.Helper()
	d := get(t, s, "alice", "d1")
	if d.Title != "Quarterly_Report" || d.Date != "2024-05-06" || d.DateSource != document.DateUpload {
		t.Errorf("after migration: title %q, date %s (%s); want Quarterly_Report dated the upload day 2024-05-06", d.Title, d.Date, d.DateSource)
	}
	wantFound(t, s, "alice", "after:2024-05-06 before:2024-05-07", []string{"Quarterly_Report.pdf"})
	res, err := s.Search(t.Context(), "alice", query(t, "rechnunqen"), store.SearchOptions{Limit: 10})
	if err != nil || res.Suggestion != "rechnungen" {
		t.Errorf("Search(rechnunqen) after migration suggests %q, %v; want rechnungen", res.Suggestion, err)
	}
	for _, text := range []string{"Rechnung", "jump", "reports", `"quarterly report"`, "Die"} {
		res := find(t, s, "alice", text)
		if len(res.Hits) != 1 || res.Hits[0].Document.ID != "d1" {
			t.Errorf("Search(%s) after migration = %+v, want d1", text, res.Hits)
		}
	}
}

// wantFound checks that searching for query as owner finds the documents named want, in any
// order, and counts as many.
func wantFound(t *testing.T, s *store.Store, owner, query string, want []string) {
	t.Helper()
	res := find(t, s, owner, query)
	if got := names(res.Hits); !sameSet(got, want) {
		t.Errorf("Search(%s) = %v, want %v", query, got, want)
	}
	if res.Total != len(want) {
		t.Errorf("Search(%s) total = %d, want %d", query, res.Total, len(want))
	}
}
