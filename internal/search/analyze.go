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

	"github.com/docpipe/docpipe/internal/document"
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
	if s := Fold(env.Current()); s != "" {
		return s
	}
	return Fold(w)
}

// Tags of stems: stemTag+i for the language stemLangs[i], plainTag for the languages without a
// stemmer. They are private-use characters, which indexes take for word characters but Words
// never keeps, so a tagged stem is one token that no word typed or read can equal.
const (
	stemTag  = '\uE100'
	plainTag = '\uE1FF'
)

// Term returns the index term of the word w in lang: its stem (see Stem) followed by the
// language's tag. A stem of one language never meets another language's: "di" stemmed in Italian
// does not find an English document that holds "di".
func Term(lang, w string) string {
	return Stem(lang, w) + string(tagOf(lang))
}

// tagOf returns the tag of lang's terms.
func tagOf(lang string) rune {
	if i, ok := slices.BinarySearch(stemLangs, lang); ok {
		return stemTag + rune(i)
	}
	return plainTag
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

// Stems returns the distinct terms (see Term) of the word w in the languages of lang (see Langs).
func Stems(lang, w string) []string {
	var out []string
	for _, l := range Langs(lang) {
		if t := Term(l, w); !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// Variants returns the terms (see Term) of the word w in every language that has a stemmer and
// in the languages that have none: what a word typed in the search box matches, whatever the
// language of the document that holds it, and only in documents of that language.
func Variants(w string) []string {
	out := make([]string, 0, len(stemLangs)+1)
	for _, l := range stemLangs {
		out = append(out, Term(l, w))
	}
	return append(out, Term("", w))
}

// VariantsIn returns the terms of the word w in each of langs, Tesseract codes: Variants for an
// index that knows which languages its documents are in, which a search then needs to look up
// only. Like Variants, it gives w's folded form for the languages without a stemmer.
func VariantsIn(w string, langs []string) []string {
	var out []string
	for _, l := range langs {
		if t := Term(l, w); !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// Terms returns the terms (see Term) of the words of text in lang, in order, separated by
// spaces: what an index matches the search box's bare words against. A word of a document in
// several languages gives each distinct term in turn.
func Terms(text, lang string) string {
	var b strings.Builder
	for _, w := range Words(text) {
		for _, t := range Stems(lang, w) {
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(t)
		}
	}
	return b.String()
}

// LabelWords returns the words of a document's labels, each once, followed by their stems in
// lang: its file name without the extension, its own title when it has one ("" otherwise) and
// its notes. The name field of a query looks in them.
func LabelWords(lang, name, title, notes string) []string {
	var words []string
	seen := make(map[string]bool)
	for _, text := range []string{document.DefaultTitle(name), title, notes} {
		for _, w := range Words(text) {
			if !seen[w] {
				seen[w] = true
				words = append(words, w)
			}
		}
	}
	out := slices.Clone(words)
	for _, w := range words {
		for _, s := range Stems(lang, w) {
			if !seen[s] {
				seen[s] = true
				out = append(out, s)
			}
		}
	}
	return out
}
