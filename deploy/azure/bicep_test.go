package azure

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/docpipe/docpipe/internal/testenv"
)

// node is one named node of a tree-sitter-bicep parse tree, as deploy/azure/test/parse.mjs prints it.
type node struct {
	Type     string  `json:"type"`
	Field    string  `json:"field"`
	Text     string  `json:"text"`
	Row      int     `json:"row"`
	Col      int     `json:"col"`
	Missing  bool    `json:"missing"`
	Children []*node `json:"children"`
}

// UnmarshalJSON decodes a node and drops null children, so that every rule may assume a tree
// without holes whatever JSON it was handed.
func (n *node) UnmarshalJSON(data []byte) error {
	type plain node
	if err := json.Unmarshal(data, (*plain)(n)); err != nil {
		return err
	}
	n.Children = slices.DeleteFunc(n.Children, func(c *node) bool { return c == nil })
	return nil
}

// bicepFile is the parse tree of one file.
type bicepFile struct {
	Path string `json:"path"`
	Root *node  `json:"root"`
}

// parseBicep parses paths with bicep-parse (installed by scripts/azure.sh).
func parseBicep(t *testing.T, paths ...string) []bicepFile {
	t.Helper()
	tool := testenv.Tool(t, "bicep-parse", "run scripts/azure.sh")
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(tool, paths...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("bicep-parse: %v\n%s", err, stderr.String())
	}
	var out struct{ Files []bicepFile }
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		t.Fatalf("bicep-parse output: %v", err)
	}
	if len(out.Files) != len(paths) {
		t.Fatalf("bicep-parse returned %d trees for %d files", len(out.Files), len(paths))
	}
	return out.Files
}

var parsed struct {
	once  sync.Once
	files []bicepFile
}

// allTrees parses every .bicep file of the deployment and of testdata once per test binary: the
// parser takes about two seconds to start.
func allTrees(t *testing.T) []bicepFile {
	t.Helper()
	parsed.once.Do(func() {
		bad, err := filepath.Glob("testdata/bad/*.bicep")
		if err != nil {
			t.Fatal(err)
		}
		parsed.files = parseBicep(t, append(bicepFiles(t), bad...)...)
	})
	if parsed.files == nil {
		t.Fatal("parsing the Bicep files failed in an earlier test")
	}
	return parsed.files
}

// tree returns the parse tree of path.
func tree(t *testing.T, path string) bicepFile {
	t.Helper()
	for _, f := range allTrees(t) {
		if f.Path == path {
			return f
		}
	}
	t.Fatalf("%s was not parsed", path)
	return bicepFile{}
}

// walk calls fn for n and every node below it, depth first; fn returning false skips n's children.
func (n *node) walk(fn func(*node) bool) {
	if n == nil || !fn(n) {
		return
	}
	for _, c := range n.Children {
		c.walk(fn)
	}
}

// is reports whether n exists and has type typ.
func (n *node) is(typ string) bool { return n != nil && n.Type == typ }

// child returns n's first child of type typ, or nil.
func (n *node) child(typ string) *node {
	if n == nil {
		return nil
	}
	for _, c := range n.Children {
		if c.is(typ) {
			return c
		}
	}
	return nil
}

// name is the identifier a declaration or object property starts with, or the content of a
// quoted property name.
func (n *node) name() string {
	if n == nil || len(n.Children) == 0 {
		return ""
	}
	switch c := n.Children[0]; c.Type {
	case "identifier":
		return c.Text
	case "string":
		return c.literal()
	}
	return ""
}

// value is the last child of a declaration or object property: its value.
func (n *node) value() *node {
	if n == nil || len(n.Children) < 2 {
		return nil
	}
	return n.Children[len(n.Children)-1]
}

// text is n's source text, or "" for a missing node.
func (n *node) text() string {
	if n == nil {
		return ""
	}
	return n.Text
}

