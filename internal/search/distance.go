package search

import "unicode/utf8"

// Distance returns the number of edits, each inserting, deleting or replacing a character or
// swapping two adjacent ones, that turn a into b; or max+1 when it is more than max.
func Distance(a, b string, max int) int {
	if d := utf8.RuneCountInString(a) - utf8.RuneCountInString(b); d > max || -d > max {
		return max + 1
	}
	ra, rb := []rune(a), []rune(b)
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		low := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
			low = min(low, cur[j])
		}
		if low > max {
			return max + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return min(prev[len(rb)], max+1)
}

// MaxTypos is how many edits (see Distance) a suggestion for the word w may be from it: none for
// words of up to three characters, one up to five, two beyond.
func MaxTypos(w string) int {
	switch n := utf8.RuneCountInString(w); {
	case n <= 3:
		return 0
	case n <= 5:
		return 1
	}
	return 2
}
