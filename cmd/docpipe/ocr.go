package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/docpipe/docpipe/internal/config"
	"github.com/docpipe/docpipe/internal/document"
	"github.com/docpipe/docpipe/internal/ocr"
)

// runOCR prints the text of each file, pages separated by form feeds, or JSON with -json.
func runOCR(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flags("ocr")
	asJSON := fs.Bool("json", false, "print pages as JSON lines: one object per file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return fmt.Errorf("no files given")
	}
	cfg, err := config.Load(config.RoleWorker, os.Getenv)
	if err != nil {
		return fmt.Errorf("configuration:\n%w", err)
	}
	limits := ocr.Limits{MaxPages: cfg.MaxPages, MaxPixels: cfg.MaxPixels}
	pool, err := ocr.New(ocr.Options{Size: cfg.OCREngines, Lang: cfg.OCRLang, Limits: limits, PageTimeout: cfg.PageTimeout})
	if err != nil {
		return err
	}
	defer pool.Close()

	enc := json.NewEncoder(stdout)
	for i, name := range fs.Args() {
		data, err := os.ReadFile(name)
		if err != nil {
			return err
		}
		ctx, cancel := context.WithTimeout(ctx, cfg.JobTimeout)
		pages, err := pool.Recognize(ctx, data, "", "")
		cancel()
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if *asJSON {
			if err := enc.Encode(struct {
				File  string          `json:"file"`
				Pages []document.Page `json:"pages"`
			}{name, pages}); err != nil {
				return err
			}
			continue
		}
		if i > 0 {
			fmt.Fprint(stdout, "\f")
		}
		for j, p := range pages {
			if j > 0 {
				fmt.Fprint(stdout, "\f")
			}
			fmt.Fprint(stdout, p.Text)
		}
	}
	return nil
}
