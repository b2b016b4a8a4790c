package storetest

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/docpipe/docpipe/internal/document"
	"github.com/docpipe/docpipe/internal/store"
)

func testCreate(t *testing.T, s *store.Store) {
	before := time.Now().Truncate(time.Microsecond)
	d := newDoc("alice", "scan.pdf")
	d.Status, d.Pages, d.Attempts, d.Error, d.Lang = document.StatusDone, 7, 3, "ignored", "deu+eng"
	create(t, s, d)
	if !document.ValidID(d.ID) {
		t.Errorf("Create set ID %q, want a valid ID", d.ID)
	}
	if d.Status != document.StatusQueued || d.Pages != 0 || d.Attempts != 0 || d.Error != "" {
		t.Errorf("Create set status %q, pages %d, attempts %d, error %q; want queued, 0, 0, empty",
			d.Status, d.Pages, d.Attempts, d.Error)
	}
	if d.CreatedAt.Before(before) || d.CreatedAt.After(time.Now()) || !d.UpdatedAt.Equal(d.CreatedAt) {
		t.Errorf("Create set CreatedAt %v, UpdatedAt %v; want both now", d.CreatedAt, d.UpdatedAt)
	}
	if diff := diffDoc(get(t, s, "alice", d.ID), *d); diff != "" {
		t.Errorf("Get after Create: %s", diff)
	}

	at := time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.FixedZone("CEST", 2*3600))
	given := newDoc("alice", "given.pdf")
	given.ID = document.NewID(at)
	given.CreatedAt = at
	id := given.ID
	create(t, s, given)
	if given.ID != id {
		t.Errorf("Create changed the given ID %s to %s", id, given.ID)
	}
	want := at.Truncate(time.Microsecond)
	if !given.CreatedAt.Equal(want) || given.CreatedAt.Location() != time.UTC {
		t.Errorf("Create set CreatedAt %v, want %v in UTC", given.CreatedAt, want)
	}
	if diff := diffDoc(get(t, s, "alice", id), *given); diff != "" {
		t.Errorf("Get after Create with ID: %s", diff)
	}

	dup := newDoc("bob", "dup.pdf")
	dup.ID = id
	wantErr(t, "Create with a duplicate ID", s.Create(t.Context(), dup), document.ErrConflict)

	_, err := s.Get(t.Context(), "alice", document.NewID(time.Now()))
	wantErr(t, "Get of an unknown ID", err, document.ErrNotFound)
	_, err = s.Get(t.Context(), "alice", "../../etc/passwd")
	wantErr(t, "Get of a malformed ID", err, document.ErrNotFound)
}

func testCreateInvalid(t *testing.T, s *store.Store) {
	noOwner := newDoc("", "x.pdf")
	wantErr(t, "Create without owner", s.Create(t.Context(), noOwner), document.ErrInvalidInput)
	badID := newDoc("alice", "x.pdf")
	badID.ID = "not/an/id"
	wantErr(t, "Create with a malformed ID", s.Create(t.Context(), badID), document.ErrInvalidInput)
	for _, lang := range []string{"+", "deu+", "DEU", "deu eng", "'; DROP TABLE documents; --", "a+b+c+d+e+f+g+h+i"} {
		badLang := newDoc("alice", "x.pdf")
		badLang.Lang = lang
		wantErr(t, fmt.Sprintf("Create with languages %q", lang), s.Create(t.Context(), badLang), document.ErrInvalidInput)
	}
	wantNoJob(t, s)
}

// listAll pages through the owner's documents limit at a time.
func listAll(t *testing.T, s *store.Store, owner string, status document.Status, limit int) []document.Document {
	t.Helper()
	var all []document.Document
	opt := store.ListOptions{Status: status, Limit: limit}
	for range 1000 {
		res, err := s.List(t.Context(), owner, opt)
		if err != nil {
			t.Fatalf("List(%+v): %v", opt, err)
		}
		if len(res.Documents) > limit {
			t.Fatalf("List(%+v) returned %d documents", opt, len(res.Documents))
		}
		if len(res.Documents) == 0 && res.Next != "" {
			t.Fatalf("List(%+v) returned an empty page with a next cursor", opt)
		}
		all = append(all, res.Documents...)
		if res.Next == "" {
			return all
		}
		opt.Cursor = res.Next
	}
	t.Fatalf("List did not end")
	return nil
}

