package ocr

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/docpipe/docpipe/internal/document"
)

// Options configure a Pool.
type Options struct {
	Size        int    // number of engines; default runtime.NumCPU()
	Lang        string // default "eng"
	TessdataDir string // default: tesseract's own default
	Limits      Limits
	// PageTimeout bounds the work on one page (rasterize, decode, recognize), from when an
	// engine takes it; a page over it fails the document as invalid input. 0 is no bound.
	PageTimeout time.Duration
}

// A Pool recognizes documents with a fixed set of Tesseract engines. Each
// engine runs on its own goroutine locked to its OS thread; the pages of a
// document are spread over all engines and come back in order. A Pool is
// safe for concurrent use; its memory is about 50 MB per engine plus the
// pages being worked on.
type Pool struct {
	opt     Options
	tasks   chan func(*engine)
	workers sync.WaitGroup
	busy    atomic.Int32

	mu     sync.Mutex
	closed bool
	active sync.WaitGroup // Recognize calls in progress
}

// New starts a pool of opt.Size engines and returns when all are ready.
//
// Tesseract's OpenMP threads only add CPU time when engines already run in
// parallel, so if OMP_THREAD_LIMIT is unset, New sets it to 1 before the
// first engine starts and, since the OpenMP runtime read the environment
// when the process started, also limits OpenMP in this process directly.
func New(opt Options) (*Pool, error) {
	if opt.Size < 0 {
		return nil, fmt.Errorf("ocr: pool size %d is negative", opt.Size)
	}
	if opt.Size == 0 {
		opt.Size = runtime.NumCPU()
	}
	if opt.Lang == "" {
		opt.Lang = "eng"
	}
	opt.Limits = opt.Limits.withDefaults()
	p := &Pool{opt: opt, tasks: make(chan func(*engine))}
	ready := make(chan error, opt.Size)
	for range opt.Size {
		p.workers.Add(1)
		go p.work(ready)
	}
	var errs []error
	for range opt.Size {
		if err := <-ready; err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		close(p.tasks)
		p.workers.Wait()
		return nil, fmt.Errorf("ocr: start engine: %w", errs[0])
	}
	return p, nil
}

// work runs one engine until the pool closes.
func (p *Pool) work(ready chan<- error) {
	defer p.workers.Done()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	e, err := newEngine(p.opt.Lang, p.opt.TessdataDir)
	ready <- err
	if err != nil {
		return
	}
	defer e.close()
	for task := range p.tasks {
		p.busy.Add(1)
		task(e)
		p.busy.Add(-1)
	}
}

// Stats reports how many engines are working and how many there are.
func (p *Pool) Stats() (busy, size int) {
	return int(p.busy.Load()), p.opt.Size
}

// Close stops the pool: Recognize calls already running finish, new ones
// fail with ErrClosed, then the engines are freed. Close is idempotent.
func (p *Pool) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	p.mu.Unlock()
	p.active.Wait()
	close(p.tasks)
	p.workers.Wait()
	return nil
}

// Recognize returns the text of every page of the document in data, in
// order, read in lang: Tesseract language codes joined by '+', or empty for
// the pool's default (Options.Lang). The type is sniffed from data; mediaType
// is only a hint, and the bytes win when they disagree. PDF pages with a text
// layer are read from it; other pages are rasterized (PDF) or decoded and
// given to the engines, and come back with their Layout.
//
// Errors wrap document.ErrInvalidInput for input that can never be read
// (see ErrUnsupportedType, LimitError and UnknownLanguageError), and ctx's
// error if ctx ends first.
func (p *Pool) Recognize(ctx context.Context, data []byte, mediaType, lang string) ([]document.Page, error) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil, ErrClosed
	}
	p.active.Add(1)
	p.mu.Unlock()
	defer p.active.Done()

	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("ocr: %w", err)
	}
	if lang == "" {
		lang = p.opt.Lang
	}
	if err := CheckLang(lang, p.opt.TessdataDir); err != nil {
		return nil, fmt.Errorf("ocr: %w", err)
	}
	mt := sniff(data)
	if mt == "" {
		return nil, fmt.Errorf("ocr: %w", ErrUnsupportedType)
	}
	if hint, _, _ := mime.ParseMediaType(mediaType); hint != "" && hint != mt {
		slog.DebugContext(ctx, "ocr: declared media type disagrees with content", "declared", hint, "sniffed", mt)
	}
	in, cleanup, err := p.open(ctx, data, mt)
	if err != nil {
		return nil, fmt.Errorf("ocr: %w", err)
	}
	defer cleanup()
	in.lang = lang
	pages, err := p.run(ctx, in)
	if err != nil {
		return nil, fmt.Errorf("ocr: %w", err)
	}
	return pages, nil
}

// open checks data against the limits and, for a PDF, writes it to a
// temporary file and reads its text layer.
func (p *Pool) open(ctx context.Context, data []byte, mt string) (*input, func(), error) {
	if mt != TypePDF {
		in, err := inspect(ctx, data, mt, "", p.opt.Limits)
		return in, func() {}, err
	}
	path, remove, err := tempPDF(data)
	if err != nil {
		return nil, nil, err
	}
	in, err := inspect(ctx, data, mt, path, p.opt.Limits)
	if err == nil {
		var texts []string
		if texts, err = pdfText(ctx, path, len(in.pages)); err == nil {
			for i, t := range texts {
				if hasTextLayer(t) {
					in.pages[i].text = t
				}
			}
		}
	}
	if err != nil {
		remove()
		return nil, nil, err
	}
	return in, remove, nil
}

// timedPage is page within the pool's PageTimeout.
func (p *Pool) timedPage(ctx context.Context, e *engine, in *input, i int) (document.Page, error) {
	if p.opt.PageTimeout <= 0 {
		return p.page(ctx, e, in, i)
	}
	pctx, cancel := context.WithTimeout(ctx, p.opt.PageTimeout)
	defer cancel()
	page, err := p.page(pctx, e, in, i)
	if err != nil && ctx.Err() == nil && errors.Is(pctx.Err(), context.DeadlineExceeded) {
		return document.Page{}, invalid("took longer than the %v a page may take", p.opt.PageTimeout)
	}
	return page, err
}

// run recognizes the pages of in on the pool's engines. The first page to
// fail cancels the others, and its error is returned.
func (p *Pool) run(ctx context.Context, in *input) ([]document.Page, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg       sync.WaitGroup
		once     sync.Once
		firstErr error
	)
	pages := make([]document.Page, len(in.pages))
send:
	for i, spec := range in.pages {
		if spec.text != "" {
			pages[i] = document.Page{Number: i + 1, Text: trimText(spec.text), Confidence: 100, Source: document.SourceTextLayer}
			continue
		}
		wg.Add(1)
		task := func(e *engine) {
			defer wg.Done()
			if ctx.Err() != nil {
				return
			}
			page, err := p.timedPage(ctx, e, in, i)
			if err != nil {
				once.Do(func() {
					firstErr = fmt.Errorf("page %d: %w", i+1, err)
					cancel()
				})
				return
			}
			pages[i] = page
		}
		select {
		case p.tasks <- task:
		case <-ctx.Done():
			wg.Done()
			break send
		}
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return pages, nil
}
