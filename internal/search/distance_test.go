package search

import "testing"

func TestDistance(t *testing.T) {
	tests := []struct {
		a, b string
		max  int
		want int
	}{
		{"dubrovnk", "dubrovnik", 2, 1},
		{"dubrovnik", "dubrovnik", 2, 0},
		{"invocie", "invoice", 2, 1},
		{"recieve", "receive", 2, 1},
		{"kitten", "sitting", 3, 3},
		{"kitten", "sitting", 2, 3},
		{"a", "abcdef", 2, 3},
		{"", "ab", 2, 2},
		{"übersetzng", "übersetzung", 1, 1},
	}
	for _, tt := range tests {
		if got := Distance(tt.a, tt.b, tt.max); got != tt.want {
			t.Errorf("Distance(%q, %q, %d) = %d, want %d", tt.a, tt.b, tt.max, got, tt.want)
		}
	}
}

func TestMaxTypos(t *testing.T) {
	for w, want := range map[string]int{"tax": 0, "taxes": 1, "dubrovnk": 2, "übel": 1} {
		if got := MaxTypos(w); got != want {
			t.Errorf("MaxTypos(%q) = %d, want %d", w, got, want)
		}
	}
}
