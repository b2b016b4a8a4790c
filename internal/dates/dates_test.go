package dates

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// now is the Now of the tests: plausible years are 1900 to 2035.
var now = time.Date(2025, 6, 1, 12, 0, 0, 0, time.FixedZone("CEST", 2*3600))

func TestParseOrder(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want Order
	}{
		{"dmy", DayFirst}, {"DMY", DayFirst}, {"mdy", MonthFirst}, {"MdY", MonthFirst},
	} {
		got, err := ParseOrder(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseOrder(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
		if s := got.String(); !strings.EqualFold(s, tt.in) {
			t.Errorf("%v.String() = %q, want %q", got, s, strings.ToLower(tt.in))
		}
	}
	for _, in := range []string{"", "ymd", "dm", " dmy", "d/m/y"} {
		if _, err := ParseOrder(in); err == nil || !strings.Contains(err.Error(), "dmy") || !strings.Contains(err.Error(), "mdy") {
			t.Errorf("ParseOrder(%q) error = %v, want one naming dmy and mdy", in, err)
		}
	}
	if got := Order(7).String(); got != "Order(7)" {
		t.Errorf("Order(7).String() = %q", got)
	}
}

func TestFind(t *testing.T) {
	tests := []struct {
		text  string
		langs string // joined by '+'
		order Order
		want  string // "" for none
	}{
		// Year first.
		{"2024-03-02", "", DayFirst, "2024-03-02"},
		{"2024/03/02", "", MonthFirst, "2024-03-02"},
		{"2024.03.02", "", DayFirst, "2024-03-02"},
		{"2024-3-2", "", DayFirst, "2024-03-02"},
		{"2024. 03. 02.", "hun", DayFirst, "2024-03-02"},
		{"2024. 3. 2", "", DayFirst, "2024-03-02"},
		{"2024. 03.02", "", DayFirst, ""},
		{"2024-03-02T10:00:00Z", "", DayFirst, "2024-03-02"},
		{"Created 2024-03-02 10:00", "", DayFirst, "2024-03-02"},

		// Year last.
		{"02.03.2024", "", DayFirst, "2024-03-02"},
		{"02.03.2024", "", MonthFirst, "2024-02-03"},
		{"2.3.2024", "", DayFirst, "2024-03-02"},
		{"02/03/2024", "", DayFirst, "2024-03-02"},
		{"3/2/2024", "", DayFirst, "2024-02-03"},
		{"3/2/2024", "", MonthFirst, "2024-03-02"},
		{"02-03-2024", "", DayFirst, "2024-03-02"},
		{"2. 3. 2024", "ces", DayFirst, "2024-03-02"},
		{"02.03.24", "", DayFirst, "2024-03-02"},
		{"3/2/24", "", MonthFirst, "2024-03-02"},
		{"3/2/24", "", DayFirst, "2024-02-03"},
		{"02.03.35", "", DayFirst, "2035-03-02"},
		{"02.03.36", "", DayFirst, "1936-03-02"},
		{"02.03.99", "", DayFirst, "1999-03-02"},
		{"13/02/2024", "", MonthFirst, "2024-02-13"},
		{"02/13/2024", "", DayFirst, "2024-02-13"},
		{"12/12/2024", "", MonthFirst, "2024-12-12"},
		{"29.02.2024", "", DayFirst, "2024-02-29"},
		{"02.03.2024 14:30", "", DayFirst, "2024-03-02"},
		{"(02.03.2024)", "", DayFirst, "2024-03-02"},
		{"Date:02.03.2024,", "", DayFirst, "2024-03-02"},
		{"on 02.03.2024.", "", DayFirst, "2024-03-02"},
		{"01.03.2024-05.03.2024", "", DayFirst, "2024-03-01"},
		{"IMG_2024-03-02.jpg", "", DayFirst, "2024-03-02"},
		{"02.03.2024¹", "", DayFirst, "2024-03-02"},
		{"\xff02.03.2024\xfe", "", DayFirst, "2024-03-02"},
		{"1900-01-01", "", DayFirst, "1900-01-01"},
		{"31.12.2035", "", DayFirst, "2035-12-31"},

		// Day, month name, year.
		{"2 March 2024", "", DayFirst, "2024-03-02"},
		{"2nd March 2024", "", DayFirst, "2024-03-02"},
		{"1st of March 2024", "", DayFirst, "2024-03-01"},
		{"3RD MARCH 2024", "", DayFirst, "2024-03-03"},
		{"02 Mar 2024", "", MonthFirst, "2024-03-02"},
		{"2-Mar-2024", "", DayFirst, "2024-03-02"},
		{"02-MAR-24", "", DayFirst, "2024-03-02"},
		{"02/Mar/2024:10:00:00", "", DayFirst, "2024-03-02"},
		{"2 Mar. 2024", "", DayFirst, "2024-03-02"},
		{"2 March, 2024", "", DayFirst, "2024-03-02"},
		{"2\u00a0March\u00a02024", "", DayFirst, "2024-03-02"},
		{"2  March  2024", "", DayFirst, "2024-03-02"},
		{"2. März 2024", "deu", DayFirst, "2024-03-02"},
		{"2.März 2024", "deu", DayFirst, "2024-03-02"},
		{"2. Marz 2024", "deu", DayFirst, "2024-03-02"},
		{"2. MÄRZ 2024", "deu", DayFirst, "2024-03-02"},
		{"2. Ma\u0308rz 2024", "deu", DayFirst, "2024-03-02"},
		{"2. Maerz 2024", "deu", DayFirst, "2024-03-02"},
		{"5. Jänner 2024", "deu", DayFirst, "2024-01-05"},
		{"2 mars 2024", "fra", DayFirst, "2024-03-02"},
		{"1er mars 2024", "fra", DayFirst, "2024-03-01"},
		{"15 août 2024", "fra", DayFirst, "2024-08-15"},
		{"15 aout 2024", "fra", DayFirst, "2024-08-15"},
		{"3 décembre 2024", "fra", DayFirst, "2024-12-03"},
		{"3 decembre 2024", "fra", DayFirst, "2024-12-03"},
		{"3 février 2024", "fra", DayFirst, "2024-02-03"},
		{"3 FEVRIER 2024", "fra", DayFirst, "2024-02-03"},
		{"3 févr. 2024", "fra", DayFirst, "2024-02-03"},
		{"2 de marzo de 2024", "spa", DayFirst, "2024-03-02"},
		{"2 de marzo del 2024", "spa", DayFirst, "2024-03-02"},
		{"1º de marzo de 2024", "spa", DayFirst, "2024-03-01"},
		{"2 marzo 2024", "ita", DayFirst, "2024-03-02"},
		{"2 maart 2024", "nld", DayFirst, "2024-03-02"},
		{"2 mrt 2024", "nld", DayFirst, "2024-03-02"},
		{"2 de março de 2024", "por", DayFirst, "2024-03-02"},
		{"2 de marco de 2024", "por", DayFirst, "2024-03-02"},
		{"2 mars 2024", "swe", DayFirst, "2024-03-02"},
		{"2. marts 2024", "dan", DayFirst, "2024-03-02"},
		{"2. mars 2024", "nor", DayFirst, "2024-03-02"},
		{"2. maaliskuuta 2024", "fin", DayFirst, "2024-03-02"},
		{"2 marca 2024 r.", "pol", DayFirst, "2024-03-02"},
		{"2 marzec 2024", "pol", DayFirst, "2024-03-02"},
		{"5 stycznia 2024", "pol", DayFirst, "2024-01-05"},
		{"5 października 2024", "pol", DayFirst, "2024-10-05"},
		{"5 PAZDZIERNIKA 2024", "pol", DayFirst, "2024-10-05"},
		{"2. března 2024", "ces", DayFirst, "2024-03-02"},
		{"5. ledna 2024", "ces", DayFirst, "2024-01-05"},
		{"5. února 2024", "ces", DayFirst, "2024-02-05"},
		{"5. unora 2024", "ces", DayFirst, "2024-02-05"},
		{"2 Mart 2024", "tur", DayFirst, "2024-03-02"},
		{"15 Ağustos 2024", "tur", DayFirst, "2024-08-15"},
		{"15 AĞUSTOS 2024", "tur", DayFirst, "2024-08-15"},
		{"1 Kasım 2024", "tur", DayFirst, "2024-11-01"},
		{"1 KASIM 2024", "tur", DayFirst, "2024-11-01"},
		{"1 EKİM 2024", "tur", DayFirst, "2024-10-01"},
		{"1 ŞUBAT 2024", "tur", DayFirst, "2024-02-01"},
		{"5. ÚNORA 2024", "ces", DayFirst, "2024-02-05"},
		{"2 martie 2024", "ron", DayFirst, "2024-03-02"},
		{"2 März 2024", "deu_latf", DayFirst, "2024-03-02"},
		{"2 März 2024", "eng+deu", DayFirst, "2024-03-02"},

		// Month name, day, year.
		{"March 2, 2024", "", DayFirst, "2024-03-02"},
		{"Mar 2 2024", "", DayFirst, "2024-03-02"},
		{"March 2nd, 2024", "", DayFirst, "2024-03-02"},
		{"Sept. 21st, 2024", "", DayFirst, "2024-09-21"},
		{"March 2,2024", "", DayFirst, "2024-03-02"},
		{"Dated: May 5, 2024.", "", DayFirst, "2024-05-05"},

		// Year, month name, day.
		{"2024. március 2.", "hun", DayFirst, "2024-03-02"},
		{"2024. március 2-án", "hun", DayFirst, "2024-03-02"},
		{"2024-Mar-02", "", DayFirst, "2024-03-02"},
		{"2024 March 2", "", DayFirst, "2024-03-02"},

		// Reading order: the first plausible date wins.
		{"Issued 01.03.2024, due 5 April 2024", "", DayFirst, "2024-03-01"},
		{"Due 5 April 2024, issued 01.03.2024", "", DayFirst, "2024-04-05"},
		{"born 02.03.1850, signed 4 May 2024", "", DayFirst, "2024-05-04"},
		{"31.02.2024 or 2024-02-28", "", DayFirst, "2024-02-28"},
		{"Rechnung vom 2. März 2024, fällig am 16.03.2024", "deu", DayFirst, "2024-03-02"},

		// Not dates.
		{"", "", DayFirst, ""},
		{"no date here", "", DayFirst, ""},
		{"12.03.20245", "", DayFirst, ""},
		{"112.03.2024", "", DayFirst, ""},
		{"v1.2.2024x", "", DayFirst, ""},
		{"v1.2.2024", "", DayFirst, ""},
		{"1.2.2024x", "", DayFirst, ""},
		{"A02.03.2024", "", DayFirst, ""},
		{"02.03.2024B", "", DayFirst, ""},
		{"2024-03-02T", "", DayFirst, ""},
		{"2024-03-02x", "", DayFirst, ""},
		{"02.03.2024\u0301", "", DayFirst, ""},
		{"030 12 2024", "", DayFirst, ""},
		{"Tel. 030/12 2024", "", DayFirst, ""},
		{"+49 30 1234 2024", "", DayFirst, ""},
		{"02.03/2024", "", DayFirst, ""},
		{"2024-03/02", "", DayFirst, ""},
		{"02. 03.2024", "", DayFirst, ""},
		{"1.2.3.2024", "", DayFirst, ""},
		{"1.02.03.2024", "", DayFirst, ""},
		{"02.03.2024.5", "", DayFirst, ""},
		{"2024.03.02.1", "", DayFirst, ""},
		{"192.168.1.10", "", DayFirst, ""},
		{"version 2.1.12", "", DayFirst, ""},
		{"02-03-24", "", DayFirst, ""},
		{"2 Mar 24", "", DayFirst, ""},
		{"ISBN 978-3-16-148410-0", "", DayFirst, ""},
		{"1,234.56 EUR 10:30", "", DayFirst, ""},
		{"31.02.2024", "", DayFirst, ""},
		{"29.02.2023", "", DayFirst, ""},
		{"31.04.2024", "", DayFirst, ""},
		{"00.03.2024", "", DayFirst, ""},
		{"02.00.2024", "", DayFirst, ""},
		{"13.13.2024", "", DayFirst, ""},
		{"2024-13-01", "", DayFirst, ""},
		{"2024-02-30", "", DayFirst, ""},
		{"31.12.1899", "", DayFirst, ""},
		{"01.01.2036", "", DayFirst, ""},
		{"0000-01-01", "", DayFirst, ""},
		{"2 Marching 2024", "", DayFirst, ""},
		{"March 2024", "", DayFirst, ""},
		{"2 March", "", DayFirst, ""},
		{"March 2", "", DayFirst, ""},
		{"2March 2024", "", DayFirst, ""},
		{"2 March2024", "", DayFirst, ""},
		{"2 March 20245", "", DayFirst, ""},
		{"2 March 2024a", "", DayFirst, ""},
		{"x2 March 2024", "", DayFirst, ""},
		{"2\nMarch\n2024", "", DayFirst, ""},
		{"2    March 2024", "", DayFirst, ""},
		{"2nt March 2024", "", DayFirst, ""},
		{"2-Mar 2024", "", DayFirst, ""},
		{"2-Mar/2024", "", DayFirst, ""},
		{"Mar 123 2024", "", DayFirst, ""},
		{"Mar 2 24", "", DayFirst, ""},
		{"Mar2, 2024", "", DayFirst, ""},
		{"XMar 2, 2024", "", DayFirst, ""},
		{"2 de de marzo 2024", "spa", DayFirst, ""},
		{"2 marca 2024", "", DayFirst, ""},
		{"2 März 2024", "eng", DayFirst, ""},
		{"2 Mart 2024", "deu", DayFirst, ""},
		{"2 ma 2024", "", DayFirst, ""},
		{"page 2 of 2024", "", DayFirst, ""},
		{"2 marzo 2024", "xyz", DayFirst, ""},
	}
	for _, tt := range tests {
		var langs []string
		if tt.langs != "" {
			langs = strings.Split(tt.langs, "+")
		}
		f := Finder{Order: tt.order, Now: now}
		d, ok := f.Find(tt.text, langs)
		got := ""
		if ok {
			got = d.Format(time.DateOnly)
			if d.Location() != time.UTC || d != d.Truncate(24*time.Hour) {
				t.Errorf("Find(%q, %q) = %v, not midnight UTC", tt.text, tt.langs, d)
			}
		}
		if got != tt.want {
			t.Errorf("Find(%q, %q, %v) = %q, want %q", tt.text, tt.langs, tt.order, got, tt.want)
		}
	}
}

func TestFindZeroNow(t *testing.T) {
	if d, ok := (Finder{}).Find("2024-03-02", nil); ok {
		t.Errorf("zero Finder found %v", d)
	}
}

// TestMonthNames finds every name of every language in a date, with that language and
// without it.
func TestMonthNames(t *testing.T) {
	f := Finder{Now: now}
	for code, table := range monthNames {
		for m, line := range strings.Split(table, "\n") {
			for _, form := range strings.Fields(line) {
				want := time.Date(2024, time.Month(m+1), 2, 0, 0, 0, 0, time.UTC)
				for _, text := range []string{"2 " + form + " 2024", strings.ToUpper(form) + " 2, 2024"} {
					if got, ok := f.Find(text, []string{code}); !ok || !got.Equal(want) {
						t.Errorf("Find(%q, %s) = %v, %v; want %v", text, code, got, ok, want)
					}
					var buf [maxName]byte
					n, _ := fold(&buf, form)
					english := names[string(buf[:n])].langs&langBits["eng"] != 0
					if _, ok := f.Find(text, nil); ok != english {
						t.Errorf("Find(%q) without %s found %v, want %v", text, code, ok, english)
					}
				}
			}
		}
	}
}

func TestNames(t *testing.T) {
	for _, code := range []string{"eng", "deu", "fra", "spa", "ita", "nld", "por", "swe", "dan", "nor", "fin", "pol", "ces", "tur"} {
		if langBits[code] == 0 {
			t.Errorf("no month names of %s", code)
		}
	}
	for form := range names {
		if len(form) < 3 {
			t.Errorf("month name %q is shorter than three letters", form)
		}
	}
}

func TestFindAllocs(t *testing.T) {
	f := Finder{Now: now}
	text := strings.Repeat("Rechnung Nr. 12345 vom 2. MÄRZ ", 100) + "am 2. März 2024"
	langs := []string{"deu", "fra"}
	if n := testing.AllocsPerRun(10, func() { f.Find(text, langs) }); n != 0 {
		t.Errorf("Find allocates %v times", n)
	}
}

// TestFindAdversarial runs Find over megabytes that start a candidate at every few bytes; it
// fails by taking long, as it would were Find not linear.
func TestFindAdversarial(t *testing.T) {
	f := Finder{Now: now}
	for _, unit := range []string{"1.", "1.1.", "12/", "2 ", "2 de ", "2024 ", "2024-", "Mar ", "Mar 2 ", "März.", "a", "1", " ", "ä", "\xff", "2 Mar 2 Mar "} {
		text := strings.Repeat(unit, (1<<20)/len(unit))
		start := time.Now()
		if d, ok := f.Find(text, []string{"deu"}); ok {
			t.Errorf("Find(%q...) = %v", unit, d)
		}
		if el := time.Since(start); el > 2*time.Second {
			t.Errorf("Find(%q...) took %v", unit, el)
		}
	}
}

// noise returns about n bytes of text like OCR's of invoices, with numbers and month names but
// no date.
func noise(n int) string {
	words := strings.Fields(`Rechnung Invoice Facture total Summe TVA MwSt. 19% EUR € Nr. No. Qty Menge
		Artikel Preis price page Seite of von March Mar. März mars May Mai Dezember août out de la
		le der die das and und et the 12,50 1.234,56 99.90 3/4 1/2 030 12 2077 +49 (0)30 v1.2.3
		IBAN DE89 3704 0044 0532 0130 00 BIC COBADEFFXXX 2077 Q1 10:30 ____ ||| ~~ rn m ii 0O
		l1 § ¶ ■ • ½ — ‒ Straße Gebühr Überweisung 12345 67890 ABC-123 #42 @ www.example.com`)
	r := rand.New(rand.NewPCG(1, 2))
	var b strings.Builder
	for b.Len() < n {
		b.WriteString(words[r.IntN(len(words))])
		if r.IntN(12) == 0 {
			b.WriteByte('\n')
		} else {
			b.WriteByte(' ')
		}
	}
	return b.String()
}

func BenchmarkFind(b *testing.B) {
	text := noise(1 << 20)
	f := Finder{Now: now}
	langs := []string{"deu", "fra", "eng"}
	if d, ok := f.Find(text, langs); ok {
		b.Fatalf("the noise has a date: %v", d)
	}
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		f.Find(text, langs)
	}
}
