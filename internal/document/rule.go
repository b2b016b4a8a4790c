package document

// A Rule tags its owner's documents that match it: after OCR, and over all of them on demand.
type Rule struct {
	ID      string   `json:"id"`
	Name    string   `json:"name"`    // what the owner calls it
	Match   string   `json:"match"`   // how Pattern matches: MatchAny, MatchAll, MatchPhrase or MatchRegexp
	Pattern string   `json:"pattern"` // words, a phrase or a regular expression (RE2 syntax)
	Field   string   `json:"field"`   // where it looks: FieldText or FieldName
	Tags    []string `json:"tags"`    // the tags a matching document gets
}

// How a rule's pattern matches, always ignoring case (and, for words, accents).
const (
	MatchAny    = "any"    // any of the pattern's words is one of the document's
	MatchAll    = "all"    // all of them are
	MatchPhrase = "phrase" // its words stand in the document in that order, side by side
	MatchRegexp = "regexp" // the regular expression matches somewhere
)

// Where a rule looks.
const (
	FieldText = "text" // the document's text, every page
	FieldName = "name" // its file name, title and notes
)

// Bounds of rules.
const (
	MaxRules       = 100 // of one owner
	MaxRulePattern = 500 // bytes of a rule's pattern
	MaxRuleName    = 100 // bytes of a rule's name
)
