package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/docpipe/docpipe/internal/config"
	"github.com/docpipe/docpipe/internal/document"
	"github.com/docpipe/docpipe/internal/ocr"
)

// runOCR prints the text of each file, pages separated by form feeds, or JSON with -json, in the
// order given. Files are read as many at a time as there are engines, so that several one-page
// files keep every engine busy; with -pdf each also gets its searchable PDF.
func runOCR(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flags("ocr")
	asJSON := fs.Bool("json", false, "print pages as JSON lines: one object per file")
	lang := fs.String("lang", "", "OCR languages, Tesseract codes joined by '+' (default DOCPIPE_OCR_LANG)")
	pdfDir := fs.String("pdf", "", "write each file's searchable PDF to this `directory`, named after the file")
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
	_, engines := pool.Stats()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	files := fs.Args()
	results := make([]chan ocrResult, len(files))
	for i := range results {
		results[i] = make(chan ocrResult, 1)
	}
	var wg sync.WaitGroup
	next := make(chan int)
	for range min(engines, len(files)) {
		wg.Go(func() {
			for i := range next {
				results[i] <- readFile(ctx, pool, files[i], *lang, *pdfDir, cfg)
			}
		})
	}
	go func() {
		defer close(next)
		for i := range files {
			select {
			case next <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	defer wg.Wait()

	enc := json.NewEncoder(stdout)
	for i, name := range files {
		r := <-results[i]
		if r.err != nil {
			cancel()
			return fmt.Errorf("%s: %w", name, r.err)
		}
		if *asJSON {
			if err := enc.Encode(struct {
				File  string          `json:"file"`
				Pages []document.Page `json:"pages"`
			}{name, r.pages}); err != nil {
				return err
			}
			continue
		}
		if i > 0 {
			fmt.Fprint(stdout, "\f")
		}
		for j, p := range r.pages {
			if j > 0 {
				fmt.Fprint(stdout, "\f")
			}
			fmt.Fprint(stdout, p.Text)
		}
	}
	return nil
}

type ocrResult struct {
	pages []document.Page
	err   error
}

// readFile recognizes one file within the job timeout and, if pdfDir is set, writes its
// searchable PDF there.
func readFile(ctx context.Context, pool *ocr.Pool, name, lang, pdfDir string, cfg *config.Config) ocrResult {
	data, err := os.ReadFile(name)
	if err != nil {
		return ocrResult{err: err}
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.JobTimeout)
	defer cancel()
	pages, err := pool.Recognize(ctx, data, "", lang)
	if err != nil || pdfDir == "" {
		return ocrResult{pages, err}
	}
	base := filepath.Base(name)
	out, err := os.Create(filepath.Join(pdfDir, strings.TrimSuffix(base, filepath.Ext(base))+".pdf"))
	if err != nil {
		return ocrResult{err: err}
	}
	err = ocr.SearchablePDF(ctx, out, data, pages)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return ocrResult{pages, err}
}
