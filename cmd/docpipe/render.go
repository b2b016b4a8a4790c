package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/docpipe/docpipe/internal/document"
	"github.com/docpipe/docpipe/internal/ocr"
)

// The longer sides, in pixels, of the page pictures the api serves and of the thumbnail of a
// document's first page the worker makes.
const (
	previewSide   = 1200
	thumbnailSide = 240
)

// renderMemoryMiB bounds the data (heap and private mappings) of the process that draws one
// page picture. The costliest page the limits let in, 60 megapixels of 16-bit RGBA, peaks at
// about 830 MiB.
const renderMemoryMiB = 1024

// Exit codes of render that the server tells apart.
const (
	exitCannotDraw = 3
	exitNoPage     = 4
)

// exitError ends the command with its own exit code.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// runRender draws one page of an image or PDF file ("-" for stdin) as a PNG on stdout.
func runRender(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flags("render")
	page := fs.Int("page", 1, "the page to draw, from 1")
	side := fs.Int("side", previewSide, "the picture's longer side at most, in pixels")
	maxPages := fs.Int("max-pages", 0, "refuse documents of more pages (0: the ocr package's default)")
	maxPixels := fs.Int64("max-pixels", 0, "refuse pages of more pixels (0: the ocr package's default)")
	maxMemory := fs.Int("max-memory", 0, "MiB of data (heap) the command may use (0: no bound)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 || *side < 1 {
		fs.Usage()
		return errors.New("want one file, and a positive -side")
	}
	if *maxMemory > 0 {
		lim := uint64(*maxMemory) << 20
		if err := syscall.Setrlimit(syscall.RLIMIT_DATA, &syscall.Rlimit{Cur: lim, Max: lim}); err != nil {
			return fmt.Errorf("bound memory: %w", err)
		}
	}
	var (
		data []byte
		err  error
	)
	if name := fs.Arg(0); name == "-" {
		data, err = io.ReadAll(os.Stdin)
	} else {
		data, err = os.ReadFile(name)
	}
	if err != nil {
		return err
	}
	img, err := ocr.Preview(ctx, data, *page, *side, ocr.Limits{MaxPages: *maxPages, MaxPixels: *maxPixels})
	switch {
	case errors.Is(err, document.ErrNotFound):
		return &exitError{exitNoPage, err}
	case err != nil && ctx.Err() == nil:
		return &exitError{exitCannotDraw, err}
	case err != nil:
		return err
	}
	_, err = stdout.Write(img)
	return err
}

// drawPage draws page n of an original in a child `docpipe render` of bounded memory, which is
// killed when ctx ends: a decoder working in C cannot be stopped inside the server, and memory
// it took is not given back to the system, but a process can be killed and its memory goes
// with it. A page the document lacks is document.ErrNotFound; one the child could not draw
// within its memory, or at all, wraps document.ErrInvalidInput.
func drawPage(ctx context.Context, data []byte, n, side int, lim ocr.Limits) ([]byte, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("draw page: find this program: %w", err)
	}
	cmd := exec.CommandContext(ctx, exe, "render", "-page", strconv.Itoa(n), "-side", strconv.Itoa(side),
		"-max-pages", strconv.Itoa(lim.MaxPages), "-max-pixels", strconv.FormatInt(lim.MaxPixels, 10),
		"-max-memory", strconv.Itoa(renderMemoryMiB), "-")
	var stdout, stderr bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = bytes.NewReader(data), &stdout, &stderr
	// The child runs pdftoppm for a PDF: killing the child alone would leave pdftoppm drawing,
	// so the child leads a process group of its own and the whole group is killed, also after
	// a child that died on its own. Should the server die first, the child follows it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 2 * time.Second
	err = cmd.Run()
	if cmd.Process != nil {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
	if ctx.Err() != nil {
		return nil, fmt.Errorf("draw page %d: %w", n, ctx.Err())
	}
	var ee *exec.ExitError
	switch {
	case err == nil:
		if !bytes.HasPrefix(stdout.Bytes(), []byte("\x89PNG\r\n\x1a\n")) {
			return nil, fmt.Errorf("draw page %d: the renderer wrote no PNG", n)
		}
		return stdout.Bytes(), nil
	case !errors.As(err, &ee):
		return nil, fmt.Errorf("draw page %d: %w", n, err)
	case ee.ExitCode() == exitNoPage:
		return nil, fmt.Errorf("draw page %d: %w", n, document.ErrNotFound)
	case ee.ExitCode() == exitCannotDraw:
		return nil, fmt.Errorf("%w: %s", document.ErrInvalidInput, renderReason(stderr.String()))
	default:
		return nil, fmt.Errorf("%w: drawing it took more than the %d MiB allowed (%v)", document.ErrInvalidInput, renderMemoryMiB, err)
	}
}

// renderReason is what a failed render said, without the command's prefix.
func renderReason(stderr string) string {
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	last := strings.TrimPrefix(lines[len(lines)-1], "docpipe render: ")
	return strings.TrimPrefix(last, "ocr: ")
}
