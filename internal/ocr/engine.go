package ocr

/*
#cgo LDFLAGS: -ltesseract -lleptonica
#include <stdlib.h>
#include <tesseract/capi.h>
#include <leptonica/allheaders.h>

static bool dp_cancelled(void *flag, int words) {
	return __atomic_load_n((int *)flag, __ATOMIC_SEQ_CST) != 0;
}

static void dp_set_flag(int *flag, int v) {
	__atomic_store_n(flag, v, __ATOMIC_SEQ_CST);
}

static ETEXT_DESC *dp_monitor(int *flag) {
	ETEXT_DESC *m = TessMonitorCreate();
	if (m != NULL) {
		TessMonitorSetCancelFunc(m, dp_cancelled);
		TessMonitorSetCancelThis(m, flag);
	}
	return m;
}
*/
import "C"

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"
	"unsafe"

	"github.com/docpipe/docpipe/internal/document"
)

// Orientation is checked only on pages Tesseract reads with a mean word
// confidence below checkOrientationBelow. Upright text, even on poor scans,
// scores well above it (about 95 on the test corpus), and so does text on
// its side, which Tesseract's layout analysis turns by itself; upside-down
// text and text turned the other way score far below (about 40). This
// saves OSD's cost, a third of a page's recognition time, on the pages
// that need none. A page is then turned only if OSD is at least
// minOrientationConf sure and the turned page reads better.
const (
	checkOrientationBelow = 70
	minOrientationConf    = 2.0
)

// initMu serializes engine start-up and shutdown: Tesseract keeps some
// parameters in globals that Init and SetVariable write.
var initMu sync.Mutex

// maxEngineLangs is how many languages (or combinations of them) an engine keeps loaded: each
// costs tens of megabytes, and loading one again takes a fraction of a second.
const maxEngineLangs = 3

// An engine is Tesseract instances for recognition, one per language combination it was last
// asked for, plus one for orientation detection. It must be created and used on one locked OS
// thread.
type engine struct {
	api      *C.TessBaseAPI // the recognizer in use, of loaded[0]
	loaded   []loadedLang   // most recently used first
	osd      *C.TessBaseAPI
	flag     *C.int // cancellation flag polled by Tesseract's monitor
	tessdata string
}

// A loadedLang is a recognizer initialised for lang.
type loadedLang struct {
	lang string
	api  *C.TessBaseAPI
}

func newEngine(lang, tessdata string) (*engine, error) {
	initMu.Lock()
	defer initMu.Unlock()
	limitOpenMP()
	C.setMsgSeverity(C.L_SEVERITY_NONE)
	e := &engine{
		osd:      C.TessBaseAPICreate(),
		flag:     (*C.int)(C.calloc(1, C.size_t(unsafe.Sizeof(C.int(0))))),
		tessdata: tessdata,
	}
	if e.osd == nil || e.flag == nil {
		e.free()
		return nil, errors.New("out of memory creating a tesseract engine")
	}
	cdir := e.dir()
	defer C.free(unsafe.Pointer(cdir))
	cosd := C.CString("osd")
	defer C.free(unsafe.Pointer(cosd))
	if C.TessBaseAPIInit2(e.osd, cdir, cosd, C.OEM_TESSERACT_ONLY) != 0 {
		e.free()
		return nil, fmt.Errorf("tesseract cannot load orientation data (osd) from %s", dataDirName(tessdata))
	}
	e.quiet(e.osd)
	if err := e.load(lang); err != nil {
		e.free()
		return nil, err
	}
	return e, nil
}

// dir is the tessdata directory as Tesseract takes it: nil for its default. The caller frees it.
func (e *engine) dir() *C.char {
	if e.tessdata == "" {
		return nil
	}
	return C.CString(e.tessdata)
}

// use makes the recognizer of lang the one in use, loading it if the engine has not kept it.
func (e *engine) use(lang string) error {
	for i, l := range e.loaded {
		if l.lang == lang {
			copy(e.loaded[1:i+1], e.loaded[:i])
			e.loaded[0] = l
			e.api = l.api
			return nil
		}
	}
	initMu.Lock()
	defer initMu.Unlock()
	return e.load(lang)
}

