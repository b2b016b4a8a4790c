package ocr

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"github.com/docpipe/docpipe/internal/document"
)

// A toolError is a poppler tool's refusal of its input: it exited non-zero.
type toolError struct {
	tool   string
	code   int
	stderr string
}

func (e *toolError) Error() string {
	msg := strings.TrimSpace(e.stderr)
	if i := strings.LastIndexByte(msg, '\n'); i >= 0 {
		msg = msg[i+1:]
	}
	if msg == "" {
		msg = "no message"
	}
	return fmt.Sprintf("%s failed (exit status %d): %s", e.tool, e.code, msg)
}

// Unwrap returns document.ErrInvalidInput: poppler tools fail on input they
// cannot read, and reading it again will not help.
func (e *toolError) Unwrap() error { return document.ErrInvalidInput }

// run runs tool with args, feeding it stdin if that is not nil, and returns
// its standard output. Output beyond maxOut bytes ends the tool and is
// reported as invalid input.
func run(ctx context.Context, maxOut int, stdin []byte, tool string, args ...string) ([]byte, error) {
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	cmd := exec.CommandContext(runCtx, tool, args...)
	stdout := &cappedBuffer{max: maxOut, full: cancel}
	stderr := &cappedBuffer{max: 4 << 10}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	cmd.WaitDelay = 5 * time.Second
	// A tool outlives no process that started it: a killed worker or page renderer takes
	// its pdftoppm with it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	err := cmd.Run()
	switch {
	case ctx.Err() != nil:
		return nil, fmt.Errorf("%s: %w", tool, ctx.Err())
	case stdout.overflow:
		return nil, invalid("%s: output exceeds %d bytes", tool, maxOut)
	case err != nil:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return nil, &toolError{tool: tool, code: ee.ExitCode(), stderr: stderr.String()}
		}
		return nil, fmt.Errorf("run %s: %w", tool, err)
	}
	return stdout.Bytes(), nil
}

// A cappedBuffer keeps the first max bytes written to it. When more
// arrive it calls full, if set, and records the overflow.
type cappedBuffer struct {
	bytes.Buffer
	max      int
	full     func()
	overflow bool
}

func (b *cappedBuffer) Write(p []byte) (int, error) {
	if room := b.max - b.Len(); len(p) > room {
		b.Buffer.Write(p[:max(room, 0)])
		if !b.overflow && b.full != nil {
			b.full()
		}
		b.overflow = true
		return len(p), nil
	}
	return b.Buffer.Write(p)
}
