package ocrtest

import "strings"

// Normalize collapses every run of whitespace in s to a single space and
// trims the ends, so texts that differ only in layout compare equal.
func Normalize(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// Levenshtein returns the edit distance between a and b, counted in runes.
func Levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) < len(rb) {
		ra, rb = rb, ra
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// CER returns the character error rate of got against the reference want:
// the edit distance between their normalized forms divided by the length of
// the normalized reference. An empty reference gives 0 for an empty result
// and 1 otherwise.
func CER(got, want string) float64 {
	g, w := Normalize(got), Normalize(want)
	n := len([]rune(w))
	if n == 0 {
		if g == "" {
			return 0
		}
		return 1
	}
	return float64(Levenshtein(g, w)) / float64(n)
}
