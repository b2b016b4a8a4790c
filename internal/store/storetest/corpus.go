package storetest

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/docpipe/docpipe/internal/document"
	"github.com/docpipe/docpipe/internal/search"
	"github.com/docpipe/docpipe/internal/store"
)

// BenchDocs is the size of the search benchmarks' corpus. BenchOwner owns 95% of it, and each
// of 50 others, such as SmallOwner, owns 100 documents.
const (
	BenchDocs  = 100_000
	BenchOwner = "alice"
	SmallOwner = "user7"
)

// CorpusDoc is a done document of a Corpus.
type CorpusDoc struct {
	document.Document
	Pages []document.Page
}

// Doc returns document i of the corpus, done, created ten minutes after document i-1.
func (c *Corpus) Doc(i int) CorpusDoc {
	owner := BenchOwner
	if i%20 == 19 {
		owner = fmt.Sprintf("user%d", i/20%50)
	}
	texts := c.pages(i)
	created := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * 10 * time.Minute)
	d := CorpusDoc{Document: document.Document{
		ID: document.NewID(created), Owner: owner, Name: fmt.Sprintf("scan-%06d.pdf", i),
		ContentType: "application/pdf", Size: int64(20_000 * len(texts)), BlobKey: fmt.Sprintf("originals/%d", i),
		Status: document.StatusDone, Pages: len(texts), Attempts: 1, CreatedAt: created, UpdatedAt: created,
	}}
	for p, text := range texts {
		d.Pages = append(d.Pages, document.Page{Number: p + 1, Text: text, Confidence: 90, Source: document.SourceOCR})
	}
	return d
}

// BenchSearch times Store.Search over a store that holds the corpus's first BenchDocs
// documents and reports the latency percentiles of each class of query, then of all of them,
// for the owner of most documents and for one with a hundred.
func BenchSearch(b *testing.B, s *store.Store, c *Corpus) {
	var all []string
	for _, class := range c.Queries() {
		all = append(all, class.Queries...)
		b.Run(class.Name, func(b *testing.B) { benchQueries(b, s, BenchOwner, class.Queries) })
	}
	b.Run("all", func(b *testing.B) { benchQueries(b, s, BenchOwner, all) })
	b.Run("all-small-owner", func(b *testing.B) { benchQueries(b, s, SmallOwner, all) })
}

// benchQueries runs every query once per iteration as owner and reports the percentiles of their
// latencies. The owner of most documents must find something with each.
func benchQueries(b *testing.B, s *store.Store, owner string, texts []string) {
	var qs []search.Query
	for _, text := range texts {
		q, err := search.Parse(text)
		if err != nil {
			b.Fatalf("Parse(%q): %v", text, err)
		}
		qs = append(qs, q)
	}
	run := func(q search.Query) time.Duration {
		start := time.Now()
		res, err := s.Search(b.Context(), owner, q, store.SearchOptions{Limit: 20})
		if err != nil {
			b.Fatalf("Search(%s): %v", q, err)
		}
		if len(res.Hits) == 0 && res.Suggestion == "" && owner == BenchOwner {
			b.Fatalf("Search(%s) found nothing and suggests nothing", q)
		}
		return time.Since(start)
	}
	for _, q := range qs {
		run(q)
	}
	var lat []time.Duration
	for b.Loop() {
		for _, q := range qs {
			lat = append(lat, run(q))
		}
	}
	slices.Sort(lat)
	pct := func(p float64) float64 {
		return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "max-ms")
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(len(lat)), "mean-ms")
	b.ReportMetric(0, "ns/op")
}

// Corpus generates the search benchmarks' documents deterministically: words follow a Zipf distribution over a
// vocabulary of English function words and made-up words, each document dwells on a few topic
// words, and some pages look like invoices, with numbers, dates and amounts.
type Corpus struct {
	vocab []string
}

var functionWords = strings.Fields(`the of and to a in is that for it as was with be by on not he i
	this are or his from at which but have an they you were her she there been one all we their
	has would when if so no will more can said who what its about out up them into than some
	other could time these two may then do first any my now such like our over man me even most
	made after also did many before must through back years where much your way well down should
	because each just those people how too little state good very make world still own see men
	work long get here between both life being under never day same another know while last`)

func NewCorpus() *Corpus {
	r := rand.New(rand.NewPCG(1, 2))
	onsets := strings.Fields("b c d f g h j k l m n p r s t v w z br ch cl cr dr fl fr gl gr pl pr sc sh sk sl sp st str th tr")
	vowels := strings.Fields("a e i o u ai ea ee ia io oa ou")
	codas := []string{"", "", "", "n", "r", "s", "t", "l", "m", "nd", "nt", "rt", "st", "ck", "ng", "x"}
	seen := make(map[string]bool)
	c := &Corpus{}
	for _, w := range functionWords {
		seen[w] = true
		c.vocab = append(c.vocab, w)
	}
	for len(c.vocab) < 50_000 {
		var w strings.Builder
		for range 1 + r.IntN(3) + r.IntN(2) {
			w.WriteString(onsets[r.IntN(len(onsets))])
			w.WriteString(vowels[r.IntN(len(vowels))])
		}
		w.WriteString(codas[r.IntN(len(codas))])
		if !seen[w.String()] {
			seen[w.String()] = true
			c.vocab = append(c.vocab, w.String())
		}
	}
	return c
}

