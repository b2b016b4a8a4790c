package config

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestDatabasePassword(t *testing.T) {
	file := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(file, []byte("fr0m/file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, url, password, passwordFile string
		want                              string
	}{
		{"no password", "postgres://docpipe@db:5432/docpipe", "", "", "postgres://docpipe@db:5432/docpipe"},
		{"password", "postgres://docpipe@db:5432/docpipe?sslmode=require", "s3cret", "", "postgres://docpipe:s3cret@db:5432/docpipe?sslmode=require"},
		{"escaped", "postgresql://docpipe@db/docpipe", "a@b:c/d?e", "", "postgresql://docpipe:a%40b%3Ac%2Fd%3Fe@db/docpipe"},
		{"from file", "postgres://docpipe@db/docpipe", "", file, "postgres://docpipe:fr0m%2Ffile@db/docpipe"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load(RoleWorker, env(map[string]string{
				"DOCPIPE_DATABASE_URL":           tt.url,
				"DOCPIPE_DATABASE_PASSWORD":      tt.password,
				"DOCPIPE_DATABASE_PASSWORD_FILE": tt.passwordFile,
			}))
			if err != nil {
				t.Fatal(err)
			}
			if c.DatabaseURL != tt.want {
				t.Errorf("DatabaseURL = %q, want %q", c.DatabaseURL, tt.want)
			}
		})
	}
}

func TestDatabaseIdentity(t *testing.T) {
	const u = "postgres://docpipe-api%40example-project.iam@/docpipe?host=/cloudsql/example-project:europe-west1:docpipe"
	c, err := Load(RoleWorker, env(map[string]string{
		"DOCPIPE_DATABASE_URL":  u,
		"DOCPIPE_DATABASE_IAM":  "gcp",
		"DOCPIPE_DATABASE_ROLE": "docpipe",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.DatabaseURL != u || c.DatabaseIAM != "gcp" || c.DatabaseRole != "docpipe" {
		t.Errorf("got URL %q, IAM %q, role %q; want %q, gcp, docpipe", c.DatabaseURL, c.DatabaseIAM, c.DatabaseRole, u)
	}
}

func TestQueueURL(t *testing.T) {
	const q = "https://sqs.eu-west-1.amazonaws.com/123456789012/docpipe-prod-events"
	c, err := Load(RoleWorker, env(map[string]string{"DOCPIPE_QUEUE_URL": q}))
	if err != nil {
		t.Fatal(err)
	}
	if c.QueueURL != q {
		t.Errorf("QueueURL = %q, want %q", c.QueueURL, q)
	}
	c, err = Load(RoleWorker, env(nil))
	if err != nil || c.QueueURL != "" {
		t.Errorf("without DOCPIPE_QUEUE_URL: QueueURL = %q, %v; want none", c.QueueURL, err)
	}
}

func TestAWSSettingsErrors(t *testing.T) {
	tests := []struct {
		name string
		role Role
		env  map[string]string
		want string
	}{
		{"password for sqlite", RoleWorker, map[string]string{"DOCPIPE_DATABASE_PASSWORD": "x"}, "DOCPIPE_DATABASE_PASSWORD"},
		{"password without user", RoleWorker, map[string]string{
			"DOCPIPE_DATABASE_URL": "postgres://db/docpipe", "DOCPIPE_DATABASE_PASSWORD": "x"}, "DOCPIPE_DATABASE_PASSWORD"},
		{"password twice", RoleWorker, map[string]string{
			"DOCPIPE_DATABASE_URL": "postgres://u:p@db/docpipe", "DOCPIPE_DATABASE_PASSWORD": "x"}, "DOCPIPE_DATABASE_PASSWORD"},
		{"password and file", RoleWorker, map[string]string{
			"DOCPIPE_DATABASE_URL": "postgres://u@db/docpipe", "DOCPIPE_DATABASE_PASSWORD": "x",
			"DOCPIPE_DATABASE_PASSWORD_FILE": "/nonexistent"}, "DOCPIPE_DATABASE_PASSWORD"},
		{"iam for sqlite", RoleWorker, map[string]string{"DOCPIPE_DATABASE_IAM": "gcp"}, "DOCPIPE_DATABASE_IAM"},
		{"iam unknown", RoleWorker, map[string]string{
			"DOCPIPE_DATABASE_URL": "postgres://u@db/docpipe", "DOCPIPE_DATABASE_IAM": "aws"}, "DOCPIPE_DATABASE_IAM"},
		{"iam without user", RoleWorker, map[string]string{
			"DOCPIPE_DATABASE_URL": "postgres://db/docpipe", "DOCPIPE_DATABASE_IAM": "gcp"}, "DOCPIPE_DATABASE_IAM"},
		{"iam and a password", RoleWorker, map[string]string{
			"DOCPIPE_DATABASE_URL": "postgres://u@db/docpipe", "DOCPIPE_DATABASE_PASSWORD": "x",
			"DOCPIPE_DATABASE_IAM": "gcp"}, "DOCPIPE_DATABASE_IAM"},
		{"role for sqlite", RoleWorker, map[string]string{"DOCPIPE_DATABASE_ROLE": "docpipe"}, "DOCPIPE_DATABASE_ROLE"},
		{"queue for the api", RoleAPI, map[string]string{
			"DOCPIPE_AUTH": "none", "DOCPIPE_QUEUE_URL": "https://sqs.eu-west-1.amazonaws.com/1/q"}, "DOCPIPE_QUEUE_URL"},
		{"queue not a URL", RoleWorker, map[string]string{"DOCPIPE_QUEUE_URL": "docpipe-events"}, "DOCPIPE_QUEUE_URL"},
		{"queue without a path", RoleWorker, map[string]string{"DOCPIPE_QUEUE_URL": "https://sqs.eu-west-1.amazonaws.com/"}, "DOCPIPE_QUEUE_URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(tt.role, env(tt.env))
			var ce *Error
			if !errors.As(err, &ce) || ce.Var != tt.want {
				t.Errorf("Load error = %v, want one naming %s", err, tt.want)
			}
		})
	}
}