// load initialises a recognizer for lang and puts it in use, dropping the least recently used
// one past maxEngineLangs. initMu must be held.
func (e *engine) load(lang string) error {
	api := C.TessBaseAPICreate()
	if api == nil {
		return errors.New("out of memory creating a tesseract engine")
	}
	cdir, clang := e.dir(), C.CString(lang)
	defer C.free(unsafe.Pointer(cdir))
	defer C.free(unsafe.Pointer(clang))
	if C.TessBaseAPIInit2(api, cdir, clang, C.OEM_DEFAULT) != 0 {
		C.TessBaseAPIDelete(api)
		return fmt.Errorf("tesseract cannot load language %q from %s", lang, dataDirName(e.tessdata))
	}
	e.quiet(api)
	e.loaded = append([]loadedLang{{lang, api}}, e.loaded...)
	for len(e.loaded) > maxEngineLangs {
		last := e.loaded[len(e.loaded)-1]
		C.TessBaseAPIEnd(last.api)
		C.TessBaseAPIDelete(last.api)
		e.loaded = e.loaded[:len(e.loaded)-1]
	}
	e.api = api
	return nil
}

func dataDirName(dir string) string {
	if dir == "" {
		return "its default tessdata directory"
	}
	return dir
}

// quiet sends Tesseract's diagnostics (such as resolution warnings) nowhere.
func (e *engine) quiet(api *C.TessBaseAPI) {
	name, value := C.CString("debug_file"), C.CString("/dev/null")
	defer C.free(unsafe.Pointer(name))
	defer C.free(unsafe.Pointer(value))
	C.TessBaseAPISetVariable(api, name, value)
}

func (e *engine) free() {
	for _, l := range e.loaded {
		C.TessBaseAPIEnd(l.api)
		C.TessBaseAPIDelete(l.api)
	}
	e.loaded, e.api = nil, nil
	if e.osd != nil {
		C.TessBaseAPIEnd(e.osd)
		C.TessBaseAPIDelete(e.osd)
		e.osd = nil
	}
	C.free(unsafe.Pointer(e.flag))
	e.flag = nil
}

func (e *engine) close() {
	initMu.Lock()
	defer initMu.Unlock()
	e.free()
}

// A result is what an engine made of one page.
type result struct {
	text     string
	conf     int // mean word confidence, 0..100
	rotation int // clockwise quarter turns applied to make the page upright
	psm      int // page segmentation mode in force during recognition
	// lines are the words read and their boxes, in pixels of the page as given to recognize.
	lines []document.Line
	// upright is the clockwise quarter turns that make the text upright on the page as given
	// to recognize: rotation, or for text on its side, which Tesseract reads without turning
	// the page, the turn OSD finds.
	upright int
}

// recognize reads p in page segmentation mode psm, turning it upright
// first if it reads poorly and OSD finds it rotated. dpi is the image's
// resolution, 0 if unknown. If ctx ends while Tesseract is reading, it stops
// early and ctx's error is returned; the engine stays usable.
func (e *engine) recognize(ctx context.Context, p *pix, dpi, psm int) (result, error) {
	r, err := e.read(ctx, p.p, dpi, psm)
	if err != nil {
		return r, err
	}
	if r.conf >= checkOrientationBelow {
		if vertical(r.lines) {
			if q := e.orientation(p.p, dpi); q%2 == 1 {
				r.upright = q
			}
		}
		return r, nil
	}
	quarters := e.orientation(p.p, dpi)
	if quarters == 0 {
		return r, nil
	}
	turned := C.pixRotateOrth(p.p, C.l_int32(quarters))
	if turned == nil {
		return r, errors.New("out of memory turning page")
	}
	defer C.pixDestroy(&turned)
	r2, err := e.read(ctx, turned, dpi, psm)
	if err != nil || r2.conf <= r.conf {
		return r, err
	}
	r2.rotation = quarters
	r2.upright = quarters
	w, h := int(C.pixGetWidth(turned)), int(C.pixGetHeight(turned))
	for i := range r2.lines {
		line := &r2.lines[i]
		line.Box = line.Box.Turn(4-quarters, w, h)
		for j := range line.Words {
			line.Words[j].Box = line.Words[j].Box.Turn(4-quarters, w, h)
		}
	}
	return r2, nil
}

