package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/docpipe/docpipe/internal/config"
)

// runMigrate brings the database that DOCPIPE_DATABASE_URL names to the schema this binary
// needs. Opening a store migrates it, under the backend's own lock, so a migrate racing a
// starting server is safe.
func runMigrate(ctx context.Context, args []string, stdout io.Writer) error {
	if err := flags(string(config.RoleMigrate)).Parse(args); err != nil {
		return err
	}
	cfg, err := config.Load(config.RoleMigrate, os.Getenv)
	if err != nil {
		return fmt.Errorf("configuration:\n%w", err)
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	if err := st.Close(); err != nil {
		return fmt.Errorf("close store: %w", err)
	}
	fmt.Fprintln(stdout, "docpipe migrate: the database schema is up to date")
	return nil
}