func ids(docs []document.Document) []string {
	var ids []string
	for _, d := range docs {
		ids = append(ids, d.ID)
	}
	return ids
}

func testList(t *testing.T, s *store.Store) {
	base := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	var want []string
	for i, ms := range []int{0, 1, 1, 1, 2, 3, 3} {
		d := newDoc("alice", "doc"+string(rune('a'+i)))
		d.CreatedAt = base.Add(time.Duration(ms) * time.Millisecond)
		create(t, s, d)
		want = append(want, d.ID)
	}
	for _, name := range []string{"bob1", "bob2"} {
		d := newDoc("bob", name)
		d.CreatedAt = base.Add(time.Millisecond)
		create(t, s, d)
	}

	all := listAll(t, s, "alice", "", 1000)
	if got := ids(all); !sameSet(got, want) {
		t.Fatalf("List = %v, want %v in any order", got, want)
	}
	for i := 1; i < len(all); i++ {
		if all[i].CreatedAt.After(all[i-1].CreatedAt) {
			t.Errorf("List is not newest first: %v then %v", all[i-1].CreatedAt, all[i].CreatedAt)
		}
	}
	if diff := diffDoc(all[0], get(t, s, "alice", all[0].ID)); diff != "" {
		t.Errorf("List document differs from Get: %s", diff)
	}
	for _, limit := range []int{1, 2, 3, 6, 7} {
		if got := ids(listAll(t, s, "alice", "", limit)); !slices.Equal(got, ids(all)) {
			t.Errorf("List by %d = %v, want %v", limit, got, ids(all))
		}
	}
	res, err := s.List(t.Context(), "alice", store.ListOptions{Limit: 7})
	if err != nil || len(res.Documents) != 7 || res.Next != "" {
		t.Errorf("List of exactly the limit = %d documents, next %q, %v; want 7, no next", len(res.Documents), res.Next, err)
	}
	if got := listAll(t, s, "carol", "", 10); len(got) != 0 {
		t.Errorf("List of an owner without documents = %v, want none", ids(got))
	}
}

func testListStatus(t *testing.T, s *store.Store) {
	var all []string
	for i := range 7 {
		d := newDoc("alice", "doc"+string(rune('a'+i)))
		create(t, s, d)
		all = append(all, d.ID)
	}
	var processing []string
	for range 3 {
		processing = append(processing, claim(t, s, longLease).DocumentID)
	}
	queued := slices.DeleteFunc(slices.Clone(all), func(id string) bool { return slices.Contains(processing, id) })

	if got := ids(listAll(t, s, "alice", document.StatusProcessing, 2)); !sameSet(got, processing) {
		t.Errorf("List(processing) = %v, want %v", got, processing)
	}
	if got := ids(listAll(t, s, "alice", document.StatusQueued, 3)); !sameSet(got, queued) {
		t.Errorf("List(queued) = %v, want %v", got, queued)
	}
	if got := ids(listAll(t, s, "alice", document.StatusDone, 3)); len(got) != 0 {
		t.Errorf("List(done) = %v, want none", got)
	}
	for _, d := range listAll(t, s, "alice", document.StatusProcessing, 10) {
		if d.Status != document.StatusProcessing {
			t.Errorf("List(processing) returned a %s document", d.Status)
		}
	}
}

func testListInvalid(t *testing.T, s *store.Store) {
	for i := range 3 {
		create(t, s, newDoc("alice", "doc"+string(rune('a'+i))))
	}
	tests := []struct {
		name string
		opt  store.ListOptions
	}{
		{"zero limit", store.ListOptions{Limit: 0}},
		{"negative limit", store.ListOptions{Limit: -1}},
		{"limit over 1000", store.ListOptions{Limit: 1001}},
		{"unknown status", store.ListOptions{Limit: 10, Status: "archived"}},
		{"garbage cursor", store.ListOptions{Limit: 10, Cursor: "!!!"}},
		{"short cursor", store.ListOptions{Limit: 10, Cursor: "x"}},
		{"zero cursor", store.ListOptions{Limit: 10, Cursor: "AAAA"}},
		{"long cursor", store.ListOptions{Limit: 10, Cursor: strings26(200)}},
		{"sql cursor", store.ListOptions{Limit: 10, Cursor: "' OR 1=1 --"}},
	}
	for _, tt := range tests {
		_, err := s.List(t.Context(), "alice", tt.opt)
		wantErr(t, "List with "+tt.name, err, document.ErrInvalidInput)
	}
}

