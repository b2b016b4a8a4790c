package storetest

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/docpipe/docpipe/internal/document"
	"github.com/docpipe/docpipe/internal/store"
)

func tagDocs(t *testing.T, s *store.Store, owner string, ids, add, remove []string) []string {
	t.Helper()
	found, err := s.TagDocuments(t.Context(), owner, ids, add, remove)
	if err != nil {
		t.Fatalf("TagDocuments(%v, +%v, -%v): %v", ids, add, remove, err)
	}
	return found
}

func wantTags(t *testing.T, s *store.Store, owner, id string, want ...string) {
	t.Helper()
	if want == nil {
		want = []string{}
	}
	if got := get(t, s, owner, id).Tags; !slices.Equal(got, want) {
		t.Errorf("tags of %s = %q, want %q", id, got, want)
	}
}

// testTags checks tagging documents, the owner's tags with their counts and colours, renaming
// and deleting a tag.
func testTags(t *testing.T, s *store.Store) {
	a, b := newDoc("alice", "a.pdf"), newDoc("alice", "b.pdf")
	create(t, s, a)
	create(t, s, b)
	wantTags(t, s, "alice", a.ID)
	found := tagDocs(t, s, "alice", []string{a.ID, b.ID}, []string{"tax", " Home  office "}, nil)
	if !sameSet(found, []string{a.ID, b.ID}) {
		t.Errorf("TagDocuments found %v, want both", found)
	}
	wantTags(t, s, "alice", a.ID, "Home office", "tax")
	tagDocs(t, s, "alice", []string{b.ID}, []string{"2024"}, []string{"tax", "never there"})
	wantTags(t, s, "alice", b.ID, "2024", "Home office")

	tags, err := s.Tags(t.Context(), "alice")
	if err != nil {
		t.Fatalf("Tags: %v", err)
	}
	counts := map[string]int{}
	for _, tg := range tags {
		counts[tg.Name] = tg.Documents
		if tg.Color != document.DefaultColor(tg.Name) {
			t.Errorf("new tag %s has colour %s, want its default %s", tg.Name, tg.Color, document.DefaultColor(tg.Name))
		}
	}
	if want := map[string]int{"2024": 1, "Home office": 2, "tax": 1}; !maps(counts, want) {
		t.Errorf("Tags = %v, want %v", counts, want)
	}

	tg, err := s.PutTag(t.Context(), "alice", "Home office", document.Tag{Name: "Office", Color: "#00aa00"})
	if err != nil || tg.Name != "Office" || tg.Color != "#00aa00" {
		t.Fatalf("PutTag(rename) = %+v, %v", tg, err)
	}
	wantTags(t, s, "alice", a.ID, "Office", "tax")
	wantTags(t, s, "alice", b.ID, "2024", "Office")
	if _, err := s.PutTag(t.Context(), "alice", "Office", document.Tag{Name: "tax"}); !errors.Is(err, document.ErrConflict) {
		t.Errorf("PutTag(rename onto another tag) = %v, want %v", err, document.ErrConflict)
	}
	if tg, err := s.PutTag(t.Context(), "alice", "tax", document.Tag{Color: "#112233"}); err != nil || tg.Color != "#112233" || tg.Name != "tax" {
		t.Errorf("PutTag(colour) = %+v, %v", tg, err)
	}
	if tg, err := s.PutTag(t.Context(), "alice", "empty", document.Tag{}); err != nil || tg.Color != document.DefaultColor("empty") {
		t.Errorf("PutTag(new) = %+v, %v", tg, err)
	}
	if _, err := s.PutTag(t.Context(), "alice", "x", document.Tag{Color: "red"}); !errors.Is(err, document.ErrInvalidInput) {
		t.Errorf("PutTag(colour red) = %v, want %v", err, document.ErrInvalidInput)
	}

	if err := s.DeleteTag(t.Context(), "alice", "Office"); err != nil {
		t.Fatalf("DeleteTag: %v", err)
	}
	wantTags(t, s, "alice", a.ID, "tax")
	wantTags(t, s, "alice", b.ID, "2024")
	if err := s.DeleteTag(t.Context(), "alice", "Office"); !errors.Is(err, document.ErrNotFound) {
		t.Errorf("DeleteTag(again) = %v, want %v", err, document.ErrNotFound)
	}
	tags, _ = s.Tags(t.Context(), "alice")
	var got []string
	for _, tg := range tags {
		got = append(got, tg.Name)
	}
	if want := []string{"2024", "empty", "tax"}; !slices.Equal(got, want) {
		t.Errorf("Tags after delete = %v, want %v", got, want)
	}

	for name, add := range map[string][]string{"comma": {"a,b"}, "empty": {" "}, "long": {strings.Repeat("x", 65)}} {
		if _, err := s.TagDocuments(t.Context(), "alice", []string{a.ID}, add, nil); !errors.Is(err, document.ErrInvalidInput) {
			t.Errorf("TagDocuments(%s) = %v, want %v", name, err, document.ErrInvalidInput)
		}
	}
	many := make([]string, document.MaxDocTags)
	for i := range many {
		many[i] = "t" + strings.Repeat("x", i)
	}
	if _, err := s.TagDocuments(t.Context(), "alice", []string{a.ID}, many, nil); !errors.Is(err, document.ErrInvalidInput) {
		t.Errorf("TagDocuments(one too many) = %v, want %v", err, document.ErrInvalidInput)
	}
	wantTags(t, s, "alice", a.ID, "tax")
}

