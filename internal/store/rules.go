package store

import (
	"context"
	"fmt"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"time"

	"github.com/docpipe/docpipe/internal/document"
	"github.com/docpipe/docpipe/internal/search"
)

// Limits of a rule's work on one document. Go's regular expressions run in time linear in the
// text, but the factor is the compiled program's size (BenchmarkRuleCost: (?:a?){60}a{60}z, 183
// instructions, takes 1.5 s over 1 MiB of "a"). So a regular expression compiles to at most
// maxRuleProgram instructions, rules read at most maxRulePage bytes of each page and maxRuleText
// of a document, and a document's rules stop being tried once ruleBudget has passed, checked
// between rules and pages. Word rules share one list of the document's words.
const (
	maxRuleProgram = 500
	maxRulePage    = 64 << 10
	maxRuleText    = 1 << 20
	ruleBudget     = 200 * time.Millisecond
)

// ruleText is what rules read of a document or of its labels: its pages, cut to the limits,
// and their words, found once for every rule that needs them.
type ruleText struct {
	pages []string
	words []string
	set   map[string]bool
}

func newRuleText(pages []string) *ruleText {
	t := &ruleText{}
	left := maxRuleText
	for _, p := range pages {
		if left <= 0 {
			break
		}
		p = p[:min(len(p), maxRulePage, left)]
		left -= len(p)
		t.pages = append(t.pages, p)
	}
	return t
}

// wordList returns the text's words in order, and the set of them.
func (t *ruleText) wordList() ([]string, map[string]bool) {
	if t.set == nil {
		t.set = make(map[string]bool)
		for _, p := range t.pages {
			for _, w := range search.Words(p) {
				t.words = append(t.words, w)
				t.set[w] = true
			}
		}
	}
	return t.words, t.set
}

// A Matcher is a checked rule, ready to match documents.
type Matcher struct {
	Rule  document.Rule
	words []string
	re    *regexp.Regexp
}

// CompileRule checks r and returns its matcher: a rule needs a known match and field, a pattern
// of at most document.MaxRulePattern bytes with words in it (or a regular expression that
// compiles, is not too large and matches no empty text), and tags to add.
func CompileRule(r document.Rule) (Matcher, error) {
	m := Matcher{Rule: r}
	r.Name = strings.Join(strings.Fields(CleanText(r.Name)), " ")
	if len(r.Name) > document.MaxRuleName {
		return m, invalid("a rule's name is longer than %d bytes", document.MaxRuleName)
	}
	if r.Field == "" {
		r.Field = document.FieldText
	}
	if r.Field != document.FieldText && r.Field != document.FieldName {
		return m, invalid("field %q, want text or name", r.Field)
	}
	if len(r.Pattern) > document.MaxRulePattern {
		return m, invalid("pattern is longer than %d bytes", document.MaxRulePattern)
	}
	switch r.Match {
	case document.MatchAny, document.MatchAll, document.MatchPhrase:
		m.words = search.Words(r.Pattern)
		if len(m.words) == 0 {
			return m, invalid("pattern %q has no words", r.Pattern)
		}
	case document.MatchRegexp:
		re, err := compileBounded(r.Pattern)
		if err != nil {
			return m, err
		}
		m.re = re
	default:
		return m, invalid("match %q, want any, all, phrase or regexp", r.Match)
	}
	tags, err := cleanTags(r.Tags)
	if err != nil {
		return m, err
	}
	if len(tags) == 0 {
		return m, invalid("a rule needs tags to add")
	}
	r.Tags = tags
	m.Rule = r
	return m, nil
}

// compileBounded compiles a case-insensitive regular expression whose program is small enough
// that matching stays cheap, and that cannot match an empty text (which every document has).
func compileBounded(pattern string) (*regexp.Regexp, error) {
	re, err := syntax.Parse(pattern, syntax.Perl|syntax.FoldCase)
	if err != nil {
		return nil, invalid("regular expression: %v", err)
	}
	prog, err := syntax.Compile(re.Simplify())
	if err != nil {
		return nil, invalid("regular expression: %v", err)
	}
	if len(prog.Inst) > maxRuleProgram {
		return nil, invalid("regular expression is too large (%d instructions, at most %d)", len(prog.Inst), maxRuleProgram)
	}
	out, err := regexp.Compile("(?i)" + pattern)
	if err != nil {
		return nil, invalid("regular expression: %v", err)
	}
	if out.MatchString("") {
		return nil, invalid("regular expression %q matches an empty text, so every document", pattern)
	}
	return out, nil
}

// Matches reports whether the document with pages and labels (its file name, title and notes,
// joined) matches m. It gives up, not matching, at deadline, checked between pages (never when
// deadline is zero).
func (m Matcher) Matches(pages []string, labels string, deadline time.Time) bool {
	return m.matches(newRuleText(pages), newRuleText([]string{labels}), deadline)
}

func (m Matcher) matches(text, labels *ruleText, deadline time.Time) bool {
	if m.Rule.Field == document.FieldName {
		text = labels
	}
	if m.re != nil {
		for _, p := range text.pages {
			if !deadline.IsZero() && time.Now().After(deadline) {
				return false
			}
			if m.re.MatchString(p) {
				return true
			}
		}
		return false
	}
	words, set := text.wordList()
	switch m.Rule.Match {
	case document.MatchAny:
		return slices.ContainsFunc(m.words, func(w string) bool { return set[w] })
	case document.MatchAll:
		return !slices.ContainsFunc(m.words, func(w string) bool { return !set[w] })
	}
	if slices.ContainsFunc(m.words, func(w string) bool { return !set[w] }) {
		return false
	}
	for i := 0; i+len(m.words) <= len(words); i++ {
		if words[i] == m.words[0] && slices.Equal(words[i:i+len(m.words)], m.words) {
			return true
		}
	}
	return false
}

