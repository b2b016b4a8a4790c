package api

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/docpipe/docpipe/internal/document"
	"github.com/docpipe/docpipe/internal/ocr"
)

// maxLangField bounds the lang field of an upload form: MaxLangs codes of MaxLangCode bytes.
const maxLangField = document.MaxLangs * (document.MaxLangCode + 1)

// checkLang checks an upload's OCR languages, empty for the server's default: well-formed, and
// installed when the server knows what is.
func (s *Server) checkLang(lang string) error {
	if lang == "" {
		return nil
	}
	if !document.ValidLang(lang) {
		return fmt.Errorf("%w: malformed lang %q: want Tesseract language codes joined by '+', such as deu or deu+eng", document.ErrInvalidInput, lang)
	}
	if s.opt.Languages == nil {
		return nil
	}
	installed, err := s.opt.Languages()
	if err != nil {
		return fmt.Errorf("list OCR languages: %w", err)
	}
	for _, code := range strings.Split(lang, "+") {
		if !slices.Contains(installed, code) {
			return &ocr.UnknownLanguageError{Lang: code, Installed: installed}
		}
	}
	return nil
}

// languages answers the OCR languages a document may ask for and the default.
func (s *Server) languages(w http.ResponseWriter, r *http.Request, owner string) {
	installed := []string{}
	if s.opt.Languages != nil {
		var err error
		if installed, err = s.opt.Languages(); err != nil {
			s.fail(w, r, fmt.Errorf("list OCR languages: %w", err))
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"default": s.opt.Lang, "installed": installed})
}