func strings26(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = "abcdefghijklmnopqrstuvwxyz"[i%26]
	}
	return string(b)
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func testText(t *testing.T, s *store.Store) {
	d := newDoc("alice", "three.pdf")
	create(t, s, d)
	_, err := s.Text(t.Context(), "alice", d.ID)
	wantErr(t, "Text of a queued document", err, document.ErrConflict)

	j := claim(t, s, longLease)
	_, err = s.Text(t.Context(), "alice", d.ID)
	wantErr(t, "Text of a processing document", err, document.ErrConflict)
	want := []document.Page{
		{Number: 1, Text: "First page.\nWith two lines.", Confidence: 91.5, Source: document.SourceOCR},
		{Number: 2, Text: "", Confidence: 0, Source: document.SourceOCR},
		{Number: 3, Text: "Dritte Seite: Übergrößenträger, 東京, emoji 📄.", Confidence: 100, Source: document.SourceTextLayer},
	}
	if err := s.Complete(t.Context(), j, []document.Page{want[2], want[0], want[1]}); err != nil {
		t.Fatalf("Complete: %v", err)
	}
	got, err := s.Text(t.Context(), "alice", d.ID)
	if err != nil {
		t.Fatalf("Text: %v", err)
	}
	if !slices.Equal(got, want) {
		t.Errorf("Text = %+v, want %+v", got, want)
	}
	if got := get(t, s, "alice", d.ID); got.Pages != 3 || got.Status != document.StatusDone {
		t.Errorf("after Complete: pages %d, status %s; want 3, done", got.Pages, got.Status)
	}

	_, err = s.Text(t.Context(), "alice", document.NewID(time.Now()))
	wantErr(t, "Text of an unknown document", err, document.ErrNotFound)
}

func testPage(t *testing.T, s *store.Store) {
	d := newDoc("alice", "scan.pdf")
	create(t, s, d)
	_, err := s.Page(t.Context(), "alice", d.ID, 1)
	wantErr(t, "Page of a queued document", err, document.ErrConflict)

	layout := &document.Layout{Width: 2480, Height: 3508, DPI: 300, Rotation: 2, Lines: []document.Line{
		{Box: document.Box{300, 300, 1210, 350}, Words: []document.Word{
			{Text: "Rechnung", Box: document.Box{300, 301, 620, 350}, Confidence: 96},
			{Text: "Nr.", Box: document.Box{650, 300, 760, 348}, Confidence: 91},
			{Text: "2024-117", Box: document.Box{790, 300, 1210, 349}, Confidence: 88},
		}},
		{Box: document.Box{300, 420, 900, 470}, Words: []document.Word{
			{Text: "Übergrößenträger", Box: document.Box{300, 420, 900, 470}, Confidence: 73},
		}},
	}}
	pages := []document.Page{
		{Number: 1, Text: "Rechnung Nr. 2024-117\nÜbergrößenträger", Confidence: 87, Source: document.SourceOCR, Layout: layout},
		{Number: 2, Text: "Born digital.", Confidence: 100, Source: document.SourceTextLayer},
		{Number: 3, Text: "", Source: document.SourceOCR, Layout: &document.Layout{Width: 2480, Height: 3508, DPI: 300}},
	}
	if err := s.Complete(t.Context(), claim(t, s, longLease), pages); err != nil {
		t.Fatalf("Complete: %v", err)
	}
	for _, want := range pages {
		got, err := s.Page(t.Context(), "alice", d.ID, want.Number)
		if err != nil {
			t.Fatalf("Page %d: %v", want.Number, err)
		}
		if diff := diffPage(got, want); diff != "" {
			t.Errorf("Page %d: %s", want.Number, diff)
		}
	}
	for _, n := range []int{0, 4, store.MaxPage} {
		_, err = s.Page(t.Context(), "alice", d.ID, n)
		wantErr(t, fmt.Sprintf("Page %d of 3", n), err, document.ErrNotFound)
	}
	_, err = s.Page(t.Context(), "bob", d.ID, 1)
	wantErr(t, "Page of another owner's document", err, document.ErrNotFound)

	if _, err := s.Reprocess(t.Context(), "alice", d.ID); err != nil {
		t.Fatalf("Reprocess: %v", err)
	}
	again := []document.Page{{Number: 1, Text: "Rechnung", Confidence: 99, Source: document.SourceOCR, Layout: &document.Layout{
		Width: 1240, Height: 1754, DPI: 150, Lines: []document.Line{{Box: document.Box{150, 150, 310, 175},
			Words: []document.Word{{Text: "Rechnung", Box: document.Box{150, 150, 310, 175}, Confidence: 99}}}},
	}}}
	if err := s.Complete(t.Context(), claim(t, s, longLease), again); err != nil {
		t.Fatalf("Complete after Reprocess: %v", err)
	}
	got, err := s.Page(t.Context(), "alice", d.ID, 1)
	if err != nil {
		t.Fatalf("Page after Reprocess: %v", err)
	}
	if diff := diffPage(got, again[0]); diff != "" {
		t.Errorf("Page 1 after Reprocess: %s", diff)
	}
	_, err = s.Page(t.Context(), "alice", d.ID, 2)
	wantErr(t, "Page 2 after Reprocess made one page", err, document.ErrNotFound)
}

