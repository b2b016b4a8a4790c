package sqlite

import (
	"slices"
	"strings"
	"unicode"

	"github.com/docpipe/docpipe/internal/store"
)

// FTS5's snippet() marks matches and cuts with Unicode noncharacters, which never occur in the
// stored text (cleanText replaces them).
const (
	markOpen      = "\uFDD0"
	markClose     = "\uFDD1"
	markCut       = "\uFDD2"
	markers       = markOpen + markClose + markCut
	snippetTokens = 24
	ellipsis      = "…"
)

// snip is a parsed snippet: pieces of the stored text, in order.
type snip struct {
	pieces           []store.Fragment
	cutStart, cutEnd bool // the text goes on before or after
}

func parseSnippet(s string) snip {
	var sn snip
	if rest, ok := strings.CutPrefix(s, markCut); ok {
		s, sn.cutStart = rest, true
	}
	if rest, ok := strings.CutSuffix(s, markCut); ok {
		s, sn.cutEnd = rest, true
	}
	for s != "" {
		before, after, found := strings.Cut(s, markOpen)
		sn.pieces = append(sn.pieces, store.Fragment{Text: before})
		if !found {
			break
		}
		match, rest, _ := strings.Cut(after, markClose)
		sn.pieces = append(sn.pieces, store.Fragment{Text: match, Match: true})
		s = rest
	}
	return sn
}

// plain is the stored text the snippet shows.
func (sn snip) plain() string {
	var b strings.Builder
	for _, p := range sn.pieces {
		b.WriteString(p.Text)
	}
	return b.String()
}

// firstMatch is the byte offset of the first match in plain.
func (sn snip) firstMatch() int {
	n := 0
	for _, p := range sn.pieces {
		if p.Match && p.Text != "" {
			return n
		}
		n += len(p.Text)
	}
	return 0
}

// fragments returns the part of the snippet within plain()[lo:hi], the page's bounds, with runs
// of white space collapsed and an ellipsis where the page goes on beyond what it shows.
func (sn snip) fragments(lo, hi int) []store.Fragment {
	var frags []store.Fragment
	end := 0
	for _, p := range sn.pieces {
		start := end
		end += len(p.Text)
		from, to := max(start, lo), min(end, hi)
		if from >= to {
			continue
		}
		text := store.CollapseSpace(p.Text[from-start : to-start])
		if n := len(frags); n > 0 && frags[n-1].Match == p.Match {
			frags[n-1].Text += text
			continue
		}
		frags = append(frags, store.Fragment{Text: text, Match: p.Match})
	}
	if len(frags) == 0 {
		return nil
	}
	if first := &frags[0]; !first.Match {
		first.Text = strings.TrimLeftFunc(first.Text, unicode.IsSpace)
	}
	if last := &frags[len(frags)-1]; !last.Match {
		last.Text = strings.TrimRightFunc(last.Text, unicode.IsSpace)
	}
	if hi > end {
		if frags[len(frags)-1].Match {
			frags = append(frags, store.Fragment{})
		}
		frags[len(frags)-1].Text += ellipsis
	}
	if lo < 0 {
		if frags[0].Match {
			frags = append([]store.Fragment{{}}, frags...)
		}
		frags[0].Text = ellipsis + frags[0].Text
	}
	return slices.DeleteFunc(frags, func(f store.Fragment) bool { return f.Text == "" })
}

// bounds are what fragments needs to show the whole snippet when its page is unknown.
func (sn snip) bounds() (lo, hi int) {
	lo, hi = 0, len(sn.plain())
	if sn.cutStart {
		lo--
	}
	if sn.cutEnd {
		hi++
	}
	return lo, hi
}
