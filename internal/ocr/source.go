package ocr

import (
	"io"
)

// windowSize is how much of a file on disk a source holds at once.
const windowSize = 64 << 10

// A source is the bytes of a document being inspected. Those of a file are read through a small
// window, so that checking a file never holds it whole in memory.
type source struct {
	r    io.ReaderAt // nil when buf holds every byte
	size int64
	buf  []byte // the bytes from off
	off  int64
	err  error // the first failure to read r
}

// bytesSource is a source over data in memory.
func bytesSource(data []byte) *source {
	return &source{size: int64(len(data)), buf: data}
}

// readerSource is a source over the size bytes of r, read window bytes at a time.
func readerSource(r io.ReaderAt, size int64, window int) *source {
	return &source{r: r, size: size, buf: make([]byte, 0, max(window, 1))}
}

// at returns the n bytes at off, or false if they are not all in the source or cannot be read
// (see err). The bytes are valid until the next call.
func (s *source) at(off int64, n int) ([]byte, bool) {
	if off < 0 || n < 0 || off > s.size || int64(n) > s.size-off {
		return nil, false
	}
	if i := off - s.off; i >= 0 && i+int64(n) <= int64(len(s.buf)) {
		return s.buf[i : i+int64(n)], true
	}
	if s.r == nil || s.err != nil {
		return nil, false
	}
	if n > cap(s.buf) {
		s.buf = make([]byte, 0, n)
	}
	buf := s.buf[:min(int64(cap(s.buf)), s.size-off)]
	if got, err := s.r.ReadAt(buf, off); got < len(buf) {
		if err == nil || err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		s.err, s.buf = err, s.buf[:0]
		return nil, false
	}
	s.buf, s.off = buf, off
	return buf[:n], true
}

// scan calls fn with consecutive pieces of the bytes from off to the end, each piece but the
// first starting with the last byte of the one before, so that every pair of adjacent bytes is
// whole in exactly one piece; start is the offset of the piece's first byte. It reports
// false if the bytes cannot be read.
func (s *source) scan(off int64, fn func(p []byte, start int64)) bool {
	if off < 0 || off > s.size {
		return false
	}
	if s.r == nil {
		fn(s.buf[off:], off)
		return true
	}
	for first := true; off < s.size; first = false {
		start := off
		if !first {
			start--
		}
		p, ok := s.at(start, int(min(int64(max(cap(s.buf), 2)), s.size-start)))
		if !ok {
			return false
		}
		fn(p, start)
		off = start + int64(len(p))
	}
	return true
}

// head returns the first n bytes of s, or all of them if there are fewer.
func (s *source) head(n int) []byte {
	b, _ := s.at(0, int(min(int64(n), s.size)))
	return b
}

// tail returns the last n bytes of s, or all of them if there are fewer.
func (s *source) tail(n int) []byte {
	n = int(min(int64(n), s.size))
	b, _ := s.at(s.size-int64(n), n)
	return b
}
