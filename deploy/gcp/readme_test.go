package gcp

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2/hclsyntax"
)

var update = flag.Bool("update", false, "rewrite the generated part of each module's README.md")

const (
	docsBegin = "<!-- BEGIN_TF_DOCS -->"
	docsEnd   = "<!-- END_TF_DOCS -->"
)

// TestReadme checks that each module's README.md holds, between the terraform-docs markers, the
// tables of its inputs and outputs as the .tf files declare them. go test -update rewrites them.
func TestReadme(t *testing.T) {
	for _, m := range modules(t) {
		path := filepath.Join(m.dir, "README.md")
		readme, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("%s: %v", m.dir, err)
			continue
		}
		before, rest, ok1 := strings.Cut(string(readme), docsBegin)
		_, after, ok2 := strings.Cut(rest, docsEnd)
		if !ok1 || !ok2 {
			t.Errorf("%s: no %s ... %s section", path, docsBegin, docsEnd)
			continue
		}
		want := before + docsBegin + "\n" + m.docs() + docsEnd + after
		if want == string(readme) {
			continue
		}
		if *update {
			if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		t.Errorf("%s is out of date; run go test ./deploy/gcp -run TestReadme -update", path)
	}
}

// docs renders the module's inputs and outputs as terraform-docs style Markdown tables.
func (m *module) docs() string {
	var b strings.Builder
	src := map[string][]byte{}
	expr := func(e hclsyntax.Expression) string {
		r := e.Range()
		if src[r.Filename] == nil {
			src[r.Filename], _ = os.ReadFile(r.Filename)
		}
		s := strings.Join(strings.Fields(string(r.SliceBytes(src[r.Filename]))), " ")
		return "`" + strings.ReplaceAll(s, "|", "\\|") + "`"
	}
	b.WriteString("## Inputs\n\n| Name | Description | Type | Default | Required |\n|------|-------------|------|---------|:--------:|\n")
	for _, v := range m.find("variable") {
		typ, def, required := "", "n/a", "yes"
		if a := v.Body.Attributes["type"]; a != nil {
			typ = expr(a.Expr)
		}
		if a := v.Body.Attributes["default"]; a != nil {
			def, required = expr(a.Expr), "no"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n", v.Labels[0], cell(literalString(v.Body, "description")), typ, def, required)
	}
	b.WriteString("\n## Outputs\n\n| Name | Description |\n|------|-------------|\n")
	for _, o := range m.find("output") {
		fmt.Fprintf(&b, "| `%s` | %s |\n", o.Labels[0], cell(literalString(o.Body, "description")))
	}
	return b.String()
}

func cell(s string) string { return strings.ReplaceAll(s, "|", "\\|") }