// diffPage describes how got differs from want, layouts compared by value.
func diffPage(got, want document.Page) string {
	gl, wl := got.Layout, want.Layout
	got.Layout, want.Layout = nil, nil
	switch {
	case got != want:
		return fmt.Sprintf("got %+v, want %+v", got, want)
	case (gl == nil) != (wl == nil):
		return fmt.Sprintf("layout %v, want %v", gl, wl)
	case gl != nil:
		gb, gerr := gl.MarshalBinary()
		wb, werr := wl.MarshalBinary()
		if gerr != nil || werr != nil || !bytes.Equal(gb, wb) {
			return fmt.Sprintf("layout\n got %+v\nwant %+v", *gl, *wl)
		}
	}
	return ""
}

func testDelete(t *testing.T, s *store.Store) {
	docs := addDone(t, s,
		textDoc{"alice", "gone.pdf", []string{"walrus tusks", "more walrus"}},
		textDoc{"alice", "kept.pdf", []string{"walrus colony"}},
	)
	gone := docs["gone.pdf"]
	removed, err := s.Delete(t.Context(), "alice", gone.ID)
	if err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if diff := diffDoc(removed, gone); diff != "" {
		t.Errorf("Delete returned: %s", diff)
	}
	_, err = s.Get(t.Context(), "alice", gone.ID)
	wantErr(t, "Get after Delete", err, document.ErrNotFound)
	_, err = s.Text(t.Context(), "alice", gone.ID)
	wantErr(t, "Text after Delete", err, document.ErrNotFound)
	_, err = s.Delete(t.Context(), "alice", gone.ID)
	wantErr(t, "Delete after Delete", err, document.ErrNotFound)
	_, err = s.Reprocess(t.Context(), "alice", gone.ID)
	wantErr(t, "Reprocess after Delete", err, document.ErrNotFound)
	if got := findNames(t, s, "alice", "walrus"); !slices.Equal(got, []string{"kept.pdf"}) {
		t.Errorf("Search after Delete = %v, want [kept.pdf]", got)
	}
	if got := find(t, s, "alice", "tusks"); len(got.Hits) != 0 || got.Total != 0 {
		t.Errorf("Search for a deleted document's word = %v (total %d), want none", names(got.Hits), got.Total)
	}
	if got := ids(listAll(t, s, "alice", "", 10)); !slices.Equal(got, []string{docs["kept.pdf"].ID}) {
		t.Errorf("List after Delete = %v, want only kept.pdf", got)
	}
}

