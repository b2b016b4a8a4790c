package postgres

import (
	"slices"
	"strings"
	"unicode"

	"github.com/docpipe/docpipe/internal/store"
)

const ellipsis = "…"

// fragments splits a headline of page, as ts_headline marks it, into fragments, with runs of
// white space collapsed and an ellipsis where the page goes on beyond it.
func fragments(headline, page string) []store.Fragment {
	var (
		frags []store.Fragment
		plain strings.Builder
	)
	add := func(text string, match bool) {
		plain.WriteString(text)
		text = store.CollapseSpace(text)
		if n := len(frags); n > 0 && frags[n-1].Match == match {
			frags[n-1].Text += text
			return
		}
		frags = append(frags, store.Fragment{Text: text, Match: match})
	}
	for s := headline; s != ""; {
		before, after, found := strings.Cut(s, markOpen)
		add(before, false)
		if !found {
			break
		}
		match, rest, _ := strings.Cut(after, markClose)
		add(match, true)
		s = rest
	}
	frags = slices.DeleteFunc(frags, func(f store.Fragment) bool { return f.Text == "" })
	if len(frags) == 0 {
		return nil
	}
	if first := &frags[0]; !first.Match {
		first.Text = strings.TrimLeftFunc(first.Text, unicode.IsSpace)
	}
	if last := &frags[len(frags)-1]; !last.Match {
		last.Text = strings.TrimRightFunc(last.Text, unicode.IsSpace)
	}
	cutStart, cutEnd := cuts(page, plain.String())
	if cutStart {
		if frags[0].Match {
			frags = slices.Insert(frags, 0, store.Fragment{})
		}
		frags[0].Text = ellipsis + frags[0].Text
	}
	if cutEnd {
		if frags[len(frags)-1].Match {
			frags = append(frags, store.Fragment{})
		}
		frags[len(frags)-1].Text += ellipsis
	}
	return slices.DeleteFunc(frags, func(f store.Fragment) bool { return f.Text == "" })
}

// cuts reports whether page has more than white space before and after excerpt.
func cuts(page, excerpt string) (start, end bool) {
	excerpt = strings.TrimSpace(excerpt)
	i := strings.Index(page, excerpt)
	if i < 0 || excerpt == "" {
		return false, false
	}
	return strings.TrimSpace(page[:i]) != "", strings.TrimSpace(page[i+len(excerpt):]) != ""
}
