package document

import (
	"errors"
	"strings"
	"testing"
)

func TestCleanTag(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"tax", "tax", true},
		{"  Tax \t 2024 ", "Tax 2024", true},
		{"Überweisung", "Überweisung", true},
		{"", "", false},
		{"   ", "", false},
		{"a,b", "", false},
		{`say "hi"`, "", false},
		{"bell\x07", "", false},
		{strings.Repeat("x", MaxTagName), strings.Repeat("x", MaxTagName), true},
		{strings.Repeat("x", MaxTagName+1), "", false},
		{"\xff", "", false},
	}
	for _, tt := range tests {
		got, err := CleanTag(tt.in)
		if got != tt.want || (err == nil) != tt.ok || err != nil && !errors.Is(err, ErrInvalidInput) {
			t.Errorf("CleanTag(%q) = %q, %v; want %q, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestColors(t *testing.T) {
	for _, c := range append(tagColors, DefaultColor("tax"), DefaultColor("")) {
		if !ValidColor(c) {
			t.Errorf("ValidColor(%q) = false", c)
		}
	}
	for _, c := range []string{"", "#fff", "#FFFFFF", "123456", "#12345g", "#1234567"} {
		if ValidColor(c) {
			t.Errorf("ValidColor(%q) = true", c)
		}
	}
}
