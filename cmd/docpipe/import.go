package main

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/docpipe/docpipe/internal/archive"
	"github.com/docpipe/docpipe/internal/blob"
	"github.com/docpipe/docpipe/internal/config"
)

// runImport reads archives that GET /v1/export wrote into the store and bucket the settings
// name, as one owner's documents.
func runImport(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flags("import")
	owner := fs.String("owner", "", "whose documents they become (default: DOCPIPE_LOCAL_USER)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return &exitError{code: 2, err: errors.New("name the archives to import")}
	}
	cfg, err := config.Load(config.RoleMigrate, os.Getenv)
	if err != nil {
		return fmt.Errorf("configuration:\n%w", err)
	}
	if *owner == "" {
		*owner = cfg.LocalUser
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	bkt, err := blob.Open(ctx, cfg.BlobURL)
	if err != nil {
		return fmt.Errorf("open bucket: %w", err)
	}
	defer bkt.Close()
	for _, name := range fs.Args() {
		zr, err := zip.OpenReader(name)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		rep, err := archive.Read(ctx, &zr.Reader, st, bkt, *owner)
		zr.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		fmt.Fprintf(stdout, "%s: %d documents imported for %s (%d queued for OCR), %d already there\n",
			name, rep.Created, *owner, rep.Queued, rep.Duplicates)
	}
	return nil
}
