package ocr

/*
#include <stdlib.h>
#include <tesseract/capi.h>
*/
import "C"

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"unsafe"

	"github.com/docpipe/docpipe/internal/document"
)

// An UnknownLanguageError means a document asks for a language whose pack is not installed. It wraps
// document.ErrInvalidInput; its message names the installed ones.
type UnknownLanguageError struct {
	Lang      string   // the code that is missing
	Installed []string // the codes that are there
}

func (e *UnknownLanguageError) Error() string {
	return fmt.Sprintf("no OCR language %q is installed; installed are %s", e.Lang, strings.Join(e.Installed, ", "))
}

// Unwrap returns document.ErrInvalidInput.
func (e *UnknownLanguageError) Unwrap() error { return document.ErrInvalidInput }

var dataDirs sync.Map // tessdata argument → the directory Tesseract reads

// DataDir returns the directory Tesseract reads language packs from: tessdata if it is not empty,
// else Tesseract's own default (TESSDATA_PREFIX, or where it was built to look).
func DataDir(tessdata string) (string, error) {
	if tessdata != "" {
		return tessdata, nil
	}
	if dir, ok := dataDirs.Load(tessdata); ok {
		return dir.(string), nil
	}
	initMu.Lock()
	defer initMu.Unlock()
	api := C.TessBaseAPICreate()
	if api == nil {
		return "", fmt.Errorf("ocr: out of memory creating a tesseract engine")
	}
	defer C.TessBaseAPIDelete(api)
	cosd := C.CString("osd")
	defer C.free(unsafe.Pointer(cosd))
	if C.TessBaseAPIInit2(api, nil, cosd, C.OEM_TESSERACT_ONLY) != 0 {
		return "", fmt.Errorf("ocr: tesseract cannot load orientation data (osd) from %s", dataDirName(""))
	}
	defer C.TessBaseAPIEnd(api)
	dir := C.GoString(C.TessBaseAPIGetDatapath(api))
	dataDirs.Store(tessdata, dir)
	return dir, nil
}

// Languages lists the language packs installed in Tesseract's data directory (see DataDir), by
// code, sorted, leaving out the orientation and equation data that are not languages. It reads
// the directory each time, so packs added while the server runs are found.
func Languages(tessdata string) ([]string, error) {
	dir, err := DataDir(tessdata)
	if err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("ocr: list languages: %w", err)
	}
	var langs []string
	for _, e := range entries {
		code, ok := strings.CutSuffix(e.Name(), ".traineddata")
		if ok && code != "osd" && code != "equ" && document.ValidLang(code) && !strings.Contains(code, "+") {
			langs = append(langs, code)
		}
	}
	slices.Sort(langs)
	return langs, nil
}

// CheckLang reports whether every code of lang, Tesseract codes joined by '+', is installed:
// a malformed lang wraps document.ErrInvalidInput, a missing pack is an *UnknownLanguageError.
func CheckLang(lang, tessdata string) error {
	if !document.ValidLang(lang) {
		return fmt.Errorf("%w: malformed OCR languages %q: want codes such as deu or deu+eng", document.ErrInvalidInput, lang)
	}
	installed, err := Languages(tessdata)
	if err != nil {
		return err
	}
	for _, code := range strings.Split(lang, "+") {
		if _, found := slices.BinarySearch(installed, code); !found {
			return &UnknownLanguageError{Lang: code, Installed: installed}
		}
	}
	return nil
}