func maps(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// testTagsOwnership checks that tagging never touches another owner's documents or tags.
func testTagsOwnership(t *testing.T, s *store.Store) {
	mine, theirs := newDoc("alice", "mine.pdf"), newDoc("bob", "theirs.pdf")
	create(t, s, mine)
	create(t, s, theirs)
	tagDocs(t, s, "bob", []string{theirs.ID}, []string{"bobs"}, nil)
	found := tagDocs(t, s, "alice", []string{mine.ID, theirs.ID, "not-an-id"}, []string{"x"}, []string{"bobs"})
	if !slices.Equal(found, []string{mine.ID}) {
		t.Errorf("TagDocuments found %v, want only alice's %s", found, mine.ID)
	}
	wantTags(t, s, "bob", theirs.ID, "bobs")
	wantTags(t, s, "alice", mine.ID, "x")
	if err := s.DeleteTag(t.Context(), "alice", "bobs"); !errors.Is(err, document.ErrNotFound) {
		t.Errorf("DeleteTag(bob's tag as alice) = %v, want %v", err, document.ErrNotFound)
	}
	if _, err := s.PutTag(t.Context(), "alice", "x", document.Tag{Name: "bobs"}); err != nil {
		t.Errorf("PutTag(rename to a name bob has) = %v", err)
	}
	wantTags(t, s, "bob", theirs.ID, "bobs")
	tags, _ := s.Tags(t.Context(), "bob")
	if len(tags) != 1 || tags[0].Name != "bobs" || tags[0].Documents != 1 {
		t.Errorf("bob's tags = %+v", tags)
	}
}

// testFilterTags checks tag: in search and the list's filter: a document passes when it has a
// tag of every group.
func testFilterTags(t *testing.T, s *store.Store) {
	docs := addDone(t, s,
		textDoc{"alice", "gas.pdf", []string{"kiwi bill"}},
		textDoc{"alice", "rent.pdf", []string{"kiwi bill"}},
		textDoc{"alice", "note.pdf", []string{"kiwi"}},
		textDoc{"bob", "bobs.pdf", []string{"kiwi bill"}},
	)
	tagDocs(t, s, "alice", []string{docs["gas.pdf"].ID}, []string{"tax", "energy"}, nil)
	tagDocs(t, s, "alice", []string{docs["rent.pdf"].ID}, []string{"tax", "home"}, nil)
	tagDocs(t, s, "bob", []string{docs["bobs.pdf"].ID}, []string{"tax"}, nil)
	for _, tt := range []struct {
		query string
		want  []string
	}{
		{"tag:tax", []string{"gas.pdf", "rent.pdf"}},
		{"bill tag:energy", []string{"gas.pdf"}},
		{"tag:energy,home", []string{"gas.pdf", "rent.pdf"}},
		{"tag:tax tag:home", []string{"rent.pdf"}},
		{"kiwi tag:nothing", nil},
		{"-bill tag:tax", nil},
	} {
		wantFound(t, s, "alice", tt.query, tt.want)
	}
	for _, tt := range []struct {
		tags [][]string
		want []string
	}{
		{[][]string{{"tax"}}, []string{"gas.pdf", "rent.pdf"}},
		{[][]string{{"tax"}, {"home", "nothing"}}, []string{"rent.pdf"}},
		{[][]string{{"nothing"}}, nil},
	} {
		res, err := s.List(t.Context(), "alice", store.ListOptions{Limit: 10, Tags: tt.tags})
		if err != nil {
			t.Fatalf("List(tags %v): %v", tt.tags, err)
		}
		var got []string
		for _, d := range res.Documents {
			got = append(got, d.Name)
		}
		if !sameSet(got, tt.want) {
			t.Errorf("List(tags %v) = %v, want %v", tt.tags, got, tt.want)
		}
	}
}