// literal is the content of a string without interpolation, or "" for anything else.
func (n *node) literal() string {
	if n == nil || n.Type != "string" {
		return ""
	}
	var b strings.Builder
	for _, c := range n.Children {
		if c.Type != "string_content" && c.Type != "escape_sequence" {
			return ""
		}
		b.WriteString(c.Text)
	}
	return b.String()
}

// prop returns the value of the property at path (dot-separated) in an object node, or nil.
func (n *node) prop(path string) *node {
	cur := n
	for _, key := range strings.Split(path, ".") {
		if cur == nil || cur.Type != "object" {
			return nil
		}
		var next *node
		for _, p := range cur.Children {
			if p.Type == "object_property" && p.name() == key {
				next = p.value()
			}
		}
		cur = next
	}
	return cur
}

// body is the object of a resource or module declaration, looking through `if (...)` conditions
// and `[for ...: ...]` loops.
func (n *node) body() *node {
	var obj *node
	if n == nil {
		return nil
	}
	for _, c := range n.Children {
		switch c.Type {
		case "object":
			obj = c
		case "if_statement":
			if o := c.child("object"); o != nil {
				obj = o
			}
		case "for_statement":
			b := c.loopBody()
			if b.is("if_statement") {
				b = b.child("object")
			}
			if b.is("object") {
				obj = b
			}
		}
	}
	return obj
}

// loopBody is what a for expression produces for each item: its child in the body field, or nil.
func (n *node) loopBody() *node {
	if n == nil {
		return nil
	}
	for _, c := range n.Children {
		if c != nil && c.Field == "body" {
			return c
		}
	}
	return nil
}

// find returns the value of the first object property called key below n, failing the test if none.
func (n *node) find(t *testing.T, key string) *node {
	t.Helper()
	var v *node
	n.walk(func(m *node) bool {
		if v == nil && m.Type == "object_property" && m.name() == key {
			v = m.value()
		}
		return v == nil
	})
	if v == nil {
		t.Fatalf("no property %s", key)
	}
	return v
}

// literalTemplate is the content of a string with its interpolations kept as ${...} source text.
func (n *node) literalTemplate() string {
	if !n.is("string") {
		return ""
	}
	var b strings.Builder
	for _, c := range n.Children {
		switch c.Type {
		case "string_content", "escape_sequence", "interpolation":
			b.WriteString(c.Text)
		}
	}
	return b.String()
}

// decl is a top-level declaration with the decorators written above it.
type decl struct {
	node       *node
	decorators map[string]*node // decorator name to its call_expression
}

// declarations lists the top-level declarations of f.
func declarations(f bicepFile) []decl {
	var out []decl
	pending := map[string]*node{}
	if f.Root == nil {
		return nil
	}
	for _, c := range f.Root.Children {
		if c.Type == "decorators" {
			for _, d := range c.Children {
				call := d.child("call_expression")
				if call == nil {
					continue
				}
				if id := call.child("identifier"); id != nil {
					pending[id.Text] = call
				}
			}
			continue
		}
		if strings.HasSuffix(c.Type, "_declaration") {
			out = append(out, decl{node: c, decorators: pending})
		}
		pending = map[string]*node{}
	}
	return out
}

// resourceType splits a resource declaration's 'Type@version' string; existing reports whether it
// only references a resource deployed elsewhere.
func resourceType(n *node) (typ, version string, existing bool) {
	s := n.child("string").literal()
	typ, version, _ = strings.Cut(s, "@")
	return typ, version, existingRE.MatchString(n.Text)
}

var existingRE = regexp.MustCompile(`^resource\s+\w+\s+'[^']*'\s+existing\s*=`)

// finding is one broken rule at a place in a file.
type finding struct {
	Rule string
	Path string
	Row  int
	Msg  string
}

func (f finding) String() string { return fmt.Sprintf("%s:%d: %s: %s", f.Path, f.Row, f.Rule, f.Msg) }