// read runs Tesseract on img once.
func (e *engine) read(ctx context.Context, img *C.PIX, dpi, psm int) (result, error) {
	var r result
	if err := ctx.Err(); err != nil {
		return r, err
	}
	C.TessBaseAPISetPageSegMode(e.api, C.TessPageSegMode(psm))
	C.TessBaseAPISetImage2(e.api, img)
	if dpi > 0 {
		C.TessBaseAPISetSourceResolution(e.api, C.int(dpi))
	}
	defer C.TessBaseAPIClear(e.api)
	r.psm = int(C.TessBaseAPIGetPageSegMode(e.api))

	monitor := C.dp_monitor(e.flag)
	if monitor == nil {
		return r, errors.New("out of memory creating a tesseract monitor")
	}
	defer C.TessMonitorDelete(monitor)
	C.dp_set_flag(e.flag, 0)
	fired := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		C.dp_set_flag(e.flag, 1)
		close(fired)
	})
	rc := C.TessBaseAPIRecognize(e.api, monitor)
	if !stop() {
		<-fired
	}
	if err := ctx.Err(); err != nil {
		return r, err
	}
	if rc != 0 {
		return r, errors.New("tesseract failed to recognize the page")
	}
	if text := C.TessBaseAPIGetUTF8Text(e.api); text != nil {
		r.text = C.GoString(text)
		C.TessDeleteText(text)
	}
	r.conf = int(C.TessBaseAPIMeanTextConf(e.api))
	r.lines = e.words()
	return r, nil
}

// words walks the result of the last recognition and returns its lines of words with their
// boxes, leaving out lines without a word that has text.
func (e *engine) words() []document.Line {
	it := C.TessBaseAPIGetIterator(e.api)
	if it == nil {
		return nil
	}
	defer C.TessResultIteratorDelete(it)
	pit := C.TessResultIteratorGetPageIterator(it)
	var (
		lines []document.Line
		cur   *document.Line
	)
	for {
		if C.TessPageIteratorIsAtBeginningOf(pit, C.RIL_TEXTLINE) != 0 || cur == nil {
			if cur != nil && len(cur.Words) > 0 {
				lines = append(lines, *cur)
			}
			cur = &document.Line{Box: box(pit, C.RIL_TEXTLINE)}
		}
		if text := C.TessResultIteratorGetUTF8Text(it, C.RIL_WORD); text != nil {
			s := strings.TrimSpace(C.GoString(text))
			C.TessDeleteText(text)
			if s != "" { // rules and pictures come as words of blanks
				conf := int(C.TessResultIteratorConfidence(it, C.RIL_WORD) + 0.5)
				cur.Words = append(cur.Words, document.Word{Text: s, Box: box(pit, C.RIL_WORD), Confidence: min(max(conf, 0), 100)})
			}
		}
		if C.TessResultIteratorNext(it, C.RIL_WORD) == 0 {
			break
		}
	}
	if cur != nil && len(cur.Words) > 0 {
		lines = append(lines, *cur)
	}
	return lines
}

// vertical reports whether most words of three letters or more in lines stand taller than they
// are wide: text on its side, which Tesseract reads without turning the page.
func vertical(lines []document.Line) bool {
	tall, all := 0, 0
	for _, l := range lines {
		for _, w := range l.Words {
			if utf8.RuneCountInString(w.Text) < 3 {
				continue
			}
			all++
			if w.Box[3]-w.Box[1] > w.Box[2]-w.Box[0] {
				tall++
			}
		}
	}
	return tall > all/2
}

// box is the bounding box of the element of level at pit.
func box(pit *C.TessPageIterator, level C.TessPageIteratorLevel) document.Box {
	var l, t, r, b C.int
	if C.TessPageIteratorBoundingBox(pit, level, &l, &t, &r, &b) == 0 {
		return document.Box{}
	}
	return document.Box{int(l), int(t), int(r), int(b)}
}

// orientation returns the clockwise quarter turns that make img upright, as
// detected by Tesseract's OSD, or 0 if OSD is unsure.
func (e *engine) orientation(img *C.PIX, dpi int) int {
	C.TessBaseAPISetPageSegMode(e.osd, C.PSM_OSD_ONLY)
	C.TessBaseAPISetImage2(e.osd, img)
	if dpi > 0 {
		C.TessBaseAPISetSourceResolution(e.osd, C.int(dpi))
	}
	defer C.TessBaseAPIClear(e.osd)
	var deg C.int
	var conf C.float
	if C.TessBaseAPIDetectOrientationScript(e.osd, &deg, &conf, nil, nil) == 0 || float64(conf) < minOrientationConf {
		return 0
	}
	return ((360 - int(deg)) / 90) % 4
}