func testDeleteQueuedAndProcessing(t *testing.T, s *store.Store) {
	queued := newDoc("alice", "queued.pdf")
	create(t, s, queued)
	if _, err := s.Delete(t.Context(), "alice", queued.ID); err != nil {
		t.Fatalf("Delete of a queued document: %v", err)
	}
	wantNoJob(t, s)
	if st, err := s.Stats(t.Context()); err != nil || st.Queued != 0 || st.Processing != 0 {
		t.Errorf("Stats after Delete = %+v, %v; want an empty queue", st, err)
	}

	busy := newDoc("alice", "busy.pdf")
	create(t, s, busy)
	j := claim(t, s, longLease)
	if _, err := s.Delete(t.Context(), "alice", busy.ID); err != nil {
		t.Fatalf("Delete of a processing document: %v", err)
	}
	_, err := s.Extend(t.Context(), j, longLease)
	wantErr(t, "Extend after Delete", err, document.ErrLeaseLost)
	wantErr(t, "Complete after Delete", s.Complete(t.Context(), j, pages("late text")), document.ErrLeaseLost)
	wantErr(t, "Fail after Delete", s.Fail(t.Context(), j, "late", time.Time{}), document.ErrLeaseLost)
	_, err = s.Get(t.Context(), "alice", busy.ID)
	wantErr(t, "Get after Complete of a deleted document", err, document.ErrNotFound)
	wantNoJob(t, s)
}

func testReprocess(t *testing.T, s *store.Store) {
	d := newDoc("alice", "again.pdf")
	create(t, s, d)
	_, err := s.Reprocess(t.Context(), "alice", d.ID)
	wantErr(t, "Reprocess of a queued document", err, document.ErrConflict)
	j := claim(t, s, longLease)
	_, err = s.Reprocess(t.Context(), "alice", d.ID)
	wantErr(t, "Reprocess of a processing document", err, document.ErrConflict)
	if err := s.Complete(t.Context(), j, pages("old narwhal text", "second old page")); err != nil {
		t.Fatalf("Complete: %v", err)
	}

	got, err := s.Reprocess(t.Context(), "alice", d.ID)
	if err != nil {
		t.Fatalf("Reprocess of a done document: %v", err)
	}
	if got.Status != document.StatusQueued || got.Error != "" {
		t.Errorf("Reprocess returned status %s, error %q; want queued, none", got.Status, got.Error)
	}
	if diff := diffDoc(get(t, s, "alice", d.ID), got); diff != "" {
		t.Errorf("Get after Reprocess: %s", diff)
	}
	if got := findNames(t, s, "alice", "narwhal"); len(got) != 0 {
		t.Errorf("Search while reprocessing = %v, want none: only done documents are searched", got)
	}
	j2 := claim(t, s, longLease)
	if j2.DocumentID != d.ID || j2.Attempt != 1 || j2.Token == j.Token {
		t.Errorf("Claim after Reprocess = document %s, attempt %d; want %s, attempt 1, a new token", j2.DocumentID, j2.Attempt, d.ID)
	}
	if err := s.Complete(t.Context(), j2, pages("new manatee text")); err != nil {
		t.Fatalf("Complete after Reprocess: %v", err)
	}
	text, err := s.Text(t.Context(), "alice", d.ID)
	if err != nil || len(text) != 1 || text[0].Text != "new manatee text" {
		t.Errorf("Text after reprocessing = %+v, %v; want only the new page", text, err)
	}
	if n := get(t, s, "alice", d.ID).Pages; n != 1 {
		t.Errorf("Pages after reprocessing = %d, want 1", n)
	}
	if got := findNames(t, s, "alice", "narwhal"); len(got) != 0 {
		t.Errorf("Search for replaced text = %v, want none", got)
	}
	if got := findNames(t, s, "alice", "manatee"); !slices.Equal(got, []string{"again.pdf"}) {
		t.Errorf("Search for new text = %v, want [again.pdf]", got)
	}

	_, err = s.Reprocess(t.Context(), "alice", document.NewID(time.Now()))
	wantErr(t, "Reprocess of an unknown document", err, document.ErrNotFound)
}

