// Package dates finds the date a document is about in its text.
package dates

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Order is how a numeric date with the year last, such as 3/2/2024, orders day and month.
type Order int

// The orders of day and month.
const (
	DayFirst   Order = iota // 3/2/2024 is 3 February
	MonthFirst              // 3/2/2024 is 2 March
)

// ParseOrder reads "dmy" or "mdy" (case-insensitive); anything else is an error that names the
// accepted values.
func ParseOrder(s string) (Order, error) {
	switch {
	case strings.EqualFold(s, "dmy"):
		return DayFirst, nil
	case strings.EqualFold(s, "mdy"):
		return MonthFirst, nil
	}
	return DayFirst, fmt.Errorf("unknown date order %q: want dmy or mdy", s)
}

// String returns "dmy" or "mdy", what ParseOrder reads.
func (o Order) String() string {
	switch o {
	case DayFirst:
		return "dmy"
	case MonthFirst:
		return "mdy"
	}
	return fmt.Sprintf("Order(%d)", int(o))
}

// A Finder finds dates. Its zero value is not usable for Now; see fields.
type Finder struct {
	// Order orders day and month in numeric dates with the year last when both could be either.
	Order Order
	// Now bounds plausible dates: a date is plausible from 1 January 1900 to the end of the
	// year Now.Year()+10 (invoices carry due dates).
	Now time.Time
}

// Find returns the first plausible date in text in reading order, at midnight UTC, and whether
// it found one. langs are the document's Tesseract language codes (may be empty); month names
// of English and of those languages are recognised.
//
// A date is numeric, year first (2024-03-02, 2024/03/02, 2024.03.02) or year last (02.03.2024,
// 3/2/2024, 02-03-2024, 02.03.24, 3/2/24, 2. 3. 2024), or has a month name (2 March 2024,
// 2nd March 2024, 2. März 2024, 2 de marzo de 2024, 2-Mar-2024, 02-Mar-24, March 2, 2024,
// 2024. március 2., 2024-Mar-02). A letter or digit touching it on either side, or a numeric
// date's separator and a digit, makes it none.
func (f Finder) Find(text string, langs []string) (time.Time, bool) {
	s := scanner{t: text, order: f.Order, maxYear: f.Now.Year() + 10, langs: langBits["eng"]}
	for _, l := range langs {
		if i := strings.IndexByte(l, '_'); i >= 0 {
			l = l[:i] // deu_latf is German in Fraktur.
		}
		s.langs |= langBits[l]
	}
	for i := 0; i < len(text); {
		if c := text[i]; c < utf8.RuneSelf && !asciiWord[c] {
			i++
			continue
		}
		w, size := wordAt(text, i)
		if !w {
			i += size
			continue
		}
		k := wordEnd(text, i+size, len(text))
		if d, ok := s.at(i, k); ok {
			return d, true
		}
		i = k
	}
	return time.Time{}, false
}

// A scanner matches dates at the starts of words of t.
type scanner struct {
	t       string
	order   Order
	maxYear int
	langs   uint32
}

// ymd is a date as read, not yet checked.
type ymd struct{ y, m, d int }

// at returns the plausible date that starts at the word t[i:k], if there is one.
func (s *scanner) at(i, k int) (time.Time, bool) {
	var (
		d  ymd
		ok bool
	)
	if isDigit(s.t[i]) {
		if d, ok = s.numeric(i); !ok {
			if d, ok = s.dayName(i); !ok {
				d, ok = s.yearName(i)
			}
		}
	} else {
		d, ok = s.nameDay(i, k)
	}
	if !ok || d.y < 1900 || d.y > s.maxYear || d.m < 1 || d.m > 12 || d.d < 1 || d.d > daysIn(d.m, d.y) {
		return time.Time{}, false
	}
	return time.Date(d.y, time.Month(d.m), d.d, 0, 0, 0, 0, time.UTC), true
}

// numeric matches 2024-03-02, 2024. 03. 02., 02.03.2024, 02.03.24, 2. 3. 2024 and the like at i.
func (s *scanner) numeric(i int) (ymd, bool) {
	t := s.t
	a, j := number(t, i)
	na := j - i
	if na != 4 && na > 2 || j >= len(t) || t[j] != '-' && t[j] != '/' && t[j] != '.' {
		return ymd{}, false
	}
	w := 1
	if t[j] == '.' && j+1 < len(t) && t[j+1] == ' ' {
		w = 2
	}
	sep := t[j : j+w]
	b, k := number(t, j+w)
	nb := k - (j + w)
	if nb < 1 || nb > 2 || !strings.HasPrefix(t[k:], sep) {
		return ymd{}, false
	}
	c, e := number(t, k+w)
	nc := e - (k + w)
	// A separator and a digit on either side make this part of a longer number, such as 1.2.3.2024.
	if i > w && t[i-w:i] == sep && isDigit(t[i-w-1]) || strings.HasPrefix(t[e:], sep) && e+w < len(t) && isDigit(t[e+w]) {
		return ymd{}, false
	}
	if na == 4 {
		if nc < 1 || nc > 2 {
			return ymd{}, false
		}
		if e+1 < len(t) && t[e] == 'T' && isDigit(t[e+1]) {
			return ymd{a, b, c}, true
		}
		return ymd{a, b, c}, !wordAfter(t, e)
	}
	switch {
	case nc == 4:
	case nc == 2 && sep == "/":
	case nc == 2 && sep == "." && na == 2 && nb == 2:
		// Dots with a two-digit year need two-digit day and month: 1.2.10 is more often a
		// version or a section than a date.
	default:
		return ymd{}, false
	}
	if nc == 2 {
		c = s.century(c)
	}
	if a > 12 || b <= 12 && s.order != MonthFirst {
		return ymd{c, b, a}, !wordAfter(t, e)
	}
	return ymd{c, a, b}, !wordAfter(t, e)
}