// RuleTags returns the tags the matchers give a document with pages and labels, trying them
// for about ruleBudget at most.
func RuleTags(ms []Matcher, pages []string, labels string) []string {
	deadline := time.Now().Add(ruleBudget)
	text, lab := newRuleText(pages), newRuleText([]string{labels})
	var tags []string
	for _, m := range ms {
		if time.Now().After(deadline) {
			break
		}
		if m.matches(text, lab, deadline) {
			tags = append(tags, m.Rule.Tags...)
		}
	}
	slices.Sort(tags)
	return slices.Compact(tags)
}

// Rules returns the owner's rules.
func (s *Store) Rules(ctx context.Context, owner string) ([]document.Rule, error) {
	rules, err := s.b.Rules(ctx, owner)
	if err != nil {
		return nil, s.wrap("rules", err)
	}
	slices.SortFunc(rules, func(a, b document.Rule) int { return strings.Compare(a.ID, b.ID) })
	return rules, nil
}

// PutRule checks r (see CompileRule) and stores it as one of the owner's rules, replacing the
// one with its ID, or as a new rule with a new ID when it has none. An owner has at most
// document.MaxRules rules.
func (s *Store) PutRule(ctx context.Context, owner string, r document.Rule) (document.Rule, error) {
	m, err := CompileRule(r)
	if err != nil {
		return r, s.wrap("put rule", err)
	}
	r = m.Rule
	if r.ID == "" {
		r.ID = document.NewID(s.now())
	} else if !document.ValidID(r.ID) {
		return r, s.wrap("put rule", fmt.Errorf("%w: rule %s", document.ErrNotFound, r.ID))
	}
	return r, s.wrap("put rule", s.b.PutRule(ctx, owner, r))
}

// DeleteRule removes one of the owner's rules; one the owner does not have is
// document.ErrNotFound.
func (s *Store) DeleteRule(ctx context.Context, owner, id string) error {
	if !document.ValidID(id) {
		return s.wrap("delete rule", fmt.Errorf("%w: rule %s", document.ErrNotFound, id))
	}
	return s.wrap("delete rule", s.b.DeleteRule(ctx, owner, id))
}

// matchers compiles the owner's rules; one that no longer compiles is left out.
func (s *Store) matchers(ctx context.Context, owner string) ([]Matcher, error) {
	rules, err := s.b.Rules(ctx, owner)
	if err != nil {
		return nil, err
	}
	var ms []Matcher
	for _, r := range rules {
		if m, err := CompileRule(r); err == nil {
			ms = append(ms, m)
		}
	}
	return ms, nil
}

// labelText is what a rule on the name field reads of d.
func labelText(d document.Document) string {
	return d.Name + "\n" + d.OwnTitle() + "\n" + d.Notes
}

// applyRules tags the owner's done document id as the owner's rules say, given its pages.
func (s *Store) applyRules(ctx context.Context, ms []Matcher, d document.Document, pages []document.Page) error {
	texts := make([]string, len(pages))
	for i, p := range pages {
		texts[i] = p.Text
	}
	tags := RuleTags(ms, texts, labelText(d))
	if len(tags) == 0 {
		return nil
	}
	_, err := s.b.TagDocuments(ctx, d.Owner, []string{d.ID}, tags, nil)
	return err
}

// ApplyRules runs the owner's rules over every one of the owner's done documents, or only the
// rule with the ID rule when it is not empty, and returns how many documents it tagged.
func (s *Store) ApplyRules(ctx context.Context, owner, rule string) (int, error) {
	n, err := s.applyAll(ctx, owner, rule)
	return n, s.wrap("apply rules", err)
}

func (s *Store) applyAll(ctx context.Context, owner, rule string) (int, error) {
	ms, err := s.matchers(ctx, owner)
	if err != nil {
		return 0, err
	}
	if rule != "" {
		ms = slices.DeleteFunc(ms, func(m Matcher) bool { return m.Rule.ID != rule })
		if len(ms) == 0 {
			return 0, fmt.Errorf("%w: rule %s", document.ErrNotFound, rule)
		}
	}
	tagged := 0
	var after Cursor
	for {
		docs, err := s.b.List(ctx, owner, ListFilter{Status: document.StatusDone}, after, MaxListLimit)
		if err != nil {
			return tagged, err
		}
		for _, d := range docs {
			_, pages, err := s.b.Text(ctx, owner, d.ID)
			if err != nil {
				continue
			}
			texts := make([]string, len(pages))
			for i, p := range pages {
				texts[i] = p.Text
			}
			tags := RuleTags(ms, texts, labelText(d))
			if len(tags) == 0 || !slices.ContainsFunc(tags, func(t string) bool { return !slices.Contains(d.Tags, t) }) {
				continue
			}
			if _, err := s.b.TagDocuments(ctx, owner, []string{d.ID}, tags, nil); err != nil {
				return tagged, err
			}
			tagged++
		}
		if len(docs) < MaxListLimit {
			return tagged, nil
		}
		last := docs[len(docs)-1]
		after = Cursor{Created: last.CreatedAt, ID: last.ID}
	}
}
