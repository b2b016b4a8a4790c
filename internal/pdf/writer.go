// Package pdf writes PDF files: pages that show a scanned picture, and invisible text laid over
// the words of a page so that a PDF reader can find, select and copy them.
//
// It writes; it does not read. Grafting a text layer onto an existing PDF is left to a tool
// that reads PDFs (qpdf): Write makes pages whose boxes and rotation match the original's, so
// that the tool lays each over its page unchanged.
package pdf

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// An objWriter writes numbered objects and the cross-reference table that finds them.
type objWriter struct {
	w       *bufio.Writer
	n       int64   // bytes written
	offsets []int64 // of object i+1; -1 until written
	err     error
}

func newObjWriter(w io.Writer) *objWriter {
	o := &objWriter{w: bufio.NewWriterSize(w, 64<<10)}
	// The second line's high bytes tell transfer tools the file is binary.
	o.printf("%%PDF-1.7\n%%\xe2\xe3\xcf\xd3\n")
	return o
}

func (o *objWriter) Write(p []byte) (int, error) {
	if o.err != nil {
		return 0, o.err
	}
	n, err := o.w.Write(p)
	o.n += int64(n)
	o.err = err
	return n, err
}

func (o *objWriter) printf(format string, args ...any) {
	fmt.Fprintf(o, format, args...)
}

// alloc reserves an object number.
func (o *objWriter) alloc() int {
	o.offsets = append(o.offsets, -1)
	return len(o.offsets)
}

func (o *objWriter) begin(n int) {
	o.offsets[n-1] = o.n
	o.printf("%d 0 obj\n", n)
}

// object writes object n, whose body is a PDF value.
func (o *objWriter) object(n int, body string) {
	o.begin(n)
	o.printf("%s\nendobj\n", body)
}

// stream writes object n as a stream: dict holds its entries but /Length.
func (o *objWriter) stream(n int, dict string, data []byte) {
	o.begin(n)
	o.printf("<< %s /Length %d >>\nstream\n", dict, len(data))
	o.Write(data)
	o.printf("\nendstream\nendobj\n")
}

// flateStream writes object n as a stream of data compressed with Flate.
func (o *objWriter) flateStream(n int, dict string, data []byte) {
	o.stream(n, dict+" /Filter /FlateDecode", deflate(data))
}

// finish writes the cross-reference table and the trailer naming root as the catalog.
func (o *objWriter) finish(root int) error {
	xref := o.n
	o.printf("xref\n0 %d\n0000000000 65535 f \n", len(o.offsets)+1)
	for i, off := range o.offsets {
		if off < 0 {
			return fmt.Errorf("pdf: object %d was never written", i+1)
		}
		o.printf("%010d 00000 n \n", off)
	}
	o.printf("trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(o.offsets)+1, root, xref)
	if o.err == nil {
		o.err = o.w.Flush()
	}
	if o.err != nil {
		return fmt.Errorf("pdf: write: %w", o.err)
	}
	return nil
}

func deflate(data []byte) []byte {
	var b bytes.Buffer
	zw := zlib.NewWriter(&b)
	zw.Write(data) // writes to a bytes.Buffer do not fail
	zw.Close()
	return b.Bytes()
}

// num formats f the way PDF reads it: no exponent, at most four decimals, no trailing zeros.
func num(f float64) string {
	s := strings.TrimSuffix(strings.TrimRight(strconv.FormatFloat(f, 'f', 4, 64), "0"), ".")
	if s == "-0" {
		return "0"
	}
	return s
}