// dayName matches 2 March 2024, 2nd March 2024, 2. März 2024, 2 de marzo de 2024, 2-Mar-2024,
// 02/Mar/24 and the like at i.
func (s *scanner) dayName(i int) (ymd, bool) {
	t := s.t
	d, j := number(t, i)
	if j-i > 2 {
		return ymd{}, false
	}
	j, dot := ordinal(t, j)
	if j < 0 {
		return ymd{}, false
	}
	var sep byte = ' '
	if !dot && j < len(t) && (t[j] == '-' || t[j] == '/') {
		sep = t[j]
		j++
	} else {
		k := space(t, j)
		if k == j && !dot {
			return ymd{}, false
		}
		j = connector(t, k, "de", "of")
	}
	m, j, ok := s.month(j)
	if !ok {
		return ymd{}, false
	}
	if sep != ' ' {
		if j >= len(t) || t[j] != sep {
			return ymd{}, false
		}
		y, e := number(t, j+1)
		switch e - (j + 1) {
		case 2:
			y = s.century(y)
		case 4:
		default:
			return ymd{}, false
		}
		return ymd{y, m, d}, !wordAfter(t, e)
	}
	if j < len(t) && t[j] == '.' {
		j++
	}
	if j < len(t) && t[j] == ',' {
		j++
	}
	k := space(t, j)
	if k == j {
		return ymd{}, false
	}
	k = connector(t, k, "de", "del")
	y, e := number(t, k)
	if e-k != 4 {
		return ymd{}, false
	}
	return ymd{y, m, d}, !wordAfter(t, e)
}

// nameDay matches March 2, 2024, Mar. 2 2024, March 2nd, 2024 and the like at the word t[i:j].
func (s *scanner) nameDay(i, j int) (ymd, bool) {
	t := s.t
	k := j
	if k < len(t) && t[k] == '.' {
		k++
	}
	// Most words have no number after them: look the word up only when one has.
	k0 := k
	if k = space(t, k); k == k0 || k >= len(t) || !isDigit(t[k]) {
		return ymd{}, false
	}
	m, ok := s.name(t[i:j])
	if !ok {
		return ymd{}, false
	}
	d, e := number(t, k)
	if n := e - k; n > 2 {
		return ymd{}, false
	}
	if e = suffix(t, e); e < 0 {
		return ymd{}, false
	}
	comma := e < len(t) && t[e] == ','
	if comma {
		e++
	}
	k = space(t, e)
	if k == e && !comma {
		return ymd{}, false
	}
	y, e := number(t, k)
	if e-k != 4 {
		return ymd{}, false
	}
	return ymd{y, m, d}, !wordAfter(t, e)
}

// yearName matches 2024. március 2., 2024 March 2, 2024-Mar-02 and the like at i.
func (s *scanner) yearName(i int) (ymd, bool) {
	t := s.t
	y, j := number(t, i)
	if j-i != 4 || j >= len(t) {
		return ymd{}, false
	}
	var sep byte = ' '
	if t[j] == '-' || t[j] == '/' {
		sep = t[j]
		j++
	} else {
		if t[j] == '.' {
			j++
		}
		k := space(t, j)
		if k == j {
			return ymd{}, false
		}
		j = k
	}
	m, j, ok := s.month(j)
	if !ok {
		return ymd{}, false
	}
	if sep != ' ' {
		if j >= len(t) || t[j] != sep {
			return ymd{}, false
		}
		j++
	} else {
		if j < len(t) && t[j] == '.' {
			j++
		}
		k := space(t, j)
		if k == j {
			return ymd{}, false
		}
		j = k
	}
	d, e := number(t, j)
	if n := e - j; n < 1 || n > 2 {
		return ymd{}, false
	}
	if sep == ' ' && e < len(t) && t[e] == '.' {
		return ymd{y, m, d}, true
	}
	return ymd{y, m, d}, !wordAfter(t, e)
}

