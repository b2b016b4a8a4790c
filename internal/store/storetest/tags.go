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
	many := make([][]string, store.MaxTagGroups+1)
	for i := range many {
		many[i] = []string{"tax"}
	}
	if _, err := s.List(t.Context(), "alice", store.ListOptions{Limit: 10, Tags: many}); !errors.Is(err, document.ErrInvalidInput) {
		t.Errorf("List(%d tag filters) = %v, want %v", len(many), err, document.ErrInvalidInput)
	}
}

// testRules checks that rules tag documents after OCR and on demand, each as its match says,
// and only their owner's.
func testRules(t *testing.T, s *store.Store) {
	put := func(owner string, r document.Rule) document.Rule {
		t.Helper()
		got, err := s.PutRule(t.Context(), owner, r)
		if err != nil {
			t.Fatalf("PutRule(%+v): %v", r, err)
		}
		return got
	}
	energy := put("alice", document.Rule{Name: "Energy", Match: document.MatchAny, Pattern: "electricity gas", Tags: []string{"energy"}})
	put("alice", document.Rule{Match: document.MatchAll, Pattern: "invoice total", Tags: []string{"invoice", "money"}})
	put("alice", document.Rule{Match: document.MatchPhrase, Pattern: "Stadtwerke München", Tags: []string{"city"}})
	put("alice", document.Rule{Match: document.MatchRegexp, Pattern: `DE\d{2}(\s?\d{4}){4}\s?\d{2}`, Tags: []string{"iban"}})
	put("alice", document.Rule{Match: document.MatchAny, Pattern: "receipt", Field: document.FieldName, Tags: []string{"receipt"}})
	put("bob", document.Rule{Match: document.MatchAny, Pattern: "gas", Tags: []string{"bobs"}})
	if energy.ID == "" || energy.Field != document.FieldText {
		t.Errorf("PutRule = %+v, want an ID and the text field", energy)
	}

	docs := addDone(t, s,
		textDoc{"alice", "bill.pdf", []string{"Your GAS bill", "Invoice\nTotal: 12 EUR"}},
		textDoc{"alice", "letter.pdf", []string{"Die Stadtwerke Munchen schreiben: IBAN de44 5001 0517 5407 3249 31"}},
		textDoc{"alice", "receipt-17.png", []string{"total", "invoices"}},
		textDoc{"alice", "plain.pdf", []string{"stadtwerke and münchen apart; electric"}},
	)
	wantTags(t, s, "alice", docs["bill.pdf"].ID, "energy", "invoice", "money")
	wantTags(t, s, "alice", docs["letter.pdf"].ID, "city", "iban")
	wantTags(t, s, "alice", docs["receipt-17.png"].ID, "receipt")
	wantTags(t, s, "alice", docs["plain.pdf"].ID)

	put("alice", document.Rule{ID: energy.ID, Match: document.MatchAny, Pattern: "electric", Tags: []string{"power"}})
	rules, err := s.Rules(t.Context(), "alice")
	if err != nil || len(rules) != 5 {
		t.Fatalf("Rules = %d, %v; want 5", len(rules), err)
	}
	n, err := s.ApplyRules(t.Context(), "alice", energy.ID)
	if err != nil || n != 1 {
		t.Errorf("ApplyRules(one rule) = %d, %v; want 1 document tagged", n, err)
	}
	wantTags(t, s, "alice", docs["plain.pdf"].ID, "power")
	if n, err := s.ApplyRules(t.Context(), "alice", ""); err != nil || n != 0 {
		t.Errorf("ApplyRules(all, again) = %d, %v; want nothing new", n, err)
	}
	if _, err := s.ApplyRules(t.Context(), "bob", energy.ID); !errors.Is(err, document.ErrNotFound) {
		t.Errorf("ApplyRules(alice's rule as bob) = %v, want %v", err, document.ErrNotFound)
	}
	if err := s.DeleteRule(t.Context(), "bob", energy.ID); !errors.Is(err, document.ErrNotFound) {
		t.Errorf("DeleteRule(alice's rule as bob) = %v, want %v", err, document.ErrNotFound)
	}
	if err := s.DeleteRule(t.Context(), "alice", energy.ID); err != nil {
		t.Errorf("DeleteRule: %v", err)
	}
	if rules, _ := s.Rules(t.Context(), "alice"); len(rules) != 4 {
		t.Errorf("Rules after delete = %d, want 4", len(rules))
	}
	if rules, _ := s.Rules(t.Context(), "bob"); len(rules) != 1 || rules[0].Pattern != "gas" {
		t.Errorf("bob's rules = %+v", rules)
	}
}

// testRulesInvalid checks that a rule that could not work, or could hurt, is refused.
func testRulesInvalid(t *testing.T, s *store.Store) {
	for name, r := range map[string]document.Rule{
		"no tags":         {Match: document.MatchAny, Pattern: "x"},
		"no words":        {Match: document.MatchAll, Pattern: "— !", Tags: []string{"x"}},
		"bad match":       {Match: "fuzzy", Pattern: "x", Tags: []string{"x"}},
		"bad field":       {Match: document.MatchAny, Pattern: "x", Field: "body", Tags: []string{"x"}},
		"bad regexp":      {Match: document.MatchRegexp, Pattern: "a(b", Tags: []string{"x"}},
		"backreference":   {Match: document.MatchRegexp, Pattern: `(a)\1`, Tags: []string{"x"}},
		"matches nothing": {Match: document.MatchRegexp, Pattern: "a*", Tags: []string{"x"}},
		"huge regexp":     {Match: document.MatchRegexp, Pattern: "(a{1,100}){1,100}", Tags: []string{"x"}},
		"long pattern":    {Match: document.MatchAny, Pattern: strings.Repeat("a ", 300), Tags: []string{"x"}},
		"bad tag":         {Match: document.MatchAny, Pattern: "x", Tags: []string{"a,b"}},
	} {
		if _, err := s.PutRule(t.Context(), "alice", r); !errors.Is(err, document.ErrInvalidInput) {
			t.Errorf("PutRule(%s) = %v, want %v", name, err, document.ErrInvalidInput)
		}
	}
	if rules, _ := s.Rules(t.Context(), "alice"); len(rules) != 0 {
		t.Errorf("refused rules were kept: %+v", rules)
	}
}
