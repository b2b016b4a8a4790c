package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestLint(t *testing.T) {
	tests := []struct {
		file      string
		wantRules []string
	}{
		{"good.Dockerfile", nil},
		{"bad.Dockerfile", []string{
			"FromAsCasing", "MaintainerDeprecated", "LegacyKeyValueFormat", "WorkdirRelativePath",
			"ConsistentInstructionCasing", "UndefinedVar", "JSONArgsRecommended",
		}},
		// The repository's own Dockerfile must stay clean.
		{"../../../Dockerfile", nil},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			name := filepath.Join("testdata", tt.file)
			dt, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			findings, err := lint(t.Context(), name, dt)
			if err != nil {
				t.Fatalf("lint: %v", err)
			}
			var got []string
			for _, f := range findings {
				if f.File != name || f.Line < 1 || f.Msg == "" {
					t.Errorf("finding %+v lacks a file, line or message", f)
				}
				if !slices.Contains(got, f.Rule) {
					got = append(got, f.Rule)
				}
			}
			slices.Sort(got)
			want := slices.Sorted(slices.Values(tt.wantRules))
			if !slices.Equal(got, want) {
				t.Errorf("rules = %v, want %v\nfindings: %v", got, want, findings)
			}
		})
	}
}

func TestLintBroken(t *testing.T) {
	name := filepath.Join("testdata", "broken.Dockerfile")
	dt, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lint(t.Context(), name, dt); err == nil {
		t.Fatal("lint of a Dockerfile that does not parse: no error")
	}
}

func TestRun(t *testing.T) {
	tests := []struct {
		files    []string
		wantCode int
		wantOut  string
		wantErr  string
	}{
		{[]string{"testdata/good.Dockerfile"}, 0, "", ""},
		{[]string{"testdata/good.Dockerfile", "testdata/bad.Dockerfile"}, 1, "testdata/bad.Dockerfile:2: MaintainerDeprecated: ", ""},
		{[]string{"testdata/missing.Dockerfile"}, 1, "", "no such file"},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		code := run(t.Context(), &stdout, &stderr, tt.files)
		if code != tt.wantCode {
			t.Errorf("run(%v) = %d, want %d; stderr: %s", tt.files, code, tt.wantCode, &stderr)
		}
		if !strings.Contains(stdout.String(), tt.wantOut) {
			t.Errorf("run(%v) stdout = %q, want it to contain %q", tt.files, &stdout, tt.wantOut)
		}
		if !strings.Contains(stderr.String(), tt.wantErr) {
			t.Errorf("run(%v) stderr = %q, want it to contain %q", tt.files, &stderr, tt.wantErr)
		}
	}
}

func FuzzLint(f *testing.F) {
	for _, name := range []string{"good.Dockerfile", "bad.Dockerfile", "broken.Dockerfile"} {
		dt, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(dt)
	}
	f.Fuzz(func(t *testing.T, dt []byte) {
		findings, _ := lint(t.Context(), "fuzz.Dockerfile", dt)
		for _, fd := range findings {
			if fd.Rule == "" {
				t.Errorf("finding without a rule: %+v", fd)
			}
		}
	})
}
