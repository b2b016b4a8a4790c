package store

import (
	"errors"
	"fmt"
	"testing"
	"testing/fstest"
	"time"

	"github.com/docpipe/docpipe/internal/document"
	"github.com/docpipe/docpipe/internal/search"
)

func TestCursorRoundTrip(t *testing.T) {
	want := Cursor{Created: time.UnixMicro(1_700_000_000_123_456).UTC(), ID: document.NewID(time.Now())}
	got, err := DecodeCursor(want.Encode())
	if err != nil || got != want {
		t.Errorf("DecodeCursor(Encode(%v)) = %v, %v", want, got, err)
	}
	for _, bad := range []string{"", "%%", "bm90LWEtY3Vyc29y", want.Encode() + "x"} {
		if _, err := DecodeCursor(bad); !errors.Is(err, document.ErrInvalidInput) {
			t.Errorf("DecodeCursor(%q) error = %v, want ErrInvalidInput", bad, err)
		}
	}
}

func TestLoadMigrations(t *testing.T) {
	good := fstest.MapFS{
		"m/0002_search.sql": {Data: []byte("B")},
		"m/0001_init.sql":   {Data: []byte("A")},
	}
	ms, err := LoadMigrations(good, "m")
	if err != nil || len(ms) != 2 || ms[0].Version != 1 || ms[1].SQL != "B" {
		t.Errorf("LoadMigrations = %+v, %v", ms, err)
	}
	for name, fsys := range map[string]fstest.MapFS{
		"no number": {"m/init.sql": {}},
		"repeated":  {"m/0001_a.sql": {}, "m/0001_b.sql": {}},
		"empty":     {},
	} {
		if _, err := LoadMigrations(fsys, "m"); err == nil {
			t.Errorf("%s: LoadMigrations succeeded", name)
		}
	}
}

func TestPending(t *testing.T) {
	ms := []Migration{{Version: 1}, {Version: 2}, {Version: 5}}
	for _, tt := range []struct {
		current int
		want    []int
		err     bool
	}{
		{0, []int{1, 2, 5}, false},
		{2, []int{5}, false},
		{5, nil, false},
		{6, nil, true},
	} {
		got, err := Pending(ms, tt.current)
		var versions []int
		for _, m := range got {
			versions = append(versions, m.Version)
		}
		if (err != nil) != tt.err || fmt.Sprint(versions) != fmt.Sprint(tt.want) {
			t.Errorf("Pending(%d) = %v, %v; want %v (error %v)", tt.current, versions, err, tt.want, tt.err)
		}
	}
}

func TestCollapseSpace(t *testing.T) {
	for in, want := range map[string]string{
		"":                    "",
		"a  b\n\tc":           "a b c",
		"  edge\u00a0 words ": " edge words ",
	} {
		if got := CollapseSpace(in); got != want {
			t.Errorf("CollapseSpace(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCleanText(t *testing.T) {
	tests := []struct{ text, want string }{
		{"plain", "plain"},
		{"nul\x00byte", "nul byte"},
		{"bad\xffutf8", "bad\uFFFDutf8"},
		{"non\uFDD0char\uFDD1acters\uFDD2", "non\uFFFDchar\uFFFDacters\uFFFD"},
		{"kept\uFDD3", "kept\uFDD3"},
	}
	for _, tt := range tests {
		if got := CleanText(tt.text); got != tt.want {
			t.Errorf("CleanText(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

func TestCheckSearch(t *testing.T) {
	word := func(w string) *search.Node { return search.Leaf(search.Clause{Words: []string{w}}) }
	ok := SearchOptions{Limit: MaxSearchLimit}
	valid := []struct {
		q    search.Query
		want string
	}{
		{search.Query{Root: word("fox")}, "fox"},
		{search.Query{Root: search.Not(word("draft"))}, "-draft"},
		{search.Query{Root: search.And(word("fox"), word("&|!"), search.Not(word("--")))}, "fox"},
		{search.Query{Root: search.Or(word("Fox's"), word("!"))}, `"fox s"`},
		{search.Query{Types: []string{"pdf"}}, "type:pdf"},
	}
	for _, tt := range valid {
		got, err := checkSearch(tt.q, ok)
		if err != nil || got.String() != tt.want {
			t.Errorf("checkSearch(%s) = %s, %v; want %s", tt.q, got, err, tt.want)
		}
	}
	many := make([]*search.Node, search.MaxClauses+1)
	for i := range many {
		many[i] = word("w")
	}
	tests := []struct {
		q   search.Query
		opt SearchOptions
	}{
		{search.Query{}, ok},
		{search.Query{Root: word("&|!")}, ok},
		{search.Query{Root: search.Not(word("&|!"))}, ok},
		{search.Query{Root: search.And(many...)}, ok},
		{search.Query{Root: word("fox")}, SearchOptions{Limit: 0}},
		{search.Query{Root: word("fox")}, SearchOptions{Limit: MaxSearchLimit + 1}},
		{search.Query{Root: word("fox")}, SearchOptions{Limit: 1, Offset: -1}},
	}
	for _, tt := range tests {
		if _, err := checkSearch(tt.q, tt.opt); !errors.Is(err, document.ErrInvalidInput) {
			t.Errorf("checkSearch(%.60s, %+v) = %v, want %v", tt.q, tt.opt, err, document.ErrInvalidInput)
		}
	}
}

func TestHeld(t *testing.T) {
	owned := map[string]int{"harbour": 3, "harbor": 7, "harbours": 9, "barbour": 50}
	count := func(w string) (int, error) { return owned[w], nil }
	tests := []struct {
		near []Near
		want string
	}{
		{[]Near{{Word: "harbours", Edits: 2}, {Word: "harbour", Edits: 1}, {Word: "harbor", Edits: 1}}, "harbor"},
		{[]Near{{Word: "harbours", Edits: 2}, {Word: "harbourz", Edits: 1}}, "harbours"},
		{[]Near{{Word: "barbour", Edits: 2}, {Word: "harbour", Edits: 1}}, "harbour"},
		{[]Near{{Word: "nobody", Edits: 1}}, ""},
		{nil, ""},
	}
	for _, tt := range tests {
		if got, err := Held(tt.near, count); err != nil || got != tt.want {
			t.Errorf("Held(%v) = %q, %v; want %q", tt.near, got, err, tt.want)
		}
	}
	var asked int
	many := make([]Near, 3*MaxHeldChecks)
	for i := range many {
		many[i] = Near{Word: fmt.Sprint("w", i), Edits: 1}
	}
	if got, _ := Held(many, func(string) (int, error) { asked++; return 0, nil }); got != "" || asked != MaxHeldChecks {
		t.Errorf("Held of %d unheld words asked %d times, want %d", len(many), asked, MaxHeldChecks)
	}
}