func testReprocessFailed(t *testing.T, s *store.Store) {
	d := newDoc("alice", "broken.pdf")
	create(t, s, d)
	j := claim(t, s, longLease)
	if err := s.Fail(t.Context(), j, "corrupt file", time.Time{}); err != nil {
		t.Fatalf("Fail: %v", err)
	}
	got, err := s.Reprocess(t.Context(), "alice", d.ID)
	if err != nil {
		t.Fatalf("Reprocess of a failed document: %v", err)
	}
	if got.Status != document.StatusQueued || got.Error != "" {
		t.Errorf("Reprocess returned status %s, error %q; want queued, none", got.Status, got.Error)
	}
	if j := claim(t, s, longLease); j.DocumentID != d.ID || j.Attempt != 1 {
		t.Errorf("Claim after Reprocess = document %s, attempt %d; want %s, attempt 1", j.DocumentID, j.Attempt, d.ID)
	}
}

func testOwnership(t *testing.T, s *store.Store) {
	docs := addDone(t, s, textDoc{"alice", "secret.pdf", []string{"confidential merger plans"}})
	secret := docs["secret.pdf"]
	queued := newDoc("alice", "queued.pdf")
	create(t, s, queued)

	for _, id := range []string{secret.ID, queued.ID} {
		_, err := s.Get(t.Context(), "bob", id)
		wantErr(t, "Get of another owner's document", err, document.ErrNotFound)
		_, err = s.Text(t.Context(), "bob", id)
		wantErr(t, "Text of another owner's document", err, document.ErrNotFound)
		_, err = s.Reprocess(t.Context(), "bob", id)
		wantErr(t, "Reprocess of another owner's document", err, document.ErrNotFound)
		_, err = s.Delete(t.Context(), "bob", id)
		wantErr(t, "Delete of another owner's document", err, document.ErrNotFound)
	}
	if got := listAll(t, s, "bob", "", 10); len(got) != 0 {
		t.Errorf("List for another owner = %v, want none", ids(got))
	}
	if got := find(t, s, "bob", "merger"); len(got.Hits) != 0 || got.Total != 0 {
		t.Errorf("Search for another owner = %v (total %d), want none", names(got.Hits), got.Total)
	}
	if got := find(t, s, "Alice", "merger"); len(got.Hits) != 0 {
		t.Errorf("Search for an owner differing in case = %v, want none", names(got.Hits))
	}
	if diff := diffDoc(get(t, s, "alice", secret.ID), secret); diff != "" {
		t.Errorf("the owner's document changed: %s", diff)
	}
	if got := findNames(t, s, "alice", "merger"); !slices.Equal(got, []string{"secret.pdf"}) {
		t.Errorf("Search for the owner = %v, want [secret.pdf]", got)
	}
	get(t, s, "alice", queued.ID)
}

// testOwnershipUnforgeable stores, in bob's documents, text that carries the kind of owner marker
// a full-text index may keep beside a document's words: alice's, as SQLite's index writes it (a
// hash of the owner in private-use characters). No text may change whose documents a search sees.
func testOwnershipUnforgeable(t *testing.T, s *store.Store) {
	sum := sha256.Sum256([]byte("alice"))
	var forged strings.Builder
	for _, c := range sum[:16] {
		forged.WriteRune(0xE000 + rune(c))
	}
	addDone(t, s,
		textDoc{"alice", "alice.pdf", []string{"harbour crane"}},
		textDoc{"bob", "bob1.pdf", []string{"harbour " + forged.String()}},
		textDoc{"bob", "bob2.pdf", []string{forged.String() + " harbour " + forged.String()}},
		textDoc{"bob", "bob3.pdf", []string{"harbour", forged.String()}},
	)
	if got := find(t, s, "alice", "harbour"); !slices.Equal(names(got.Hits), []string{"alice.pdf"}) || got.Total != 1 {
		t.Errorf("alice's search = %v (total %d), want [alice.pdf] (total 1)", names(got.Hits), got.Total)
	}
	if got := find(t, s, "bob", "harbour"); len(got.Hits) != 3 || got.Total != 3 {
		t.Errorf("bob's search = %v (total %d), want his 3 documents", names(got.Hits), got.Total)
	}
}