// month returns the month named by the word at j, if it is a month name of s's languages, and
// the end of the word.
func (s *scanner) month(j int) (month, end int, ok bool) {
	k := wordEnd(s.t, j, 4*maxName)
	if month, ok = s.name(s.t[j:k]); !ok {
		return 0, 0, false
	}
	return month, k, true
}

// name returns the month named by the word w, if it is a month name of s's languages.
func (s *scanner) name(w string) (int, bool) {
	var buf [maxName]byte
	n, ok := fold(&buf, w)
	if !ok {
		return 0, false
	}
	nm, ok := names[string(buf[:n])]
	if !ok || nm.langs&s.langs == 0 {
		return 0, false
	}
	return nm.month, true
}

// wordEnd returns the end of the word that goes on at j, or j+limit if it goes on longer.
func wordEnd(t string, j, limit int) int {
	k := j
	for k < len(t) && k-j < limit {
		if c := t[k]; c < utf8.RuneSelf {
			if !asciiWord[c] {
				break
			}
			k++
			continue
		}
		w, size := wordRune(t[k:])
		if !w {
			break
		}
		k += size
	}
	return k
}

// century returns the year of the two-digit year yy: 20yy unless that is past the plausible
// years, else 19yy.
func (s *scanner) century(yy int) int {
	if 2000+yy <= s.maxYear {
		return 2000 + yy
	}
	return 1900 + yy
}

// number returns the value of the ASCII digits at i and their end, reading at most five: a
// caller seeing five knows the number is too long for any part of a date.
func number(t string, i int) (v, end int) {
	j := i
	for j < len(t) && j-i < 5 && isDigit(t[j]) {
		v = v*10 + int(t[j]-'0')
		j++
	}
	return v, j
}

// ordinal skips the ordinal mark after a day's number at j, as in 2nd, 1er, 1º or 2., and
// reports whether it was a dot. It returns -1 for letters that are no ordinal mark.
func ordinal(t string, j int) (end int, dot bool) {
	switch {
	case j >= len(t):
		return j, false
	case t[j] == '.':
		return j + 1, true
	case t[j] >= utf8.RuneSelf:
		if r, size := utf8.DecodeRuneInString(t[j:]); r == 'º' || r == 'ª' || r == '°' {
			return j + size, false
		}
		return j, false
	case j+2 <= len(t) && strings.EqualFold(t[j:j+2], "er") && !wordAfter(t, j+2):
		return j + 2, false
	}
	return suffix(t, j), false
}

// suffix skips the English ordinal suffix, st, nd, rd or th, at j. It returns -1 for other
// letters.
func suffix(t string, j int) int {
	if j >= len(t) || !isLetter(t[j]) {
		return j
	}
	if j+2 <= len(t) && !wordAfter(t, j+2) {
		for _, suf := range [...]string{"st", "nd", "rd", "th"} {
			if strings.EqualFold(t[j:j+2], suf) {
				return j + 2
			}
		}
	}
	return -1
}

// connector skips the word a or b, case-insensitive, and the space after it at j, as the de of
// 2 de marzo.
func connector(t string, j int, a, b string) int {
	k := j
	for k < len(t) && k-j < 4 && isLetter(t[k]) {
		k++
	}
	if w := t[j:k]; strings.EqualFold(w, a) || strings.EqualFold(w, b) {
		if e := space(t, k); e > k {
			return e
		}
	}
	return j
}

// space skips up to three spaces, tabs or no-break spaces at j: dates do not span lines.
func space(t string, j int) int {
	for n := 0; n < 3 && j < len(t); n++ {
		switch {
		case t[j] == ' ' || t[j] == '\t':
			j++
		case strings.HasPrefix(t[j:], "\u00a0"):
			j += len("\u00a0")
		case strings.HasPrefix(t[j:], "\u202f"), strings.HasPrefix(t[j:], "\u2009"):
			j += len("\u202f")
		default:
			return j
		}
	}
	return j
}

// wordAt reports whether the rune at i is part of a word, a letter, digit or mark, and its size.
func wordAt(t string, i int) (bool, int) {
	if c := t[i]; c < utf8.RuneSelf {
		return asciiWord[c], 1
	}
	return wordRune(t[i:])
}

// wordRune is wordAt for the non-ASCII rune at the start of t.
func wordRune(t string) (bool, int) {
	r, size := utf8.DecodeRuneInString(t)
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r), size
}

// asciiWord tells the ASCII letters and digits.
var asciiWord = func() (w [utf8.RuneSelf]bool) {
	for c := range w {
		w[c] = isDigit(byte(c)) || isLetter(byte(c))
	}
	return w
}()

// wordAfter reports whether a word's rune is at j.
func wordAfter(t string, j int) bool {
	if j >= len(t) {
		return false
	}
	w, _ := wordAt(t, j)
	return w
}

func isDigit(c byte) bool  { return '0' <= c && c <= '9' }
func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// daysIn returns the number of days of month m of year y.
func daysIn(m, y int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
