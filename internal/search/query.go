// Package search parses the search box's text into a query that backends render into their own
// full-text syntax. Users never write backend syntax: every term is data.
package search

// Query is a parsed search: a document matches when it matches every clause.
type Query struct {
	Clauses []Clause
}

// Clause is one term, phrase or prefix. A clause of one word that is neither Exact nor a
// Prefix matches the word's stems (see Variants); a phrase of several words is always exact.
type Clause struct {
	Words  []string // one word, or the words of a phrase in order
	Prefix bool     // the last word matches as a prefix ("invo*")
	Not    bool     // documents matching this clause are excluded ("-draft")
	Exact  bool     // the words match only themselves, not their stems ("invoices")
}

// Empty reports whether q has no positive clause to search for.
func (q Query) Empty() bool {
	for _, c := range q.Clauses {
		if !c.Not {
			return false
		}
	}
	return true
}

// Stemmed reports whether c matches its word's stems: a bare word, not quoted or a prefix.
func (c Clause) Stemmed() bool {
	return len(c.Words) == 1 && !c.Exact && !c.Prefix
}
