package api

import (
	"errors"
	"net/http"

	"github.com/docpipe/docpipe/internal/document"
)

// rules lists the owner's rules.
func (s *Server) rules(w http.ResponseWriter, r *http.Request, owner string) {
	rules, err := s.opt.Store.Rules(r.Context(), owner)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if rules == nil {
		rules = []document.Rule{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"rules": rules})
}

// putRule creates a rule (POST, 201) or replaces the one its path names (PUT, 200). New
// documents are tagged by it from then on; existing ones when it is applied.
func (s *Server) putRule(w http.ResponseWriter, r *http.Request, owner string) {
	var rule document.Rule
	if err := decodeJSON(r, w, &rule); err != nil {
		s.failJSON(w, r, err)
		return
	}
	rule.ID = r.PathValue("id")
	if r.Method == http.MethodPut {
		if _, err := s.rule(r, owner, rule.ID); err != nil {
			s.failRule(w, r, err)
			return
		}
	}
	rule, err := s.opt.Store.PutRule(r.Context(), owner, rule)
	if err != nil {
		s.failRule(w, r, err)
		return
	}
	status := http.StatusOK
	if r.Method == http.MethodPost {
		status = http.StatusCreated
		w.Header().Set("Location", "/v1/rules/"+rule.ID)
	}
	writeJSON(w, status, rule)
}

// rule finds one of the owner's rules.
func (s *Server) rule(r *http.Request, owner, id string) (document.Rule, error) {
	rules, err := s.opt.Store.Rules(r.Context(), owner)
	if err != nil {
		return document.Rule{}, err
	}
	for _, rule := range rules {
		if rule.ID == id {
			return rule, nil
		}
	}
	return document.Rule{}, document.ErrNotFound
}

// deleteRule removes one of the owner's rules; the tags it gave stay.
func (s *Server) deleteRule(w http.ResponseWriter, r *http.Request, owner string) {
	if err := s.opt.Store.DeleteRule(r.Context(), owner, r.PathValue("id")); err != nil {
		s.failRule(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// applyRules runs one rule, or all of them, over the owner's done documents now.
func (s *Server) applyRules(w http.ResponseWriter, r *http.Request, owner string) {
	n, err := s.opt.Store.ApplyRules(r.Context(), owner, r.PathValue("id"))
	if err != nil {
		s.failRule(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"tagged": n})
}

func (s *Server) failRule(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, document.ErrNotFound) {
		writeProblem(w, r, http.StatusNotFound, "no such rule")
		return
	}
	s.fail(w, r, err)
}
