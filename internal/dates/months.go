package dates

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// monthNames are the month names by Tesseract language code: a line a month, January first,
// its full names and common abbreviations. Names may carry diacritics; they match with or
// without them. No name is shorter than three letters, and no name is two months, as a name
// must mean one month whichever languages a document has: buildNames panics otherwise.
var monthNames = map[string]string{
	"eng": `january jan
		february feb
		march mar
		april apr
		may
		june jun
		july jul
		august aug
		september sept sep
		october oct
		november nov
		december dec`,
	"deu": `januar jänner jan jän
		februar feb
		märz maerz mär mrz
		april apr
		mai
		juni jun
		juli jul
		august aug
		september sept sep
		oktober okt
		november nov
		dezember dez`,
	"fra": `janvier janv
		février févr fév
		mars
		avril avr
		mai
		juin
		juillet juil
		août
		septembre sept
		octobre oct
		novembre nov
		décembre déc`,
	"spa": `enero ene
		febrero feb
		marzo mar
		abril abr
		mayo may
		junio jun
		julio jul
		agosto ago
		septiembre setiembre sept sep set
		octubre oct
		noviembre nov
		diciembre dic`,
	"ita": `gennaio gen
		febbraio feb
		marzo mar
		aprile apr
		maggio mag
		giugno giu
		luglio lug
		agosto ago
		settembre set
		ottobre ott
		novembre nov
		dicembre dic`,
	"nld": `januari jan
		februari feb
		maart mrt
		april apr
		mei
		juni jun
		juli jul
		augustus aug
		september sept sep
		oktober okt
		november nov
		december dec`,
	"por": `janeiro jan
		fevereiro fev
		março mar
		abril abr
		maio mai
		junho jun
		julho jul
		agosto ago
		setembro set
		outubro out
		novembro nov
		dezembro dez`,
	"swe": `januari jan
		februari feb
		mars mar
		april apr
		maj
		juni jun
		juli jul
		augusti aug
		september sept sep
		oktober okt
		november nov
		december dec`,
	"dan": `januar jan
		februar feb
		marts mar
		april apr
		maj
		juni jun
		juli jul
		august aug
		september sept sep
		oktober okt
		november nov
		december dec`,
	"nor": `januar jan
		februar feb
		mars mar
		april apr
		mai
		juni jun
		juli jul
		august aug
		september sept sep
		oktober okt
		november nov
		desember des`,
	"fin": `tammikuu tammikuuta tammik
		helmikuu helmikuuta helmik
		maaliskuu maaliskuuta maalisk
		huhtikuu huhtikuuta huhtik
		toukokuu toukokuuta toukok
		kesäkuu kesäkuuta kesäk
		heinäkuu heinäkuuta heinäk
		elokuu elokuuta elok
		syyskuu syyskuuta syysk
		lokakuu lokakuuta lokak
		marraskuu marraskuuta marrask
		joulukuu joulukuuta jouluk`,
	"pol": `styczeń stycznia sty
		luty lutego lut
		marzec marca mar
		kwiecień kwietnia kwi
		maj maja
		czerwiec czerwca cze
		lipiec lipca lip
		sierpień sierpnia sie
		wrzesień września wrz
		październik października paź
		listopad listopada lis
		grudzień grudnia gru`,
	"ces": `leden ledna
		únor února
		březen března
		duben dubna
		květen května
		červen června
		červenec července
		srpen srpna
		září
		říjen října
		listopad listopadu
		prosinec prosince`,
	"tur": `ocak oca
		şubat şub
		mart mar
		nisan nis
		mayıs may
		haziran haz
		temmuz tem
		ağustos ağu
		eylül eyl
		ekim eki
		kasım kas
		aralık ara`,
	"ron": `ianuarie ian
		februarie feb
		martie mar
		aprilie apr
		mai
		iunie iun
		iulie iul
		august aug
		septembrie sept sep
		octombrie oct
		noiembrie noi
		decembrie dec`,
	"hun": `január jan
		február febr feb
		március márc
		április ápr
		május máj
		június jún
		július júl
		augusztus aug
		szeptember szept
		október okt
		november nov
		december dec`,
}

// maxName bounds the bytes of a folded month name; no longer word is looked up.
const maxName = 16

// A name is a folded month name: its month and the languages, as langBits, that have it.
type name struct {
	month int
	langs uint32
}

// names are the month names of monthNames, folded, and langBits the bit of each language in
// name.langs.
var names, langBits = buildNames(monthNames)

// buildNames folds the names of table, and gives each language a bit.
func buildNames(table map[string]string) (map[string]name, map[string]uint32) {
	codes := make([]string, 0, len(table))
	for code := range table {
		codes = append(codes, code)
	}
	slices.Sort(codes)
	if len(codes) > 32 {
		panic("dates: more languages than bits in name.langs")
	}
	names := map[string]name{}
	bits := map[string]uint32{}
	for i, code := range codes {
		bits[code] = 1 << i
		lines := strings.Split(table[code], "\n")
		if len(lines) != 12 {
			panic(fmt.Sprintf("dates: %s has %d months", code, len(lines)))
		}
		for m, line := range lines {
			for _, form := range strings.Fields(line) {
				var buf [maxName]byte
				n, ok := fold(&buf, form)
				if !ok || n < 3 {
					panic(fmt.Sprintf("dates: %s month name %q does not fold to 3 to %d letters", code, form, maxName))
				}
				key := string(buf[:n])
				nm := names[key]
				if nm.langs != 0 && nm.month != m+1 {
					panic(fmt.Sprintf("dates: %q is month %d and %d", key, nm.month, m+1))
				}
				names[key] = name{month: m + 1, langs: nm.langs | 1<<i}
			}
		}
	}
	return names, bits
}

// fold writes the word w to buf in lower case without diacritics, and returns its length. It
// reports false if w has a rune that is not a Latin letter or mark or if w does not fit.
func fold(buf *[maxName]byte, w string) (int, bool) {
	n := 0
	for i := 0; i < len(w); {
		c := w[i]
		if c < utf8.RuneSelf {
			switch {
			case 'a' <= c && c <= 'z':
			case 'A' <= c && c <= 'Z':
				c += 'a' - 'A'
			default:
				return 0, false
			}
			i++
		} else {
			r, size := utf8.DecodeRuneInString(w[i:])
			i += size
			if unicode.Is(unicode.Mn, r) {
				continue
			}
			if r = unicode.ToLower(r); 'a' <= r && r <= 'z' {
				c = byte(r) // İ lowers to i, the Kelvin sign to k.
			} else if c = foldRune[r]; c == 0 {
				return 0, false
			}
		}
		if n == len(buf) {
			return 0, false
		}
		buf[n] = c
		n++
	}
	return n, true
}

// foldRune maps the lower-case Latin letters with diacritics of the languages in monthNames,
// and a few more, to their base letters.
var foldRune = func() map[rune]byte {
	m := map[rune]byte{}
	for _, f := range strings.Fields("aàáâãäåąăā cçćč dď eèéêëęěē gğ iìíîïıī lłľĺ nńňñ oòóôõöőøō rř sśšşș tťţț uùúûüůűū yýÿ zźżž") {
		base, size := utf8.DecodeRuneInString(f)
		for _, r := range f[size:] {
			m[r] = byte(base)
		}
	}
	return m
}()
