package search

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/snowballstem"
	"github.com/blevesearch/snowballstem/danish"
	"github.com/blevesearch/snowballstem/dutch"
	"github.com/blevesearch/snowballstem/english"
	"github.com/blevesearch/snowballstem/finnish"
	"github.com/blevesearch/snowballstem/french"
	"github.com/blevesearch/snowballstem/german"
	"github.com/blevesearch/snowballstem/hungarian"
	"github.com/blevesearch/snowballstem/italian"
	"github.com/blevesearch/snowballstem/norwegian"
	"github.com/blevesearch/snowballstem/portuguese"
	"github.com/blevesearch/snowballstem/romanian"
	"github.com/blevesearch/snowballstem/russian"
	"github.com/blevesearch/snowballstem/spanish"
	"github.com/blevesearch/snowballstem/swedish"
	"github.com/blevesearch/snowballstem/turkish"
	"golang.org/x/text/unicode/norm"
)

// DefaultLang is the language of a document that names none: the OCR's default.
const DefaultLang = "eng"

// stemmers are the Snowball stemmers by Tesseract language code.
var stemmers = map[string]func(*snowballstem.Env) bool{
	"dan": danish.Stem,
	"deu": german.Stem,
	"eng": english.Stem,
	"fin": finnish.Stem,
	"fra": french.Stem,
	"hun": hungarian.Stem,
	"ita": italian.Stem,
	"nld": dutch.Stem,
	"nor": norwegian.Stem,
	"por": portuguese.Stem,
	"ron": romanian.Stem,
	"rus": russian.Stem,
	"spa": spanish.Stem,
	"swe": swedish.Stem,
	"tur": turkish.Stem,
}

// stemLangs are the codes of stemmers, sorted, so that Variants is deterministic.
var stemLangs = func() []string {
	var ls []string
	for l := range stemmers {
		ls = append(ls, l)
	}
	slices.Sort(ls)
	return ls
}()

// maxStemBytes is the longest word that is stemmed; longer ones are only folded. No language's
// words come near it, and it bounds the stemmers' work on junk.
const maxStemBytes = 64

// Fold returns the lower-case word w without the diacritics of Latin, Greek and Cyrillic
// letters: "Übersetzung" folds to "ubersetzung". Marks that other scripts spell with, such as
// Devanagari's vowel signs, stay. Words and Parse return folded words.
func Fold(w string) string {
	ascii := true
	for i := 0; i < len(w); i++ {
		if c := w[i]; c >= utf8.RuneSelf || 'A' <= c && c <= 'Z' {
			ascii = false
			break
		}
	}
	if ascii {
		return w
	}
	var b strings.Builder
	var base rune
	for _, r := range norm.NFD.String(strings.ToLower(w)) {
		if unicode.Is(unicode.Mn, r) && unicode.In(base, unicode.Latin, unicode.Greek, unicode.Cyrillic) {
			continue
		}
		if !unicode.IsMark(r) {
			base = r
		}
		b.WriteRune(r)
	}
	return norm.NFC.String(b.String())
}

// Stem returns the folded stem of the word w in lang, a Tesseract language code: "invoices"
// and "invoicing" both stem to "invoic" in English. A word of a language without a stemmer, or
// too long to be a word of one, is only folded.
func Stem(lang, w string) string {
	stem, ok := stemmers[lang]
	if !ok || len(w) > maxStemBytes {
		return Fold(w)
	}
	env := snowballstem.NewEnv(strings.ToLower(w))
	stem(env)
	return Fold(env.Current())
}

// Langs returns the languages of lang, Tesseract codes joined by '+', or DefaultLang when it
// names none.
func Langs(lang string) []string {
	var out []string
	for l := range strings.SplitSeq(lang, "+") {
		if l != "" && !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	if len(out) == 0 {
		return []string{DefaultLang}
	}
	return out
}

// Stems returns the distinct stems of the word w in the languages of lang (see Langs).
func Stems(lang, w string) []string {
	var out []string
	for _, l := range Langs(lang) {
		if s := Stem(l, w); s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// Variants returns the distinct stems of the word w in every language that has a stemmer, and
// w folded: what a word typed in the search box matches, whatever the language of the document
// that holds it. A stem of one language may equal one of another's; such a match is one that a
// reader of both would make too.
func Variants(w string) []string {
	out := []string{Fold(w)}
	for _, l := range stemLangs {
		if s := Stem(l, w); s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// Terms returns the stems of the words of text in lang, in order, separated by spaces: what
// an index matches the search box's bare words against. A word of a document in several
// languages gives each distinct stem in turn; a word no stemmer leaves anything of stays whole.
func Terms(text, lang string) string {
	langs := Langs(lang)
	var b strings.Builder
	var seen []string
	for _, w := range Words(text) {
		seen = seen[:0]
		for _, l := range langs {
			s := Stem(l, w)
			if s == "" || slices.Contains(seen, s) {
				continue
			}
			seen = append(seen, s)
		}
		if len(seen) == 0 {
			seen = append(seen, w)
		}
		for _, s := range seen {
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(s)
		}
	}
	return b.String()
}

// NameWords returns the words of a file name without its extension, in order, and then those of
// their stems in lang that differ from them: what a search matches names against.
func NameWords(name, lang string) []string {
	words := Words(BaseName(name))
	out := slices.Clone(words)
	for _, w := range words {
		for _, s := range Stems(lang, w) {
			if !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
	}
	return out
}

// BaseName returns the file name without its extension: "report.pdf" gives "report", and
// ".profile" stays as it is.
func BaseName(name string) string {
	if ext := strings.LastIndexByte(name, '.'); ext > 0 {
		return name[:ext]
	}
	return name
}
