package pgtest

import "testing"

func TestWithDatabase(t *testing.T) {
	tests := []struct {
		url, name, want string
	}{
		{"postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable", "t1", "postgres://postgres@127.0.0.1:5432/t1?sslmode=disable"},
		{"postgresql://u:p@db/", "t2", "postgresql://u:p@db/t2"},
		{"postgres://db", "t3", "postgres://db/t3"},
	}
	for _, tt := range tests {
		got, err := withDatabase(tt.url, tt.name)
		if err != nil || got != tt.want {
			t.Errorf("withDatabase(%q, %q) = %q, %v; want %q", tt.url, tt.name, got, err, tt.want)
		}
	}
	for _, bad := range []string{"host=db user=u", "mysql://db/x", "::"} {
		if _, err := withDatabase(bad, "t"); err == nil {
			t.Errorf("withDatabase(%q) succeeded, want an error", bad)
		}
	}
}

func TestVersionOf(t *testing.T) {
	tests := []struct {
		dir  string
		want int
	}{
		{"/usr/lib/postgresql/15/bin", 15},
		{"/usr/lib/postgresql/9.6/bin", 0},
		{"/usr/local/bin", 0},
	}
	for _, tt := range tests {
		if got := versionOf(tt.dir); got != tt.want {
			t.Errorf("versionOf(%q) = %d, want %d", tt.dir, got, tt.want)
		}
	}
}