// pages returns the pages of document i.
func (c *Corpus) pages(i int) []string {
	r := rand.New(rand.NewPCG(uint64(i), 42))
	zipf := rand.NewZipf(r, 1.07, 2, uint64(len(c.vocab)-1))
	topics := make([]string, 2+r.IntN(4))
	for k := range topics {
		topics[k] = c.vocab[200+r.IntN(20_000)]
	}
	invoice := r.IntN(4) == 0
	pages := make([]string, []int{1, 1, 1, 2, 2, 3, 4, 6}[r.IntN(8)])
	for p := range pages {
		var b strings.Builder
		if invoice && p == 0 {
			fmt.Fprintf(&b, "Invoice INV-%06d\nDate: 20%02d-%02d-%02d\nCustomer number %d\n\n",
				r.IntN(1_000_000), 20+r.IntN(6), 1+r.IntN(12), 1+r.IntN(28), r.IntN(100_000))
		}
		words := 80 + r.IntN(320)
		start := true
		for w := 0; w < words; w++ {
			var word string
			switch n := r.IntN(100); {
			case n < 4:
				word = topics[r.IntN(len(topics))]
			case n < 5:
				word = fmt.Sprint(r.IntN(10_000))
			default:
				word = c.vocab[zipf.Uint64()]
			}
			if start {
				word = strings.ToUpper(word[:1]) + word[1:]
			}
			b.WriteString(word)
			start = r.IntN(12) == 0
			switch {
			case start:
				b.WriteString(". ")
			case r.IntN(15) == 0:
				b.WriteString(", ")
			case r.IntN(40) == 0:
				b.WriteString("\n")
			default:
				b.WriteString(" ")
			}
		}
		if invoice && p == len(pages)-1 {
			fmt.Fprintf(&b, "\n\nTotal amount due: %d.%02d EUR\n", r.IntN(50_000), r.IntN(100))
		}
		pages[p] = b.String()
	}
	return pages
}

// QueryClass is a kind of query and the benchmark's queries of that kind.
type QueryClass struct {
	Name    string
	Queries []string
}

// Queries returns the benchmark's queries by class. Every one of them matches some of
// BenchOwner's documents, or, in the class typo, brings a suggestion.
func (c *Corpus) Queries() []QueryClass {
	v := c.vocab
	return []QueryClass{
		{"rare", []string{v[9000], v[12000], v[15500], v[21000], v[30000], v[41000], "invoice " + v[25000], v[18000] + " " + v[1200]}},
		{"medium", []string{v[300], v[700], v[1500], v[2500], v[4000], v[600] + " " + v[900], v[350] + " " + v[5000]}},
		{"common", []string{"the", "of", "and", v[150], v[200], "the and of", "invoice", "total amount"}},
		{"phrase", []string{`"of the"`, `"total amount due"`, `"customer number"`, fmt.Sprintf("%q", v[0]+" "+v[150]),
			fmt.Sprintf("%q", v[3]+" "+v[400])}},
		{"prefix", []string{v[800][:3] + "*", v[2000][:4] + "*", v[9000][:5] + "*", "inv*", "th*", "s*", "st*", v[300] + " " + v[5000][:4] + "*"}},
		{"exclude", []string{v[500] + " -" + v[600], "invoice -" + v[300], v[1000] + ` -"of the"`, "the -and"}},
		{"stem", []string{"invoices", "amounts", "totals due", v[9000] + "s", v[700] + "ing"}},
		{"or", []string{v[9000] + " OR " + v[12000], v[300] + " OR " + v[700], "(" + v[600] + " OR " + v[900] + ") " + v[350], "invoice OR total"}},
		{"name", []string{"scan", "name:004211", "004211 OR 077123", "name:scan " + v[9000]}},
		{"filter", []string{"invoice type:pdf", v[300] + " after:2000-01-01", "-" + v[300] + " type:pdf"}},
		{"typo", []string{typo(v[9000]), typo(v[21000]), typo(v[700]) + " " + v[300]}},
	}
}

// typo misspells w by swapping its second and third letters, as a query that finds nothing
// and brings a suggestion.
func typo(w string) string {
	r := []rune(w)
	if len(r) > 3 {
		r[1], r[2] = r[2], r[1]
	}
	return string(r)
}
