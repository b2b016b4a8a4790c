package search

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"invoice", "invoice"},
		{"Invoice", "invoice"},
		{"Übersetzung", "ubersetzung"},
		{"CAFÉ", "cafe"},
		{"naïve", "naive"},
		{"Ελλάδα", "ελλαδα"},
		{"Ёлка", "елка"},
		{"straße", "straße"},
		{"हिन्दी", "हिन्दी"},
		{"x\u0301y", "xy"},
	}
	for _, tt := range tests {
		if got := Fold(tt.in); got != tt.want {
			t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestStem(t *testing.T) {
	tests := []struct{ lang, in, want string }{
		{"eng", "invoices", "invoic"},
		{"eng", "Invoicing", "invoic"},
		{"eng", "jumped", "jump"},
		{"eng", "jump", "jump"},
		{"deu", "Rechnungen", "rechnung"},
		{"deu", "Übersetzungen", "ubersetz"},
		{"fra", "factures", "factur"},
		{"spa", "facturas", "factur"},
		{"chi_sim", "Übersetzungen", "ubersetzungen"},
		{"", "invoices", "invoices"},
	}
	for _, tt := range tests {
		if got := Stem(tt.lang, tt.in); got != tt.want {
			t.Errorf("Stem(%q, %q) = %q, want %q", tt.lang, tt.in, got, tt.want)
		}
	}
}

// term is s tagged as a term of lang.
func term(lang, s string) string { return s + string(tagOf(lang)) }

func TestStems(t *testing.T) {
	tests := []struct {
		lang, in string
		want     []string
	}{
		{"", "invoices", []string{term("eng", "invoic")}},
		{"eng", "invoices", []string{term("eng", "invoic")}},
		{"deu+eng", "Rechnungen", []string{term("deu", "rechnung"), term("eng", "rechnungen")}},
		{"eng+eng", "jumps", []string{term("eng", "jump")}},
		{"chi_sim+jpn", "Jumps", []string{term("chi_sim", "jumps")}},
	}
	for _, tt := range tests {
		if got := Stems(tt.lang, tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Stems(%q, %q) = %q, want %q", tt.lang, tt.in, got, tt.want)
		}
	}
}

// TestVariants checks that a word typed in the search box meets the stems a document in each
// language indexes for its forms.
func TestVariants(t *testing.T) {
	tests := []struct {
		query, lang, doc string
	}{
		{"invoices", "eng", "Invoice"},
		{"invoice", "eng", "invoicing"},
		{"jump", "eng", "jumped"},
		{"Rechnung", "deu", "Rechnungen"},
		{"Ubersetzung", "deu", "Übersetzungen"},
		{"facture", "fra", "factures"},
	}
	for _, tt := range tests {
		doc := Stems(tt.lang, tt.doc)
		if !slices.ContainsFunc(Variants(tt.query), func(v string) bool { return slices.Contains(doc, v) }) {
			t.Errorf("Variants(%q) = %q, none of the stems %q of %s %q", tt.query, Variants(tt.query), doc, tt.lang, tt.doc)
		}
	}
	if got := Variants("Zebra"); len(got) != len(stemLangs)+1 || !slices.Contains(got, term("xyz", "zebra")) {
		t.Errorf("Variants(Zebra) = %q, want a term for each stemmer and the folded word for the others", got)
	}
	// Italian stems "diat" to "di"; an English document's "di" is not a form of it.
	if slices.Contains(Variants("diat"), term("eng", "di")) {
		t.Errorf("Variants(diat) = %q meets English di", Variants("diat"))
	}
}

func TestVariantsIn(t *testing.T) {
	got := VariantsIn("Rechnungen", []string{"deu", "eng", "jpn", "chi_sim"})
	want := []string{term("deu", "rechnung"), term("eng", "rechnungen"), term("jpn", "rechnungen")}
	if !slices.Equal(got, want) {
		t.Errorf("VariantsIn(Rechnungen) = %q, want %q", got, want)
	}
	for _, v := range got {
		if !slices.Contains(Variants("Rechnungen"), v) {
			t.Errorf("VariantsIn gives %q, which Variants lacks", v)
		}
	}
}

func TestTerms(t *testing.T) {
	tests := []struct{ text, lang, want string }{
		{"The invoices were jumping", "eng", strings.Join([]string{term("eng", "the"), term("eng", "invoic"), term("eng", "were"), term("eng", "jump")}, " ")},
		{"Die Rechnungen", "deu+eng", strings.Join([]string{term("deu", "die"), term("eng", "die"), term("deu", "rechnung"), term("eng", "rechnungen")}, " ")},
		{"", "eng", ""},
	}
	for _, tt := range tests {
		if got := Terms(tt.text, tt.lang); got != tt.want {
			t.Errorf("Terms(%q, %q) = %q, want %q", tt.text, tt.lang, got, tt.want)
		}
	}
}

func TestLabelWords(t *testing.T) {
	tests := []struct {
		name, title, notes string
		want               []string
	}{
		{"Quarterly_Report-2024.pdf", "", "", []string{"quarterly", "report", "2024", term("eng", "quarter"), term("eng", "report"), term("eng", "2024")}},
		{"eurotext.png", "", "", []string{"eurotext", term("eng", "eurotext")}},
		{".profile", "", "", []string{"profile", term("eng", "profil")}},
		{"scan.png", "Rent 2024", "paid rent", []string{"scan", "rent", "2024", "paid", term("eng", "scan"), term("eng", "rent"), term("eng", "2024"), term("eng", "paid")}},
	}
	for _, tt := range tests {
		if got := LabelWords("eng", tt.name, tt.title, tt.notes); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("LabelWords(%q, %q, %q) = %q, want %q", tt.name, tt.title, tt.notes, got, tt.want)
		}
	}
}

// FuzzStem checks that every form an index or a query makes of a word is a word again: stems
// and folds must never hold a character that would split them or act as syntax.
func FuzzStem(f *testing.F) {
	for _, s := range []string{"invoices", "Übersetzungen", "ΣΟΦΙΑ", "Ёлка", "hérité", "x\u0301y", "ǅ", "İstanbul", "ﬁnance", "2024"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, w := range Words(s) {
			if Fold(w) != w {
				t.Fatalf("Words(%q) gave %q, which folds again to %q", s, w, Fold(w))
			}
			forms := append(Variants(w), Stems("deu+eng", w)...)
			for _, v := range forms {
				if v == "" || !utf8.ValidString(v) {
					t.Fatalf("a form of %q is %q", w, v)
				}
				stem, tag := v[:len(v)-utf8.RuneLen(plainTag)], []rune(v)[utf8.RuneCountInString(v)-1]
				if got := Words(stem); len(got) != 1 || got[0] != stem || tag < stemTag || tag > plainTag {
					t.Fatalf("form %q of %q is not a word and a tag: %q", v, w, got)
				}
			}
		}
	})
}
