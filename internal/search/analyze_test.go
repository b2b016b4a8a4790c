package search

import (
	"reflect"
	"slices"
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

func TestStems(t *testing.T) {
	tests := []struct {
		lang, in string
		want     []string
	}{
		{"", "invoices", []string{"invoic"}},
		{"eng", "invoices", []string{"invoic"}},
		{"deu+eng", "Rechnungen", []string{"rechnung", "rechnungen"}},
		{"eng+eng", "jumps", []string{"jump"}},
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
	if got := Variants("Zebra")[0]; got != "zebra" {
		t.Errorf("Variants(Zebra)[0] = %q, want the folded word", got)
	}
}

func TestTerms(t *testing.T) {
	tests := []struct{ text, lang, want string }{
		{"The invoices were jumping", "eng", "the invoic were jump"},
		{"Die Rechnungen", "deu+eng", "die rechnung rechnungen"},
		{"", "eng", ""},
	}
	for _, tt := range tests {
		if got := Terms(tt.text, tt.lang); got != tt.want {
			t.Errorf("Terms(%q, %q) = %q, want %q", tt.text, tt.lang, got, tt.want)
		}
	}
}

func TestNameWords(t *testing.T) {
	tests := []struct {
		name string
		want []string
	}{
		{"Quarterly_Report-2024.pdf", []string{"quarterly", "report", "2024", "quarter"}},
		{"eurotext.png", []string{"eurotext"}},
		{".profile", []string{"profile", "profil"}},
		{"scan", []string{"scan"}},
	}
	for _, tt := range tests {
		if got := NameWords(tt.name, "eng"); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("NameWords(%q) = %q, want %q", tt.name, got, tt.want)
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
				if got := Words(v); len(got) != 1 || got[0] != v {
					t.Fatalf("form %q of %q reads back as %q", v, w, got)
				}
			}
		}
	})
}
